"""Build a chapter's Jupyter notebook from the runs of the demo scripts it embeds.

Cells are the scripts' cells; outputs are what the very same run printed and drew (nothing is executed
again). Notebooks are generated, never edited by hand.
"""

import os
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def build(title, runs):
    intro = (
        f"# {title}\n\n"
        "This notebook is generated from the chapter's snippets, with the outputs recorded for the site; "
        "it carries the code only, and the explanation is on the chapter's page. Open it in the `snippets/` folder of a clone of the repository (it imports its neighbours "
        "from there), or run the scripts themselves from the repository root: "
        + ", ".join(f"`python snippets/{run.snippet}`" for run in runs)
        + "."
    )
    cells = [new_markdown_cell(intro)]
    for run in runs:
        # plain text: a heading in code format comes out of mkdocs-jupyter's table of contents as an empty link
        cells.append(new_markdown_cell(f"## snippets/{run.snippet}"))
        for name, data in run.cells.items():
            outputs = []
            if data["stdout"]:
                outputs.append(new_output("stream", name="stdout", text=data["stdout"]))
            for figure in data["figures"]:
                svg = (run.folder / figure["file"]).read_text(encoding="utf-8")
                bundle = {"image/svg+xml": svg, "text/plain": figure["alt"]}
                outputs.append(new_output("display_data", data=bundle))
            cells.append(new_code_cell(data["code"], outputs=outputs, metadata={"name": name}))
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # stable ids keep regenerated notebooks byte-identical
    return nbformat.writes(notebook) + "\n"


# A notebook page carries JupyterLab's whole stylesheet inline (about 580 kB, most of it for widgets the
# page does not have), and its ::selection rules make Chromium work out a selection style for every
# element: on a phone that cost the notebook pages a tenth of Lighthouse's performance score. The build
# takes every sheet out of a notebook page; a few lines of docs/assets/extra.css lay the cells out, and
# the code takes Material's colours (the `highlight` class), as on every other page.
STYLE = re.compile(r"\s*<style[^>]*>.*?</style>", re.S)
CODE = re.compile(r'<div class="highlight-ipynb([^"]*)"><pre>')


def unstyle(html):
    """The notebook page without the style sheets inside its article, its code in Material's colours.
    A block of code scrolls sideways on a phone, so it is the cell's one stop for the keyboard; the
    printed text wraps (extra.css), so its wrapper is no stop."""
    start, end = html.index("<article"), html.index("</article>")
    article = STYLE.sub("", html[start:end]).replace(' tabindex="0"', "")
    article = CODE.sub(r'<div class="highlight highlight-ipynb\1"><pre tabindex="0">', article)
    return html[:start] + article + html[end:]


def write_whole(path, text):
    """Write a file that another build may be reading at the same moment (the tests build the site
    in two processes at once): readers see the old file or the new one, never half of it."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
