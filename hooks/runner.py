"""Run snippet files cell by cell, once, and keep what each cell printed and drew as a frozen record.

A snippet is a Python file in snippets/ split into cells by Jupytext percent markers (`# %% name`).
Executing it runs the whole file top to bottom in a fresh Python process (this file, run as a
script, is that process) and records, per cell, its code, its stdout and the figures left open at its
end, plus the run's top-level variables of simple types, the files it names in a top-level `exports`
list, and the machine it ran on.

The records of the site live in _freeze/<snippet>/ and are committed, like Quarto's freeze: a fresh
clone builds the whole site from them without running anything. A record is keyed by content (the
snippet, the sibling modules it imports, the pinned versions of the packages in constraints.txt), not
by the machine: when that content changes, the record is stale and the snippet runs again (or, with
LLMS101_FROZEN=1, as in CI and the publishing workflow, the build stops and says so).
"""

import ast
import concurrent.futures
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
DATA = SNIPPETS / "data"  # the training text and its licence: every snippet's record depends on it
FREEZE = Path(os.environ.get("LLMS101_FREEZE", ROOT / "_freeze"))
CONSTRAINTS = ROOT / "constraints.txt"
PACKAGES = ["torch", "tokenizers", "bpe-openai", "numpy", "matplotlib"]
RECORD_FORMAT = 2  # bump when what a record holds changes: every record is then stale
MARKER = re.compile(r"^# %%(.*)$")
TOP = "top"
MAX_VARIABLE_CHARS = 50_000  # bigger values (whole texts, id tensors) stay out of the record

# Demos that train a model and save it under out/ for other demos to load, and the function those
# others call to get it. Only used to order parallel runs: a consumer waits for its producer, so the
# same model is not trained twice at once. A demo missing here still works; it just may train its own.
PRODUCERS = {
    "train.py": "load_or_train",
    "facts.py": "pretrained",
    "sudden_skill.py": "load_or_train_induction",
}


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
    cells: dict = field(
        default_factory=dict
    )  # name -> {"code", "stdout", "figures": [{"file", "alt"}]}
    variables: dict = field(default_factory=dict)
    folder: Path = None  # figures and exports are files in here
    machine: dict = field(default_factory=dict)  # where it ran: see machine()
    exports: list = field(default_factory=list)  # file names in folder / "exports"

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
                raise SnippetError(
                    f"line {number}: a cell marker needs a name, like '# %% split' (got {line!r})"
                )
            continue
        lines.append(line)
    close()
    names = [cell.name for cell in cells]
    for cell in cells:
        if names.count(cell.name) > 1:
            raise SnippetError(f"two cells are named {cell.name!r}")
    return cells


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


def bound_names(source):
    """Every name the cells of a snippet bind at top level."""
    names = set()
    for cell in split_cells(source):
        visitor = Names()
        visitor.visit(ast.parse(cell.source))
        names |= visitor.binds
    return names


def rebound_names(source):
    """One line per name that a cell binds again after an earlier cell bound it, while a later cell reads
    it: a new cell like that silently changes what the later cells print. (Rename it in the new cell.)"""
    cells = split_cells(source)
    names = []
    for cell in cells:
        visitor = Names()
        visitor.visit(ast.parse(cell.source))
        names.append((cell.name, visitor.binds, visitor.reads))
    problems, bound = [], set()
    for k, (cell, binds, _) in enumerate(names):
        for name in sorted(binds & bound):
            readers = [later for later, _, reads in names[k + 1 :] if name in reads]
            if readers:
                problems.append(
                    f"cell {cell!r} binds {name!r} again, and later cell {readers[0]!r} reads it: "
                    f"give the new value a name of its own"
                )
        bound |= binds
    return problems


def is_demo(name):
    """A demo script has cells; a library module has none."""
    try:
        source = snippet_path(name).read_text(encoding="utf-8")
    except SnippetError:
        return False
    return any(MARKER.match(line) for line in source.splitlines())


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
            return "\n".join(lines[start - 1 : node.end_lineno])
    return None


def sibling_imports(path):
    """Snippet files that `path` depends on, directly or through each other: the modules it imports,
    and the scripts it names in a string (a demo that runs `snippets/train.py --help`, say)."""
    seen, todo = set(), [path]
    while todo:
        tree = ast.parse(todo.pop().read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] + ".py" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0] + ".py"]
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"(snippets/)?\w+\.py", node.value)
            ):
                names = [node.value.removeprefix("snippets/")]
            else:
                continue
            for name in names:
                sibling = SNIPPETS / name
                if sibling.is_file() and sibling != path and sibling not in seen:
                    seen.add(sibling)
                    todo.append(sibling)
    return sorted(seen)


def pinned_versions():
    """The versions constraints.txt pins for the packages the snippets use (what a reader installs)."""
    pins = (
        dict(re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)", CONSTRAINTS.read_text(encoding="utf-8")))
        if CONSTRAINTS.is_file()
        else {}
    )
    normal = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}
    return {package: normal.get(package) for package in PACKAGES}


def record_key(path, argv=()):
    """What a run's outputs depend on, as far as we can name it: the code and the pinned packages."""
    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            {"format": RECORD_FORMAT, "packages": pinned_versions(), "argv": list(argv)},
            sort_keys=True,
        ).encode()
    )
    for file in [path, *sibling_imports(path), *sorted(DATA.glob("*"))]:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load(name, folder):
    """The run recorded in folder, or None if there is none."""
    result = Path(folder) / "record.json"
    if not result.is_file():
        return None
    data = json.loads(result.read_text(encoding="utf-8"))
    cells = {
        cell: {
            field: "".join(value) if field in ("code", "stdout") else value
            for field, value in data.items()
        }
        for cell, data in data["cells"].items()
    }
    return Run(
        name, data["key"], cells, data["variables"], Path(folder), data["machine"], data["exports"]
    )


def record_folder(name):
    return FREEZE / Path(name).stem


def recorded(name):
    """The frozen record of a snippet if it is up to date with the snippet's content, else None."""
    found = load(name, record_folder(name))
    return found if found and found.key == record_key(snippet_path(name)) else None


def run(name, log=None):
    """The snippet's up-to-date record: the frozen one, or a new one made now. Raises SnippetError if
    the snippet fails, or if the record is stale and LLMS101_FROZEN=1 forbids running anything."""
    found = recorded(name)
    if found:
        return found
    if os.environ.get("LLMS101_FROZEN") == "1":
        why = (
            "has no record"
            if load(name, record_folder(name)) is None
            else "changed since its record was made"
        )
        raise SnippetError(
            f"snippets/{name} {why} (_freeze/{Path(name).stem}/), and LLMS101_FROZEN=1 forbids "
            "running it: run `mkdocs build` without LLMS101_FROZEN to record it, then commit _freeze/"
        )
    if log:
        log(f"running snippets/{name} (its record in _freeze/ is missing or stale)")
    return execute(name, record_folder(name))


RUNNING = set()  # child processes running now, so that a test session can stop them when it ends


def execute(name, folder, argv=(), env=None, key=None):
    """Run the snippet now, in a fresh process, and record the run in folder (replacing what was there).
    A Pool passes the record key, computed where the job was queued: ast.parse in several threads at once
    can fail on Python 3.11 ("AST constructor recursion depth mismatch", CPython gh-106905)."""
    path = snippet_path(name)
    key = key or record_key(path, argv)
    split_cells(path.read_text(encoding="utf-8"))  # bad markers fail here, with a clear message
    folder = Path(folder)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = dict(
        os.environ if env is None else env,
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, __file__, str(path), str(partial), key, *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
    )
    RUNNING.add(proc)
    try:
        _, stderr = proc.communicate()
    finally:
        RUNNING.discard(proc)
    if proc.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        # the last line says why: the child's own summary, or the signal that stopped it
        why = f"\nkilled by {signal.Signals(-proc.returncode).name}" if proc.returncode < 0 else ""
        raise SnippetError(f"snippets/{name} failed:\n{stderr.strip()}{why}")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)  # the old record is replaced only by a complete new one
    return load(name, folder)


def refresh(names, log=None, force=False):
    """Re-record the snippets whose records are stale (all of them, with force), side by side, producers
    first. Returns {name: SnippetError} for those that failed. With LLMS101_FROZEN=1 it runs nothing."""
    stale = [name for name in dict.fromkeys(names) if force or recorded(name) is None]
    if not stale or os.environ.get("LLMS101_FROZEN") == "1":
        return {}
    warning = other_kind_warning(stale)
    if warning and log:
        log(warning)
    pool, failed = Pool(), {}

    def job(name, key):
        if log:
            log(f"running snippets/{name} (its record in _freeze/ is missing or stale)")
        return execute(name, record_folder(name), key=key)

    for name in sorted(stale, key=lambda name: name not in PRODUCERS):
        after = [producer for producer in needs(name) if producer in stale]
        key = record_key(snippet_path(name))
        pool.submit(name, lambda name=name, key=key: job(name, key), after)
    for name, future in pool.futures.items():
        try:
            future.result()
        except SnippetError as error:
            failed[name] = error
    pool.close()
    return failed


def needs(name):
    """The demos whose saved models this demo loads (see PRODUCERS): it calls their function."""
    text = snippet_path(name).read_text(encoding="utf-8")
    return [
        producer
        for producer, function in PRODUCERS.items()
        if producer != name and re.search(rf"\b{function}\(", text)
    ]


class Pool:
    """Jobs side by side, by default one per core (each snippet computes on a single thread). A job is queued
    once the jobs it needs are done (whether they worked or not: a consumer then trains what it
    needs), so no worker sits waiting while there is work it could do."""

    def __init__(self, workers=None):
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 1
        )
        self.futures = {}
        self.seconds = {}  # name -> how long the job ran (not counting its wait in the queue)
        self.lock = threading.Lock()

    def submit(self, name, function, after=()):
        """Job `name`: function(), queued after the jobs named in `after` that are known already."""
        if name in self.futures:
            return self.futures[name]
        result = self.futures[name] = concurrent.futures.Future()
        pending = [self.futures[other] for other in after if other in self.futures]
        left = [len(pending)]

        def start(_=None):
            with self.lock:
                left[0] -= 1
                if left[0] > 0:
                    return

            def timed():
                started = time.perf_counter()
                try:
                    return function()
                finally:
                    self.seconds[name] = time.perf_counter() - started

            try:
                job = self.executor.submit(timed)
            except RuntimeError:  # the pool was closed meanwhile
                return
            job.add_done_callback(
                lambda done: (
                    result.set_exception(done.exception())
                    if done.exception()
                    else result.set_result(done.result())
                )
            )

        left[0] += 1
        for future in pending:
            future.add_done_callback(start)
        start()
        return result

    def snippet(self, name, folder_of, argv=(), env=None):
        """Queue a fresh run of a snippet into folder_of(name), its producers first (see PRODUCERS)."""
        producers = needs(name)
        for producer in producers:
            self.snippet(producer, folder_of, argv, env)
        key = record_key(snippet_path(name), argv)
        return self.submit(name, lambda: execute(name, folder_of(name), argv, env, key), producers)

    def close(self):
        self.executor.shutdown(wait=False, cancel_futures=True)
        for proc in list(RUNNING):
            proc.kill()


def machine():
    """What decides the last digits of a run: the OS and processor, the package versions, and the CPU
    kernel path PyTorch took (snippets/cli.py pins AVX2 on x86-64; ATEN_CPU_CAPABILITY overrides it).
    Python's version is recorded too, but it decides nothing: the training text is a file of ours."""
    found = {
        "os": platform.system(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    if "torch" in sys.modules:
        found["cpu_capability"] = sys.modules["torch"].backends.cpu.get_cpu_capability()
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


@functools.cache
def local_machine():
    """machine() as a snippet run here would record it, without running one: a fresh Python that imports
    cli (which pins the numeric path) and torch, as every snippet does."""
    code = (
        "import json, sys; sys.path[:0] = sys.argv[1:]; import cli, torch, runner; "
        "print(json.dumps(runner.machine()))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(SNIPPETS), str(Path(__file__).parent)],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        cwd=ROOT,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
    )
    if proc.returncode != 0:
        raise SnippetError(
            f"cannot tell what this machine is: {proc.stderr.strip().splitlines()[-1:]}"
        )
    return json.loads(proc.stdout)


def other_kind_warning(names):
    """One line, before anything is re-recorded, if this machine is not the kind the records of these
    snippets were made on (their digits would change where the edit changed nothing); else None."""
    records = [
        found
        for found in (load(name, record_folder(name)) for name in names)
        if found and "cpu_capability" in found.machine
    ]
    if not records:
        return None
    here = local_machine()
    others = [run for run in records if not same_kind(run.machine, here)]
    if not others:
        return None
    names = ", ".join(run.snippet for run in others)
    return (
        f"this machine ({describe(here)}) is not the kind the records were made on "
        f"({describe(others[0].machine)}): re-recording {names} here changes digits your edit did not "
        "touch; see CONTRIBUTING.md, 'Records and your machine'"
    )


def same_kind(a, b):
    """Two machines on which the same code gives the same digits: equal in everything machine() records
    but Python's version (a snippet that never loaded torch has no kernel path, and any kernel path does
    for it)."""
    keys = (a.keys() | b.keys()) - {"python"}
    keys -= {"cpu_capability"} if "cpu_capability" not in a or "cpu_capability" not in b else set()
    return all(a.get(key) == b.get(key) for key in keys)


def describe(machine):
    """'x86_64 Linux, CPU kernel path AVX2, torch 2.13.0+cpu'."""
    parts = [f"{machine['machine']} {machine['os']}"]
    if machine.get("cpu_capability"):
        parts.append(f"CPU kernel path {machine['cpu_capability']}")
    if machine.get("cpu_capability") and machine.get("torch"):
        parts.append(f"torch {machine['torch']}")
    return ", ".join(parts)


def child(path, folder, key, argv):
    """Executed in the child process: run each cell, capturing stdout, figures and variables."""
    import builtins
    import contextlib
    import io
    import traceback

    sys.argv = [
        os.path.relpath(path),
        *argv,
    ]  # as in `python snippets/NAME.py ...` from the repository root
    sys.path.insert(0, str(path.parent))
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}
    cells = {}
    for cell in split_cells(path.read_text(encoding="utf-8")):
        code = compile("\n" * (cell.first_line - 1) + cell.source, str(path), "exec")
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout):
                exec(code, namespace)
        except SystemExit as e:
            sys.stderr.write(stdout.getvalue()[-2000:])
            sys.exit(f"cell {cell.name!r} exited with {e.code!r}")
        except BaseException as error:
            sys.stderr.write(stdout.getvalue()[-2000:])
            lines = traceback.format_exc().splitlines()
            # drop the frames of this runner; keep the snippet's
            keep = [i for i, line in enumerate(lines) if str(path.parent) in line]
            print("\n".join(lines[:1] + lines[keep[0] :] if keep else lines), file=sys.stderr)
            sys.exit(f"cell {cell.name!r} raised {type(error).__name__}: {error}".splitlines()[0])
        cells[cell.name] = {
            "code": cell.code,
            "stdout": stdout.getvalue(),
            "figures": save_figures(folder, cell.name),
        }
    write_record(folder, key, cells, namespace)


def write_record(folder, key, cells, namespace, names=None):
    """record.json in folder: the cells' outputs, the namespace's variables of simple types (only those in
    names, if given), the files its `exports` list names (copied to folder/exports), and this machine."""
    variables = {}
    for name, value in namespace.items():
        if name.startswith("_") or callable(value) or type(value).__name__ == "module":
            continue
        if names is not None and name not in names:
            continue
        value = plain(value)
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            continue
        if len(text) <= MAX_VARIABLE_CHARS:
            variables[name] = value
    exports = []
    for file in namespace.get("exports", []) if names is None or "exports" in names else []:
        file = ROOT / file
        (folder / "exports").mkdir(exist_ok=True)
        shutil.copyfile(file, folder / "exports" / file.name)
        exports.append(file.name)
    record = {
        "key": key,
        "machine": machine(),
        "cells": cells,
        "variables": variables,
        "exports": exports,
    }
    (folder / "record.json").write_text(dump(record), encoding="utf-8")


def dump(record):
    """JSON that diffs well: code and output a line of text per line of JSON, other values on one."""

    def one(value):
        return json.dumps(value, ensure_ascii=False)

    def block(mapping, indent, inner):
        lines = [
            f"{' ' * (indent + 1)}{one(key)}: {inner(value)}" for key, value in mapping.items()
        ]
        return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}" if lines else "{}"

    def text(value):  # a string as a list of its lines, each on a line of its own
        if not isinstance(value, str):
            return one(value)
        lines = [one(line) for line in value.splitlines(keepends=True)]
        return "[\n" + ",\n".join("    " + line for line in lines) + "\n   ]" if lines else "[]"

    cells = block(record["cells"], 1, lambda cell: block(cell, 2, text))
    parts = {
        "key": one(record["key"]),
        "machine": one(record["machine"]),
        "cells": cells,
        "variables": block(record["variables"], 1, one),
        "exports": one(record["exports"]),
    }
    return "{\n" + ",\n".join(f" {one(key)}: {value}" for key, value in parts.items()) + "\n}\n"


def plain(value):
    """Numbers inside numpy/torch scalars and small arrays, as plain Python values."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        size = value.numel() if hasattr(value, "numel") else getattr(value, "size", None)
        return value.tolist() if isinstance(size, int) and size <= 2_000 else value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def save_figures(folder, cell_name):
    """Every figure still open at the end of a cell, as an SVG file named by its content; then close them."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    import io

    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = (
        "llms101"  # stable ids inside the SVG, so figures are reproducible
    )
    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        alt = figure.get_label()
        if not alt:
            sys.exit(
                f"cell {cell_name!r} draws a figure without alt text: create it with plt.subplots(num='what it shows')"
            )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        svg = buffer.getvalue()
        file = hashlib.sha256(svg).hexdigest()[:12] + ".svg"
        (folder / file).write_bytes(svg)
        figures.append({"file": file, "alt": alt})
    plt.close("all")
    return figures


if __name__ == "__main__":
    child(Path(sys.argv[1]).resolve(), Path(sys.argv[2]), sys.argv[3], sys.argv[4:])
