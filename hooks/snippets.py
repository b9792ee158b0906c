"""MkDocs hook: put snippets, their real output and figures on pages, and each chapter's notebook.

In a page:
    {* tokens.py:split *}         code of cell `split`, then what it printed and drew
    {* tokens.py:split code *}    code only          {* tokens.py:split output *}  output only
    {* gpt.py:GPT *}              a top-level function, class or constant, code only
    {* gpt.py *}                  the whole file, code only
    {= tokens.py:n_pieces:,d =}   a number the run recorded, formatted (format spec optional)

See CONTRIBUTING.md. Runs are cached (hooks/runner.py), so a prose edit rebuilds in seconds.
"""
import logging
import re
import shutil
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

sys.path.insert(0, str(Path(__file__).parent))
import notebooks  # noqa: E402
import runner  # noqa: E402

log = logging.getLogger("mkdocs.hooks.snippets")

EMBED = re.compile(r"^(?P<indent>[ \t]*)\{\*\s*(?P<file>[\w./-]+\.py)(?::(?P<name>[\w-]+))?(?:\s+(?P<mode>code|output))?\s*\*\}[ \t]*$", re.M)
NUMBER = re.compile(r"\{=\s*(?P<file>[\w./-]+\.py):(?P<path>[\w.\[\]-]+)(?::(?P<spec>[^=}]*?))?\s*=\}")
EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>|<script\b[^>]*>(?:(?!</script>).)*?import\(\s*[\"']https?://(?:(?!</script>).)*?</script>", re.S)
NOTEBOOKS = "notebooks"
FIGURES = "figures"
SETUP_PAGE = "run-it-yourself.md"  # where each chapter's "run it yourself" note points, when the site has it

runs = {}  # snippet name -> runner.Run, for this build
chapter_demos = {}  # page src_uri -> the demo scripts it embeds
failures = {}  # snippet name -> error message, for this build


def get_run(name):
    if name not in runs and name not in failures:
        try:
            runs[name] = runner.run(name, log=log.info)
        except runner.SnippetError as error:
            failures[name] = str(error)
            log.warning(str(error))
    return runs.get(name)


def demos_of(markdown):
    """Demo scripts (files with cells) embedded in a page, in order of first use."""
    names = []
    for match in EMBED.finditer(markdown):
        name = match["file"]
        if name not in names and match["name"] and is_demo(name):
            names.append(name)
    return names


def is_demo(name):
    try:
        source = runner.snippet_path(name).read_text()
    except runner.SnippetError:
        return False
    return any(runner.MARKER.match(line) for line in source.splitlines())


def on_config(config):
    runs.clear()
    failures.clear()
    config["notebook_dir"] = Path(runner.CACHE).parent / NOTEBOOKS
    return config


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config):
    """Run every demo the pages embed (or take its cached run) and write each chapter's notebook."""
    folder = config["notebook_dir"]
    folder.mkdir(parents=True, exist_ok=True)
    titles = nav_titles(config["nav"] or [])
    chapter_demos.clear()
    pages = [page for page in files.documentation_pages() if page.src_uri.endswith(".md")]
    order = list(titles)
    pages.sort(key=lambda page: order.index(page.src_uri) if page.src_uri in order else len(order))
    for page in pages:
        markdown, meta = get_data(Path(page.abs_src_path).read_text(encoding="utf-8"))
        demos = [name for name in demos_of(markdown) if get_run(name)]
        if not demos or meta.get("notebook") is False:
            continue
        stem = Path(page.src_uri).stem
        chapter_demos[page.src_uri] = demos
        notebook = notebooks.build(f"Notebook: {titles.get(page.src_uri, stem)}", [runs[name] for name in demos])
        path = folder / f"{stem}.ipynb"
        if not path.is_file() or path.read_text() != notebook:
            path.write_text(notebook)
        files.append(File(f"{NOTEBOOKS}/{stem}.ipynb", str(folder.parent), config["site_dir"], config["use_directory_urls"]))
    return files


def nav_titles(items):
    """{'tokens.md': '2. Text becomes numbers', ...} from the nav in mkdocs.yml."""
    titles = {}
    for item in items:
        for title, value in (item.items() if isinstance(item, dict) else [(None, item)]):
            if isinstance(value, list):
                titles.update(nav_titles(value))
            elif title:
                titles[value] = title
    return titles


def on_nav(nav, config, files):
    """Put the generated notebooks in a section of their own, after the chapters."""
    from mkdocs.structure.nav import Section

    pages = [file.page for file in files if file.src_uri.startswith(f"{NOTEBOOKS}/") and file.page]
    if pages:
        section = Section("Notebooks", pages)
        for page in pages:
            page.parent = section
        nav.items.append(section)
        nav.pages.extend(pages)
        for previous, page in zip(nav.pages, nav.pages[1:]):
            previous.next_page, page.previous_page = page, previous
    return nav


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):
        return markdown
    markdown = EMBED.sub(lambda match: embed(match, page), markdown)
    markdown = NUMBER.sub(lambda match: number(match, page), markdown)
    demos = chapter_demos.get(page.file.src_uri)
    if demos:
        markdown = add_notebook_note(markdown, page, files, demos)
    return markdown


def notebook_urls(stem):
    """The notebook's page, and its .ipynb (mkdocs-jupyter copies it next to the page)."""
    return f"{NOTEBOOKS}/{stem}/", f"{NOTEBOOKS}/{stem}/{stem}.ipynb"


def add_notebook_note(markdown, page, files, demos):
    """End a chapter with how to run it: the scripts, and the chapter as a notebook."""
    view, download = (get_relative_url(url, page.url or ".") for url in notebook_urls(Path(page.file.src_uri).stem))
    commands = [f"`python snippets/{name}`" for name in demos]
    commands = commands[0] if len(commands) == 1 else ", ".join(commands[:-1]) + " and " + commands[-1]
    setup = files.get_file_from_path(SETUP_PAGE)
    setup = f" (see [Run it yourself]({get_relative_url(SETUP_PAGE, page.file.src_uri)}) for the set-up)" if setup else ""
    note = (
        '!!! tip "Run this chapter yourself"\n'
        "    Every output on this page was printed by the code right above it, when the site was built. "
        f"From a clone of the repository, run {commands} and you get the same numbers{setup}. "
        f'Or take the chapter as a notebook: <a href="{view}">read it here</a> or '
        f'<a href="{download}" download>download the .ipynb</a>.\n'
    )
    return markdown.rstrip() + "\n\n" + note


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith(f"{NOTEBOOKS}/") and page.file.src_uri.endswith(".ipynb"):
        stem = Path(page.file.src_uri).stem
        href = get_relative_url(notebook_urls(stem)[1], page.url)
        button = f'<p><a class="md-button" href="{href}" download>Download this notebook (.ipynb)</a></p>'
        return button + html
    return html


def problem(page, message):
    log.warning(f"{page.file.src_uri}: {message}")
    return f'\n!!! failure "This snippet did not run"\n    {message.splitlines()[0]}\n'


def fence(code, language, title=None):
    ticks = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", code)), default=0))
    header = f'{ticks}{language}' + (f' title="{title}"' if title else "")
    return f"{header}\n{code}\n{ticks}"


def embed(match, page):
    name, cell, mode = match["file"], match["name"], match["mode"]
    try:
        path = runner.snippet_path(name)
    except runner.SnippetError as error:
        return problem(page, str(error))
    title = f"snippets/{name}"
    source = path.read_text()
    if cell is None or (not is_demo(name) and mode != "output"):  # whole file, or a definition in a library module
        if cell is None:
            code = source.strip("\n")
        else:
            code = runner.definition(source, cell)
            if code is None:
                return problem(page, f"{title} has no top-level function, class or constant named {cell!r}")
        block = fence(code, "python", title)
    else:
        run = get_run(name)
        if run is None:
            return problem(page, failures[name])
        if cell not in run.cells:
            if runner.definition(source, cell) is not None:  # a function inside a demo script
                block = fence(runner.definition(source, cell), "python", title)
                return indent(block, match["indent"])
            return problem(page, f"{title} has no cell named {cell!r} (cells: {', '.join(run.cells)})")
        block = render_cell(run, cell, mode, title, page)
    return indent(block, match["indent"])


def render_cell(run, cell, mode, title, page):
    data = run.cells[cell]
    parts = []
    if mode != "output":
        parts.append(fence(data["code"], "python", title))
    if mode != "code":
        if data["stdout"].strip():
            parts.append(
                f'<div class="snippet-output" data-snippet="{run.snippet}:{cell}" markdown>\n\n'
                f'{fence(data["stdout"].rstrip(), "text", "Output")}\n\n</div>'
            )
        for figure in data["figures"]:
            src = get_relative_url(f"{FIGURES}/{figure['file']}", page.file.url or ".")
            alt = figure["alt"].replace('"', "&quot;")
            parts.append(f'<figure class="snippet-figure" markdown>\n<img src="{src}" alt="{alt}" loading="lazy">\n</figure>')
        if mode == "output" and len(parts) == 0:
            return problem(page, f"{title}: cell {cell!r} printed nothing and drew nothing")
    return "\n\n".join(parts)


def indent(block, prefix):
    return "\n".join(prefix + line if line else line for line in block.splitlines())


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
            log.warning(f"{page.file.src_uri}: snippets/{name} recorded no variable {path!r}")
            return f"**{path}?**"
    try:
        return format(value, spec)
    except (ValueError, TypeError) as error:
        log.warning(f"{page.file.src_uri}: cannot format {path}={value!r} with {spec!r}: {error}")
        return str(value)


def on_post_page(output, page, config):
    # mkdocs-jupyter's template loads MathJax (and can load Mermaid) from a CDN; our pages call no third party.
    return EXTERNAL_SCRIPT.sub("", output)


def on_post_build(config):
    target = Path(config["site_dir"]) / FIGURES
    target.mkdir(parents=True, exist_ok=True)
    for run in runs.values():
        for cell in run.cells.values():
            for figure in cell["figures"]:
                shutil.copyfile(run.figures_dir / figure["file"], target / figure["file"])
