"""How long the site takes to build from its records, and how fast a prose edit shows up under
`mkdocs serve`. A benchmark, not a test. Each time comes with the CPU time it took (user + system):
the build runs on one core, so on a busy machine the CPU time is what it would take on an idle one.

Works on a throwaway copy of the repository (with its committed records in _freeze/), so nothing
here is touched:

    python benchmarks/site_build.py              # build from the records, then the serve loop
    python benchmarks/site_build.py --rerun      # also: every record stale, every snippet re-run
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument(
    "--rerun", action="store_true", help="also time a build that re-runs every snippet"
)
args = parser.parse_args()

work = Path(tempfile.mkdtemp(prefix="llms101-bench-"))
copy = work / "repo"
shutil.copytree(
    ROOT,
    copy,
    ignore=shutil.ignore_patterns(
        ".venv", ".git", ".cache", "site", "out", "__pycache__", "node_modules"
    ),
)
env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
mkdocs = [sys.executable, "-m", "mkdocs"]


def children_cpu():
    try:
        import resource  # not on Windows
    except ImportError:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid):
    """CPU seconds a running process has used so far (Linux's /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build(what, **extra):
    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run(
        [*mkdocs, "build", "--strict", "-q"], cwd=copy, env=dict(env, **extra), check=True
    )
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    print(f"{what:45}{wall:6.1f} s  (CPU {cpu:.1f} s)", flush=True)


build("clean build from the records (runs nothing):", LLMS101_FROZEN="1")
build("the same again, notebooks cached:", LLMS101_FROZEN="1")
if args.rerun:
    build("every snippet re-run (side by side):", LLMS101_FREEZE=str(work / "fresh"))

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
serve = subprocess.Popen(
    [*mkdocs, "serve", "-a", f"127.0.0.1:{port}"],
    cwd=copy,
    env=env,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)


def page():
    try:
        return (
            urllib.request.urlopen(f"http://127.0.0.1:{port}/strawberry/", timeout=2)
            .read()
            .decode()
        )
    except OSError:
        return ""


try:
    started = time.perf_counter()
    while "strawberry" not in page():
        time.sleep(0.2)
    print(
        f"mkdocs serve, first page up:                 {time.perf_counter() - started:6.1f} s",
        flush=True,
    )
    timings, cpus = [], []
    for attempt in range(3):
        marker = f"prose-edit-marker-{attempt}-{time.time_ns()}"
        time.sleep(1)
        cpu = process_cpu(serve.pid)
        with open(copy / "docs" / "strawberry.md", "a") as markdown:
            markdown.write(f"\n{marker}\n")
        started = time.perf_counter()
        while marker not in page():
            time.sleep(0.05)
        timings.append(time.perf_counter() - started)
        cpus.append(None if cpu is None else process_cpu(serve.pid) - cpu)
    cpu = f" (CPU {min(cpus):.1f} s)" if None not in cpus else ""
    print(
        f"{'prose edit visible under serve:':45}{min(timings):6.1f} s{cpu}"
        f" (best of 3; worst {max(timings):.1f} s)"
    )
finally:
    serve.terminate()
    serve.wait()
    shutil.rmtree(work)
