"""How long the site takes to build from its records, and how fast a prose edit shows up under
`mkdocs serve`. A benchmark, not a test.

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


def build(**extra):
    started = time.perf_counter()
    subprocess.run(
        [*mkdocs, "build", "--strict", "-q"], cwd=copy, env=dict(env, **extra), check=True
    )
    return time.perf_counter() - started


print(
    f"clean build from the records (runs nothing): {build(LLMS101_FROZEN='1'):6.1f} s", flush=True
)
print(
    f"the same again, notebooks cached:            {build(LLMS101_FROZEN='1'):6.1f} s", flush=True
)
if args.rerun:
    print(
        f"every snippet re-run (side by side):         {build(LLMS101_FREEZE=str(work / 'fresh')):6.1f} s",
        flush=True,
    )

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
    timings = []
    for attempt in range(3):
        marker = f"prose-edit-marker-{attempt}-{time.time_ns()}"
        with open(copy / "docs" / "strawberry.md", "a") as markdown:
            markdown.write(f"\n{marker}\n")
        started = time.perf_counter()
        while marker not in page():
            time.sleep(0.05)
        timings.append(time.perf_counter() - started)
        time.sleep(1)
    print(
        f"prose edit visible under serve:              {min(timings):6.1f} s (best of 3; worst {max(timings):.1f} s)"
    )
finally:
    serve.terminate()
    serve.wait()
    shutil.rmtree(work)
