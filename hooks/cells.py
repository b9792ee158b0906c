"""A snippet's text, read: its cells, its definitions, the names its cells bind, and the embeds of a page.

A demo script is split into cells by Jupytext percent markers (`# %% name`); what comes before the
first marker is the cell `top`. A page embeds cells, definitions or whole files with `{* file.py:name *}`
(EMBED, the one parser of that syntax: the build and the copy-paste tests both use it).
"""

import ast
import functools
import re
from dataclasses import dataclass

MARKER = re.compile(r"^# %%(.*)$")
TOP = "top"
EMBED = re.compile(
    r"^(?P<indent>[ \t]*)\{\*\s*(?P<file>[\w./-]+\.py)(?::(?P<name>[\w-]+))?"
    r"(?:\s+(?P<mode>code|folded|quiet))?\s*\*\}[ \t]*$",
    re.M,
)


class SnippetError(Exception):
    pass


@dataclass
class Cell:
    name: str
    code: str  # as shown on a page: marker line dropped, outer blank lines trimmed
    first_line: int  # 1-based line number of the cell's first line in the file
    source: str = ""  # the cell's lines as in the file, for exec


def split_cells(source, where=None):
    """Split a file into its cells; lines before the first marker form the cell 'top'. A bad marker
    raises SnippetError, its message opening with `where` (the file), if given."""
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
                raise SnippetError(
                    f"{where + ', ' if where else ''}line {number}: a cell marker needs a name, "
                    f"like '# %% split' (got {line!r})"
                )
            continue
        lines.append(line)
    close()
    names = [cell.name for cell in cells]
    for cell in cells:
        if names.count(cell.name) > 1:
            raise SnippetError(f"{where + ': ' if where else ''}two cells are named {cell.name!r}")
    return cells


def has_cells(source):
    """A demo script has cells; a library module has none."""
    return any(MARKER.match(line) for line in source.splitlines())


def embeds(markdown):
    """The embeds of a page, in order: (file, name or None, mode or None)."""
    return [(m["file"], m["name"], m["mode"]) for m in EMBED.finditer(markdown)]


@functools.cache  # a page shows many definitions of one file, and `mkdocs serve` asks again
def syntax_tree(source):
    return ast.parse(source)


def definition(source, name):
    """The source of a top-level function, class or assignment called `name`."""
    tree = syntax_tree(source)
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
            return "\n".join(lines[start - 1 : node.end_lineno])
    return None


class Names(ast.NodeVisitor):
    """The global names a cell binds, and those it reads before binding them itself, in execution
    order (a value before the names it is assigned to); names local to a function, lambda or
    comprehension are not the cell's."""

    def __init__(self):
        self.binds, self.reads, self.local = set(), set(), [set()]

    def name(self, name, load):
        if any(name in scope for scope in self.local[1:]):
            return
        if load and name not in self.binds:
            self.reads.add(name)
        elif not load and len(self.local) == 1:
            self.binds.add(name)

    def visit_Name(self, node):
        self.name(node.id, isinstance(node.ctx, ast.Load))

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node):
        self.visit(node.value)
        self.name(getattr(node.target, "id", None), True)
        self.visit(node.target)

    def visit_AnnAssign(self, node):
        if node.value:
            self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    def visit_Import(self, node):
        for alias in node.names:
            self.name((alias.asname or alias.name).split(".")[0], False)

    visit_ImportFrom = visit_Import

    def scoped(self, bound, body):
        self.local.append(set(bound))
        for part in body:
            self.visit(part)
        self.local.pop()

    def visit_FunctionDef(self, node):
        for d in node.decorator_list + node.args.defaults + node.args.kw_defaults:
            if d is not None:
                self.visit(d)
        self.name(node.name, False)
        args = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        args += [a.arg for a in (node.args.vararg, node.args.kwarg) if a]
        assigned = {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        self.scoped(args + list(assigned), node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        args = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        self.scoped(args, [node.body])

    def visit_ClassDef(self, node):
        for part in node.bases + node.keywords + node.decorator_list:
            self.visit(part)
        self.name(node.name, False)
        self.scoped([], node.body)

    def comprehension(self, node, parts):
        self.visit(node.generators[0].iter)
        bound = {
            n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
        }
        rest = [g.iter for g in node.generators[1:]] + [c for g in node.generators for c in g.ifs]
        self.scoped(bound, rest + parts)

    def visit_ListComp(self, node):
        self.comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self.comprehension(node, [node.key, node.value])


def names_of(cell):
    visitor = Names()
    visitor.visit(ast.parse(cell.source))
    return visitor


@functools.cache  # every build asks of every demo; `mkdocs serve` rebuilds ask again
def rebound_names(source, where=None):
    """One line per name that a cell binds again after an earlier cell bound it, without reading it
    first, while a later cell reads it: a new cell like that silently changes what the later cells
    print. (Rename it.) A cell that reads the name first updates it on purpose (model = model.to(x))."""
    names = [(cell.name, names_of(cell)) for cell in split_cells(source, where)]
    problems, bound = [], set()
    for k, (cell, seen) in enumerate(names):
        for name in sorted((seen.binds - seen.reads) & bound):
            readers = [later for later, other in names[k + 1 :] if name in other.reads]
            if readers:
                problems.append(
                    f"cell {cell!r} binds {name!r} again, and later cell {readers[0]!r} reads it: "
                    f"give the new value a name of its own"
                )
        bound |= seen.binds
    return problems
