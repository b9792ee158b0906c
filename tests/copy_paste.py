"""A reader's copy-paste session: a built page's Python code blocks, in page order, run in one Python
session started in snippets/, each block's output and figures kept to compare with the page's.

Imported by the tests (to take the blocks out of the HTML and start the session); run as a script, it
is the session itself: `python copy_paste.py BLOCKS.json FOLDER`, from snippets/. Blocks run the way
the build runs cells (hooks/execute.py: execute_cell), and a demo the page shows whole is recorded
the way the build records it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "hooks"))
import cells  # noqa: E402
import execute  # noqa: E402
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


def plan(page, page_blocks):
    """Which demo cell each code block is, by its code: [[snippet, cell] or None]. A page shows every
    cell of its demos, so a session of the page is a complete run of each of them."""
    known = {}
    for name in demos_on(page):
        for cell in cells.split_cells(records.snippet_path(name).read_text(encoding="utf-8")):
            known.setdefault(cell.code.strip("\n"), [name, cell.name])
    return [known.get(block["code"].strip("\n")) for block in page_blocks]


def prepare(page, built, folder):
    """What the page's session will run: its blocks, which demo cell each is, and the demos it shows
    whole, whose runs it records as the build does (written to folder/blocks.json). Worked out here,
    in the calling thread: Python 3.11's parser is not safe in two threads at once (gh-106905)."""
    url = "" if page == "index.md" else page[:-3] + "/"
    page_blocks = blocks(built.page(url))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    planned = plan(page, page_blocks)
    demos = {}
    for name in demos_on(page):
        path = records.snippet_path(name)
        every = {cell.name for cell in cells.split_cells(path.read_text(encoding="utf-8"))}
        if {cell for demo, cell in filter(None, planned) if demo == name} == every:
            found = records.inputs(path)
            names = sorted(cells.bound_names(path.read_text(encoding="utf-8")))
            demos[name] = {"key": records.key_of(found), "inputs": found, "names": names}
    todo = {"blocks": [block["code"] for block in page_blocks], "cells": planned, "demos": demos}
    # whole or not at all: the other test process may be writing the same file (conftest.py)
    written = folder / f"blocks.json.{os.getpid()}"
    written.write_text(json.dumps(todo), encoding="utf-8")
    os.replace(written, folder / "blocks.json")
    return {"page": page, "blocks": page_blocks, "folder": folder, "demos": list(demos)}


def session(prepared):
    """Run the prepared page's code blocks in one session (a Python started in snippets/); returns
    {"blocks", "printed", "figures", "error", "folder", "runs"}: "runs" maps each demo the page shows
    whole to a folder holding a record of its run in this session (records.load reads it)."""
    folder = prepared["folder"]
    proc = subprocess.run(
        [sys.executable, __file__, str(folder / "blocks.json"), str(folder)],
        cwd=ROOT / "snippets",
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=1200,
        env=execute.environment(),
        preexec_fn=execute.niced(10),  # in the background: the other tests go first
    )
    result_file = folder / "result.json"
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else {}
    error = result.get("error") or (proc.stderr[-3000:] if proc.returncode else None)
    runs = {name: folder / Path(name).stem for name in prepared["demos"] if not error}
    return dict(
        prepared,
        printed=result.get("printed", []),
        figures=result.get("figures", []),
        error=error,
        runs=runs,
    )


def main(blocks_file, folder):
    """The session: what a reader gets by pasting each block, in order, into Python."""
    import builtins

    folder = Path(folder)
    todo = json.loads(Path(blocks_file).read_text(encoding="utf-8"))
    demos, planned = todo["demos"], todo["cells"]
    last = {name: max(i for i, c in enumerate(planned) if c and c[0] == name) for name in demos}
    outputs = {name: {} for name in demos}
    sys.argv = [""]  # as in an interactive session
    sys.path[0] = ""  # the folder Python was started in (snippets/), not this file's
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    printed, figures, error = [], [], None
    for number, code in enumerate(todo["blocks"]):
        name, cell = (
            planned[number] if planned[number] and planned[number][0] in demos else (None, None)
        )
        where = folder / Path(name).stem if name else folder
        where.mkdir(exist_ok=True)
        label = f"block {number + 1}"
        try:
            out = execute.execute_cell(label, code, 1, f"<{label}>", namespace, where)
        except execute.CellFailed as failure:
            error = f"{label}: {failure}\n{failure.details[-3000:]}"
            break
        printed.append(out["stdout"])
        figures.append(
            [
                dict(figure, file=str((where / figure["file"]).relative_to(folder)))
                for figure in out["figures"]
            ]
        )
        if name:
            outputs[name][cell] = out
            if number == last[name]:  # the demo's last cell: its run is complete
                demo = demos[name]
                records.write_record(
                    where, demo["key"], demo["inputs"], outputs[name], namespace, set(demo["names"])
                )
    (folder / "result.json").write_text(
        json.dumps({"printed": printed, "figures": figures, "error": error}), encoding="utf-8"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
