"""Do the pages' claims hold on other CPUs and for other seeds? A benchmark, not a test: minutes.

Re-runs the demos that train or use a model on each numeric path a reader's CPU may take (the pinned
AVX2 path the pages are recorded on; PyTorch's DEFAULT path, as on a CPU without AVX2 or another
processor; and AVX-512 with the math libraries unpinned, as this CPU would run without snippets/cli.py:
the same arithmetic, added up in a different order) and, on the pinned path, with other seeds; then
runs the claim tests (pytest -m claims) of those demos against each set of runs and prints a table:
test module x variant -> claims held. A path this CPU cannot take is reported as not available. Each
variant runs in its own copy of snippets/, so their saved models (out/) never mix.

    python benchmarks/robustness.py                    # every variant, every trained-model demo
    python benchmarks/robustness.py --demos facts.py autocomplete.py --seeds 7
"""

import argparse
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
sys.path.insert(0, str(ROOT / "hooks"))
import records  # noqa: E402


def trained_model_demos():
    """The demos on the pages whose outputs come out of floating-point arithmetic (they use torch)."""
    embedded = re.findall(
        r"\{\*\s*([\w-]+\.py):", "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    )
    demos = [name for name in dict.fromkeys(embedded) if records.is_demo(name)]
    return [
        name
        for name in demos
        if any(
            "import torch" in f.read_text()
            for f in [
                records.snippet_path(name),
                *records.sibling_imports(records.snippet_path(name)),
            ]
        )
    ]


# name -> (settings, the kernel path PyTorch must then report)
PATHS = {
    "AVX2 (pinned)": ({}, "AVX2"),
    "DEFAULT": ({"ATEN_CPU_CAPABILITY": "default"}, "DEFAULT"),
    "AVX512": (
        {"ATEN_CPU_CAPABILITY": "avx512", "ONEDNN_MAX_CPU_ISA": "ALL", "MKL_CBWR": "AUTO"},
        "AVX512",
    ),
}


def kernel_path(env):
    """The kernel path a snippet takes under env (PyTorch falls back to a lower one when asked for more)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import cli, torch; print(torch.backends.cpu.get_cpu_capability())"],
        cwd=ROOT / "snippets",
        env=env,
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() or f"none ({probe.stderr.strip().splitlines()[-1:]})"


def run_variant(name, demos, env, argv, folder):
    """Every demo of one variant, side by side, in a private copy of the code (its own out/), recorded
    by its own hooks/record.py into folder/runs."""
    copy = folder / "repo"
    for part in ("snippets", "hooks"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "constraints.txt", copy)
    started, failed = time.perf_counter(), {}
    seeded = [demo for demo in demos if "--seed" in records.snippet_path(demo).read_text()]
    for group, args in ((seeded, argv), ([d for d in demos if d not in seeded], ())):
        if not group:
            continue
        proc = subprocess.run(
            [
                sys.executable,
                "hooks/record.py",
                "--into",
                str(folder / "runs"),
                "--args",
                " ".join(args),
                *group,
            ],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        failed.update(
            {
                line.split()[1]: line
                for line in proc.stderr.splitlines()
                if line.startswith("FAILED")
            }
        )
    return time.perf_counter() - started, failed


def claim_tests(demos):
    """The test files that check claims about these demos (they ask for a run of one of them)."""
    asked = re.compile(r"""snippet_run\(\s*["']([\w.]+\.py)["']""")
    return [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").glob("test_*.py"))
        if set(asked.findall(path.read_text())) & set(demos)
    ]


def check_claims(folder, tests):
    """pytest -m claims against the variant's runs: {test module: (held, total, [failed tests])}."""
    report = folder / "claims.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "claims",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-header",
            "-o",
            "addopts=",
            f"--junitxml={report}",
            *tests,
        ],
        cwd=ROOT,
        env=dict(os.environ, LLMS101_CLAIMS_RUNS=str(folder / "runs")),
        capture_output=True,
        text=True,
    )
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demos", nargs="+", default=trained_model_demos(), help="demos to re-run")
    parser.add_argument(
        "--seeds", nargs="*", type=int, default=[1, 2], help="other seeds, on the pinned path"
    )
    args = parser.parse_args()

    for demo in args.demos:
        try:
            records.snippet_path(demo)
        except records.SnippetError as error:
            sys.exit(f"robustness.py: error: {error}")
    base = {key: value for key, value in os.environ.items() if key not in PATHS["AVX512"][0]}
    variants, unavailable = [], []
    for name, (settings, expected) in PATHS.items():
        found = kernel_path(dict(base, **settings))
        if found == expected:
            variants.append((name, settings, ()))
        else:
            unavailable.append(name)
            print(
                f"{name:>14}: not available on this CPU (PyTorch takes {found} when asked for it)",
                flush=True,
            )
    variants += [(f"seed {seed}", {}, ("--seed", str(seed))) for seed in args.seeds]
    tests = claim_tests(args.demos)
    work = Path(tempfile.mkdtemp(prefix="llms101-robustness-"))
    table, failures = {}, []
    for name, extra_env, argv in variants:
        folder = work / re.sub(r"\W+", "-", name).strip("-")
        seconds, failed = run_variant(name, args.demos, dict(base, **extra_env), argv, folder)
        claims = check_claims(folder, tests)
        print(
            f"{name:>14}: demos ran in {seconds:.0f} s" + (f", failed: {failed}" if failed else ""),
            flush=True,
        )
        for module, (held, total, broken) in claims.items():
            table.setdefault(module, {})[name] = f"{held}/{total}" + (
                " ok" if held == total else " NO"
            )
            failures += [f"{name}: {module}::{test}" for test in broken]
    columns = [name for name, _, _ in variants]
    width = max([len(module) for module in table] + [14]) + 2
    print(f"\n{'claims (tests)':{width}}" + "".join(f"{c:>15}" for c in columns + unavailable))
    for module, cells in sorted(table.items()):
        print(
            f"{module:{width}}"
            + "".join(f"{cells.get(c, '-'):>15}" for c in columns)
            + "".join(f"{'n/a':>15}" for _ in unavailable)
        )
    if failures:
        print("\nclaims that did not hold:\n  " + "\n  ".join(failures))
        print(f"(the runs are kept in {work}: each variant's records are in <variant>/runs/)")
        sys.exit(1)
    print("\nevery claim held in every variant")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
