"""Shared fixtures: the built site, and the runs of a snippet that a claim is checked against.

A claim test takes `snippet_run` and is run twice: against the record the page shows ("record") and
against a fresh run on this machine ("fresh"). The fresh runs, and the copy-paste sessions of the
pages, run side by side (one more than there are cores) from the start of the session: conftest works out which ones
the selected tests need (`--snippet NAME.py` and `--page NAME.md` narrow the selection). On the kind of
machine the records were made on, a page's copy-paste session is also the fresh run of each demo it
shows whole, so no demo runs twice. The robustness benchmark runs the same claim tests against its own
runs ("variant", with LLMS101_CLAIMS_RUNS set to their folder).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import runner  # noqa: E402

CLAIMS_RUNS = os.environ.get("LLMS101_CLAIMS_RUNS")
SOURCES = ["variant"] if CLAIMS_RUNS else ["record", "fresh"]
NEEDS = re.compile(r"""snippet_run\(\s*["']([\w.]+\.py)["']""")


class Built:
    def __init__(self, site, log, seconds):
        self.site, self.log, self.seconds = site, log, seconds

    def page(self, url):
        """The HTML of a page, by its URL path ('' for home, 'sampling/' for sampling.md)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def build_site(site):
    """`mkdocs build --strict` from the records, running nothing: a stale record fails the build."""
    started = time.perf_counter()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_FROZEN="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"mkdocs build --strict failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
        )
    return Built(site, proc.stderr, time.perf_counter() - started)


class Fresh:
    """This session's fresh runs (snippet -> Run) and page sessions (page -> result), in a Pool.

    On the kind of machine the records were made on, a demo that a page shows whole, whose page session
    is queued anyway, is not run a second time as a script: the session's run of it (recorded as the
    build records runs) is its fresh run, compared digit for digit with the record. Elsewhere each demo
    also runs as a script, and the copy-paste sessions are compared with those runs."""

    def __init__(self, folder):
        self.folder = folder
        # One job more than there are cores: the three long page sessions (chapters 3, 5 and 6) then
        # start together instead of one waiting for another to end, and the tests that need no run
        # fill the gaps (on 2 cores this took the clean-clone suite from 569 s to 509 s).
        self.pool = runner.Pool((os.cpu_count() or 1) + 1)
        self.from_page = {}  # demo -> the page whose session is its fresh run

    def site(self):
        """The site built from the records (once per session, shared by every test that reads it)."""
        return self.pool.submit("site", lambda: build_site(self.folder / "site"))

    def want(self, snippets=(), pages=()):
        if pages:
            import copy_paste

            self.site()
            # pages that show a model's maker first: the pages that load the model wait for them
            pages = sorted(
                pages, key=lambda page: not set(copy_paste.demos_on(page)) & set(runner.PRODUCERS)
            )
            for page in pages:
                for name in copy_paste.demos_on(page):
                    if name not in self.from_page and records_kind(name):
                        self.from_page[name] = page
            for page in pages:
                demos = copy_paste.demos_on(page)
                after = ["site"]
                for producer in dict.fromkeys(
                    p for name in demos for p in runner.needs(name) if p not in demos
                ):
                    if producer in self.from_page:
                        after.append(f"page:{self.from_page[producer]}")
                    else:
                        self.want([producer])
                        after.append(producer)
                self.pool.submit(
                    f"page:{page}",
                    lambda page=page: copy_paste.session(
                        page, self.result("site"), self.folder / "pages" / Path(page).stem
                    ),
                    after,
                )
        for name in snippets:
            if name not in self.from_page:
                self.pool.snippet(name, lambda n: self.folder / "runs" / Path(n).stem)

    def result(self, job):
        return self.pool.futures[job].result()

    def run(self, name):
        """A fresh run of the snippet, made in this session (queued now if no test asked for it yet)."""
        if name in self.from_page:
            session = self.result(f"page:{self.from_page[name]}")
            if name in session["runs"]:
                return runner.load(name, session["runs"][name])
            del self.from_page[
                name
            ]  # the session broke off (its test says why): run the script instead
        self.want([name])
        return self.result(name)


def records_kind(name):
    """Is this machine the kind the snippet's record was made on (so that its digits must match)?"""
    record = runner.recorded(name)
    return record is not None and runner.same_kind(record.machine, runner.local_machine())


def pytest_addoption(parser):
    parser.addoption(
        "--snippet",
        action="append",
        default=[],
        metavar="NAME.py",
        help="only the tests about this snippet: its claims, its record and fresh run, the pages "
        "that show it (their outputs, copy-paste session and browser checks), and the build",
    )
    parser.addoption(
        "--page",
        action="append",
        default=[],
        metavar="NAME.md",
        help="only the tests about this page (docs/NAME.md), and the build",
    )


def about(item, snippets, pages):
    """Is this test about one of these snippets or pages?"""
    if item.name == "test_strict_build_is_clean":
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    values = {
        getattr(value, "name", value) for value in params.values() if isinstance(value, (str, Path))
    }
    if values & (set(snippets) | set(pages)):
        return True
    return bool(snippets) and bool(
        set(NEEDS.findall(Path(item.fspath).read_text(encoding="utf-8"))) & set(snippets)
    )


def pytest_itemcollected(item):
    """A claim test carries the 'claims' marker from the start, so that `-m claims` (the robustness
    benchmark's selection) finds it: the hook below runs after -m has already deselected."""
    if "snippet_run" in getattr(getattr(item, "callspec", None), "params", {}):
        item.add_marker("claims")


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config, items):
    """Keep only the tests --snippet/--page ask for, then queue, before any test runs, the fresh runs and
    page sessions the selected tests will need."""
    snippets, pages = config.getoption("snippet"), config.getoption("page")
    if snippets or pages:
        import copy_paste

        pages = pages + [
            page.name
            for page in sorted((ROOT / "docs").glob("*.md"))
            if set(copy_paste.demos_on(page.name)) & set(snippets)
        ]
        keep = [item for item in items if about(item, snippets, pages)]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep
    snippets, pages = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("snippet_run") == "fresh":
            snippets += NEEDS.findall(Path(item.fspath).read_text(encoding="utf-8"))
            item.add_marker("claims")
        elif "snippet_run" in params:
            item.add_marker("claims")
        if "fresh_name" in params:
            snippets.append(params["fresh_name"])
        if "copy_paste_page" in params:
            pages.append(params["copy_paste_page"])
    fresh_of(config).want(dict.fromkeys(snippets), dict.fromkeys(pages))
    # The tests that wait for a fresh run or a page session go last: the rest run while those compute.
    items.sort(key=waits_for_a_run)


def waits_for_a_run(item):
    params = getattr(getattr(item, "callspec", None), "params", {})
    return (
        params.get("snippet_run") == "fresh"
        or "fresh_name" in params
        or "copy_paste_page" in params
        or "fresh" in getattr(getattr(item, "_fixtureinfo", None), "argnames", ())
    )


FRESH = pytest.StashKey[Fresh]()


def fresh_of(config):
    if FRESH not in config.stash:
        config.stash[FRESH] = Fresh(Path(tempfile.mkdtemp(prefix="llms101-fresh-")))
    return config.stash[FRESH]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "claims: checks a claim a page makes against a run (record, fresh or variant)"
    )


def pytest_terminal_summary(terminalreporter):
    """The slowest parts of the suite that are not tests: the fresh runs and page sessions."""
    if FRESH not in terminalreporter.config.stash:
        return
    seconds = terminalreporter.config.stash[FRESH].pool.seconds
    if seconds:
        terminalreporter.section("slowest fresh runs and copy-paste sessions (side by side)")
        for name, took in sorted(seconds.items(), key=lambda item: -item[1])[:12]:
            terminalreporter.write_line(f"{took:7.1f}s  {name}")


def pytest_sessionfinish(session):
    if FRESH in session.config.stash:
        fresh = session.config.stash[FRESH]
        fresh.pool.close()
        shutil.rmtree(fresh.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def fresh(request):
    return fresh_of(request.config)


@pytest.fixture(scope="session")
def built_site(fresh):
    """The site built from the records, as a reader gets it. It runs no snippet."""
    try:
        return fresh.site().result()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session", params=SOURCES)
def snippet_run(request):
    """snippet_run("tokens.py") -> a run: .cells[name]["stdout"], .variables[name], .stdout.

    "record": the frozen run the pages show; "fresh": the same snippet run now, on this machine;
    "variant": a run of the robustness benchmark (another kernel path or seed)."""

    def get(name):
        if request.param == "record":
            found = runner.recorded(name)
            if found is None:
                pytest.fail(
                    f"_freeze/{Path(name).stem} is missing or stale: run `mkdocs build` and commit _freeze/"
                )
            return found
        if request.param == "fresh":
            return request.getfixturevalue("fresh").run(name)
        found = runner.load(name, Path(CLAIMS_RUNS) / Path(name).stem)
        if found is None:
            pytest.skip(f"the benchmark made no run of {name}")
        return found

    return get


def run_script(*args, cwd=ROOT, timeout=600):
    """Run `python snippets/...` as a reader would, from the repository root."""
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def one_worker_losses(tmp_path_factory):
    """The loss of each step of `train.py --steps 3` on one worker: what every data-parallel way of
    starting the same run must match (made once, shared by the tests that compare with it)."""
    out = tmp_path_factory.mktemp("one-worker") / "one.pt"
    proc = run_script("snippets/train.py", "--steps", "3", "--out", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sys.path.insert(0, str(ROOT / "snippets"))
    import training

    return training.load(out)[2]["history"]["loss"]


def one_line_error(proc):
    """A command that failed the way bad input must fail: non-zero exit, one line on stderr, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
