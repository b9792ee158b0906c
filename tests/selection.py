"""The options that narrow a test run, and the order the tests run in (a pytest plugin: conftest.py
loads it).

`--snippet NAME.py` and `--page NAME.md` keep the tests about one snippet (a library module: the demos
that use it) or one page. The long demos (helpers.LONG) are run fresh only with `--long`, or when
`--snippet` or `--page` selects them. Tests that wait for fresh runs go last, and the longest files
first.
"""

import functools
import re
from pathlib import Path

import pytest

import copy_paste
from helpers import LONG, ROOT, records, waits


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
        help="also run the long demos (helpers.py LONG) fresh, and the copy-paste sessions of their "
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
