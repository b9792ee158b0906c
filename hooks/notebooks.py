"""Build a chapter's Jupyter notebook from the runs of the demo scripts it embeds.

Cells are the scripts' cells; outputs are what the very same run printed and drew (nothing is executed
again). Notebooks are generated, never edited by hand.
"""

import re

import nbformat
import tinycss2
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
                outputs.append(
                    new_output(
                        "display_data", data={"image/svg+xml": svg, "text/plain": figure["alt"]}
                    )
                )
            cells.append(
                new_code_cell(
                    data["code"], outputs=outputs, execution_count=None, metadata={"name": name}
                )
            )
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


# A notebook page carries JupyterLab's whole stylesheet inline (about 450 kB, most of it for widgets the
# page does not have), and its ::selection rules make Chromium work out a selection style for every element:
# on a phone that cost the notebook pages a tenth of Lighthouse's performance score. slim_page keeps only
# the rules that can match something on the page.
INSIDE = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)")
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)


def slim_page(html):
    """The page's big inline stylesheets without the rules that need a class or id the page lacks, and
    without ::selection rules (text selection keeps the browser's own colours)."""
    classes = {name for names in re.findall(r'class="([^"]*)"', html) for name in names.split()}
    ids = set(re.findall(r'id="([^"]*)"', html))

    def kept(rules):
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = tinycss2.serialize(rule.prelude)
                if "selection" not in selectors and any(
                    matches(s, classes, ids) for s in selectors.split(",")
                ):
                    out.append(rule.serialize())
            elif (
                rule.type == "at-rule"
                and rule.lower_at_keyword in ("media", "supports")
                and rule.content
            ):
                inner = kept(
                    tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                )
                if inner:
                    out.append(
                        f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}"
                    )
            elif rule.type == "at-rule":
                out.append(rule.serialize())
        return out

    def slim(match):
        if (
            len(match[2]) < 100_000
        ):  # only JupyterLab's sheets; the page's own small ones stay as they are
            return match[0]
        rules = tinycss2.parse_stylesheet(match[2], skip_comments=True, skip_whitespace=True)
        return match[1] + "".join(kept(rules)) + match[3]

    return STYLE.sub(slim, html)


def matches(selector, classes, ids):
    """Could the selector match on a page with these classes and ids? (What :not(), :is() ... ask is ignored.)"""
    plain = INSIDE.sub("", selector)
    return (
        set(re.findall(r"\.(-?[_a-zA-Z][-\w]*)", plain)) <= classes
        and set(re.findall(r"#(-?[_a-zA-Z][-\w]*)", plain)) <= ids
    )
