"""MkDocs hook: put snippets, their real output and figures on pages, and each chapter's notebook.

In a page:
    {* tokens.py:split *}         code of cell `split`, then what it printed and drew
    {* tokens.py:split code *}    code only
    {* tokens.py:split folded *}  code folded away (plotting plumbing, say), its output and figures shown
    {* gpt.py:GPT *}              a top-level function, class or constant, code only
    {* gpt.py *}                  the whole file, to read (left out of the copy-paste session)
    {= tokens.py:n_pieces:,d =}   a number the run recorded, formatted (format spec optional);
                                  in a code span (`{= tokens.py:longest.0 =}`) shown as code

A page shows a demo's cells in file order, none skipped, so that a reader who copies its code blocks
in order into one Python session gets what the page shows; the demo's setup (its `top` cell: imports
and options) is put in, folded, before its first cell. See CONTRIBUTING.md. Outputs come from the
frozen records in _freeze/ (hooks/records.py): a snippet runs only when its record is stale
(hooks/execute.py); the code comes from the snippet as it is now.
"""

import base64
import difflib
import io
import logging
import os
import re
import sys
import unicodedata
import zipfile
from html import escape
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.structure.nav import Section
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

sys.path.insert(0, str(Path(__file__).parent))
import aligned  # noqa: E402
import cells  # noqa: E402
import execute  # noqa: E402
import figures  # noqa: E402
import notebooks  # noqa: E402
import records  # noqa: E402
from cells import EMBED  # noqa: E402

log = logging.getLogger("mkdocs.hooks.snippets")

# A diagram: `![what it shows](assets/diagrams/name.svg){ .diagram }` on a line of its own. The SVG goes
# into the page inline (so it takes the colour scheme's colours and its text reads at any size), with
# the alt text as its accessible name; `{= file.py:variable =}` inside it is filled in from the run.
DIAGRAM = re.compile(
    r"^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]+)\]\((?P<src>[^)\s]+\.svg)\)\{\s*\.diagram\s*\}[ \t]*$",
    re.M,
)
NUMBER = re.compile(
    r"\{=\s*(?P<file>[\w./-]+\.py):(?P<path>[\w.\[\]-]+)(?::(?P<spec>[^=}]*?))?\s*=\}"
)
EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>|<script\b[^>]*>(?:(?!</script>).)*?import\(\s*[\"']https?://(?:(?!</script>).)*?</script>",
    re.S,
)
NOTEBOOKS = "notebooks"
FIGURES = "figures"
EXPORTS = "exports"  # files snippets export for the page widgets (a tokenizer, model weights)
DATA = "data"  # snippets/data/*.txt: the training text and its licence, as files of the site
DOWNLOAD = "downloads/llms101-snippets.zip"
# where each chapter's "run it yourself" note points, when the site has it
SETUP_PAGE = "run-it-yourself.md"

runs = {}  # snippet name -> records.Run, for this build
chapter_demos = {}  # page src_uri -> the demo scripts it embeds
failures = {}  # snippet name -> error message, for this build
shown = {}  # page src_uri -> {snippet: the names of its cells the page shows, in order}


def get_run(name):
    """The snippet's up-to-date record (on_files re-recorded the stale ones, unless frozen), or None
    after one line saying why not."""
    if name in runs or name in failures:
        return runs.get(name)
    try:
        runs[name] = records.recorded(name)
        if runs[name] is None:
            failures[name] = f"snippets/{name}: {records.why_stale(name)}"
            if os.environ.get("LLMS101_FROZEN") == "1":
                failures[name] += (
                    f", and LLMS101_FROZEN=1 runs nothing: run `python hooks/record.py {name}`, "
                    f"then commit _freeze/{Path(name).stem}/"
                )
    except cells.SnippetError as error:
        failures[name] = str(error)
    if name in failures:
        runs.pop(name, None)
        log.warning(failures[name])
    return runs.get(name)


def on_config(config):
    # mkdocs-jupyter says "Converting notebook", "Cache hit" and "Copied jupyter file" for every notebook
    for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter"):
        logging.getLogger(name).setLevel(logging.WARNING)
    runs.clear()
    figures_by_data.clear()
    failures.clear()
    config["notebook_dir"] = records.ROOT / ".cache" / NOTEBOOKS
    return config


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config):
    """Take every demo's record (running the stale ones) and write each chapter's notebook."""
    folder = config["notebook_dir"]
    folder.mkdir(parents=True, exist_ok=True)
    titles = nav_titles(config["nav"] or [])
    chapter_demos.clear()
    pages = [page for page in files.documentation_pages() if page.src_uri.endswith(".md")]
    order = list(titles)
    pages.sort(key=lambda page: order.index(page.src_uri) if page.src_uri in order else len(order))
    sources = {page: get_data(page.content_string) for page in pages}
    every_demo = [name for markdown, _ in sources.values() for name in records.demos_in(markdown)]
    for name in dict.fromkeys(every_demo):
        source = records.snippet_path(name).read_text(encoding="utf-8")
        try:
            for message in cells.rebound_names(source, f"snippets/{name}"):
                log.warning(f"snippets/{name}: {message}")
        except cells.SnippetError as error:  # said once here; its runs and embeds fail quietly
            failures[name] = str(error)
            log.warning(str(error))
    runnable = [name for name in dict.fromkeys(every_demo) if name not in failures]
    for name, error in execute.refresh(runnable, log=log.info).items():
        failures[name] = str(error)
        log.warning(str(error))
    for page in pages:
        markdown, meta = sources[page]
        demos = [name for name in records.demos_in(markdown) if get_run(name)]
        if not demos or meta.get("notebook") is False:
            continue
        stem = Path(page.src_uri).stem
        chapter_demos[page.src_uri] = demos
        title = f"Notebook: {titles.get(page.src_uri, stem)}"
        notebook = notebooks.build(title, [runs[name] for name in demos])
        path = folder / f"{stem}.ipynb"
        if not path.is_file() or path.read_text(encoding="utf-8") != notebook:
            notebooks.write_whole(path, notebook)
        uri = f"{NOTEBOOKS}/{stem}.ipynb"
        files.append(
            File(uri, str(folder.parent), config["site_dir"], config["use_directory_urls"])
        )
    add_generated_files(files, config)
    return files


def add_generated_files(files, config):
    """The runs' figures and exported files, and the download of snippets/, as files of the site
    (so that MkDocs copies them, `mkdocs serve` serves them, and links to them are checked)."""
    generated, dark = {}, {}
    for run in runs.values():
        for cell in run.cells.values():
            for figure in cell["figures"]:  # an SVG file, and its copy for the dark colour scheme
                generated[f"{FIGURES}/{figure['file']}"] = run.folder / figure["file"]
                dark[f"{FIGURES}/{figures.dark_name(figure['file'])}"] = run.folder / figure["file"]
        for name in run.exports:
            generated[f"{EXPORTS}/{name}"] = run.folder / "exports" / name
    # the training text and its licence: the page's trainer trains on it in the reader's browser
    for path in sorted(records.DATA.glob("*.txt")):
        generated[f"{DATA}/{path.name}"] = path
    for uri, path in generated.items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    for uri, path in dark.items():
        svg = figures.dark_variant(path.read_text(encoding="utf-8"))
        files.append(File.generated(config, uri, content=svg))
    files.append(File.generated(config, DOWNLOAD, content=snippets_zip()))


def nav_titles(items):
    """{'tokens.md': '2. Text becomes numbers', ...} from the nav in mkdocs.yml."""
    titles = {}
    for item in items:
        for title, value in item.items() if isinstance(item, dict) else [(None, item)]:
            if isinstance(value, list):
                titles.update(nav_titles(value))
            elif title:
                titles[value] = title
    return titles


def on_nav(nav, config, files):
    """Put the generated notebooks in a section "Notebooks" inside the section that holds the "Run it
    yourself" page (at the end of the menu, if it has none): they are for running the code, not reading."""
    pages = [file.page for file in files if file.src_uri.startswith(f"{NOTEBOOKS}/") and file.page]
    if not pages:
        return nav
    section = Section("Notebooks", pages)
    for page in pages:
        page.parent = section
    setup = files.get_file_from_path(SETUP_PAGE)
    home = section.parent = setup.page.parent if setup and setup.page else None
    (home.children if home else nav.items).append(section)
    # the reading order (previous / next at the foot of each page): the notebooks come right after
    # the last page of their section
    before = [page for page in nav.pages if page not in pages]
    last = max(
        (i for i, page in enumerate(before) if home and page.parent is home),
        default=len(before) - 1,
    )
    nav.pages[:] = before[: last + 1] + pages + before[last + 1 :]
    for previous, page in zip(nav.pages, nav.pages[1:]):
        previous.next_page, page.previous_page = page, previous
    return nav


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):
        return markdown
    shown[page.file.src_uri] = {}
    markdown = EMBED.sub(lambda match: embed(match, page), markdown)
    for name, seen in shown[page.file.src_uri].items():
        if seen != list(runs[name].cells):  # a reader copying the page's code needs them all
            log.warning(
                f"{page.file.src_uri}: shows snippets/{name} as :{', :'.join(seen)}: show a demo's "
                f"cells in file order, none skipped (:{', :'.join(runs[name].cells)})"
            )
    markdown = DIAGRAM.sub(lambda match: diagram(match, page, config), markdown)
    markdown = fill_numbers(markdown, page)
    demos = chapter_demos.get(page.file.src_uri)
    if demos:
        markdown = add_chapter_note(markdown, page, files, demos)
    if serving:
        keep_render(page, files)
    return markdown


serving = []  # [True] under `mkdocs serve`
rendered = {}  # under `mkdocs serve`: page -> (what it was rendered from, what rendering gave)


def on_startup(command, dirty):
    serving[:] = [True] if command == "serve" else []


def keep_render(page, files):
    """Under `mkdocs serve`, a page whose Markdown (after every hook), the site's pages and the Markdown
    settings are what they were in the last build keeps the HTML that build made: a prose edit renders one page again, not all
    of them. (Not in `mkdocs build`: there every page is rendered and every link checked.)"""
    render, uri = page.render, page.file.src_uri
    pages = tuple(file.src_uri for file in files.documentation_pages())

    def render_or_reuse(config, files):
        settings = repr(config["markdown_extensions"]) + repr(config["mdx_configs"])
        made_from = (page.markdown, pages, settings)
        if rendered.get(uri, [None])[0] != made_from:
            render(config, files)
            rendered[uri] = (made_from, (page.content, page.toc, page._title_from_render))
        page.content, page.toc, page._title_from_render = rendered[uri][1]

    page.render = render_or_reuse


def recorded_on(demos):
    """Where the page's outputs were recorded, in words: one machine, or one per snippet if they differ."""
    machines = {}
    for name in demos:
        machines.setdefault(records.describe(runs[name].machine), []).append(name)
    if len(machines) == 1:
        return next(iter(machines))
    return "; ".join(
        f"{', '.join(f'`{n}`' for n in names)}: {where}" for where, names in machines.items()
    )


def add_chapter_note(markdown, page, files, demos):
    """End a chapter with where its outputs come from and how to get them yourself: folded, so that
    the story ends with the chapter, and one click opens the facts."""
    stem = Path(page.file.src_uri).stem  # mkdocs-jupyter copies the .ipynb next to its page
    view = get_relative_url(f"{NOTEBOOKS}/{stem}/", page.url or ".")
    download = get_relative_url(f"{NOTEBOOKS}/{stem}/{stem}.ipynb", page.url or ".")
    commands = [f"`python snippets/{name}`" for name in demos]
    commands = (
        commands[0] if len(commands) == 1 else ", ".join(commands[:-1]) + " and " + commands[-1]
    )
    setup = files.get_file_from_path(SETUP_PAGE)
    link = get_relative_url(SETUP_PAGE, page.file.src_uri) if setup else None
    exact = f" ([what is exact]({link}#what-is-exact-and-what-is-not))" if link else ""
    how = f" (set-up: [Run it yourself]({link}))" if link else ""
    arithmetic = any("cpu_capability" in runs[name].machine for name in demos)  # a model's floats
    same = (
        "A computer that does its sums as this one did prints the same digits (the same kernel path "
        "is not always enough); another may change the digits and some of what the model writes, but "
        f"not the page's claims{exact}."
        if arithmetic
        else "Any machine prints the same."
    )
    body = (
        f"Every output on this page was printed by the code above it, recorded on: "
        f"{recorded_on(demos)}.\n\n"
        f"To run it yourself{how}: {commands}, or paste the page's code blocks in order into one "
        f"Python session started in `snippets/`. {same}\n\n"
        f'As a notebook: <a href="{view}">read it here</a> or '
        f'<a href="{download}" download>download the .ipynb</a>.'
    )
    note = fold("run-yourself", "Run this chapter yourself", body)
    # before the references: above the heading over the footnotes' place, if the page has one
    place = markdown.find("///Footnotes Go Here///")
    if place < 0:
        return markdown.rstrip() + "\n\n" + note + "\n"
    heading = list(re.finditer(r"^#{1,6} .*\n\s*\Z", markdown[:place], re.M))
    at = heading[-1].start() if heading else place
    return markdown[:at].rstrip() + "\n\n" + note + "\n\n" + markdown[at:]


def on_page_content(html, page, config, files):
    # footnote references side by side read as one number ("law.²³"): a comma between them ("²,³")
    html = re.sub(
        r"(<a class=\"footnote-ref\"[^>]*>[^<]*</a></sup>)\s*(?=<sup id=\"fnref)",
        r'\1<sup class="footnote-sep">,</sup>',
        html,
    )
    # a figure inside an indented block (Go deeper) is not a raw HTML block to Markdown: it comes
    # wrapped in a paragraph, which HTML does not allow (a browser leaves empty paragraphs around it)
    html = re.sub(
        r'<p>(<figure class="snippet-figure"(?:(?!</figure>).)*</figure>)</p>',
        r"\1",
        html,
        flags=re.S,
    )
    unfilled = UNFILLED.search(html)
    if unfilled:  # a reader would see the raw marker: the strict build fails
        log.warning(
            f"{page.file.src_uri}: a recorded-value marker was not filled in: {unfilled[0]!r} "
            "(write it as {= file.py:variable =}, on one line)"
        )
    if page.file.src_uri.startswith(f"{NOTEBOOKS}/") and page.file.src_uri.endswith(".ipynb"):
        stem = Path(page.file.src_uri).stem
        href = get_relative_url(f"{NOTEBOOKS}/{stem}/{stem}.ipynb", page.url)
        button = f'<p><a class="md-button" href="{href}" download>Download this notebook (.ipynb)</a></p>'
        return button + html
    return html


def problem(page, message, said=False):
    if not said:  # a snippet that failed said so once, not once per embed
        log.warning(f"{page.file.src_uri}: {message}")
    return f'\n!!! failure "This snippet did not run"\n    {message.splitlines()[0]}\n'


def fence(code, language, title=None):
    ticks = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", code)), default=0))
    header = f"{ticks}{language}" + (f' title="{title}"' if title else "")
    return f"{header}\n{code}\n{ticks}"


def embed(match, page):
    name, cell, mode = match["file"], match["name"], match["mode"]
    try:
        path = records.snippet_path(name)
    except cells.SnippetError as error:
        return problem(page, str(error))
    title = f"snippets/{name}"
    source = path.read_text(encoding="utf-8")
    if cell is None:  # a whole file, to read: the demos import it, a reader pastes none of it
        code = fence(source.strip("\n"), "python", f"{title} (the whole file: the demos import it)")
        return placed(f'<div class="snippet-file" markdown>\n\n{code}\n\n</div>', match["indent"])
    try:
        names = [c.name for c in cells.split_cells(source, title)]
    except cells.SnippetError as error:
        return problem(page, str(error), said=name in failures)
    if cell not in names:  # a function, class or constant
        code = cells.definition(source, cell)
        if code is None:
            return problem(page, f"{title} has no cell, function, class or constant named {cell!r}")
        return placed(fence(code, "python", title), match["indent"])
    run = get_run(name)
    if run is None:
        return problem(page, failures[name], said=True)
    if cell not in run.cells:
        return problem(page, f"{title} has no cell named {cell!r} (cells: {', '.join(run.cells)})")
    blocks = [render_cell(run, name, cell, mode, title, page)]
    seen = shown[page.file.src_uri].setdefault(name, [])
    if not seen and cell != cells.TOP and cells.TOP in run.cells:
        blocks.insert(0, render_setup(run, name, title, page))
        seen.append(cells.TOP)
    seen.append(cell)
    return placed("\n\n".join(blocks), match["indent"])


def placed(block, at):
    """The block indented as its embed was; inside a box (Go deeper), without the stray `markdown`
    attribute md_in_html leaves there."""
    if at:
        stray = r'^(<(?:div|figure) class="snippet-[^"\n]*"[^>\n]*?) markdown>$'
        block = re.sub(stray, r"\1>", block, flags=re.M)
    return indent(block, at)


def render_setup(run, name, title, page):
    """The demo's imports and options, folded like every cell's code: the page's code is complete, and
    the story comes first."""
    body = render_cell(run, name, cells.TOP, "code", title, page)
    if run.cells[cells.TOP]["stdout"].strip():
        body += "\n\n" + render_cell(run, name, cells.TOP, "output", title, page)
    summary = f"Setup for {name}: imports and options (paste it first)"
    return fold("snippet-code snippet-setup", summary, body)


def fold(classes, summary, body):
    """A folded block (pymdownx.details): the summary is the control a reader clicks or taps."""
    return f'??? {classes} "{summary}"\n\n' + indent(body, "    ")


def render_cell(run, name, cell, mode, title, page):
    """A cell as the reader meets it: its result (output, figures) in view, its code folded right above
    the result, behind a "Show the code" control (the page's code switch opens them all). In HTML the
    code still comes before its output, so a reader (or the copy-paste test) who copies the blocks in
    order gets the page. Modes: None or "folded" (code folded, result shown), "code" (code only, in
    view), "output" (result only), "quiet" (code and what it prints in one fold: a cell whose output
    is not a result, such as the commands it runs)."""
    code = fence(run.cells[cell]["code"], "python", title)
    if mode == "code":
        return code
    if mode == "quiet":
        body = "\n\n".join([code, *render_results(run, name, cell, page)])
        return fold("snippet-code", f"Show the code and what it prints: {name}", body)
    parts = [] if mode == "output" else [fold("snippet-code", f"Show the code: {name}", code)]
    return "\n\n".join(parts + render_results(run, name, cell, page))


# What cli.figure prints when it saves a figure on the reader's computer. On the page that line is
# the small caption under the figure it names, not an output box of its own.
SAVED = re.compile(r"^\(figure saved to (?P<path>[^\n]+)\)$")


def render_results(run, name, cell, page):
    """A cell's printed text and figures, in the order the run made them: each "(figure saved to
    out/figures/x.png)" line becomes the caption of the figure it names (the printed line kept
    word for word, for a reader who pastes the code and compares), the text around it output boxes.
    Where the lines and figures don't pair up one to one, the text comes first, then the figures."""
    data, snippet = run.cells[cell], f"{name}:{cell}"
    text = data["stdout"].rstrip()
    lines = text.splitlines()
    saved = [i for i, line in enumerate(lines) if SAVED.match(line)]
    pieces, start = [], 0  # ("text", lines) and ("figure", its printed line), in order
    for i in saved:
        pieces += [("text", "\n".join(lines[start:i]).rstrip()), ("figure", lines[i])]
        start = i + 1
    pieces.append(("text", "\n".join(lines[start:]).rstrip()))
    pieces = [(kind, value) for kind, value in pieces if value.strip()]
    paired = (
        saved
        and len(saved) == len(data["figures"])
        and "\n".join(value for _, value in pieces) == text  # nothing lost: blank lines, say
    )
    if not paired:
        shown = [render_output(data["stdout"], snippet)] if text.strip() else []
        return shown + [render_figure(run, figure, snippet, page) for figure in data["figures"]]
    figures_left = iter(data["figures"])
    return [
        render_output(value, snippet)
        if kind == "text"
        else render_figure(run, next(figures_left), snippet, page, value)
        for kind, value in pieces
    ]


def render_figure(run, figure, snippet, page, printed=None):
    """A figure, once per colour scheme (extra.css shows the reader's), each a link to the image full
    size (with JavaScript, a tap or click doubles it in place instead: main.js), with a small caption:
    how to enlarge it (or, enlarged, that it scrolls sideways and how to shrink it), and the line the
    code prints when it saves the figure on the reader's computer."""
    src = get_relative_url(f"{FIGURES}/{figure['file']}", page.file.url or ".")
    dark = get_relative_url(f"{FIGURES}/{figures.dark_name(figure['file'])}", page.file.url or ".")
    alt = escape(figure["alt"])
    size = figures.size((run.folder / figure["file"]).read_text(encoding="utf-8"))
    size = f' width="{size[0]}" height="{size[1]}"' if size else ""
    links = "\n".join(
        f'<a class="snippet-figure-link {scheme}" href="{href}">'
        f'<img src="{href}" alt="{alt}" class="{scheme}"{size} loading="lazy">'
        '<span class="visually-hidden"> (enlarge the figure)</span></a>'
        for scheme, href in (("only-light", src), ("only-dark", dark))
    )
    # the second shows instead of the first while the figure is enlarged (extra.css); a screen reader
    # has the link's own words and the figure's description instead
    caption = (
        '<span class="figure-hint" aria-hidden="true">Tap or click the figure to enlarge it.</span>'
        '<span class="figure-hint-zoomed" aria-hidden="true">Enlarged: scroll sideways to see all of'
        " it, and tap or click it again to shrink it.</span>"
    )
    if printed:
        caption = (
            f'<figcaption class="snippet-output snippet-saved" data-snippet="{snippet}">{caption} '
            '<span class="snippet-saved-line">Run on your computer, the code saves it: '
            f"<code>{escape(printed)}</code></span></figcaption>"
        )
    else:
        caption = f'<figcaption class="snippet-saved">{caption}</figcaption>'
    return (
        f'<figure class="snippet-figure" data-snippet="{snippet}">\n{links}\n{caption}\n</figure>'
    )


# A printed Markdown table: a header row, a rule (|---|:--:|---:|), rows; each line starts and ends with |.
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|(\s*:?-+:?\s*\|)+\s*$")


def table_cells(line):
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def output_parts(text):
    """The printed text cut into ("text", lines) and ("table", lines) parts, in order."""
    lines = text.splitlines()
    parts, start, i = [], 0, 0
    while i < len(lines):
        if (
            TABLE_ROW.match(lines[i])
            and i + 1 < len(lines)
            and TABLE_RULE.match(lines[i + 1])
            and len(table_cells(lines[i])) == len(table_cells(lines[i + 1]))
        ):
            end = i + 2
            while end < len(lines) and TABLE_ROW.match(lines[end]):
                end += 1
            if lines[start:i]:
                parts.append(("text", lines[start:i]))
            parts.append(("table", lines[i:end]))
            start = i = end
        else:
            i += 1
    if lines[start:]:
        parts.append(("text", lines[start:]))
    return parts


def html_table(lines):
    """A printed Markdown table as an HTML table (alignment from its rule; cells as plain text)."""
    head, rule, *rows = lines
    ends = [(c.startswith(":"), c.endswith(":")) for c in table_cells(rule)]
    align = ["center" if a and b else "right" if b else "" for a, b in ends]
    styles = [f' style="text-align: {a}"' if a else "" for a in align]

    def row(line, tag):
        cells = (table_cells(line) + [""] * len(styles))[: len(styles)]
        shown = "".join(f"<{tag}{style}>{escape(c)}</{tag}>" for c, style in zip(cells, styles))
        return f"<tr>{shown}</tr>"

    body = "\n".join(row(line, "td") for line in rows)
    return f"<table>\n<thead>{row(head, 'th')}</thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def aligned_table(table):
    """Printed columns found by aligned.aligned_parts as an HTML table: numbers right-aligned, a bar
    chart's bars whole, a long unbroken word (st|ra|w|b|er|ry) free to break anywhere; without a
    header row, the first column (the rows' names) as row headers."""

    def cell(text, k, tag, scope=""):
        long = re.search(r"\S{13}", text) and not table.numeric[k] and not table.bars[k]
        classes = " ".join(
            name
            for name, on in (("num", table.numeric[k]), ("bar", table.bars[k]), ("long", long))
            if on
        )
        attrs = (f' class="{classes}"' if classes else "") + (f' scope="{scope}"' if scope else "")
        return f"<{tag}{attrs}>{escape(text)}</{tag}>"

    head = "".join(cell(t, k, "th", "col" if t else "") for k, t in enumerate(table.head))
    head = f"<thead><tr>{head}</tr></thead>\n" if table.head else ""
    rows = []
    for row in table.rows:
        shown = [cell(t, k, "td") for k, t in enumerate(row)]
        if table.row_heads:
            shown[0] = cell(row[0], 0, "th", "row")
        rows.append("<tr>" + "".join(shown) + "</tr>")
    body = "\n".join(rows)
    return f"<table>\n{head}<tbody>\n{body}\n</tbody>\n</table>"


# Columns lined up with spaces that split cleanly become a table (aligned.py, aligned_table). Aligned
# printed text that is left (sample text beside its numbers, a bar chart) keeps its lines whole on a
# phone: the build gives the block the length of its longest aligned line (`--cols`), and extra.css
# scales its font down to fit the column (never up); other lines (prose) still wrap. An aligned line
# longer than FIT_COLUMNS would make the font smaller than about 10 px at 390 px (even in a "Go
# deeper" box, 332 px of column: (332 - 26) / (50 x 0.61) = 10.0): it wraps, as plain text does.
FIT_COLUMNS = 50
ALIGNED = re.compile(r"^ +\S|\S {2,}\S")  # indented, or columns lined up with runs of spaces


def columns(line):
    """How many character cells a line takes in a monospaced font (wide East Asian characters two)."""
    line = line.expandtabs(8)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def fit(lines):
    """' snippet-fit' and the style that keeps the aligned lines whole, or ('', '')."""
    widths = [columns(line) for line in lines if ALIGNED.search(line)]
    widths = [width for width in widths if width <= FIT_COLUMNS]
    if len(widths) < 2:  # a table has two lines at least; one line may wrap
        return "", ""
    return " snippet-fit", f' style="--cols: {max(widths)}"'


def render_output(stdout, snippet):
    """What a cell printed, as plain text that wraps on a narrow screen (its aligned lines kept whole
    where they are short enough: fit). A Markdown table it printed (| a | b | lines with a |---|
    rule), and columns it lined up with spaces that split cleanly (aligned.aligned_parts), are shown
    as real tables, which fit a phone; the text exactly as Python prints it stays one click away."""
    text = stdout.rstrip()
    parts = []
    for kind, lines in output_parts(text):
        parts += aligned.aligned_parts(lines) if kind == "text" else [(kind, lines)]
    if not any(kind in ("table", "aligned") for kind, _ in parts):
        fits, style = fit(text.splitlines())
        return (
            f'<div class="snippet-output{fits}" data-snippet="{snippet}"{style} markdown>\n\n'
            f"{fence(text, 'text', 'Output')}\n\n</div>"
        )
    blocks = []
    for kind, lines in parts:
        if kind == "table":
            blocks.append(f'<div class="snippet-table">\n{html_table(lines)}\n</div>')
        elif kind == "aligned":
            blocks.append(f'<div class="snippet-table">\n{aligned_table(lines)}\n</div>')
        elif "\n".join(lines).strip():
            fits, style = fit(lines)
            samp = escape("\n".join(lines).strip("\n"))
            blocks.append(f'<pre class="snippet-text{fits}"{style}><samp>{samp}</samp></pre>')
    exact = fold("snippet-printed", "The same output as plain text", fence(text, "text", "Output"))
    blocks = "\n".join(blocks)
    return (
        f'<div class="snippet-output has-table" data-snippet="{snippet}" markdown>\n\n'
        f"{blocks}\n\n{exact}\n\n</div>"
    )


def indent(block, prefix):
    return "\n".join(prefix + line if line else line for line in block.splitlines())


def diagram(match, page, config):
    path = (Path(config["docs_dir"]) / Path(page.file.src_uri).parent / match["src"]).resolve()
    if not path.is_file():
        return problem(page, f"no diagram {match['src']} (looked for {path})")
    svg = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
    # a blank line would end the HTML block
    svg = "\n".join(line for line in svg.strip().splitlines() if line.strip())
    alt = match["alt"].replace("&", "&amp;").replace('"', "&quot;")
    svg = re.sub(r"<svg\b", f'<svg role="img" aria-label="{alt}"', svg, count=1)
    # its words are the picture's, named by its label: kept from screen readers and search as scraps
    svg = re.sub(
        r"(<svg\b[^>]*>)(.*)(</svg>)", r'\1<g aria-hidden="true">\2</g>\3', svg, flags=re.S
    )
    figure = f'<figure class="diagram" data-search-exclude>\n{svg}\n</figure>'
    return indent(figure, match["indent"])


CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>[^\n]*?)(?<!`)(?P=ticks)(?!`)")
# What is left of a marker that was not filled in: a page must never show one (on_page_content)
UNFILLED = re.compile(r"\{=[^{}\n]{0,300}?=\}|\{=\s*[\w./-]+\.py:")


def fill_numbers(markdown, page):
    """Every `{= file.py:variable =}` marker filled in from the run: in prose, and in a code span
    (`` `{= tokens.py:longest.0 =}` ``), where the value is shown as code (the span's backticks
    lengthened if the value holds backticks)."""
    fill = lambda text: NUMBER.sub(lambda match: number(match, page), text)  # noqa: E731

    def code_span(match):
        code = match["code"]
        if not NUMBER.search(code):
            return match[0]
        code = fill(code)
        ticks = "`" * (1 + max((len(run) for run in re.findall(r"`+", code)), default=0))
        pad = " " if code.startswith("`") or code.endswith("`") else ""
        return f"{ticks}{pad}{code}{pad}{ticks}"

    out, at = [], 0
    for match in CODE_SPAN.finditer(markdown):
        out += [fill(markdown[at : match.start()]), code_span(match)]
        at = match.end()
    return "".join(out) + fill(markdown[at:])


def number(match, page):
    name, path, spec = match["file"], match["path"], match["spec"] or ""
    run = get_run(name)
    if run is None:
        return "**?**" if name in failures else problem(page, f"no snippet named {name!r}")
    value = run.variables
    for key in re.findall(r"[^.\[\]]+", path):
        try:
            value = value[int(key)] if isinstance(value, list) else value[key]
        except (KeyError, IndexError, ValueError, TypeError):
            near = difflib.get_close_matches(path.split(".")[0], run.variables, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near and near[0] != key else ""
            log.warning(f"{page.file.src_uri}: snippets/{name} recorded no variable {path!r}{hint}")
            return f"**{path}?**"
    try:
        return format(value, spec)
    except (ValueError, TypeError) as error:
        log.warning(f"{page.file.src_uri}: cannot format {path}={value!r} with {spec!r}: {error}")
        return str(value)


def on_post_page(output, page, config):
    # mkdocs-jupyter's template loads MathJax (and can load Mermaid) from a CDN; our pages call no third party.
    output = EXTERNAL_SCRIPT.sub("", output)
    if page.file.src_uri.startswith(f"{NOTEBOOKS}/"):
        output = notebooks.unstyle(output)
        output = NOTEBOOK_FIGURE.sub(lambda match: notebook_figure(match, page), output)
    return output


# mkdocs-jupyter writes each figure into its notebook page as a base64 data address, light only and
# with no description: the page shows the chapter's figure files instead (its alt text, a dark copy,
# loaded as they scroll into view), and the downloadable notebook keeps its figures inside.
NOTEBOOK_FIGURE = re.compile(
    r'<img alt="[^"]*" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"\s*/?>'
)
figures_by_data = {}  # base64 of a figure's SVG -> (run, figure, snippet), for this build


def notebook_figure(match, page):
    if not figures_by_data:
        for name, run in runs.items():
            for cell in run.cells.values():
                for figure in cell["figures"]:
                    svg = (run.folder / figure["file"]).read_text(encoding="utf-8")
                    figures_by_data[base64.b64encode(svg.encode()).decode()] = (run, figure, name)
    found = figures_by_data.get(match.group(1))
    return render_figure(*found, page) if found else match.group(0)


def on_post_build(config):
    """A build that runs nothing fails on a stale or broken record, whatever the log level: `mkdocs
    build --strict -q` hides the warnings and exits 0 (MkDocs 1.6 counts only the warnings it shows)."""
    if failures and os.environ.get("LLMS101_FROZEN") == "1":
        raise PluginError("\n".join(failures.values()))


def snippets_zip():
    """snippets/ with the pinned requirements, for readers who want the code without git. Byte for byte
    the same for the same files (fixed dates, sorted names), so a rebuild does not churn it."""
    pins = records.pinned_versions().items()
    requirements = "".join(f"{package}=={version}\n" for package, version in pins if version)
    readme = (
        "LLMs 101, executable: the code of every page. In a terminal, go into this folder\n"
        "(cd llms101-snippets, where you unpacked it), then:\n\n"
        "Linux and macOS (Python 3.11 or newer; on a Mac, python3.14 or the version you installed):\n\n"
        "    python3 -m venv .venv\n"
        "    # Linux only: PyTorch's CPU-only build (PyPI's own brings GPU libraries, close to 3 GB)\n"
        "    .venv/bin/python -m pip install -c constraints.txt --no-deps torch "
        "--extra-index-url https://download.pytorch.org/whl/cpu\n"
        "    .venv/bin/python -m pip install -r requirements.txt -c constraints.txt\n"
        "    .venv/bin/python snippets/train.py\n\n"
        "Windows (PowerShell; py comes with Python from python.org or the Microsoft Store):\n\n"
        "    py -m venv .venv\n"
        "    .venv\\Scripts\\python.exe -m pip install -r requirements.txt -c constraints.txt\n"
        "    .venv\\Scripts\\python.exe snippets\\train.py\n\n"
        "Run the scripts from this folder, or start Python in snippets/ and paste a page's code blocks in order.\n"
    )
    files = {
        f"snippets/{file.relative_to(records.SNIPPETS).as_posix()}": file.read_bytes()
        for file in sorted([*records.SNIPPETS.glob("*.py"), *records.DATA.glob("*")])
    }
    files.update({"requirements.txt": requirements.encode(), "README.txt": readme.encode()})
    if records.CONSTRAINTS.is_file():
        files["constraints.txt"] = records.CONSTRAINTS.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"llms101-snippets/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()
