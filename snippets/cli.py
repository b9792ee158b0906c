"""Shared plumbing for the snippets: the same arithmetic on every x86-64 machine, one
clear line on bad input (never a traceback), the training text, figures saved to files,
and results kept in files for the next run.

Library modules raise InputError for bad input; a script that lets one through ends
with its one line (cli sets sys.excepthook).

Import it before anything else: it pins how PyTorch adds numbers up, which only works
before PyTorch does its first sum.
"""

import argparse
import ast
import codecs
import contextlib
import hashlib
import io
import os
import platform
import sys
import time
from pathlib import Path

# A CPU with AVX-512 adds numbers up in a different order from one with only AVX2, so a
# trained model's last digits differ. Most x86-64 laptops and desktops have AVX2 (not
# all: some low-power chips lack it). PyTorch's own kernels and the oneDNN and MKL
# libraries under it are told to use that path. That is not always enough: an Intel
# Xeon with AVX-512 we tried still adds some products up in another order than the AMD
# EPYC the site's digits come from (hooks/records.py, arithmetic). A setting already
# made wins (benchmarks/robustness.py tries others). Other processors (Apple Silicon,
# Arm) keep their own path.
NUMERIC_PATH = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
}
if platform.machine().lower() in ("x86_64", "amd64"):
    for _name, _value in NUMERIC_PATH.items():
        os.environ.setdefault(_name, _value)

# On Windows, output that goes to a pipe or a file is written in an old code page
# (cp1252), which has no "⏎", no curly quotes and no box drawing: such output is made
# UTF-8. A terminal that isn't UTF-8 keeps its encoding, and a character it can't show
# comes out as "?" instead of stopping the script.
for _stream in (sys.stdout, sys.stderr):
    if not isinstance(_stream, io.TextIOWrapper):
        continue  # Jupyter's output, or a capture: text, not bytes
    if codecs.lookup(_stream.encoding).name != "utf-8":
        if _stream.isatty():
            _stream.reconfigure(errors="replace")
        else:
            _stream.reconfigure(encoding="utf-8")

# the repository (or the unpacked download)
ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
# everything the snippets write: tokenizers, checkpoints, exports (git ignores it)
OUT = ROOT / "out"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, e.g. 'train.py: error: unrecognized
    arguments: --foo'. Flags must be spelled out: a shortened --vocab is an error, not a
    guess."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def add_argument(self, *args, **kwargs):
        """argparse's add_argument, returning None instead of the option's Action: the
        interactive interpreter prints whatever a line returns, and a pasted setup would
        print an Action per option."""
        super().add_argument(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(parser):
    # Inside Jupyter, sys.argv holds the kernel's own flags: use the defaults there.
    argv = [] if "ipykernel" in sys.modules else None
    return parser.parse_args(argv)


class InputError(ValueError):
    """Input a snippet cannot work with (a setting, a file), said in one line for
    whoever gave it. Library code raises it; a script that lets it through ends with
    that line on stderr and exit status 1 (report, below), never a traceback."""


def fail(message):
    """Stop with one line on stderr and exit status 1: raises InputError."""
    raise InputError(message)


def report(kind, error, traceback, default=sys.excepthook):
    """What Python does with an exception nothing caught (sys.excepthook): an
    InputError is one line, `prog: error: message`; anything else, a bug, keeps its
    traceback."""
    if not issubclass(kind, InputError):
        return default(kind, error, traceback)
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "snippet"
    print(f"{prog}: error: {error}", file=sys.stderr)


sys.excepthook = report


def read_text(path):
    """Read a UTF-8 text file; InputError with one line saying what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if not path.is_file():
        raise InputError(f"not a file: {path}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path} is not UTF-8 text (bad byte at offset {e.start})"
        ) from e
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from e
    if not text.strip():
        raise InputError(f"{path} is empty")
    return text


@contextlib.contextmanager
def stopwatch(what):
    """Say on stderr how long the block took: times vary from run to run, so they stay
    off the pages."""
    started = time.perf_counter()
    yield
    print(f"({what} in {time.perf_counter() - started:.1f} s)", file=sys.stderr)


def shown(path):
    """A path as the pages print it: relative to the repository, wherever Python was
    started."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def cached(path, key, make):
    """What make() returns, kept in the file `path` for next time: loaded from there if
    it was kept with this key, else made now and kept. The key is a string that changes
    whenever make() would make something else (a hash of the code, settings and data);
    make() returns a dict of tensors and plain values (what torch.load reads with
    weights_only=True).

    Two runs that need the same file at once make it once: the first holds PATH.lock
    (created with O_CREAT | O_EXCL, so only one can) while it makes it; the others wait,
    then load it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f"{path.name}.lock")
    waiting = False
    while True:
        value = stored(path, key)
        if value is not None:
            return value
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:  # another run is making it
            if not waiting:
                print(
                    f"(another run is making {shown(path)}: waiting)", file=sys.stderr
                )
                waiting = True
            if abandoned(lock):
                with contextlib.suppress(OSError):
                    lock.unlink()
            time.sleep(0.5)
            continue
        try:
            os.write(fd, str(os.getpid()).encode())
            value = stored(path, key)  # kept by another run since we looked
            if value is None:
                value = make()
                store(path, key, value)
            return value
        finally:
            os.close(fd)
            lock.unlink()


def code_key(*names):
    """A hash of what these snippet files do, for cached()'s key: their syntax trees
    without comments, blank lines or docstrings, so editing one of those keeps what was
    made."""

    class Docstrings(ast.NodeTransformer):
        def visit_Expr(self, node):  # a string on its own line does nothing
            return None if isinstance(getattr(node.value, "value", None), str) else node

    trees = [ast.parse((SNIPPETS / name).read_text(encoding="utf-8")) for name in names]
    code = "".join(ast.dump(Docstrings().visit(tree)) for tree in trees)
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def abandoned(lock):
    """Whether the run that made this lock file has ended without removing it (it was
    killed): it is not running any more."""
    if os.name == "nt":
        # Windows refuses to delete a file its maker still holds open
        try:
            lock.unlink()
        except PermissionError:
            return False
        except OSError:
            pass
        return True
    try:
        os.kill(int(lock.read_bytes()), 0)  # signal 0: only asks whether it exists
    except ProcessLookupError:
        return True
    except (OSError, ValueError):  # not ours to ask about, or the pid not written yet
        return False
    return False


def stored(path, key):
    """What store() kept in the file with this key, or None (no file, another key, or
    a file cut short)."""
    import torch

    try:
        value = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # missing, cut short by a crash, or not ours: make it again
        return None
    return value if isinstance(value, dict) and value.get("key") == key else None


def store(path, key, value):
    """Keep a dict of tensors and plain values in a file, with its key: written to a
    temporary file, then renamed, so a crash halfway leaves the old file, never half a
    new one. Raises OSError if it cannot be written."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    # through memory: saved to the file, the archive would carry its name (and our pid)
    kept = io.BytesIO()
    torch.save({**value, "key": key}, kept)
    try:
        tmp.write_bytes(kept.getvalue())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# Real English: the Python language reference behind help(), a fixed copy of it (see
# snippets/data/README.md), so that every Python version trains on the same characters.
CORPUS = SNIPPETS / "data" / "python-reference.txt"


def default_corpus():
    """The text the tiny GPT trains on (465,126 characters)."""
    return CORPUS.read_bytes().decode("utf-8")


@contextlib.contextmanager
def figure(name, alt, *args, **kwargs):
    """A matplotlib figure whose label is its alt text, saved when the block ends:

        with cli.figure("a-name", "what it shows", figsize=(7, 3)) as (fig, ax):
            ax.plot(...)

    The arguments after the alt text are plt.subplots's. Inside the block, the
    interactive interpreter echoes nothing: drawing calls return objects (ax.plot its
    lines, ax.set_xlabel a Text), and pasted code would print them."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(*args, num=alt, **kwargs)
    echo, sys.displayhook = sys.displayhook, lambda value: None
    try:
        yield fig, axes
    finally:
        sys.displayhook = echo
    save_figure(fig, name)


def save_figure(fig, name):
    """Save a figure as out/figures/<name>.png and say where; a script never waits on a
    window. (On the site and in Jupyter the figure also shows under the code.)"""
    path = OUT / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"(figure saved to {shown(path)})")
