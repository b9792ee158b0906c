"""Build a chapter's Jupyter notebook from the runs of the demo scripts it embeds.

Cells are the scripts' cells; outputs are what the very same run printed and drew (nothing is executed
again). Notebooks are generated, never edited by hand.
"""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def build(title, runs):
    intro = (
        f"# {title}\n\n"
        "This notebook is generated from the chapter's snippets, with the outputs of the run that built "
        "the site. Open it in the `snippets/` folder of a clone of the repository (it imports its neighbours "
        "from there), or run the scripts themselves from the repository root: "
        + ", ".join(f"`python snippets/{run.snippet}`" for run in runs) + "."
    )
    cells = [new_markdown_cell(intro)]
    for run in runs:
        # plain text: a heading in code format comes out of mkdocs-jupyter's table of contents as an empty link
        cells.append(new_markdown_cell(f"## snippets/{run.snippet}"))
        for number, (name, data) in enumerate(run.cells.items(), start=1):
            outputs = []
            if data["stdout"]:
                outputs.append(new_output("stream", name="stdout", text=data["stdout"]))
            for figure in data["figures"]:
                svg = (run.folder / figure["file"]).read_text(encoding="utf-8")
                outputs.append(new_output("display_data", data={"image/svg+xml": svg, "text/plain": figure["alt"]}))
            cells.append(new_code_cell(data["code"], outputs=outputs, execution_count=None, metadata={"name": name}))
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # stable ids keep regenerated notebooks byte-identical
    return nbformat.writes(notebook) + "\n"

