"""Build a chapter's Jupyter notebook from the runs of the demo scripts it embeds.

Cells are the scripts' cells; outputs are what the very same run printed and drew (nothing is executed
again). Notebooks are generated, never edited by hand.
"""

import functools
import hashlib
import os
import re
from pathlib import Path

import jinja2
import nbformat
import tinycss2
from nbconvert.exporters.templateexporter import TemplateExporter
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


class CompiledTemplates(jinja2.BytecodeCache):
    """mkdocs-jupyter makes two new nbconvert exporters per notebook, and each compiled the same
    templates again (a second of a build): they share the compiled code, per kind of exporter."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        bucket.code = self.code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket):
        self.code[bucket.key, bucket.checksum] = bucket.code


compiled_templates = {}  # exporter class -> CompiledTemplates
new_environment = TemplateExporter._create_environment


def environment_sharing_templates(exporter):
    environment = new_environment(exporter)
    environment.bytecode_cache = compiled_templates.setdefault(type(exporter), CompiledTemplates())
    return environment


TemplateExporter._create_environment = environment_sharing_templates


# A notebook page carries JupyterLab's whole stylesheet inline (about 450 kB, most of it for widgets the
# page does not have), and its ::selection rules make Chromium work out a selection style for every element:
# on a phone that cost the notebook pages a tenth of Lighthouse's performance score. The build takes the
# sheets out of every notebook page (unstyle) and writes them once, as one file the pages link to
# (stylesheet), without the rules that need a class or id no notebook page has: parsed once per build
# instead of once per page, and cached by the browser from page to page.
INSIDE = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)")
STYLE = re.compile(r"\s*<style[^>]*>(.*?)</style>", re.S)
TIDY = {"skip_comments": True, "skip_whitespace": True}  # what tinycss2 leaves out as it parses
_slimmed = {}  # what stylesheet() made, by what it was made from: a `mkdocs serve` rebuild reuses it


@functools.lru_cache(maxsize=16)  # a `mkdocs serve` rebuild makes the same notebook pages again
def unstyle(html):
    """(the page without the style sheets inside its article, those sheets, its classes and ids).
    mkdocs-jupyter also writes one sheet a second time as a Python list: that one is dropped."""
    start, end = html.index("<article"), html.index("</article>")
    parts = STYLE.split(html[start:end])  # the text around the sheets, and the sheets
    sheets = [sheet for sheet in parts[1::2] if not sheet.lstrip().startswith("['")]
    html = html[:start] + "".join(parts[0::2]) + html[end:]
    classes = {name for names in re.findall(r'class="([^"]*)"', html) for name in names.split()}
    return html, sheets, classes | {f"#{name}" for name in re.findall(r'id="([^"]*)"', html)}


def write_whole(path, text):
    """Write a file that another build may be reading at the same moment (the tests build the site
    in two processes at once): readers see the old file or the new one, never half of it."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def stylesheet(sheets, names, cache):
    """The sheets as one, each big one without ::selection rules and without the rules that need a
    class or id (#id in names) that is not in names. Kept in the folder `cache` (and in memory, for a
    `mkdocs serve` rebuild) by what it is made from."""
    made = hashlib.sha256("\0".join([*sheets, *sorted(names)]).encode()).hexdigest()[:16]
    path = Path(cache) / f"jupyterlab-{made}.css"
    if made not in _slimmed:
        if not path.is_file():
            slimmed = (slim(sheet, names) if len(sheet) > 100_000 else sheet for sheet in sheets)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, "\n".join(slimmed))
        _slimmed.clear()
        _slimmed[made] = path.read_text(encoding="utf-8")
    return _slimmed[made]


def slim(sheet, names):
    def kept(rules):
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = tinycss2.serialize(rule.prelude)
                if "selection" not in selectors and any(
                    matches(s, names) for s in selectors.split(",")
                ):
                    out.append(rule.serialize())
            elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
                inner = "".join(kept(tinycss2.parse_rule_list(rule.content or [], **TIDY)))
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            elif rule.type == "at-rule":
                out.append(rule.serialize())
        return out

    return "".join(kept(tinycss2.parse_stylesheet(sheet, **TIDY)))


def matches(selector, names):
    """Could the selector match on pages with these classes and #ids? (What :not(), :is() ... ask is ignored.)"""
    plain = INSIDE.sub("", selector)
    return (
        set(re.findall(r"\.(-?[_a-zA-Z][-\w]*)", plain))
        | {"#" + name for name in re.findall(r"#(-?[_a-zA-Z][-\w]*)", plain)}
        <= names
    )
