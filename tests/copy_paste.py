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
    return list(dict.fromkeys(name for name, _ in EMBED.findall((ROOT / "docs" / page).read_text())))


def blocks(html):
    """The page's Python code blocks in order, each with the outputs and figures shown under it:
    [{"code", "outputs": [{"snippet": "x.py:cell", "text"}], "figures": [{"snippet", "src"}]}]."""
    from bs4 import BeautifulSoup

    found = []
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for element in article.select("div.language-python.highlight, div.snippet-output, figure.snippet-figure"):
        if element.name == "figure":
            found[-1]["figures"].append({"snippet": element["data-snippet"], "src": element.img["src"]})
        elif "snippet-output" in element["class"]:
            found[-1]["outputs"].append({"snippet": element["data-snippet"],
                                         "text": element.select_one("code").get_text()})
        elif not element.find_parent(class_="snippet-output"):
            found.append({"code": element.select_one("code").get_text(), "outputs": [], "figures": []})
    return found


def session(page, built, folder):
    """Run the page's code blocks in one session; returns {"blocks", "printed", "figures", "error"}."""
    url = "" if page == "index.md" else page[:-3] + "/"
    page_blocks = blocks(built.page(url))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "blocks.json").write_text(json.dumps([block["code"] for block in page_blocks]))
    proc = subprocess.run([sys.executable, __file__, str(folder / "blocks.json"), str(folder)],
                          cwd=ROOT / "snippets", capture_output=True, text=True, timeout=1200,
                          env=dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1"))
    result = json.loads((folder / "result.json").read_text()) if (folder / "result.json").is_file() else {}
    return {"blocks": page_blocks, "printed": result.get("printed", []), "figures": result.get("figures", []),
            "error": result.get("error") or (proc.stderr[-3000:] if proc.returncode else None), "folder": folder}


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
    spec.loader.exec_module(runner)  # for save_figures: figures saved exactly as the build saves them
    sys.argv = [""]  # as in an interactive session
    sys.path[0] = ""  # the folder Python was started in (snippets/), not this file's
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    printed, figures, error = [], [], None
    for number, code in enumerate(json.loads(Path(blocks_file).read_text())):
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout):
                tree = ast.parse(code)
                last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                exec(compile(tree, f"<block {number + 1}>", "exec"), namespace)
                if last is not None:  # like Jupyter: the value of a last expression is shown
                    value = eval(compile(ast.Expression(last.value), f"<block {number + 1}>", "eval"), namespace)
                    if value is not None:
                        print(repr(value))
        except BaseException:
            error = f"block {number + 1} raised:\n{traceback.format_exc()[-3000:]}"
        printed.append(stdout.getvalue())
        figures.append(runner.save_figures(Path(folder), f"block {number + 1}"))
        if error:
            break
    (Path(folder) / "result.json").write_text(json.dumps({"printed": printed, "figures": figures, "error": error}))


if __name__ == "__main__":
    main(*sys.argv[1:])
