"""Do the pages' claims hold on other CPUs and for other seeds? A benchmark, not a test: minutes.

Re-runs the demos that train or use a model under each CPU kernel path this machine offers
(ATEN_CPU_CAPABILITY=default, avx2, avx512: the same arithmetic, added up in a different order)
and, on the native path, under other seeds; then runs the claim tests (pytest -m claims) against
each set of runs and prints a table: demo x variant -> claims held. Each variant runs in its own
copy of snippets/, so their saved models (out/) never mix.

    python benchmarks/robustness.py                    # every variant, every trained-model demo
    python benchmarks/robustness.py --demos facts.py autocomplete.py --seeds 7
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("runner", ROOT / "hooks" / "runner.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


def trained_model_demos():
    """The demos on the pages whose outputs come out of floating-point arithmetic (they use torch)."""
    embedded = re.findall(r"\{\*\s*([\w-]+\.py):", "".join(p.read_text() for p in (ROOT / "docs").glob("*.md")))
    demos = [name for name in dict.fromkeys(embedded) if runner.is_demo(name)]
    return [name for name in demos
            if any("import torch" in f.read_text() for f in [runner.snippet_path(name), *runner.sibling_imports(runner.snippet_path(name))])]


def capabilities():
    """The kernel paths this CPU can run: PyTorch falls back to a lower one when asked for more."""
    found = []
    for capability in ("default", "avx2", "avx512"):
        probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.backends.cpu.get_cpu_capability())"],
                               env=dict(os.environ, ATEN_CPU_CAPABILITY=capability), capture_output=True, text=True)
        if probe.stdout.strip().lower() == capability:
            found.append(capability)
    return found


def run_variant(name, demos, env, argv, folder, workers):
    """Every demo of one variant, side by side, in a private copy of the code (its own out/)."""
    copy = folder / "repo"
    for part in ("snippets", "hooks"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "constraints.txt", copy)
    spec = importlib.util.spec_from_file_location(f"runner_{name}", copy / "hooks" / "runner.py")
    private = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(private)
    pool = private.Pool(workers)
    started = time.perf_counter()
    futures = {demo: pool.snippet(demo, lambda n: folder / "runs" / Path(n).stem,
                                  argv if "--seed" in private.snippet_path(demo).read_text() else (), env)
               for demo in demos}
    failed = {}
    for demo, future in futures.items():
        try:
            future.result()
        except private.SnippetError as error:
            failed[demo] = str(error).splitlines()[-1]
    pool.close()
    return time.perf_counter() - started, failed


def check_claims(folder):
    """pytest -m claims against the variant's runs: {test module: (held, total, [failed tests])}."""
    report = folder / "claims.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-m", "claims", "-q", "-p", "no:cacheprovider",
                    "--no-header", "-o", "addopts=", f"--junitxml={report}", "tests"],
                   cwd=ROOT, env=dict(os.environ, LLMS101_CLAIMS_RUNS=str(folder / "runs")),
                   capture_output=True, text=True)
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("skipped") is not None:
            continue
        module = case.get("classname").split(".")[-1]
        held, total, failed = results.get(module, (0, 0, []))
        ok = case.find("failure") is None and case.find("error") is None
        results[module] = (held + ok, total + 1, failed + ([] if ok else [case.get("name")]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demos", nargs="+", default=trained_model_demos(), help="demos to re-run")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2], help="other seeds, on the native path")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="demos run side by side")
    args = parser.parse_args()

    variants = [(capability, {"ATEN_CPU_CAPABILITY": capability}, ()) for capability in capabilities()]
    variants += [(f"seed {seed}", {}, ("--seed", str(seed))) for seed in args.seeds]
    work = Path(tempfile.mkdtemp(prefix="llms101-robustness-"))
    table, failures = {}, []
    for name, extra_env, argv in variants:
        folder = work / re.sub(r"\W+", "-", name)
        seconds, failed = run_variant(name, args.demos, dict(os.environ, **extra_env), argv, folder, args.workers)
        claims = check_claims(folder)
        print(f"{name:>10}: demos ran in {seconds:.0f} s" + (f", failed: {failed}" if failed else ""), flush=True)
        for module, (held, total, broken) in claims.items():
            table.setdefault(module, {})[name] = f"{held}/{total}" + (" ok" if held == total else " NO")
            failures += [f"{name}: {module}::{test}" for test in broken]
    columns = [name for name, _, _ in variants]
    width = max(len(module) for module in table) + 2
    print(f"\n{'claims (tests)':{width}}" + "".join(f"{c:>14}" for c in columns))
    for module, cells in sorted(table.items()):
        print(f"{module:{width}}" + "".join(f"{cells.get(c, '-'):>14}" for c in columns))
    if failures:
        print("\nclaims that did not hold:\n  " + "\n  ".join(failures))
        print(f"(the runs are kept in {work}: each variant's records are in <variant>/runs/)")
        sys.exit(1)
    print("\nevery claim held in every variant")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
