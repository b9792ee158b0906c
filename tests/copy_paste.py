"""A reader's copy-paste session: a built page's Python code blocks, in page order, run in one Python
session started in snippets/, each block's output and figures kept to compare with the page's.

Imported by the tests (to take the blocks out of the HTML, and to read a session's result); run as
`python tests/copy_paste.py --pages SITE FOLDER PAGE.md ...` it makes the pages' sessions one after
another (conftest.py starts it in the background); run as `python copy_paste.py BLOCKS.json FOLDER`
from snippets/, it is one session itself. Blocks run the way the build runs cells (hooks/execute.py:
execute_cell).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "hooks"))
import execute  # noqa: E402
import notebooks  # noqa: E402
import records  # noqa: E402


def demos_on(page):
    """The demo scripts whose cells a page embeds (docs/<page>), in order of first use."""
    return records.demos_in((ROOT / "docs" / page).read_text(encoding="utf-8"))


def blocks(html):
    """The page's Python code blocks in order, each with the outputs and figures shown under it:
    [{"code", "outputs": [{"snippet": "x.py:cell", "text"}], "figures": [{"snippet", "src"}]}].
    A cell's printed text may come in pieces (a box of text, then a figure whose caption holds the
    line the code printed when it saved it, then more text): each piece is an output, in page order,
    and together, a line after another, they are what the cell printed.
    A whole file shown (snippet-file) is for reading: the demos import it, a reader pastes none."""
    from bs4 import BeautifulSoup

    found = []
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for element in article.select(
        "div.language-python.highlight, div.snippet-output, figure.snippet-figure, "
        "figcaption.snippet-output"
    ):
        if element.name == "figure":
            found[-1]["figures"].append(
                {"snippet": element["data-snippet"], "src": element.img["src"]}
            )
        elif "snippet-output" in element["class"]:
            found[-1]["outputs"].append(
                {"snippet": element["data-snippet"], "text": element.select_one("code").get_text()}
            )
        elif not element.find_parent(class_=["snippet-output", "snippet-file"]):
            found.append(
                {"code": element.select_one("code").get_text(), "outputs": [], "figures": []}
            )
    return found


def session(page, site, folder):
    """Run the page's code blocks (from the built site's HTML) in one session, a Python started in
    snippets/: {"blocks", "printed", "figures", "error"}, the figures saved in folder."""
    url = "" if page == "index.md" else page[:-3] + "/"
    page_blocks = blocks((Path(site) / url / "index.html").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    todo = {"blocks": [block["code"] for block in page_blocks]}
    (folder / "blocks.json").write_text(json.dumps(todo), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, __file__, str(folder / "blocks.json"), str(folder)],
        cwd=ROOT / "snippets",
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=1200,
        env=execute.environment(),
    )
    result_file = folder / "result.json"
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else {}
    error = result.get("error") or (proc.stderr[-3000:] if proc.returncode else None)
    return {
        "blocks": page_blocks,
        "printed": result.get("printed", []),
        "figures": result.get("figures", []),
        "error": error,
    }


def sessions(site, folder, pages):
    """Each page's session, one after another, written to folder/pages/<page>/session.json as it
    ends (whole or not at all: the other test process may be waiting for it, see conftest.py)."""
    for page in pages:
        where = Path(folder) / "pages" / Path(page).stem
        notebooks.write_whole(where / "session.json", json.dumps(session(page, site, where)))
        print(f"{page}: session done", flush=True)


def result(page, folder):
    """A page's session, as sessions() wrote it (with its folder), or None before it has ended."""
    where = Path(folder) / "pages" / Path(page).stem
    made = where / "session.json"
    return (
        dict(json.loads(made.read_text(encoding="utf-8")), folder=where) if made.is_file() else None
    )


def main(blocks_file, folder):
    """The session: what a reader gets by pasting each block, in order, into Python."""
    import builtins

    folder = Path(folder)
    todo = json.loads(Path(blocks_file).read_text(encoding="utf-8"))
    sys.argv = [""]  # as in an interactive session
    sys.path[0] = ""  # the folder Python was started in (snippets/), not this file's
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    printed, figures, error = [], [], None
    for number, code in enumerate(todo["blocks"]):
        label = f"block {number + 1}"
        try:
            out = execute.execute_cell(label, code, 1, f"<{label}>", namespace, folder)
        except execute.CellFailed as failure:
            error = f"{label}: {failure}\n{failure.details[-3000:]}"
            break
        printed.append(out["stdout"])
        figures.append(out["figures"])
    (folder / "result.json").write_text(
        json.dumps({"printed": printed, "figures": figures, "error": error}), encoding="utf-8"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--pages":  # python tests/copy_paste.py --pages SITE FOLDER PAGE.md ...
        sessions(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        main(*sys.argv[1:])
