"""Shared fixtures: the built site, and the runs of a snippet that a claim is checked against.

A claim test takes `snippet_run` and is run twice: against the record the page shows ("record") and
against a fresh run on this machine ("fresh"), made by the code that makes the records
(hooks/execute.py, as `python hooks/record.py --into DIR` does). The robustness benchmark runs the same
claim tests against its own runs ("variant", with LLMS101_CLAIMS_RUNS set to their folder).
`--snippet NAME.py` and `--page NAME.md` narrow the tests to one snippet (a library module: the demos
that use it) or one page. The long demos (LONG) are run fresh only with `--long`, or when `--snippet` or
`--page` selects them.
"""

import concurrent.futures
import functools
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import filelock
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import copy_paste  # noqa: E402
import execute  # noqa: E402
import records  # noqa: E402

CLAIMS_RUNS = os.environ.get("LLMS101_CLAIMS_RUNS")
SOURCES = ["variant"] if CLAIMS_RUNS else ["record", "fresh"]
# The demos that train a model, or need the default run's: about 14 CPU-minutes in all on the
# reference 2-core machine (each 30 s to 2.5 min), more than the whole suite without them. A plain
# `pytest` checks their claims against their records and leaves their fresh runs (and the copy-paste
# sessions of the pages that show them) to `pytest --long`, which GitHub's CI runs on every system.
LONG = {
    "train.py",
    "commands.py",
    "data_parallel.py",
    "facts.py",
    "autocomplete.py",
    "scaling.py",
    "inside.py",
    "learn_as_it_reads.py",
    "sudden_skill.py",
}


class Built:
    def __init__(self, site, log):
        self.site, self.log = site, log

    def page(self, url):
        """The HTML of a page, by its URL path ('' for home, 'sampling/' for sampling.md)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def build_site(site):
    """`mkdocs build --strict` from the records, running nothing: a stale record fails the build."""
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_FROZEN="1"),
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"mkdocs build --strict failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
        )
    return Built(site, proc.stderr)


def records_kind(name):
    """Is this machine the kind the snippet's record was made on (so that its digits must match)?"""
    record = records.recorded(name)
    return record is not None and records.same_kind(record.machine, records.local_machine())


def shown_on_page(run):
    """Is this run the record the page shows? A sentence that says "in this run" is checked on that
    run alone: other seeds and kernel paths (benchmarks/robustness.py) make other runs."""
    recorded = records.recorded(run.snippet)
    return recorded is not None and run.variables == recorded.variables


def default_model_from_record():
    """Chapter 3's model, kept in out/ as load_or_train() keeps it, made from the weights train.py's
    record exported: where this machine is the records' kind and that record is up to date, these are
    bit for bit the weights training makes (a fresh run of train.py must export the same bytes), and
    the demos and tests that only use the model (compress_paragraph.py, the compression command) skip
    a minute of training."""
    import tiny  # snippets/ on the path, and cli (which pins the CPU kernel path) before torch
    from test_playgrounds import load_exported

    cli, training = tiny.cli, importlib.import_module("training")
    path, text = training.checkpoint_for(training.DEFAULT["seed"]), cli.default_corpus()
    record = records.recorded("train.py") if records_kind("train.py") else None  # None: stale
    if record and not cli.stored(path, training.fingerprint(training.DEFAULT, text)):
        model, tokenizer = load_exported(record.folder / "exports" / "tiny-gpt.safetensors")
        training.save(path, model, tokenizer, training.DEFAULT, text)


class Fresh:
    """This session's fresh runs (snippet -> Run, in folder/<snippet>) and pages' copy-paste sessions,
    made side by side in the background, niced, while the other tests go on: those the selected tests
    name in their parameters (fresh_name, copy_paste_page) start when the fixture is first asked for,
    the pages with the most demos first; any other when a test asks for it. A run already in the
    folder (LLMS101_FRESH_RUNS=DIR, made by `python hooks/record.py --into DIR`) is used if it is a
    run of the snippet as it is now. On the kind of machine the records were made on, a demo that a
    page's session runs whole is not run again: that run, recorded as the build records runs, is its
    fresh run. Elsewhere each demo also runs alone, and the sessions are compared with those runs."""

    def __init__(self, folder, site, items, long):
        self.folder, self.site, self.sessions, self.runs, self.from_page = folder, site, {}, {}, {}
        self.long = long  # the long demos this session runs fresh
        self.pool = concurrent.futures.ThreadPoolExecutor((os.cpu_count() or 1) + 1)
        default_model_from_record()
        params = [getattr(getattr(item, "callspec", None), "params", {}) for item in items]
        pages = dict.fromkeys(p["copy_paste_page"] for p in params if "copy_paste_page" in p)
        prepared = [self.prepare(page) for page in pages if not self.skipped(page)]
        for page in sorted(prepared, key=lambda page: -len(page["demos"])):
            self.sessions[page["page"]] = self.pool.submit(session_once, page)
        for name in dict.fromkeys(p["fresh_name"] for p in params if "fresh_name" in p):
            if name not in self.from_page and not self.skipped(name):
                self.start(name)

    def skipped(self, name_or_page):
        """The long demos (of a page) this session leaves out: why, or None."""
        names = (
            copy_paste.demos_on(name_or_page) if name_or_page.endswith(".md") else [name_or_page]
        )
        left = [name for name in names if name in LONG and name not in self.long]
        if left:
            return f"{', '.join(left)}: a long demo, run fresh by `pytest --long` (or --snippet {left[0]})"

    def prepare(self, page):
        prepared = copy_paste.prepare(page, self.site, self.folder / "pages" / Path(page).stem)
        for name in prepared["demos"]:
            if records_kind(name):
                self.from_page.setdefault(name, page)
        return prepared

    def start(self, name):
        # keyed here: Python 3.11's parser is not safe in two threads at once (gh-106905)
        found = records.inputs(records.snippet_path(name))
        self.runs[name] = self.pool.submit(made_once, name, self.folder / Path(name).stem, found)

    def session(self, page):
        """A page's copy-paste session (made once)."""
        if self.skipped(page):
            pytest.skip(self.skipped(page))
        if page not in self.sessions:
            self.sessions[page] = self.pool.submit(session_once, self.prepare(page))
        return self.sessions[page].result()

    def run(self, name):
        """A fresh run of the snippet, made in this session."""
        if self.skipped(name):
            pytest.skip(self.skipped(name))
        page = self.from_page.get(name)
        if page and self.session(page)["error"] is None:
            return records.load(name, self.session(page)["runs"][name])
        if name not in self.runs:  # asked for in a test's code, or its page's session failed
            self.start(name)
        try:
            return self.runs[name].result()
        except records.SnippetError as error:
            pytest.fail(str(error), pytrace=False)


def made_once(name, folder, found):
    """A fresh run of the snippet in folder: made here, or by the other test process (`pytest -n 2`
    shares the folder), or before the tests (LLMS101_FRESH_RUNS), if of the snippet as it is now."""
    with filelock.FileLock(f"{folder}.lock"):
        run = records.load(name, folder)
        if run and run.key == records.key_of(found):
            return run
        return execute.record(name, folder, found=found, nice=10)


def session_once(prepared):
    """A page's copy-paste session, made once for both test processes (as made_once)."""
    with filelock.FileLock(f"{prepared['folder']}.lock"):
        made = prepared["folder"] / "session.json"
        todo = (prepared["folder"] / "blocks.json").read_text(encoding="utf-8")
        kept = json.loads(made.read_text(encoding="utf-8")) if made.is_file() else {}
        if kept.get("todo") == todo:
            result = kept["result"]
            result["runs"] = {name: Path(path) for name, path in result["runs"].items()}
            return dict(prepared, **result)
        result = copy_paste.session(prepared)
        kept = {key: result[key] for key in ("printed", "figures", "error")}
        kept["runs"] = {name: str(path) for name, path in result["runs"].items()}
        made.write_text(json.dumps({"todo": todo, "result": kept}), encoding="utf-8")
        return result


def pytest_addoption(parser):
    parser.addoption(
        "--snippet",
        action="append",
        default=[],
        metavar="NAME.py",
        help="only the tests about this snippet (a library module: about the demos that use it): "
        "their claims, records and fresh runs, the pages that show them (outputs, copy-paste session, "
        "browser checks), and the build",
    )
    parser.addoption(
        "--page",
        action="append",
        default=[],
        metavar="NAME.md",
        help="only the tests about this page (docs/NAME.md), and the build",
    )
    parser.addoption(
        "--long",
        action="store_true",
        help="also run the long demos (conftest.py LONG) fresh, and the copy-paste sessions of their "
        "pages: about 14 CPU-minutes more",
    )


ASKS = re.compile(r"""snippet_run\(\s*["']([\w.]+\.py)["']""")  # the demo a claim test checks
# a quoted value, as tests/test_quoted_values.py names its checks: "file.py:variable"
QUOTED = re.compile(r"(?P<file>[\w-]+\.py):(?P<path>[\w.\[\]-]+)")
# a number a page quotes (the hook's marker, hooks/snippets.py NUMBER), and a diagram it puts inline
MARKER = re.compile(r"\{=\s*(?P<file>[\w./-]+\.py):(?P<path>[\w.\[\]-]+)")
DIAGRAM = re.compile(r"\]\((?P<src>assets/diagrams/[^)\s]+\.svg)\)")
# half a minute or more each on the reference machine, longest first (pytest --durations): they
# start first, so that the two test processes end together (pyproject.toml: --no-loadscope-reorder)
LONGEST_FILES = [
    "test_data_parallel.py",
    "test_a11y_pages.py",
    "test_browser.py",
    "test_a11y.py",
    "test_desktop.py",
    "test_playground_browser.py",
    "test_model.py",
    "test_compression.py",
    "test_pipeline.py",
]
ALWAYS = {"test_strict_build_is_clean", "test_every_quoted_value_has_a_check"}


def quoted_key(file, path):
    """One spelling for a quoted variable, as test_quoted_values.py's ids: a[-1] is a.-1."""
    return file + ":" + ".".join(re.findall(r"[^.\[\]]+", path))


@functools.lru_cache
def quoted_on(page):
    """The values docs/<page> quotes, in its prose and in the diagrams it puts inline."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    for diagram in DIAGRAM.finditer(text):
        if (ROOT / "docs" / diagram["src"]).is_file():
            text += (ROOT / "docs" / diagram["src"]).read_text(encoding="utf-8")
    return {quoted_key(m["file"], m["path"]) for m in MARKER.finditer(text)}


def about(item, snippets, pages):
    """Is this test about one of these snippets or pages? A test is, when a parameter names one
    (a quoted value "file.py:variable": its snippet, and the pages that quote it); when it claims
    words of the page; when it checks a claim with a run of the snippet; when it is the snippet's
    unit tests (tests/test_unit_NAME.py); or when it says so (`@pytest.mark.snippet("NAME.py")`)."""
    if item.name in ALWAYS:
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    values = {getattr(v, "name", v) for v in params.values() if isinstance(v, (str, Path))}
    if values & (set(snippets) | set(pages)):
        return True
    keys = {v for v in values if QUOTED.fullmatch(v)}
    if {QUOTED.fullmatch(v)["file"] for v in keys} & set(snippets):
        return True
    if keys and any(keys & quoted_on(page) for page in pages):
        return True
    if Path(item.fspath).name in {f"test_unit_{Path(name).stem}.py" for name in snippets}:
        return True
    if {name for mark in item.iter_markers("snippet") for name in mark.args} & set(snippets):
        return True
    # a claim test backs words of a page (tests/claims.py): --page NAME.md selects it
    if {page for page, _ in getattr(getattr(item, "function", None), "claims", [])} & set(pages):
        return True
    asked = ASKS.findall(Path(item.fspath).read_text(encoding="utf-8"))
    return "snippet_run" in params and bool(set(asked) & set(snippets))


def pytest_itemcollected(item):
    """A claim test carries the 'claims' marker, so that `-m claims` (the robustness benchmark's
    selection) finds it."""
    if "snippet_run" in getattr(getattr(item, "callspec", None), "params", {}):
        item.add_marker("claims")


def waits(item):
    """Does the test wait for a fresh run or a page's copy-paste session?"""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "fresh" in getattr(item, "fixturenames", ()) or params.get("snippet_run") == "fresh"


@pytest.hookimpl(trylast=True)  # after pytest's own ordering
def pytest_collection_modifyitems(config, items):
    """Keep only the tests --snippet/--page ask for; those that wait for fresh runs go last, so that
    the others run while the runs are made; the longest files go first, so that the two processes of
    `pytest -n 2 --dist loadfile` (which hands out files in this order) end together."""
    rank = {name: k for k, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: (waits(item), rank.get(Path(item.fspath).name, len(rank))))
    snippets, pages = config.getoption("snippet"), config.getoption("page")
    config.long = LONG if config.getoption("long") else set()
    if not (snippets or pages):
        return
    try:  # the snippets named, and the demos that use them
        snippets = [*snippets, *(demo for name in snippets for demo in records.dependents(name))]
    except records.SnippetError as error:
        raise pytest.UsageError(str(error)) from None
    pages += [
        page.name
        for page in sorted((ROOT / "docs").glob("*.md"))
        if set(copy_paste.demos_on(page.name)) & set(snippets)
    ]
    # a focused run runs its own demos fresh, long or not, and those its pages' sessions need
    demos = {*snippets, *(demo for page in pages for demo in copy_paste.demos_on(page))}
    config.long = config.long | LONG & demos
    keep = [item for item in items if about(item, snippets, pages)]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built from the records, as a reader gets it. It runs no snippet."""
    try:
        return build_site(tmp_path_factory.mktemp("site"))
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def fresh(request, built_site, tmp_path_factory):
    # the same folder for each `pytest -n` process
    shared = tmp_path_factory.getbasetemp().parent / "fresh"
    folder = os.environ.get("LLMS101_FRESH_RUNS") or (
        shared if os.environ.get("PYTEST_XDIST_WORKER") else tmp_path_factory.mktemp("fresh")
    )
    return Fresh(
        Path(folder), built_site, request.session.items, getattr(request.config, "long", set())
    )


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
                    f"_freeze/{Path(name).stem} is {records.why_stale(name)}: run "
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


def run_script(*args, cwd=ROOT, timeout=600):
    """Run `python snippets/...` as a reader would, from the repository root."""
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


# a short text for the runs that test how workers start and stop (the manual's takes 10 s more a run)
SHORT_TEXT = ROOT / "snippets" / "data" / "LICENSE-python.txt"


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


def one_line_error(proc):
    """A command that failed the way bad input must fail: non-zero exit, one line on stderr, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
