"""The built site: strict build, every chapter, outputs equal to fresh runs, notebooks, no third parties."""

import html
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from mkdocs.utils.meta import get_data

import cells
import copy_paste
from helpers import LONG, ROOT, records, records_kind

DOCS = ROOT / "docs"


def nav_pages():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)

    def walk(items):
        for item in items:
            for value in item.values() if isinstance(item, dict) else [item]:
                yield from walk(value) if isinstance(value, list) else [value]

    return list(walk(config["nav"]))


def page_url(src):
    return "" if src == "index.md" else src[:-3] + "/"


def embeds():
    """(page, snippet, cell, mode) for every cell a page shows the output of."""
    found = []
    for page in nav_pages():
        for name, cell, mode in cells.embeds((DOCS / page).read_text()):
            try:
                names = [c.name for c in cells.split_cells(records.snippet_path(name).read_text())]
            except cells.SnippetError:  # the strict build's test says which file and line
                continue
            if cell and mode != "code" and cell in names and (page, name, cell, mode) not in found:
                found.append((page, name, cell, mode))
    return found


def demo_scripts():
    return sorted({name for _, name, _, _ in embeds()})


def test_strict_build_is_clean(built_site):
    assert "WARNING" not in built_site.log, built_site.log


def test_every_chapter_is_a_page(built_site):
    pages = nav_pages()
    assert len(pages) >= 9  # home, seven chapters, run it yourself
    for page in pages:
        text = built_site.page(page_url(page))
        assert "<h1" in text, f"{page} has no title"
        assert "This snippet did not run" not in text
        assert not re.search(r"\bTODO\b|\bTBD\b|lorem ipsum", text, re.I), (
            f"{page} has placeholder text"
        )


@pytest.mark.parametrize("page,name,cell,mode", embeds())
def test_page_shows_the_cells_real_output(built_site, page, name, cell, mode):
    """The output under each embedded cell is what that cell printed in the run, character for
    character (a printed table is shown as a table, with the printed text one click away), and
    the cell's code is folded right above it; a `quiet` cell's output is folded with its code."""
    from bs4 import BeautifulSoup

    run = records.recorded(name)
    soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
    # the printed text, in pieces where a figure's caption holds the line saying it was saved
    pieces = soup.select(f'.snippet-output[data-snippet="{name}:{cell}"]')
    printed = run.cells[cell]["stdout"].rstrip()
    if not printed:
        assert not pieces
        return
    assert pieces, f"{page} does not show the output of {name}:{cell}"
    text = "\n".join(shown.select_one("code").get_text().rstrip("\n") for shown in pieces)
    assert text.rstrip() == printed
    if mode == "quiet":
        fold = pieces[0].find_parent("details", class_="snippet-code")
        assert fold, f"{page}: the output of {name}:{cell} (quiet) is not folded with its code"
        assert fold.select_one("code").get_text().strip("\n") == run.cells[cell]["code"].strip("\n")
        return
    for shown in pieces:
        assert not shown.find_parent("details", class_="snippet-code"), "the output is folded away"
    first = pieces[0]
    if first.name == "figcaption":
        first = first.find_parent("figure")
    fold = first.find_previous_sibling()
    assert fold.name == "details" and "snippet-code" in fold["class"], (
        f"{page}: the code of {name}:{cell} is not folded right above its output"
    )
    assert fold.select_one("code").get_text().strip("\n") == run.cells[cell]["code"].strip("\n")


UNFILLED = re.compile(r"\{=[^{}\n]{0,300}?=\}|\{=\s*[\w./-]+\.py:")


def test_no_page_shows_an_unfilled_marker(built_site):
    """Every `{= file.py:variable =}` a page uses is filled in from its run: a reader never sees the
    raw marker (in prose, in a code span, in a diagram, in the search index)."""
    paths = [built_site.site / "search" / "search_index.json"]
    paths += [path for path in built_site.site.rglob("*.html") if "notebooks" not in path.parts]
    for path in paths:
        found = UNFILLED.search(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(built_site.site)} shows {found[0]!r}"


def test_footnote_references_side_by_side_are_separated_by_a_comma(built_site):
    """ "law.[^a][^b]" reads as footnotes 2 and 3 ("²,³"), not as footnote 23."""
    separated = 0
    for page in nav_pages():
        text = built_site.page(page_url(page))
        assert not re.search(r'</a></sup>\s*<sup id="fnref', text), (
            f"{page}: footnotes run together"
        )
        separated += text.count('<sup class="footnote-sep">,</sup><sup id="fnref')
        separated += text.count('</a></sup>,<sup id="fnref')  # a comma the writer typed
    assert separated


def test_a_marker_in_a_code_span_is_filled_in_and_shown_as_code(built_site):
    """text-becomes-numbers.md quotes tokens.py's splits in backticks: `{= tokens.py:... =}`."""
    from bs4 import BeautifulSoup

    variables = records.recorded("tokens.py").variables
    soup = BeautifulSoup(built_site.page("text-becomes-numbers/"), "html.parser")
    codes = {code.get_text() for code in soup.select("article p code")}
    for value in [variables["longest"][0], *variables["strawberry_split"].values()]:
        assert value in codes, f"{value!r} is not shown as code"


@pytest.mark.parametrize("name", demo_scripts())
def test_every_record_is_up_to_date(name):
    """The site is built from _freeze/: a record must be the run of the snippet as it is now."""
    why = records.why_stale(name)
    assert why is None, (
        f"_freeze/{Path(name).stem} is stale: {why}. Run `python hooks/record.py {name}` (it re-runs "
        "it) and commit _freeze/: the diff shows what the change did to the page's outputs"
    )


def test_the_long_demos_are_demos_the_pages_show():
    """`pytest` runs every demo fresh but those in helpers.LONG (`--long` adds them): a name there
    that is no longer a demo (misspelt, renamed) leaves out nothing, and says nothing about it."""
    assert LONG <= set(demo_scripts()), LONG - set(demo_scripts())


@pytest.mark.parametrize("fresh_name", demo_scripts())
def test_a_fresh_run_gives_the_records_digits_on_the_same_kind_of_machine(fresh, fresh_name):
    """Re-run every snippet from scratch (`hooks/record.py --into`: conftest.Fresh). Where this
    machine is the kind the record was made on (OS, processor, packages, CPU kernel path, arithmetic),
    every output, figure, variable and exported file is identical; on another kind the digits may
    differ, and the claim tests (run on the fresh runs too) decide."""
    record, run = records.recorded(fresh_name), fresh.run(fresh_name)
    assert record is not None, f"_freeze/{Path(fresh_name).stem} is missing or stale"
    if not records.same_kind(record.machine, run.machine):
        pytest.skip(
            f"recorded on {records.describe(record.machine, True)}; "
            f"this is {records.describe(run.machine, True)}: "
            "the claims are checked instead"
        )
    for cell, data in record.cells.items():
        assert run.cells[cell]["stdout"] == data["stdout"], (
            f"{fresh_name}:{cell} printed something else"
        )
        assert run.cells[cell]["figures"] == data["figures"], (
            f"{fresh_name}:{cell} drew something else"
        )
    assert run.variables == record.variables
    for export in record.exports:
        assert (run.folder / "exports" / export).read_bytes() == (
            record.folder / "exports" / export
        ).read_bytes()


def copy_paste_pages():
    return [page for page in nav_pages() if copy_paste.demos_on(page)]


@pytest.mark.parametrize("copy_paste_page", copy_paste_pages())
def test_copying_a_pages_code_blocks_in_order_prints_what_the_page_shows(
    fresh, built_site, copy_paste_page
):
    """A reader copies the page's code blocks, in page order, into one Python session started in
    snippets/: each block prints what the page shows under it, and draws the same figures. (Compared
    with the page itself where this machine is the records' kind; else with this machine's fresh runs.)"""
    result = fresh.session(copy_paste_page)
    page_blocks = result["blocks"]
    assert page_blocks, f"{copy_paste_page} shows no Python code"
    assert result["error"] is None, f"{copy_paste_page}: {result['error']}"
    for number, (block, printed, drawn) in enumerate(
        zip(page_blocks, result["printed"], result["figures"]), 1
    ):
        where = f"{copy_paste_page}, code block {number} ({block['code'].splitlines()[0][:60]!r})"
        expected, figures = "", []
        for snippet in dict.fromkeys(output["snippet"] for output in block["outputs"]):
            shown = "\n".join(
                output["text"].rstrip("\n")
                for output in block["outputs"]
                if output["snippet"] == snippet
            )
            expected += expected_output(fresh, snippet, shown + "\n")
        for figure in block["figures"]:
            figures.append(expected_figure(fresh, built_site, figure))
        assert printed.rstrip() == expected.rstrip(), where
        assert len(drawn) == len(figures), (
            f"{where}: drew {len(drawn)} figures, the page shows {len(figures)}"
        )
        for svg, mine in zip(figures, drawn):
            assert (result["folder"] / mine["file"]).read_bytes() == svg, (
                f"{where}: a different figure"
            )


def expected_output(fresh, snippet, shown):
    """What a block must print: the page's output, or this machine's fresh run where that differs."""
    name, cell = snippet.split(":")
    return shown if records_kind(name) else fresh.run(name).cells[cell]["stdout"]


def expected_figure(fresh, built_site, figure):
    name, cell = figure["snippet"].split(":")
    if records_kind(name):
        return (built_site.site / "figures" / Path(figure["src"]).name).read_bytes()
    run = fresh.run(name)
    index = [f["file"] for f in records.recorded(name).cells[cell]["figures"]].index(
        Path(figure["src"]).name
    )
    return (run.folder / run.cells[cell]["figures"][index]["file"]).read_bytes()


def test_figures_are_files_with_alt_text(built_site):
    shown = 0
    for page in nav_pages():
        for src, alt in re.findall(
            r'<img src="([^"]+)" alt="([^"]*)"', built_site.page(page_url(page))
        ):
            if "figures/" not in src:
                continue
            shown += 1
            assert len(alt) > 15, f"{page}: figure {src} needs a real alt text"
            svg = built_site.site / "figures" / Path(src).name
            assert svg.read_text().lstrip().startswith("<?xml"), f"{svg} is not an SVG"
    assert shown >= 1


def notebook_pages():
    """The chapters that have a notebook: those that show a demo's outputs, unless they say
    `notebook: false`."""
    return sorted(
        {
            page
            for page, _, _, _ in embeds()
            if get_data((DOCS / page).read_text())[1].get("notebook") is not False
        }
    )


def test_each_chapter_with_demos_has_a_notebook_with_the_same_outputs(built_site):
    pages = notebook_pages()
    assert pages
    for page in pages:
        stem = Path(page).stem
        path = built_site.site / "notebooks" / stem / f"{stem}.ipynb"
        assert path.is_file(), f"no downloadable notebook for {page}"
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        recorded = {}
        for name in dict.fromkeys(name for p, name, _, _ in embeds() if p == page):
            for cell_name, data in records.recorded(name).cells.items():
                recorded.setdefault(cell_name + "@" + name, data)
        assert len(code_cells) == len(recorded)
        for cell, data in zip(code_cells, recorded.values()):
            assert cell.source == data["code"]
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert printed == data["stdout"]
        assert (built_site.site / "notebooks" / stem / "index.html").is_file(), (
            "notebook not rendered as a page"
        )
        figures = [
            o for cell in code_cells for o in cell.outputs if "image/svg+xml" in o.get("data", {})
        ]
        shown = built_site.page(f"notebooks/{stem}/")
        assert "data:image" not in shown and "No description" not in shown, (
            f"notebooks/{stem}/ shows a figure inline, undescribed, instead of the chapter's figure files"
        )
        assert shown.count('class="snippet-figure"') == len(figures), (
            f"notebooks/{stem}/ does not show each of its notebook's {len(figures)} figures"
        )
        for output in figures:
            assert f'alt="{html.escape(output.data["text/plain"])}"' in shown
        assert f"notebooks/{stem}/{stem}.ipynb" in built_site.page(page_url(page)), (
            f"{page} does not link its notebook"
        )


RESOURCE = re.compile(
    r'<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=["\']([^"\']+)|<link\b[^>]*\bhref=["\']([^"\']+)',
    re.I,
)


def test_no_page_loads_anything_from_another_host(built_site):
    """Fonts, scripts, styles and images all come from the site itself (the browser test checks it live)."""
    for path in built_site.site.rglob("*"):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            for match in RESOURCE.finditer(text):
                url = match[1] or match[2]
                tag = match[0]
                if "<link" in tag and re.search(r'rel=["\']?(canonical|alternate|prev|next)', tag):
                    continue
                assert not re.match(r"(https?:)?//", url), (
                    f"{path.relative_to(built_site.site)} loads {url}"
                )
            assert not re.search(r"""import\(\s*["']https?://""", text), (
                f"{path} imports a remote module"
            )
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            assert not re.search(
                r"""@import\s+(url\()?["']?https?://|url\(["']?https?://""", text
            ), f"{path} loads a remote resource"


def test_search_index_covers_the_chapters(built_site):
    index = json.loads((built_site.site / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    for page in nav_pages():
        assert page_url(page) in locations


PYTHONISH = re.compile(r"^(py|python\d*|pycon|ipython\d*|python-repl|pyi|\{?\s*\.?python)\b", re.I)


def fences(text):
    """(line number, info string) of each fenced code block, as pytest-codeblocks and Markdown see them."""
    found, inside = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        fence = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if not fence:
            continue
        if inside is None:
            inside = fence[1]
            found.append((number, fence[2].strip()))
        elif fence[1][0] == inside[0] and len(fence[1]) >= len(inside) and not fence[2].strip():
            inside = None
    return found


@pytest.mark.parametrize(
    "path",
    sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_python_fence_is_silently_skipped(path):
    """pytest --codeblocks runs only fences whose info string is exactly python, sh or bash; the build runs
    only {* *} embeds. A fence like ```py or ```python title="x" would be neither run nor tested."""
    for number, info in fences(path.read_text()):
        if PYTHONISH.match(info):
            assert info == "python", (
                f"{path.relative_to(ROOT)}:{number}: the fence ```{info} is never run: pytest-codeblocks collects "
                "only ```python; put the code in snippets/ and embed it with {* file.py:cell *}, or use ```python"
            )


@pytest.mark.parametrize("path", sorted((ROOT / "snippets").glob("*.py")), ids=lambda p: p.name)
def test_snippet_lines_fit_a_page(path):
    """Pages show the snippets' code; a line over 88 characters scrolls sideways at 1280 px."""
    long = [
        number for number, line in enumerate(path.read_text().splitlines(), 1) if len(line) > 88
    ]
    assert not long, f"snippets/{path.name}: lines {long} are longer than 88 characters"


def test_each_chapter_says_where_its_outputs_were_recorded(built_site):
    for page, name, _, _ in embeds():
        if get_data((DOCS / page).read_text())[1].get("notebook") is False:
            continue  # not a chapter: no "Run this chapter yourself" note
        record = records.recorded(name)
        text = html.unescape(re.sub(r"<[^>]+>", "", built_site.page(page_url(page))))
        assert records.describe(record.machine) in text, f"{page} does not say where {name} ran"


def test_the_code_download_holds_every_snippet_and_the_pinned_requirements(built_site):
    import zipfile

    archive = built_site.site / "downloads" / "llms101-snippets.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        requirements = zipped.read("llms101-snippets/requirements.txt").decode()
    for path in (ROOT / "snippets").glob("*.py"):
        assert f"llms101-snippets/snippets/{path.name}" in names
    assert "llms101-snippets/constraints.txt" in names
    assert "torch==2.13.0" in requirements.splitlines()
    assert "downloads/llms101-snippets.zip" in built_site.page("run-it-yourself/")


def test_the_build_log_has_nothing_a_contributor_must_learn_to_ignore(built_site):
    """The strict build's log: no warnings, no list of 'pages not in the nav' (the notebooks are put in the
    nav by the hook), no line per notebook from mkdocs-jupyter."""
    for noise in (
        'not included in the "nav"',
        "Converting notebook",
        "Cache hit",
        "Copied jupyter file",
        "WARNING",
    ):
        assert noise not in built_site.log, noise
    assert len(built_site.log.splitlines()) <= 5, built_site.log
