"""The frozen records of the snippets' runs (_freeze/<snippet>/record.json), and what they are keyed by.

A record holds, per cell, what the cell printed (stdout) and the figures left open at its end, plus the
run's top-level variables of simple types, the files its `exports` list names, and the machine it ran
on. It is committed, like Quarto's freeze: a fresh clone builds the site from the records, running
nothing. The code a page shows comes from the snippet as it is now; the record holds outputs only.

A record is keyed by what can change its outputs (`inputs`): the record format, the pinned versions of
the snippets' packages, the arguments, the training text, and the meaning of the snippet and of every
snippet file it imports or names: their syntax trees, so comments, blank lines and docstrings that no
output shows change nothing. (A docstring stays in: the module's own where it reads `__doc__`, an
argparse description say, and every one, with the comments, where code reads source or docstrings.)
"""

import ast
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from cells import SnippetError, embeds, has_cells, split_cells

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
DATA = SNIPPETS / "data"  # the training text and its licence: every snippet's record depends on it
FREEZE = Path(os.environ.get("LLMS101_FREEZE", ROOT / "_freeze"))
CONSTRAINTS = ROOT / "constraints.txt"
PACKAGES = ["torch", "tokenizers", "bpe-openai", "numpy", "matplotlib"]
RECORD_FORMAT = 4  # bump when what a record holds, or how a run is made, changes: all go stale
MAX_VARIABLE_CHARS = 50_000  # bigger values (whole texts, id tensors) stay out of the record
# Code that reads source, docstrings or line numbers: then every byte of the files counts.
INTROSPECTION = {"inspect", "pydoc", "traceback", "linecache"}


@dataclass
class Run:
    snippet: str
    key: str
    # cells: name -> {"code", "stdout", "figures": [{"file", "alt"}]}
    cells: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    folder: Path = None  # figures and exports are files in here
    machine: dict = field(default_factory=dict)  # where it ran: see machine()
    exports: list = field(default_factory=list)  # file names in folder / "exports"
    inputs: dict = field(default_factory=dict)  # what the key is made of: see inputs()

    @property
    def stdout(self):
        return "".join(cell["stdout"] for cell in self.cells.values())


def snippet_path(name):
    path = SNIPPETS / name
    if not path.is_file():
        raise SnippetError(f"no snippet named {name!r} in snippets/")
    return path


def is_demo(name):
    """A demo script has cells; a library module has none."""
    path = SNIPPETS / name
    return path.is_file() and has_cells(path.read_text(encoding="utf-8"))


def demos():
    return sorted(path.name for path in SNIPPETS.glob("*.py") if is_demo(path.name))


def demos_in(markdown):
    """The demo scripts whose cells a page embeds, in order of first use."""
    return list(dict.fromkeys(file for file, name, _ in embeds(markdown) if name and is_demo(file)))


def parsed(path):
    """What keys need of a snippet file: (the siblings it names, whether it reads code or
    docstrings, the digest of its meaning, the digest of its bytes). Worked out once per version of
    the file, in the main thread (see test_side_by_side_runs_parse_no_python_in_their_threads)."""
    stat = path.stat()
    return parse(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def parse(path, mtime, size):
    text = path.read_text(encoding="utf-8")
    siblings, own_doc, introspects = [], False, False
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree, introspects = ast.Module(body=[], type_ignores=[]), True
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module.split(".")[0]]
        else:
            modules = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"(snippets/)?\w+\.py", node.value):
                    siblings.append(node.value.removeprefix("snippets/"))
            own_doc |= isinstance(node, ast.Name) and node.id == "__doc__"
            introspects |= isinstance(node, ast.Attribute) and node.attr == "__doc__"
            introspects |= isinstance(node, ast.Name) and node.id == "help"
        siblings += [module + ".py" for module in modules]
        introspects |= bool(INTROSPECTION & set(modules))
    try:
        meant = digest(text if introspects else meaning(text, own_doc))
    except (SyntaxError, SnippetError):
        meant = digest(text)  # the run will say what is wrong
    return siblings, introspects, meant, digest(text)


def sibling_imports(path):
    """Snippet files that `path` depends on, directly or through each other: the modules it imports,
    and the scripts it names in a string (a demo that runs `snippets/train.py --help`, say)."""
    seen, todo = set(), [path]
    while todo:
        for name in parsed(todo.pop())[0]:
            sibling = path.parent / name
            if sibling.is_file() and sibling != path and sibling not in seen:
                seen.add(sibling)
                todo.append(sibling)
    return sorted(seen)


def meaning(text, keep_module_doc):
    """A file's syntax tree without comments, blank lines, line numbers or docstrings (but the
    module's, if asked), cell by cell for a demo: what of it can reach a run's output."""

    def tree(source, keep):
        module = ast.parse(source)
        for node in ast.walk(module):
            scope = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
            doc = isinstance(node, scope) and ast.get_docstring(node, clean=False) is not None
            if doc and not (keep and node is module):
                node.body = node.body[1:]
        return plain_tree(module, source.encode().splitlines(keepends=True))

    if has_cells(text):  # a string that opens a cell: the interactive interpreter echoes it
        return json.dumps([[cell.name, tree(cell.source, True)] for cell in split_cells(text)])
    return json.dumps(tree(text, keep_module_doc))


def plain_tree(node, lines):
    """A syntax tree as lists, the same on every Python since 3.11 (ast.dump's is not): empty and
    None fields left out (3.12 added some), an f-string as its text (3.12 changed its parts).
    lines: the source's lines, as bytes (ast.get_source_segment would split the source per f-string)."""
    if isinstance(node, list):
        return [plain_tree(item, lines) for item in node]
    if isinstance(node, ast.JoinedStr):
        text = b"".join(lines[node.lineno - 1 : node.end_lineno])
        end = len(text) - len(lines[node.end_lineno - 1]) + node.end_col_offset
        return ["f", text[node.col_offset : end].decode()]
    if not isinstance(node, ast.AST):
        return repr(node)
    fields = [(name, plain_tree(getattr(node, name, None), lines)) for name in sorted(node._fields)]
    return [type(node).__name__, *(field for field in fields if field[1] not in ([], "None"))]


def digest(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()[:12]


def pinned_versions():
    """The versions constraints.txt pins for the packages the snippets use (what a reader installs)."""
    text = CONSTRAINTS.read_text(encoding="utf-8") if CONSTRAINTS.is_file() else ""
    pins = dict(re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)", text))
    normal = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}
    return {package: normal.get(package) for package in PACKAGES}


def inputs(path, argv=()):
    """What a run's outputs depend on, part by part ({"snippets/x.py": digest of its meaning, ...}):
    the record keeps it, so a stale record can say what changed."""
    files = [path, *sibling_imports(path)]
    every_byte = any(parsed(file)[1] for file in files)
    found = {"format": RECORD_FORMAT, "packages": pinned_versions(), "argv": list(argv)}
    for file in files:
        found[f"snippets/{file.name}"] = parsed(file)[3 if every_byte else 2]
    for file in sorted(DATA.glob("*")):
        found[f"snippets/data/{file.name}"] = digest(file.read_bytes())
    return found


def key_of(found):
    return digest(json.dumps(found, sort_keys=True))


def record_key(path, argv=()):
    return key_of(inputs(path, argv))


def record_folder(name):
    return FREEZE / Path(name).stem


def load(name, folder):
    """The run recorded in folder, or None if there is none. Each cell's code is the snippet's as it
    is now (a record holds outputs only)."""
    result = Path(folder) / "record.json"
    if not result.is_file():
        return None
    data = json.loads(result.read_text(encoding="utf-8"))
    try:
        code = {cell.name: cell.code for cell in split_cells(snippet_path(name).read_text("utf-8"))}
    except SnippetError:
        code = {}
    for cell, out in data["cells"].items():
        out.update(code=code.get(cell, ""), stdout="".join(out["stdout"]))
    fields = ("key", "cells", "variables", "machine", "exports", "inputs")
    return Run(name, folder=Path(folder), **{field: data.get(field, {}) for field in fields})


def why_stale(name, folder=None, argv=()):
    """None if the snippet's record (in _freeze/, or folder) is up to date; else why not, in words:
    'has no record', 'snippets/sampling.py changed', ..."""
    found = load(name, folder or record_folder(name))
    now = inputs(snippet_path(name), argv)
    if found is None:
        return "has no record"
    if found.key == key_of(now):
        return None
    if not found.inputs:
        return "its record is in an older format"
    changed = [part for part in now if found.inputs.get(part) != now[part]]
    changed += [part for part in found.inputs if part not in now]
    named = {"format": "the record format", "packages": "the pinned packages", "argv": "arguments"}
    return ", ".join(named.get(part, part) for part in changed or ["its key"]) + " changed"


def recorded(name):
    """The frozen record of a snippet if it is up to date with the snippet's content, else None."""
    found = load(name, record_folder(name))
    return found if found and found.key == record_key(snippet_path(name)) else None


def dependents(name):
    """The demos that import (or run) the snippet file `name`, itself included if it is a demo."""
    path = snippet_path(name)
    return [demo for demo in demos() if demo == name or path in sibling_imports(SNIPPETS / demo)]


def write_record(folder, key, inputs, cells, namespace, names=None):
    """record.json in folder: the cells' outputs, the namespace's variables of simple types (only those in
    names, if given), the files its `exports` list names (copied to folder/exports), and this machine."""
    folder = Path(folder)
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
    record = dump(key, inputs, machine(), cells, variables, exports)
    (folder / "record.json").write_text(record, encoding="utf-8")


def dump(key, inputs, machine, cells, variables, exports):
    """JSON that diffs well: output a line of text per line of JSON, other values on one line each."""

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

    parts = {
        "key": one(key),
        "inputs": block(inputs, 1, one),
        "machine": one(machine),
        "cells": block(cells, 1, lambda cell: block(cell, 2, text)),
        "variables": block(variables, 1, one),
        "exports": one(exports),
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


def numeric_path():
    """The CPU kernel path snippets/cli.py pins (NUMERIC_PATH), for the environment runs are made in:
    so the digits never hang on `import cli` coming before torch. Empty off x86-64."""
    if platform.machine().lower() not in ("x86_64", "amd64") or not (SNIPPETS / "cli.py").is_file():
        return {}
    for node in ast.parse((SNIPPETS / "cli.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "NUMERIC_PATH":
            return ast.literal_eval(node.value)
    return {}


def machine():
    """What decides the last digits of a run: the OS and processor, the package versions, the CPU
    kernel path PyTorch took (snippets/cli.py pins AVX2 on x86-64; ATEN_CPU_CAPABILITY overrides it),
    and a fingerprint of how this processor adds up on that path (arithmetic()). Python's version is
    recorded too, but it decides nothing: the training text is a file of ours."""
    found = {
        "os": platform.system(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    if "torch" in sys.modules:
        found["cpu_capability"] = sys.modules["torch"].backends.cpu.get_cpu_capability()
        found["arithmetic"] = arithmetic()
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def arithmetic():
    """12 hex digits that two processors share when they add numbers up the same way on the kernel
    path PyTorch takes here: the weights after 30 training steps of a tiny transformer-like model (its
    matrix products, attention, layer norm, GELU, cross-entropy and AdamW), on one thread. The same
    path is not enough: with AVX2 pinned, an Intel Xeon with AVX-512 still sums some products in
    another order than an AVX2-only AMD EPYC (the records' machine: 61f4f365d1c1), so a trained
    model's digits differ. Runs in float32 with gradients on whatever the snippet before it set, and
    leaves torch's random state, thread count and default dtype as they were."""
    import torch
    import torch.nn.functional as F

    threads, state, dtype = (
        torch.get_num_threads(),
        torch.random.get_rng_state(),
        torch.get_default_dtype(),
    )
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    V, C, T, B = 61, 48, 24, 8
    emb = torch.nn.Embedding(V, C)
    ln1, ln2 = torch.nn.LayerNorm(C), torch.nn.LayerNorm(C)
    qkv, proj = torch.nn.Linear(C, 3 * C), torch.nn.Linear(C, C)
    fc, out = torch.nn.Linear(C, 4 * C), torch.nn.Linear(4 * C, C)
    head = torch.nn.Linear(C, V)
    params = [p for m in (emb, ln1, ln2, qkv, proj, fc, out, head) for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=3e-3, weight_decay=0.1)
    data = torch.randint(0, V, (B, T + 1), generator=torch.Generator().manual_seed(1))
    with torch.enable_grad():  # a snippet may have switched gradients off for the whole process
        for _ in range(30):
            x, y = data[:, :-1], data[:, 1:]
            h = emb(x)
            q, k, v = qkv(ln1(h)).view(B, T, 3, 4, C // 4).permute(2, 0, 3, 1, 4)
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            h = h + proj(a.transpose(1, 2).reshape(B, T, C))
            h = h + out(F.gelu(fc(ln2(h))))
            loss = F.cross_entropy(head(h).view(-1, V), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
    torch.set_num_threads(threads)
    torch.random.set_rng_state(state)
    torch.set_default_dtype(dtype)
    weights = b"".join(p.detach().numpy().tobytes() for p in params)
    return hashlib.sha256(weights).hexdigest()[:12]


@functools.cache
def local_machine():
    """machine() as a snippet run here would record it, without running one (the kernel path PyTorch
    takes under the pinned settings, and its arithmetic, in a fresh Python)."""
    probe = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import json, torch, records; "
        "print(json.dumps(records.machine()))"
    )
    env = {**numeric_path(), **os.environ}  # a setting already made wins, as in a run
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SnippetError(f"cannot tell what this machine is: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout)


def other_kind_warning(names):
    """One line, before anything is re-recorded, if this machine is not the kind the records of these
    snippets were made on (their digits would change where the edit changed nothing); else None."""
    found = [load(name, record_folder(name)) for name in names]
    found = [run for run in found if run and "cpu_capability" in run.machine]
    if not found:
        return None
    here = local_machine()
    others = [run for run in found if not same_kind(run.machine, here)]
    if not others:
        return None
    return (
        f"this machine ({describe(here, True)}) is not the kind the records were made on "
        f"({describe(others[0].machine, True)}): re-recording {', '.join(run.snippet for run in others)} "
        "here changes digits your edit did not touch; see CONTRIBUTING.md, 'Records and your machine'"
    )


def same_kind(a, b):
    """Two machines on which the same code gives the same digits: equal in everything machine() records
    but Python's version (a snippet that never loaded torch has no kernel path and no arithmetic, and
    any does for it)."""
    keys = (a.keys() | b.keys()) - {"python"}
    for key in ("cpu_capability", "arithmetic"):
        if key not in a or key not in b:
            keys.discard(key)
    return all(a.get(key) == b.get(key) for key in keys)


def describe(machine, arithmetic=False):
    """'x86_64 Linux, CPU kernel path AVX2, torch 2.13.0+cpu' (and ', arithmetic 61f4f365d1c1')."""
    parts = [f"{machine['machine']} {machine['os']}"]
    if machine.get("cpu_capability"):
        parts.append(f"CPU kernel path {machine['cpu_capability']}")
    if machine.get("cpu_capability") and machine.get("torch"):
        parts.append(f"torch {machine['torch']}")
    if arithmetic and machine.get("arithmetic"):
        parts.append(f"arithmetic {machine['arithmetic']}")
    return ", ".join(parts)
