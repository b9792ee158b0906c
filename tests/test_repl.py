"""Plain `python`: every demo's cells, pasted line by line into Python's interactive
interpreter, run and print what the script prints.

The interpreter reads one statement at a time, so a demo follows its rules:
- a compound statement (`for`, `if`, `with`, `def`, ...) at the top of a cell ends at an
  empty line: one follows each, and none sits inside one (the interpreter would end it
  there); a reader presses Enter after pasting a cell, so a cell may end with one;
- the interpreter prints the value of every expression statement outside functions, inside
  top-level loops and blocks too: such a statement must return None (`print(...)`, a
  function of ours that returns nothing), draw inside `with cli.figure(...)`, or be
  assigned; a module docstring is such a statement.

The static check reads the demos (ast and tokenize); the runtime check pastes a small demo
into code.InteractiveConsole and compares what it prints with the record.
"""

import ast
import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
sys.path.insert(0, str(ROOT / "hooks"))
import cells  # noqa: E402
import records  # noqa: E402

DEMOS = sorted(path.name for path in SNIPPETS.glob("*.py") if records.is_demo(path.name))
COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Methods of other libraries that return None, by name (our own functions are read from
# their source). A name here must return None for every object the demos call it on.
RETURN_NONE = {
    "print",
    "add_argument",  # cli.Parser's (argparse's returns the option's Action)
    "append",
    "extend",
    "update",
    "remove",
    "backward",
    "mkdir",
    "set_num_threads",
    "launch_workers",  # snippets/workers.py: starts the workers, returns nothing
}


def returns_nothing(function):
    """A def whose body returns no value (and yields none): calling it gives None."""
    for node in ast.walk(function):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Return) and node.value is not None:
            return False
    return True


def functions(tree):
    """name -> whether calling it returns None, for a module's top-level defs."""
    return {
        node.name: returns_nothing(node)
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def none_calls(tree):
    """The dotted names the demo can call for None: its own functions that return nothing,
    and those of the sibling modules it imports (`training.save`, or `save` after `from
    training import save`)."""
    found = {name for name, none in functions(tree).items() if none}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [(alias.name, alias.asname or alias.name) for alias in node.names]
            for module, name in modules:
                if (SNIPPETS / f"{module}.py").is_file():
                    source = (SNIPPETS / f"{module}.py").read_text(encoding="utf-8")
                    found |= {
                        f"{name}.{f}" for f, none in functions(ast.parse(source)).items() if none
                    }
        elif isinstance(node, ast.ImportFrom) and (SNIPPETS / f"{node.module}.py").is_file():
            source = (SNIPPETS / f"{node.module}.py").read_text(encoding="utf-8")
            theirs = functions(ast.parse(source))
            found |= {a.asname or a.name for a in node.names if theirs.get(a.name)}
    return found


def echoes(statement, ours):
    """Why the interpreter would print this expression statement's value, or None."""
    value = statement.value
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return "a string on its own line (a docstring?) is echoed: make it a # comment"
    if not isinstance(value, ast.Call):
        return f"`{ast.unparse(value)[:60]}` on its own line is echoed"
    name = ast.unparse(value.func)
    if name in ours or name.rsplit(".", 1)[-1] in RETURN_NONE:
        return None
    return (
        f"`{name}(...)` may return a value, which the interpreter echoes: assign it, draw "
        "inside `with cli.figure(...)`, or, if it returns None, add it to RETURN_NONE in "
        "tests/test_repl.py"
    )


def is_figure(node):
    """`with cli.figure(...)`: the interpreter echoes nothing inside it."""
    return isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call)
        and ast.unparse(item.context_expr.func) == "cli.figure"
        for item in node.items
    )


def empty_lines(code):
    """Line numbers (1-based) of the lines that are empty to the interpreter: blank, and
    not inside a string that spans lines."""
    in_string = set()
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.STRING and token.end[0] > token.start[0]:
            in_string.update(range(token.start[0] + 1, token.end[0] + 1))
    lines = code.splitlines()
    return {n for n, line in enumerate(lines, 1) if not line.strip() and n not in in_string}


def layout_problems(name):
    """Where a demo would not paste into the interactive interpreter: ['file:line (cell
    NAME): what is wrong', ...]."""
    source = (SNIPPETS / name).read_text(encoding="utf-8")
    ours = none_calls(ast.parse(source))
    problems = []  # (line, message)
    for cell in cells.split_cells(source):
        # cell.code is what a page shows: its line 1 is this line of the file
        first = cell.first_line + len(cell.source) - len(cell.source.lstrip("\n"))

        def say(line, message, cell=cell, first=first):
            problems.append((first + line - 1, f"(cell {cell.name}): {message}"))

        try:
            tree = ast.parse(cell.code)
        except SyntaxError as e:
            say(e.lineno or 1, f"the cell does not parse on its own: {e.msg}")
            continue
        empty = empty_lines(cell.code)
        body = tree.body
        for statement, following in zip(body, [*body[1:], None]):
            start = min([d.lineno for d in getattr(statement, "decorator_list", [])] or [0])
            start = start or statement.lineno
            if isinstance(statement, COMPOUND):
                inside = sorted(n for n in empty if start < n < statement.end_lineno)
                for n in inside:
                    say(n, "an empty line inside a compound statement ends it there")
                if following is not None:
                    begins = min(
                        [d.lineno for d in getattr(following, "decorator_list", [])]
                        or [following.lineno]
                    )
                    if not any(statement.end_lineno < n < begins for n in empty):
                        say(
                            begins,
                            f"no empty line between the end of the statement of line "
                            f"{first + start - 1} and this one",
                        )

        def visit(statements):
            for statement in statements:
                if isinstance(statement, SCOPES):
                    continue  # a function's own lines are not echoed
                if isinstance(statement, ast.Expr):
                    why = echoes(statement, ours)
                    if why:
                        say(statement.lineno, why)
                if is_figure(statement):
                    continue
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(statement, field, []))
                for handler in getattr(statement, "handlers", []):
                    visit(handler.body)
                for case in getattr(statement, "cases", []):
                    visit(case.body)

        visit(body)
    return [
        f"snippets/{name}:{line} {message}"
        for line, message in sorted(problems, key=lambda p: p[0])
    ]


# The compression helper is changing these two now (issue 25): the same rules hold for
# them once their changes land; then take them out of here.
PENDING = set()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="being changed"))
        if name in PENDING
        else name
        for name in DEMOS
    ],
)
def test_a_demo_pastes_into_the_interactive_interpreter(name):
    problems = layout_problems(name)
    assert not problems, "\n".join(problems)


BROKEN = '''"""A docstring."""
import cli

for i in range(3):
    print(i)

    print(i * 2)
print("after")
torch.manual_seed(1)
with cli.stopwatch("x"):
    ax.plot([1, 2])

# %% figure
with cli.figure("a", "b") as (fig, ax):
    ax.plot([1, 2])
def f():
    return 1
f()
'''


def test_the_layout_check_finds_each_kind_of_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "SNIPPETS", tmp_path)
    monkeypatch.setattr(records, "SNIPPETS", tmp_path)
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    found = layout_problems("broken.py")
    expected = [
        "1 (cell top): a string on its own line",
        "6 (cell top): an empty line inside a compound statement",
        "8 (cell top): no empty line between the end of the statement of line 4",
        "9 (cell top): `torch.manual_seed(...)` may return a value",
        "11 (cell top): `ax.plot(...)` may return a value",  # with: echoed all the same
        "16 (cell figure): no empty line between the end of the statement of line 14",
        "18 (cell figure): no empty line between the end of the statement of line 16",
        "18 (cell figure): `f(...)` may return a value",
    ]
    assert len(found) == len(expected), "\n".join(found)
    for problem, start in zip(found, expected):
        assert problem.startswith(f"snippets/broken.py:{start}"), problem


# The runtime check: a demo that runs in seconds, with compound statements, options and a
# figure, pasted cell by cell, an empty line after each (a reader presses Enter), into an
# interactive session started in snippets/: code.InteractiveConsole (as the build runs
# cells), and Python's own interpreter (`python -i`, reading the lines from a pipe).
PASTED = "tokens.py"


def paste(name, out):
    """Run in a child process: paste each cell of a demo into an interactive console;
    write {cell: stdout} and the errors to the JSON file `out`."""
    import builtins
    import code
    import contextlib

    sys.argv = [""]  # as in an interactive session
    sys.path[0] = ""  # the folder Python was started in (snippets/)
    errors = []

    class Console(code.InteractiveConsole):
        def write(self, data):  # tracebacks and syntax errors
            errors.append(data)

    console = Console({"__name__": "__main__", "__builtins__": builtins})
    printed = {}
    for cell in cells.split_cells(Path(name).read_text(encoding="utf-8")):
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            for line in [*cell.code.splitlines(), ""]:
                console.push(line)
        printed[cell.name] = stdout.getvalue()
        if errors:
            break
    Path(out).write_text(json.dumps({"printed": printed, "errors": errors}), encoding="utf-8")


def recorded(name):
    record = records.recorded(name)
    assert record, f"the record of {name} is stale: python hooks/record.py {name}"
    return record


ENV = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")


def test_a_demo_pasted_into_an_interactive_console_prints_its_record(tmp_path):
    record = recorded(PASTED)
    proc = subprocess.run(
        [sys.executable, __file__, PASTED, str(tmp_path / "out.json")],
        cwd=SNIPPETS,
        capture_output=True,
        encoding="utf-8",
        env=ENV,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert not result["errors"], "".join(result["errors"])[-3000:]
    assert list(result["printed"]) == list(record.cells)
    for cell, data in record.cells.items():
        assert result["printed"][cell] == data["stdout"], f"cell {cell}"


def test_a_demo_piped_into_python_i_prints_its_record():
    record = recorded(PASTED)
    source = (SNIPPETS / PASTED).read_text(encoding="utf-8")
    typed = "".join(f"{cell.code}\n\n" for cell in cells.split_cells(source))
    proc = subprocess.run(
        [sys.executable, "-q", "-i"],
        cwd=SNIPPETS,
        input=typed,
        capture_output=True,
        encoding="utf-8",
        env={k: v for k, v in ENV.items() if k != "PYTHONSTARTUP"},
        timeout=600,
    )
    # stderr holds the prompts (>>> and ...) and anything that went wrong
    assert "Error" not in proc.stderr, proc.stderr[-3000:]
    assert proc.stdout == record.stdout


if __name__ == "__main__":
    paste(*sys.argv[1:])
