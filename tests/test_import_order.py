"""`import cli` before torch, in every snippet: cli pins how PyTorch adds numbers up
(snippets/cli.py), which works only before torch is imported, so an import order that
brings torch first changes the last digits of every trained model. Checked by reading
the imports (ast), as Python would run them with the snippet as the first thing
imported: a sibling module's own imports run where it is imported."""

import ast
from pathlib import Path

import pytest

SNIPPETS = Path(__file__).resolve().parent.parent / "snippets"
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def imports(path):
    """(line, module) for each import that runs when the file runs, in order (those
    inside functions run later, when torch is long imported)."""
    found = []

    def visit(statements):
        for statement in statements:
            if isinstance(statement, SCOPES):
                continue
            if isinstance(statement, ast.Import):
                found.extend((statement.lineno, alias.name) for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom) and statement.level == 0:
                found.append((statement.lineno, statement.module))
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(statement, field, []))
            for handler in getattr(statement, "handlers", []):
                visit(handler.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def torch_before_cli(name, snippets=SNIPPETS):
    """Where importing snippets/<name> first imports torch without cli before it:
    'file.py:line' (the import that brings torch), or None."""
    imported, pinned = set(), False

    def run(module):
        nonlocal pinned
        imported.add(module)
        for line, imported_name in imports(snippets / f"{module}.py"):
            top = imported_name.split(".")[0]
            if top == "cli":
                pinned = True
            elif top == "torch" and not pinned:
                return f"{module}.py:{line}"
            elif (snippets / f"{top}.py").is_file() and top not in imported:
                found = run(top)
                if found:
                    return found
        return None

    return run(name.removesuffix(".py"))


@pytest.mark.parametrize("name", sorted(path.name for path in SNIPPETS.glob("*.py")))
def test_a_snippet_imports_cli_before_torch(name):
    where = torch_before_cli(name)
    assert where is None, (
        f"importing {name} first imports torch at {where} before cli: put "
        "`import cli  # first: it pins how PyTorch adds numbers up` above it"
    )


def test_the_check_follows_imports_through_sibling_modules(tmp_path):
    (tmp_path / "cli.py").write_text("")
    (tmp_path / "pinned.py").write_text("import cli\nimport torch\n")
    (tmp_path / "unpinned.py").write_text("import os\nimport torch.nn as nn\n")
    (tmp_path / "demo.py").write_text("import pinned\nimport unpinned\n")
    (tmp_path / "late.py").write_text("import unpinned\nimport cli\n")
    (tmp_path / "inside.py").write_text("def f():\n    import torch\n")
    assert torch_before_cli("pinned.py", tmp_path) is None
    assert torch_before_cli("demo.py", tmp_path) is None  # pinned.py imported cli first
    assert torch_before_cli("late.py", tmp_path) == "unpinned.py:2"
    assert torch_before_cli("inside.py", tmp_path) is None
