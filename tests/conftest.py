"""The fixtures: the built site, and the runs of a snippet that a claim is checked against.

A claim test takes `snippet_run` and is run twice: against the record the page shows ("record") and
against a fresh run on this machine ("fresh"), made by the code that makes the records
(`python hooks/record.py --into DIR`). The robustness benchmark runs the same claim tests against its
own runs ("variant", with LLMS101_CLAIMS_RUNS set to their folder). The options that narrow a test
run (--snippet, --page, --long) are in selection.py; what the tests share that is not a fixture is in
helpers.py.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

import copy_paste
import execute
from helpers import (
    LONG,
    ROOT,
    SHORT_TEXT,
    build_site,
    default_model_from_record,
    records,
    run_script,
    running,
    wait,
    waits,
)

pytest_plugins = ["selection"]

CLAIMS_RUNS = os.environ.get("LLMS101_CLAIMS_RUNS")
SOURCES = ["variant"] if CLAIMS_RUNS else ["record", "fresh"]
# python -c HOLDING LOCK SCRIPT ARGS...: the script run as `python SCRIPT ARGS...`, holding LOCK
HOLDING = (
    "import filelock, os, runpy, sys; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); "
    "sys.argv = [os.path.abspath(sys.argv[2]), *sys.argv[3:]]; "
    "sys.path.insert(0, os.path.dirname(sys.argv[0])); runpy.run_path(sys.argv[0], run_name='__main__')"
)


class Fresh:
    """This session's fresh runs of the demos, and the pages' copy-paste sessions, made on this
    machine in the background (niced) while the other tests go on: the runs by `hooks/record.py
    --into`, the sessions by `tests/copy_paste.py --pages`. The first test process to ask starts
    both, for the demos and pages the selected tests name in their parameters (fresh_name,
    copy_paste_page); `pytest -n 2` shares the folder. A run only a test's code asks for is made
    when asked."""

    def __init__(self, folder, site, items, long):
        self.folder, self.site, self.long, self.started = folder, site, long, []
        params = [getattr(getattr(item, "callspec", None), "params", {}) for item in items]
        asked = [p[key] for p in params for key in ("fresh_name", "copy_paste_page") if key in p]
        asked = [name for name in dict.fromkeys(asked) if not self.skipped(name)]
        self.names = [name for name in asked if name.endswith(".py")]
        self.pages = [page for page in asked if page.endswith(".md")]
        default_model_from_record()
        with filelock.FileLock(folder / "start.lock"):
            if self.names and not (folder / "record.log").exists():
                self.start("record.log", "hooks/record.py", "--into", folder, *self.names)
            if self.pages and not (folder / "pages.log").exists():
                try:
                    built = site()
                except pytest.fail.Exception:  # each page's test says the site did not build;
                    self.pages = []  # the other tests run, not all failing in this fixture
                else:
                    self.start(
                        "pages.log", "tests/copy_paste.py", "--pages", built, folder, *self.pages
                    )

    def start(self, log, script, *args):
        """Run a script in the background, its output into log, holding log's lock while it lives (a
        waiting test tells from the lock that it ended, or was killed)."""
        lock = f"{self.folder / log}.lock"
        with open(self.folder / log, "w", encoding="utf-8") as out:
            job = subprocess.Popen(
                [sys.executable, "-c", HOLDING, lock, script, *map(str, args)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=execute.niced(10),  # the other tests go first
            )
        while not running(lock) and job.poll() is None:  # from now on, a free lock means it ended
            time.sleep(0.05)
        self.started.append(job)

    def skipped(self, name_or_page):
        """The long demos (of a page) this session leaves out: why, or None."""
        names = (
            copy_paste.demos_on(name_or_page) if name_or_page.endswith(".md") else [name_or_page]
        )
        left = [name for name in names if name in LONG and name not in self.long]
        if left:
            return f"{', '.join(left)}: a long demo, run fresh by `pytest --long` (or --snippet {left[0]})"

    def run(self, name):
        """A fresh run of the snippet, made in this session."""
        if self.skipped(name):
            pytest.skip(self.skipped(name))
        folder, key = self.folder / Path(name).stem, records.record_key(records.snippet_path(name))

        def recorded():
            run = records.load(name, folder)
            return run if run and run.key == key else None

        if name in self.names:
            return wait(recorded, self.folder / "record.log", f"snippets/{name}")
        # two test processes asking at once take turns on the record's own lock (execute.record)
        made = run_script("hooks/record.py", "--into", self.folder, name, timeout=3600)
        return recorded() or pytest.fail(made.stdout[-3000:] + made.stderr[-3000:], pytrace=False)

    def session(self, page):
        """A page's copy-paste session (tests/copy_paste.py: session)."""
        if self.skipped(page):
            pytest.skip(self.skipped(page))
        if page in self.pages:
            return wait(
                lambda: copy_paste.result(page, self.folder), self.folder / "pages.log", page
            )
        with filelock.FileLock(self.folder / f"{page}.lock"):
            if copy_paste.result(page, self.folder) is None:  # else the other process made it
                copy_paste.sessions(self.site(), self.folder, [page])
        return copy_paste.result(page, self.folder)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built from the records, as a reader gets it. It runs no snippet."""
    try:
        return build_site(tmp_path_factory.mktemp("site"))
    except RuntimeError as error:
        why = str(error)
    pytest.fail(why, pytrace=False)  # outside the except: the build's log once, not twice


@pytest.fixture(scope="session")
def fresh(request, tmp_path_factory):
    # one folder for the processes of `pytest -n 2`, new for each test run
    folder = tmp_path_factory.getbasetemp().parent / "fresh"
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp("fresh")
    folder.mkdir(exist_ok=True)
    site = lambda: request.getfixturevalue("built_site").site  # noqa: E731 (only pages' sessions need it)
    made = Fresh(folder, site, request.session.items, getattr(request.config, "long", set()))
    yield made
    for job in made.started:
        if request.session.shouldstop or request.session.shouldfail:  # -x, --maxfail
            job.terminate()
        else:  # the other test process may still be waiting for it
            job.wait()


@pytest.fixture(scope="session", autouse=True)
def fresh_from_the_start(request):
    """The fresh runs the selected tests wait for start with the first test, in the background."""
    if any(waits(item) for item in request.session.items):
        request.getfixturevalue("fresh")


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """Tests that run a model in this process run it on one thread: the models here are small, and
    on two busy threads they run many times slower. (A snippet's own run picks its threads.)"""
    import tiny  # snippets/ on the path, and cli (which pins the CPU kernel path) before torch

    tiny.torch.set_num_threads(1)


@pytest.fixture(scope="session", params=SOURCES)
def snippet_run(request):
    """snippet_run("tokens.py") -> a run: .cells[name]["stdout"], .variables[name], .stdout.

    "record": the frozen run the pages show; "fresh": the same snippet run now, on this machine;
    "variant": a run of the robustness benchmark (another kernel path or seed)."""

    def get(name):
        if request.param == "record":
            found = records.recorded(name)
            if found is None:
                pytest.fail(
                    f"_freeze/{Path(name).stem} is stale ({records.why_stale(name)}): run "
                    f"`python hooks/record.py {name}` and commit _freeze/",
                    pytrace=False,
                )
            return found
        if request.param == "fresh":
            return request.getfixturevalue("fresh").run(name)
        found = records.load(name, Path(CLAIMS_RUNS) / Path(name).stem)
        if found is None:
            pytest.skip(f"the benchmark made no run of {name}")
        return found

    return get


@pytest.fixture(scope="session")
def one_worker_losses(tmp_path_factory):
    """The loss of each step of `train.py --steps 3` on one worker: what every data-parallel way of
    starting the same run must match (made once, shared by the tests that compare with it)."""
    out = tmp_path_factory.mktemp("one-worker") / "one.pt"
    proc = run_script("snippets/train.py", "--steps", "3", "--text", SHORT_TEXT, "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sys.path.insert(0, str(ROOT / "snippets"))
    import training

    return training.load(out)[2]["history"]["loss"]
