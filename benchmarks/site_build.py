"""How long the site takes to build, clean and cached, and how fast a prose edit shows up under `mkdocs serve`.

Works on a throwaway copy of the repository, so nothing here is touched:

    python benchmarks/site_build.py            # all three measurements
    python benchmarks/site_build.py --no-clean # skip the clean build (minutes: it runs every snippet)
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
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--no-clean", action="store_true", help="skip the clean build")
args = parser.parse_args()

work = Path(tempfile.mkdtemp(prefix="llms101-bench-"))
copy = work / "repo"
shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", ".cache", "site", "out", "__pycache__"))
env = dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_CACHE=str(work / "cache"))
mkdocs = [sys.executable, "-m", "mkdocs"]


def build():
    started = time.perf_counter()
    subprocess.run([*mkdocs, "build", "--strict", "-q"], cwd=copy, env=env, check=True)
    return time.perf_counter() - started


if args.no_clean:
    shutil.copytree(ROOT / ".cache" / "snippets", work / "cache")
else:
    print(f"clean build (every snippet runs):  {build():6.1f} s", flush=True)
print(f"cached build (nothing runs):        {build():6.1f} s", flush=True)

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
serve = subprocess.Popen([*mkdocs, "serve", "-a", f"127.0.0.1:{port}"], cwd=copy, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def page():
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/strawberry/", timeout=2).read().decode()
    except OSError:
        return ""


try:
    while "strawberry" not in page():
        time.sleep(0.2)
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
    print(f"prose edit visible under serve:     {min(timings):6.1f} s (best of 3; worst {max(timings):.1f} s)")
finally:
    serve.terminate()
    serve.wait()
    shutil.rmtree(work)
