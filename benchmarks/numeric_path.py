"""What the pinned numeric path costs in speed: the default training run under the AVX2 path
the snippets pin on x86-64 (snippets/cli.py), under this CPU's own path, and under PyTorch's
DEFAULT path, one after another, each in a fresh process (the settings only work before
PyTorch loads). A benchmark, not a test.

Reports, per path, the kernel path PyTorch took, wall and CPU seconds per training step (CPU
time counts only this process's work, so it holds up better than wall time when other
programs share the machine), and the last training loss, whose last digits differ between
paths while the run itself is the same. Run it on a quiet machine; --repeats runs each path
several times, interleaved, and keeps the fastest.

    python benchmarks/numeric_path.py                 # the default run, once per path
    python benchmarks/numeric_path.py --steps 400 --repeats 3
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402  (first: it pins the numeric path, unless a setting is already made)

# name -> the settings that choose it; cli.py fills in what a setting leaves out
PATHS = {
    "AVX2 (pinned)": {},
    "this CPU's own": {
        "ATEN_CPU_CAPABILITY": "avx512",
        "ONEDNN_MAX_CPU_ISA": "ALL",
        "MKL_CBWR": "AUTO",
    },
    "DEFAULT": {"ATEN_CPU_CAPABILITY": "default"},
}
X86_64 = platform.machine().lower() in ("x86_64", "amd64")


def one_run(steps):
    """Train the default run for `steps` steps here; print what it took, as JSON."""
    import torch

    import training

    settings = dict(training.DEFAULT, steps=steps)
    torch.manual_seed(settings["seed"])
    torch.set_num_threads(training.THREADS)
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids = training.split(text, tokenizer, settings["heldout_fraction"])
    model = training.build(settings, tokenizer)
    wall, cpu = time.perf_counter(), time.process_time()
    # one evaluation, at the end, on a few windows: the time is the training steps'
    history = training.train(model, train_ids, val_ids, settings, eval_every=steps, eval_tokens=256)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        json.dumps(
            {
                "kernel_path": torch.backends.cpu.get_cpu_capability(),
                "wall_per_step": wall / steps,
                "cpu_per_step": cpu / steps,
                "last_loss": history["loss"][-1],
            }
        )
    )


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    parser = cli.Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="training steps per run (default: the default run's)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="runs per path, interleaved; the fastest counts (default: 1)",
    )
    # one run, in a child process with the path's settings
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = cli.parse_args(parser)
    if args.one:
        return one_run(args.steps)
    import training

    steps = args.steps or training.DEFAULT["steps"]
    if steps < 1 or args.repeats < 1:
        cli.fail("--steps and --repeats must be at least 1")
    paths = PATHS if X86_64 else {"this CPU's own": {}}
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_CBWR")
    }
    print(
        f"{datetime.date.today()}, {cpu_name()}, {platform.system()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} logical cores"
    )
    print(f"the default run's settings, {steps} steps, {training.THREADS} thread")
    if not X86_64:
        print("(not x86-64: the snippets pin nothing here, so there is one path to time)")
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs = {name: [] for name in paths}
    for _ in range(args.repeats):
        for name, settings in paths.items():
            done = subprocess.run(
                [sys.executable, __file__, "--one", "--steps", str(steps)],
                env=dict(base, **settings),
                capture_output=True,
                encoding="utf-8",
            )
            if done.returncode != 0:
                cli.fail(f"the {name} run failed: {done.stderr.strip().splitlines()[-1:]}")
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"load average after:  {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    pinned = next(iter(runs.values()))
    pinned_cpu = min(run["cpu_per_step"] for run in pinned)
    print(
        f"\n{'path':16s}{'kernels':>9s}{'wall ms/step':>14s}{'CPU ms/step':>13s}"
        f"{'CPU vs first':>14s}{'last loss':>11s}"
    )
    for name, done in runs.items():
        wall = min(run["wall_per_step"] for run in done)
        cpu = min(run["cpu_per_step"] for run in done)
        losses = {f"{run['last_loss']:.6f}" for run in done}
        print(
            f"{name:16s}{done[0]['kernel_path']:>9s}{1000 * wall:14.2f}{1000 * cpu:13.2f}"
            f"{cpu / pinned_cpu - 1:+14.1%}{'/'.join(sorted(losses)):>11s}"
        )
    if args.repeats > 1:
        spread = max(
            statistics.pstdev([r["cpu_per_step"] for r in done])
            / min(r["cpu_per_step"] for r in done)
            for done in runs.values()
        )
        print(f"(largest spread of CPU time between repeats of one path: {spread:.1%})")


if __name__ == "__main__":
    main()
