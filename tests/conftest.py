"""Shared fixtures: the built site, and the recorded run of any snippet (the same run the pages show)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import runner  # noqa: E402


class Built:
    def __init__(self, site, log, seconds):
        self.site, self.log, self.seconds = site, log, seconds

    def page(self, url):
        """The HTML of a page, by its URL path ('' for home, 'sampling/' for sampling.md)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`mkdocs build --strict` into a temporary folder. It runs every snippet (or takes its cached run)."""
    site = tmp_path_factory.mktemp("site")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}", pytrace=False)
    return Built(site, proc.stderr, seconds)


@pytest.fixture(scope="session")
def snippet_run():
    """snippet_run("tokens.py") -> the recorded run: .cells[name]["stdout"], .variables[name], .stdout."""
    def get(name):
        return runner.run(name)
    return get


def run_script(*args, cwd=ROOT, timeout=600):
    """Run `python snippets/...` as a reader would, from the repository root."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def one_line_error(proc):
    """A command that failed the way bad input must fail: non-zero exit, one line on stderr, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
