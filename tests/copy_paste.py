"""A reader's copy-paste session: a built page's Python code blocks, in page order, run in one Python
session started in snippets/, each block's output and figures kept to compare with the page's.

Imported by the tests (to take the blocks out of the HTML and start the session); run as a script, it
is the session itself: `python copy_paste.py BLOCKS.json FOLDER`, from snippets/.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMBED = re.compile(r"\{\*\s*([\w./-]+\.py):([\w-]+)(?:\s+(?:code|folded))?\s*\*\}")


def demos_on(page):
    """The snippets whose cells a page embeds (docs/<page>)."""
    return list(
        dict.fromkeys(
            name for name, _ in EMBED.findall((ROOT / "docs" / page).read_text(encoding="utf-8"))
        )
    )


def blocks(html):
    """The page's Python code blocks in order, each with the outputs and figures shown under it:
    [{"code", "outputs": [{"snippet": "x.py:cell", "text"}], "figures": [{"snippet", "src"}]}]."""
    from bs4 import BeautifulSoup

    found = []
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for element in article.select(
        "div.language-python.highlight, div.snippet-output, figure.snippet-figure"
    ):
        if element.name == "figure":
            found[-1]["figures"].append(
                {"snippet": element["data-snippet"], "src": element.img["src"]}
            )
        elif "snippet-output" in element["class"]:
            found[-1]["outputs"].append(
                {"snippet": element["data-snippet"], "text": element.select_one("code").get_text()}
            )
        elif not element.find_parent(class_="snippet-output"):
            found.append(
                {"code": element.select_one("code").get_text(), "outputs": [], "figures": []}
            )
    return found


def plan(page, page_blocks):
    """Which demo cell each code block is, by its code (from the demos' records): [[snippet, cell] or None].
    A page shows every cell of its demos, so a session of the page is a complete run of each of them."""
    import runner

    cells = {}
    for name in demos_on(page):
        record = runner.recorded(name)
        for cell, data in record.cells.items() if record else []:
            cells.setdefault(data["code"].strip("\n"), [name, cell])
    return [cells.get(block["code"].strip("\n")) for block in page_blocks]


def session(page, built, folder):
    """Run the page's code blocks in one session; returns {"blocks", "printed", "figures", "error",
    "folder", "runs"}: "runs" maps each demo the page shows whole to a folder holding a record of its run
    in this session, made as the build makes records (runner.load reads it)."""
    import runner

    url = "" if page == "index.md" else page[:-3] + "/"
    page_blocks = blocks(built.page(url))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cells = plan(page, page_blocks)
    demos = {}
    for name in demos_on(page):
        record = runner.recorded(name)
        shown = {tuple(cell) for cell in cells if cell and cell[0] == name}
        if record and shown == {(name, cell) for cell in record.cells}:
            demos[name] = {
                "key": record.key,
                "names": sorted(
                    runner.bound_names(runner.snippet_path(name).read_text(encoding="utf-8"))
                ),
            }
    (folder / "blocks.json").write_text(
        json.dumps(
            {"blocks": [block["code"] for block in page_blocks], "cells": cells, "demos": demos}
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, __file__, str(folder / "blocks.json"), str(folder)],
        cwd=ROOT / "snippets",
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=1200,
        env=dict(
            os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8"
        ),
    )
    result = (
        json.loads((folder / "result.json").read_text(encoding="utf-8"))
        if (folder / "result.json").is_file()
        else {}
    )
    error = result.get("error") or (proc.stderr[-3000:] if proc.returncode else None)
    runs = {name: folder / Path(name).stem for name in demos if not error}
    return {
        "blocks": page_blocks,
        "printed": result.get("printed", []),
        "figures": result.get("figures", []),
        "error": error,
        "folder": folder,
        "runs": runs,
    }


def main(blocks_file, folder):
    """The session: what a reader gets by pasting each block, in order, into Python (or Jupyter)."""
    import ast
    import builtins
    import contextlib
    import importlib.util
    import io
    import traceback

    spec = importlib.util.spec_from_file_location("runner", ROOT / "hooks" / "runner.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)  # figures and records saved exactly as the build saves them
    folder = Path(folder)
    todo = json.loads(Path(blocks_file).read_text(encoding="utf-8"))
    demos, cells = todo["demos"], todo["cells"]
    last = {
        name: max(i for i, cell in enumerate(cells) if cell and cell[0] == name) for name in demos
    }
    outputs = {name: {} for name in demos}
    sys.argv = [""]  # as in an interactive session
    sys.path[0] = ""  # the folder Python was started in (snippets/), not this file's
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    printed, figures, error = [], [], None
    for number, code in enumerate(todo["blocks"]):
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout):
                tree = ast.parse(code)
                last_expression = (
                    tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                )
                exec(compile(tree, f"<block {number + 1}>", "exec"), namespace)
                if (
                    last_expression is not None
                ):  # like Jupyter: the value of a last expression is shown
                    value = eval(
                        compile(
                            ast.Expression(last_expression.value), f"<block {number + 1}>", "eval"
                        ),
                        namespace,
                    )
                    if value is not None:
                        print(repr(value))
        except BaseException:
            error = f"block {number + 1} raised:\n{traceback.format_exc()[-3000:]}"
        printed.append(stdout.getvalue())
        name, cell = cells[number] if cells[number] and cells[number][0] in demos else (None, None)
        where = folder / Path(name).stem if name else folder
        where.mkdir(exist_ok=True)
        drawn = runner.save_figures(where, f"block {number + 1}")
        figures.append(
            [
                dict(figure, file=str((where / figure["file"]).relative_to(folder)))
                for figure in drawn
            ]
        )
        if error:
            break
        if name:
            outputs[name][cell] = {
                "code": code.strip("\n"),
                "stdout": printed[-1],
                "figures": drawn,
            }
            if number == last[name]:  # the demo's last cell: its run is complete
                runner.write_record(
                    where, demos[name]["key"], outputs[name], namespace, set(demos[name]["names"])
                )
    (folder / "result.json").write_text(
        json.dumps({"printed": printed, "figures": figures, "error": error}), encoding="utf-8"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
