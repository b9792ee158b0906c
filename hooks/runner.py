"""Run snippet files cell by cell, once, and cache what each cell printed and drew.

A snippet is a Python file in snippets/ split into cells by Jupytext percent markers (`# %% name`).
`run(path)` executes the whole file top to bottom in a fresh Python process (this file, run as a
script, is that process) and returns, per cell, its code, its stdout and the figures left open at its
end, plus the run's top-level variables of simple types. Results are cached on disk, keyed by the
snippet's source, the sources of the sibling modules it imports, this file, and the versions of Python
and of the packages the snippets use.
"""
import ast
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
CACHE = Path(os.environ.get("LLMS101_CACHE", ROOT / ".cache" / "snippets"))
PACKAGES = ["torch", "tokenizers", "bpe-openai", "numpy", "matplotlib"]
MARKER = re.compile(r"^# %%(.*)$")
TOP = "top"


class SnippetError(Exception):
    pass


@dataclass
class Cell:
    name: str
    code: str  # as shown on a page: marker line dropped, outer blank lines trimmed
    first_line: int  # 1-based line number of the cell's first line in the file
    source: str = ""  # the cell's lines as in the file, for exec


@dataclass
class Run:
    snippet: str
    key: str
    cells: dict = field(default_factory=dict)  # name -> {"code", "stdout", "figures": [{"file", "alt"}]}
    variables: dict = field(default_factory=dict)
    figures_dir: Path = None

    @property
    def stdout(self):
        return "".join(cell["stdout"] for cell in self.cells.values())


def snippet_path(name):
    path = SNIPPETS / name
    if not path.is_file():
        raise SnippetError(f"no snippet named {name!r} in snippets/")
    return path


def split_cells(source):
    """Split a file into its cells; lines before the first marker form the cell 'top'."""
    cells, name, start, lines = [], TOP, 1, []

    def close():
        text = "\n".join(lines)
        if text.strip():
            cells.append(Cell(name, text.strip("\n"), start, text))

    for number, line in enumerate(source.splitlines(), start=1):
        match = MARKER.match(line)
        if match:
            close()
            name, start, lines = match.group(1).strip(), number + 1, []
            if not re.fullmatch(r"[\w-]+", name):
                raise SnippetError(f"line {number}: a cell marker needs a name, like '# %% split' (got {line!r})")
            continue
        lines.append(line)
    close()
    names = [cell.name for cell in cells]
    for cell in cells:
        if names.count(cell.name) > 1:
            raise SnippetError(f"two cells are named {cell.name!r}")
    return cells


def definition(source, name):
    """The source of a top-level function, class or assignment called `name`."""
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue
        if name in names:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            return "\n".join(lines[start - 1:node.end_lineno])
    return None


def sibling_imports(path):
    """Snippet files that `path` depends on, directly or through each other: the modules it imports,
    and the scripts it names in a string (a demo that runs `snippets/train.py --help`, say)."""
    seen, todo = set(), [path]
    while todo:
        tree = ast.parse(todo.pop().read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] + ".py" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0] + ".py"]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"(snippets/)?\w+\.py", node.value):
                names = [node.value.removeprefix("snippets/")]
            else:
                continue
            for name in names:
                sibling = SNIPPETS / name
                if sibling.is_file() and sibling != path and sibling not in seen:
                    seen.add(sibling)
                    todo.append(sibling)
    return sorted(seen)


def versions():
    found = {"python": sys.version}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def cache_key(path):
    digest = hashlib.sha256()
    digest.update(json.dumps(versions(), sort_keys=True).encode())
    for file in [Path(__file__), path, *sibling_imports(path)]:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cached(name):
    """The cached run of a snippet, or None if its current content has never been run."""
    path = snippet_path(name)
    return load(name, CACHE / f"{path.stem}-{cache_key(path)}")


def load(name, folder):
    result = folder / "result.json"
    if not result.is_file():
        return None
    data = json.loads(result.read_text())
    return Run(name, folder.name, data["cells"], data["variables"], folder)


def run(name, log=None):
    """Run a snippet (or take its cached run) and return the Run. Raises SnippetError if it fails."""
    found = cached(name)
    if found:
        return found
    path = snippet_path(name)
    split_cells(path.read_text())  # bad markers fail here, with a clear message
    folder = CACHE / f"{path.stem}-{cache_key(path)}"
    folder.mkdir(parents=True, exist_ok=True)
    if log:
        log(f"running snippets/{name}")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ churn under `mkdocs serve`
    proc = subprocess.run(
        [sys.executable, __file__, str(path), str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SnippetError(f"snippets/{name} failed:\n{proc.stderr.strip()}")
    return load(name, folder)


def execute(path, folder):
    """Executed in the child process: run each cell, capturing stdout, figures and variables."""
    import builtins
    import contextlib
    import io
    import traceback

    sys.argv = [os.path.relpath(path)]  # as in `python snippets/NAME.py` from the repository root
    sys.path.insert(0, str(path.parent))
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}
    cells = {}
    for cell in split_cells(path.read_text()):
        code = compile("\n" * (cell.first_line - 1) + cell.source, str(path), "exec")
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout):
                exec(code, namespace)
        except SystemExit as e:
            sys.stderr.write(stdout.getvalue()[-2000:])
            sys.exit(f"cell {cell.name!r} exited with {e.code!r}")
        except BaseException:
            sys.stderr.write(stdout.getvalue()[-2000:])
            lines = traceback.format_exc().splitlines()
            # drop the frames of this runner; keep the snippet's
            keep = [i for i, line in enumerate(lines) if str(path.parent) in line]
            print("\n".join(lines[:1] + lines[keep[0]:] if keep else lines), file=sys.stderr)
            sys.exit(f"cell {cell.name!r} raised")
        cells[cell.name] = {"code": cell.code, "stdout": stdout.getvalue(), "figures": save_figures(folder, cell.name)}
    variables = {}
    for key, value in namespace.items():
        if key.startswith("_") or callable(value) or type(value).__name__ == "module":
            continue
        value = plain(value)
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            continue
        if len(text) < 200_000:
            variables[key] = value
    (folder / "result.json").write_text(json.dumps({"cells": cells, "variables": variables}, indent=1))


def plain(value):
    """Numbers inside numpy/torch scalars and small arrays, as plain Python values."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        size = value.numel() if hasattr(value, "numel") else getattr(value, "size", None)
        return value.tolist() if isinstance(size, int) and size <= 100_000 else value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def save_figures(folder, cell_name):
    if "matplotlib.pyplot" not in sys.modules:
        return []
    import io
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "llms101"  # stable ids inside the SVG, so figures are reproducible
    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        alt = figure.get_label()
        if not alt:
            sys.exit(f"cell {cell_name!r} draws a figure without alt text: create it with plt.subplots(num='what it shows')")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        svg = buffer.getvalue()
        file = hashlib.sha256(svg).hexdigest()[:12] + ".svg"
        (folder / file).write_bytes(svg)
        figures.append({"file": file, "alt": alt})
    plt.close("all")
    return figures


if __name__ == "__main__":
    execute(Path(sys.argv[1]).resolve(), Path(sys.argv[2]))
