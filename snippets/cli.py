"""Shared command-line plumbing for the snippets: one clear line on bad input, never a
traceback."""
import argparse
import contextlib
import sys
import time
from pathlib import Path

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

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(parser):
    # Inside Jupyter, sys.argv holds the kernel's own flags: use the defaults there.
    argv = [] if "ipykernel" in sys.modules else None
    return parser.parse_args(argv)


def fail(message):
    """Stop with one line on stderr and exit status 1."""
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "snippet"
    raise SystemExit(f"{prog}: error: {message}")


def read_text(path):
    """Read a UTF-8 text file, or fail with one line saying what is wrong with it."""
    path = Path(path)
    if not path.exists():
        fail(f"no such file: {path}")
    if not path.is_file():
        fail(f"not a file: {path}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{path} is not UTF-8 text (bad byte at offset {e.start})")
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if not text.strip():
        fail(f"{path} is empty")
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


def default_corpus():
    """Real English that ships with Python: the language reference behind help() (about
    465,000 characters)."""
    from pydoc_data.topics import topics
    return "\n\n".join(topics[key] for key in sorted(topics))
