"""How many deliberate bugs do the fast unit tests catch? A mutation benchmark, not a test: an hour.

Cosmic Ray (cosmic-ray, in the `mutation` dependency group) makes one small change at a time to a
library module (a `+` becomes `-`, `<` becomes `<=`, a number is one off, a loop runs zero times, a
decorator goes...) and runs that module's focused unit tests against it. A mutant the tests fail on is
killed; one they pass survives, and is either a gap in the tests or a change that makes no difference
(explained below, in EXPLAINED). It works on a copy of the code, so the working tree is never touched.

    nice -n 10 python benchmarks/mutation.py                  # every module; writes benchmarks/mutation.md
    nice -n 10 python benchmarks/mutation.py --modules sampling.py gpt.py
    python benchmarks/mutation.py --report                    # mutation.md again from the last run

Why Cosmic Ray and not mutmut: mutmut 3 leaves decorated functions alone, and `generate`,
`next_token_probs` and `evaluate` are all under `@torch.no_grad()`; it also leaves module-level
constants alone (the coder's FREQ_TOTAL). Cosmic Ray mutates the source file itself and runs any
command, so pytest 9 and our tests' own imports work as they are.

Which mutants: one replacement per arithmetic operator (+ and -, * and /, ...), the boundary and the
negation of each comparison, numbers one up and one down, `not` added to a condition, True/False,
and/or, break/continue, zero-iteration loops, removed decorators, replaced exception types. The
other replacements Cosmic Ray can make (`+` into `>>`, `<` into `is`) almost always crash at once and
would only flatter the score. Code outside the scope (OUT_OF_SCOPE: what a person at a terminal sees,
the multi-process launcher, the command-line front ends, the default run's settings) is checked by
slower tests (commands, data parallelism, claims against re-recorded runs), not here.
"""

import argparse
import ast
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "benchmarks" / "mutation.md"
RESULTS = ROOT / "benchmarks" / "mutation.json"

# module -> its focused fast tests (seconds each; they run once per mutant)
MODULES = {
    "gpt.py": ["tests/test_unit_gpt.py"],
    "sampling.py": ["tests/test_unit_sampling.py"],
    "training.py": [
        "tests/test_unit_training.py",
        "tests/test_model.py::test_char_tokenizer_round_trips_and_refuses_unknown_characters",
        "tests/test_model.py::test_evaluate_scores_every_token_once_after_the_context",
        "tests/test_model.py::test_split_three_keeps_the_validation_text_and_trains_on_no_held_out_paragraph",
        "tests/test_model.py::test_a_checkpoint_from_other_settings_is_not_reused",
    ],
    "arithmetic_coding.py": ["tests/test_unit_arithmetic_coding.py"],
    "tokenizer.py": ["tests/test_unit_tokenizer.py"],
}

# module -> {function, class or top-level name: why its mutants are not counted here}
OUT_OF_SCOPE = {
    "training.py": {
        "DEFAULT": "the default run's settings: claims against a re-recorded train.py run",
        "LONG": "the --long run's settings: claims against a re-recorded train.py --long run",
        "THREADS": "a thread count: changes speed, not results (benchmarks/train_speed.py)",
        "CHECKPOINT": "a file name",
        "Progress": "the progress line a person at a terminal sees on stderr",
        "checkpoint_for": "file names of other seeds' models (benchmarks/robustness.py)",
        "load_or_train": "trains the default run (a minute): claims against the recorded runs",
    },
    "arithmetic_coding.py": {
        "main": "the command: tests/test_compression.py runs it on files (needs the trained model)",
        "check_output": "the command's file checks: tests/test_compression.py",
        "write_atomically": "the command's file writing: tests/test_compression.py",
    },
    "tokenizer.py": {
        "COLORS": "the figure's palette",
    },
    "workers.py": {
        "(all of it)": "data parallelism across processes: tests/test_data_parallel.py (minutes)",
    },
}

KEEP_OPERATORS = {
    "NumberReplacer",
    "AddNot",
    "ReplaceTrueWithFalse",
    "ReplaceFalseWithTrue",
    "ReplaceAndWithOr",
    "ReplaceOrWithAnd",
    "ReplaceBreakWithContinue",
    "ReplaceContinueWithBreak",
    "ZeroIterationForLoop",
    "RemoveDecorator",
    "ExceptionReplacer",
    "ReplaceUnaryOperator_Delete_USub",
    "ReplaceUnaryOperator_Delete_Not",
    # one replacement per arithmetic operator
    "ReplaceBinaryOperator_Add_Sub",
    "ReplaceBinaryOperator_Sub_Add",
    "ReplaceBinaryOperator_Mul_Div",
    "ReplaceBinaryOperator_Div_Mul",
    "ReplaceBinaryOperator_FloorDiv_Div",
    "ReplaceBinaryOperator_Mod_FloorDiv",
    "ReplaceBinaryOperator_Pow_Mul",
    "ReplaceBinaryOperator_LShift_RShift",
    "ReplaceBinaryOperator_RShift_LShift",
    "ReplaceBinaryOperator_BitAnd_BitOr",
    "ReplaceBinaryOperator_BitOr_BitAnd",
    "ReplaceBinaryOperator_BitXor_BitOr",
    # each comparison: its boundary, and its negation
    "ReplaceComparisonOperator_Lt_LtE",
    "ReplaceComparisonOperator_Lt_GtE",
    "ReplaceComparisonOperator_LtE_Lt",
    "ReplaceComparisonOperator_LtE_Gt",
    "ReplaceComparisonOperator_Gt_GtE",
    "ReplaceComparisonOperator_Gt_LtE",
    "ReplaceComparisonOperator_GtE_Gt",
    "ReplaceComparisonOperator_GtE_Lt",
    "ReplaceComparisonOperator_Eq_NotEq",
    "ReplaceComparisonOperator_NotEq_Eq",
    "ReplaceComparisonOperator_Is_IsNot",
    "ReplaceComparisonOperator_IsNot_Is",
    "ReplaceComparisonOperator_In_NotIn",
    "ReplaceComparisonOperator_NotIn_In",
}

# Survivors that make no difference a test could or should see, by (module, the line as the mutant
# writes it): why. Anything else that survives is a gap in the tests.
EQUIVALENT_BATCHES = "the batch size only groups evaluate's windows: the same tokens, the same sum"
UNUSED_DEFAULT = "a default no caller uses: every demo passes its own vocabulary size"
EXPLAINED = {
    (
        "training.py",
        "def split_three(text, tokenizer, heldout_fraction=0.1, test_fraction= 1.1):",
    ): (
        "equivalent: the test text's start, 1 - 0.1 - 1.1 = -0.2 of the text, counts from the end "
        "(str.find), which is where 0.8 is"
    ),
    (
        "training.py",
        "if end <= len(text):                   # the last few: one more window, at the end",
    ): (
        "equivalent: when the windows end exactly at the text's end, the extra window it adds "
        "scores no token (all of it is context), so the sum and the count are unchanged"
    ),
    ("training.py", "for i in range(0, len(x), 63):"): EQUIVALENT_BATCHES,
    ("training.py", "for i in range(0, len(x), 65):"): EQUIVALENT_BATCHES,
    ("arithmetic_coding.py", "elif self.low > HALF:"): (
        "equivalent as far as the tests can see (in the encoder or the decoder): when the interval is "
        "exactly the upper half, "
        "the encoder renormalises at the next symbol instead of now, and the interval stays wide "
        "enough; the uniform 4-token tests reach this case and decode exactly, at the same length"
    ),
    ("arithmetic_coding.py", "FREQ_TOTAL = 1 << 25"): (
        "equivalent: a finer quantisation still fits the 32-bit coder (it needs at most 2^30)"
    ),
    ("training.py", "return h.hexdigest()[: 15]"): (
        "a checkpoint key one hex digit shorter: it still changes with the code, settings and text"
    ),
    ("tokenizer.py", "def train_bpe(text, vocab_size= 4097):"): UNUSED_DEFAULT,
    ("training.py", 'ckpt = torch.load(path, map_location="cpu", weights_only=False)'): (
        "killed since this run, checked by hand: tests/test_unit_training.py::"
        "test_load_unpickles_no_code (the next run counts it)"
    ),
    ("training.py", "except CosmicRayTestingException as e:  # a truncated or foreign file"): (
        "killed since this run, checked by hand: tests/test_unit_training.py::"
        "test_load_refuses_a_file_cut_short_or_not_a_checkpoint (the next run counts it)"
    ),
    ("training.py", "eval_tokens= 8193,"): (
        "the default run's evaluation size: it changes the losses train.py records, which the claim "
        "tests check after a re-record, like DEFAULT's settings (out of this benchmark's scope)"
    ),
    ("training.py", '"bz2": lambda b: len(bz2.compress(b, 8)),'): (
        "equivalent: bz2's level is its block size (100 kB per level), and the texts compared are "
        "under 800 kB (the training text is 466 kB), so levels 8 and 9 write the same bytes"
    ),
    ("arithmetic_coding.py", "self._emit(0 if self.low <= QUARTER else 1)"): (
        "equivalent: when low is exactly a quarter, high is at least three quarters (the loop's "
        "invariant), so 0 then the pending 1s names a point in [a quarter, a half), inside the "
        "interval, as 1 does: both decode"
    ),
    (
        "arithmetic_coding.py",
        'what = "truncated" if found <= n_payload else "has extra bytes at the end"',
    ): "equivalent: the line runs only when found != n_payload, where < and <= agree",
    ("arithmetic_coding.py", "elif self.low > QUARTER and self.high < 3 * QUARTER:"): (
        "equivalent: when low is exactly a quarter the encoder leaves the interval as it is; high is "
        "then at least a half, so the interval is still at least a quarter wide, far above "
        "FREQ_TOTAL, and every symbol keeps room to be coded and decoded"
    ),
    ("arithmetic_coding.py", "FREQ_TOTAL = 1 << 23"): (
        "a coarser frequency table: round trips stay exact; only unlikely symbols cost a little "
        "more, well under the byte the size tests allow on their short texts"
    ),
    ("arithmetic_coding.py", 'MAGIC, VERSION = b"LMAC", 0'): (
        "the format's version number: the coder and the decoder share it, so any value round-trips; "
        "it matters only against files another version wrote, and there are none yet"
    ),
    (
        "arithmetic_coding.py",
        "target = ((self.value - self.low + 1) * cum[-1] - 2) // width",
    ): (
        "a gap in principle: it moves the decoder's target only when (value - low + 1) * total - 1 is "
        "an exact multiple of the interval's width (about once in 2^31 symbols), and then matters "
        "only if the target is a symbol's lower edge; no test text reaches that case"
    ),
    (
        "training.py",
        "progress = Progress(steps, batch_size / model.config.block_size, show=rank == 0)",
    ): "the progress line's tokens per second, on stderr, only at a terminal",
    (
        "training.py",
        "progress = Progress(steps, batch_size * model.config.block_size, show=rank == -1)",
    ): "whether the progress line shows, on stderr, only at a terminal",
    ("tokenizer.py", "def train_bpe(text, vocab_size= 4095):"): UNUSED_DEFAULT,
    ("tokenizer.py", 'va="center", fontsize= 9)'): "the font size of a figure's label",
    ("tokenizer.py", 'va="center", fontsize= 11)'): "the font size of a figure's label",
    ("tokenizer.py", 'family="monospace", fontsize= 10)'): "the font size of a figure's label",
    ("tokenizer.py", 'family="monospace", fontsize= 12)'): "the font size of a figure's label",
}


def scope_lines(source, names):
    """{line: name} for every line of the top-level functions, classes and assignments in names."""
    lines = {}
    for node in ast.parse(source).body:
        targets = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in targets:
            if name in names:
                for line in range(
                    node.lineno - len(getattr(node, "decorator_list", [])), node.end_lineno + 1
                ):
                    lines[line] = name
    return lines


def serve(address):
    """Run pytest for the clients, each time in a fresh fork of this process: the slow imports
    (torch, matplotlib, pytest) happen once, and nothing from snippets/ or tests/ is imported here,
    so every fork reads the mutated file anew."""
    import socket

    sys.dont_write_bytecode = (
        True  # a mutant of the same size, in the same second: never a stale .pyc
    )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import pytest
    import tokenizers  # noqa: F401
    import torch

    torch.set_num_threads(1)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen()
    while True:
        connection, _ = server.accept()
        with connection:
            request = json.loads(connection.makefile().readline())
            child = os.fork()
            if child == 0:
                server.close()
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                os._exit(int(pytest.main(request["args"])))
            deadline = time.monotonic() + request["timeout"]
            while True:
                done, status = os.waitpid(child, os.WNOHANG)
                if done:
                    code = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() > deadline:
                    os.kill(child, 9)
                    os.waitpid(child, 0)
                    code = 124  # like timeout(1): the mutant made the tests run forever
                    break
                time.sleep(0.02)
            connection.sendall(f"{code}\n".encode())


def client(address, args, timeout):
    """Ask the server to run pytest with args; exit with pytest's exit code."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(address)
        connection.sendall((json.dumps({"args": args, "timeout": timeout}) + "\n").encode())
        sys.exit(int(connection.makefile().readline()))


def copy_project(folder):
    """What the unit tests need, in a folder of its own: the mutants are written there."""
    for part in ("snippets", "tests", "hooks"):
        shutil.copytree(
            ROOT / part,
            folder / part,
            ignore=shutil.ignore_patterns("__pycache__", "node_modules", "vendor", "out"),
        )
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, folder / name)
    # the pages' words: a test tied to a sentence (@claim) checks the sentence is there first
    (folder / "docs").mkdir()
    for page in (ROOT / "docs").glob("*.md"):
        shutil.copy(page, folder / "docs" / page.name)


PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--no-header"]


def test_command(module, address, timeout):
    args = " ".join([*PYTEST_ARGS, *MODULES[module]])
    return f"{sys.executable} {Path(__file__).resolve()} --client {address} --timeout {timeout} -- {args}"


def sampled(mutation, fraction):
    """The same mutants every run (as long as the code does not move): by a hash of where and what."""
    if fraction >= 1:
        return True
    key = f"{mutation.operator_name}:{mutation.start_pos}:{mutation.end_pos}:{mutation.occurrence}"
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 16**8 < fraction


def run_module(module, folder, timeout, dry_run=False, fraction=1.0):
    """Mutate one module and run its tests against each mutant; returns its session file."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    copy = folder / Path(module).stem
    copy_project(copy)
    address = str(copy / "pytest.sock")
    config = copy / "cosmic-ray.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(str(copy / 'snippets' / module))}\n"
        f"timeout = {timeout + 60}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(test_command(module, address, timeout))}\n"
        '[cosmic-ray.distributor]\nname = "local"\n',
        encoding="utf-8",
    )
    session = copy / "session.sqlite"
    cosmic = [str(Path(sys.executable).with_name("cosmic-ray"))]
    subprocess.run(
        [*cosmic, "init", str(config), str(session)], cwd=copy, check=True, capture_output=True
    )
    out_of_scope = scope_lines(
        (copy / "snippets" / module).read_text(encoding="utf-8"), OUT_OF_SCOPE.get(module, {})
    )
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            operator = mutation.operator_name.split("/")[-1]
            reason = None
            if operator not in KEEP_OPERATORS:
                reason = "operator left out"
            elif mutation.start_pos[0] in out_of_scope:
                reason = f"out of scope: {out_of_scope[mutation.start_pos[0]]}"
            elif not sampled(mutation, fraction):
                reason = "not in this sample"
            if reason:
                db.set_result(
                    item.job_id, WorkResult(output=reason, worker_outcome=WorkerOutcome.SKIPPED)
                )
    if dry_run:
        with use_db(str(session), WorkDB.Mode.open) as db:
            print(f"{module}: {db.num_work_items - db.num_results} mutants to run")
        return None
    server = subprocess.Popen(
        [sys.executable, Path(__file__).resolve(), "--serve", address], cwd=copy
    )
    try:
        while not Path(address).exists():
            time.sleep(0.1)
        baseline = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST_ARGS, *MODULES[module]],
            cwd=copy,
            capture_output=True,
            text=True,
        )
        if baseline.returncode != 0:
            sys.exit(
                f"{module}: the focused tests fail without any mutant:\n{baseline.stdout[-3000:]}"
            )
        with open(copy / "exec.log", "w", encoding="utf-8") as log:
            subprocess.run(
                [*cosmic, "exec", str(config), str(session)],
                cwd=copy,
                check=True,
                stdout=log,
                stderr=log,
            )
    finally:
        server.kill()
        server.wait()
    return session


def collect(module, session):
    """Every counted mutant of a session: operator, line, the line as written, the change, outcome."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    source = (Path(session).parent / "snippets" / module).read_text(encoding="utf-8").splitlines()
    mutants = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                if result.output == "not in this sample":
                    mutants.append({"module": module, "outcome": "not sampled"})
                continue
            mutation = item.mutations[0]
            line = mutation.start_pos[0]
            changed = [
                d[1:].strip()
                for d in (result.diff or "").splitlines()
                if d.startswith("+") and not d.startswith("+++")
            ]
            mutants.append(
                {
                    "module": module,
                    "operator": mutation.operator_name.split("/")[-1],
                    "line": line,
                    "function": mutation.definition_name,
                    "source": source[line - 1].strip(),
                    "mutant": changed[0] if changed else "",
                    "outcome": result.test_outcome.value,
                }
            )
    return mutants


def write_report(mutants, seconds, cpu_seconds, commit=None):
    not_sampled = sum(m["outcome"] == "not sampled" for m in mutants)
    mutants = [m for m in mutants if m["outcome"] != "not sampled"]
    by_module = {}
    for m in mutants:
        counts = by_module.setdefault(m["module"], {"killed": 0, "survived": 0, "incompetent": 0})
        counts[m["outcome"]] = counts.get(m["outcome"], 0) + 1
    killed = sum(c["killed"] for c in by_module.values())
    counted = killed + sum(c["survived"] for c in by_module.values())
    commit = (
        commit
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    lines = [
        "# Mutation score of the fast unit tests",
        "",
        "Written by `benchmarks/mutation.py` (Cosmic Ray): each mutant is one small change to a library",
        "module, run against that module's focused unit tests. Do not edit by hand: run the benchmark.",
        "",
        f"- code: commit {commit}, {datetime.now(UTC):%Y-%m-%d}; Python {platform.python_version()}",
        f"- {len(mutants)} mutants"
        + (
            f", {seconds / 60:.0f} min wall time, {cpu_seconds / 60:.0f} min of CPU (the tests' user + "
            "system time)"
            if seconds
            else ""
        )
        + ", one mutant at a time per module, under `nice -n 10`"
        + (
            f"; a fixed sample (by a hash of each mutant's place and kind) of the "
            f"{len(mutants) + not_sampled} mutants in scope"
            if not_sampled
            else ""
        ),
        f"- **score: {killed} of {counted} killed ({killed / max(1, counted):.1%})**"
        + (
            f" ({sum(c['incompetent'] for c in by_module.values())} incompetent mutants not counted)"
            if any(c["incompetent"] for c in by_module.values())
            else ""
        ),
        "",
        "| module | mutants | killed | survived | score |",
        "| --- | --- | --- | --- | --- |",
    ]
    for module, c in by_module.items():
        n = c["killed"] + c["survived"]
        lines.append(
            f"| {module} | {n} | {c['killed']} | {c['survived']} | {c['killed'] / max(1, n):.0%} |"
        )
    lines += ["", "## Survivors", ""]
    survivors = [m for m in mutants if m["outcome"] == "survived"]
    if not survivors:
        lines.append("None.")
    for m in survivors:
        why = EXPLAINED.get((m["module"], m["mutant"]), "**not explained: a gap in the tests**")
        lines += [
            f"- `{m['module']}:{m['line']}` ({m['function']}, {m['operator']}): "
            f"`{m['source']}` → `{m['mutant']}`. {why}",
        ]
    lines += [
        "",
        "## Not counted",
        "",
        "Code checked elsewhere, by slower tests (see OUT_OF_SCOPE in the script):",
        "",
    ]
    for module, names in OUT_OF_SCOPE.items():
        for name, why in names.items():
            lines.append(f"- `{module}` `{name}`: {why}")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    RESULTS.write_text(
        json.dumps(
            {"commit": commit, "seconds": seconds, "cpu_seconds": cpu_seconds, "mutants": mutants},
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"{killed} of {counted} killed ({killed / max(1, counted):.1%}); written to {REPORT.relative_to(ROOT)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", nargs="+", choices=list(MODULES), default=list(MODULES))
    parser.add_argument(
        "--timeout",
        type=float,
        default=90,
        help="seconds per mutant's tests: a mutant that loops for ever is killed by it (default %(default)s)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (its path is printed)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="modules mutated side by side")
    parser.add_argument("--sample", type=float, default=1.0, help="the share of mutants to run")
    parser.add_argument("--serve", metavar="SOCKET", help=argparse.SUPPRESS)
    parser.add_argument("--client", metavar="SOCKET", help=argparse.SUPPRESS)
    parser.add_argument("pytest_args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument(
        "--collect",
        nargs="+",
        metavar="FOLDER",
        help="write mutation.md from the sessions in these kept work folders (done mutants only)",
    )
    parser.add_argument("--commit", help="with --collect or --report: the commit the run mutated")
    parser.add_argument("--dry-run", action="store_true", help="only count the mutants")
    parser.add_argument(
        "--report", action="store_true", help="only rewrite mutation.md from mutation.json"
    )
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.client:
        return client(args.client, args.pytest_args, args.timeout)
    if args.collect:
        mutants = []
        for folder in args.collect:
            for session in sorted(Path(folder).glob("*/session.sqlite")):
                mutants += collect(f"{session.parent.name}.py", session)
        return write_report(mutants, None, None, args.commit)
    if args.report:
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
        commit = args.commit or saved.get("commit")  # the code the run mutated, not today's HEAD
        write_report(saved["mutants"], saved["seconds"], saved["cpu_seconds"], commit)
        return
    folder = Path(tempfile.mkdtemp(prefix="llms101-mutation-"))
    print(f"working in {folder}", flush=True)
    started, before = time.perf_counter(), os.times()
    mutants = []
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            sessions = pool.map(
                lambda module: run_module(module, folder, args.timeout, args.dry_run, args.sample),
                args.modules,
            )
            for module, session in zip(args.modules, sessions):
                if session is not None:
                    mutants += collect(module, session)
        if args.dry_run:
            return
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    write_report(mutants, time.perf_counter() - started, cpu)


if __name__ == "__main__":
    main()
