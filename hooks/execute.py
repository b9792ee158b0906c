"""Run snippets and record their runs: each in a fresh Python process (this file, run as a script, is
that process), cell by cell, keeping what each cell printed and drew. execute_cell is the one way a
cell is run, pasted into Python's interactive interpreter: by the build's runs (record, refresh) and
by a page's copy-paste session (tests/copy_paste.py).
"""

import builtins
import code
import concurrent.futures
import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import records
from cells import SnippetError, split_cells


def environment():
    """What a run sees: the pinned CPU kernel path (unless set), whatever it imports first; no windows."""
    env = {**records.numeric_path(), **os.environ}
    return dict(env, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")


def record(name, folder, argv=(), found=None, log=None, nice=0, force=False):
    """Run the snippet now, in a fresh process (at a lower priority with nice, where the system has
    it), and record the run in folder (replacing what was there only once the run is complete).
    Every line the run writes on stderr goes to log as it comes. Two processes that record the same
    snippet into the same folder at once (`mkdocs serve` re-recording while `record.py` runs) take
    turns, holding FOLDER.lock: the second finds the first's record up to date and keeps it."""
    from filelock import FileLock  # recording needs it (the docs group); a frozen build does not

    path = records.snippet_path(name)
    found = found or records.inputs(path, argv)  # given when queued: no parsing in threads
    key = records.key_of(found)
    split_cells(path.read_text(encoding="utf-8"), f"snippets/{name}")  # bad markers fail here
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(folder.with_name(folder.name + ".lock")):
        done = records.load(name, folder)
        if done and done.key == key and not force:
            if log:
                log(f"snippets/{name}: recorded meanwhile by another run")
            return done
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        started, said = time.perf_counter(), []
        proc = subprocess.Popen(
            [sys.executable, __file__, str(path), str(partial), json.dumps([key, found]), *argv],
            cwd=records.ROOT,
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            preexec_fn=niced(nice),
        )
        for line in proc.stderr:
            if log:
                log(f"snippets/{name}: {line.rstrip()}")
            if not PROGRESS.fullmatch(line.rstrip()):
                said.append(line.rstrip("\n"))
        proc.wait()
        if proc.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            # the last line says why: the child's own summary, or the signal that stopped it
            if proc.returncode < 0:
                said.append(f"killed by {signal.Signals(-proc.returncode).name}")
            said[-1:] = [f"snippets/{name}: {said[-1] if said else 'failed'}"]
            raise SnippetError("\n".join(said[-40:]).strip())
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
        if log:
            log(f"snippets/{name}: recorded in {time.perf_counter() - started:.0f} s")
        return records.load(name, folder)


def niced(nice):
    """What a child process runs first to lower its priority (os.nice), or None."""
    return (lambda: os.nice(nice)) if nice and hasattr(os, "nice") else None


def refresh(names, log=None, force=False, into=None, argv=()):
    """Record the stale runs among these snippets (all of them, with force), side by side, into
    _freeze/ or into the folder `into`. Returns {name: SnippetError} for those
    that failed. With LLMS101_FROZEN=1 and no folder it runs nothing."""
    folder = (lambda name: Path(into) / Path(name).stem) if into else records.record_folder
    if not into and os.environ.get("LLMS101_FROZEN") == "1":
        return {}
    why = {
        name: "forced" if force else records.why_stale(name, folder(name), argv) for name in names
    }
    stale = [name for name, reason in why.items() if reason]
    if not stale:
        return {}
    warning = None if into else records.other_kind_warning(stale)
    if warning and log:
        log(warning)
    found = {name: records.inputs(records.snippet_path(name), argv) for name in stale}
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        jobs = {}
        for name in stale:  # a model two of them need is made once: cli.cached holds a lock
            if log:
                log(f"running snippets/{name} ({why[name]})")
            jobs[name] = pool.submit(
                record, name, folder(name), argv, found[name], log, force=force
            )
    return {name: job.exception() for name, job in jobs.items() if job.exception()}


PROGRESS = re.compile(r"cell '[\w-]+' \(\d+ of \d+\)")  # the child's line as each cell starts


class CellFailed(Exception):
    def __init__(self, cell, summary, details):
        super().__init__(summary)
        self.cell, self.details = cell, details


class Console(code.InteractiveConsole):
    """Python's interactive interpreter, fed a cell line by line the way a reader pastes it: a compound
    statement ends at its first blank line, and an expression statement's value is echoed. Line numbers
    are the file's; an error is raised, not printed."""

    def __init__(self, namespace, filename):
        super().__init__(namespace, filename)
        self.start = 1  # the file's line number of the statement being read

    def feed(self, text, first_line):
        more = False
        for offset, line in enumerate(text.splitlines()):
            if not more:
                self.start = first_line + offset
            more = self.push(line)
        if more:
            self.push("")  # the Enter that ends a cell's last compound statement

    def runsource(self, source, filename="<input>", symbol="single"):
        try:
            if self.compile(source, filename, symbol) is None:
                return True  # more lines to come
        except (OverflowError, SyntaxError, ValueError) as error:
            line = self.start + (getattr(error, "lineno", None) or 1) - 1
            why = getattr(error, "msg", str(error))
            raise NotReplSafe(f"line {line}: {why}") from None
        padded = "\n" * (self.start - 1) + source  # the same code, with the file's line numbers
        exec(self.compile(padded, filename, symbol), self.locals)
        return False


class NotReplSafe(Exception):
    pass


def execute_cell(name, code, first_line, filename, namespace, folder, where=None):
    """Run a cell in namespace, fed line by line to Python's interactive interpreter (Console) as a
    reader pastes it: returns {"stdout", "figures"}, the figures saved into folder. A cell that raises
    or exits raises CellFailed (its summary one line; its details the traceback, from `where`'s
    frames on, and what it printed last)."""
    stdout = io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout):
            Console(namespace, filename).feed(code, first_line)
    except NotReplSafe as error:
        summary = (
            f"cell {name!r}, {error}: not what Python's interactive interpreter runs when the cell "
            "is pasted (a compound statement ends at a blank line and needs one after it)"
        )
        raise CellFailed(name, summary, "") from None
    except SystemExit as error:
        summary = f"cell {name!r} exited with {error.code!r}"
        raise CellFailed(name, summary, stdout.getvalue()[-2000:]) from None
    except BaseException as error:
        lines = traceback.format_exc().splitlines()
        keep = [i for i, line in enumerate(lines) if where and where in line]
        details = "\n".join(lines[:1] + lines[keep[0] :] if keep else lines)
        summary = f"cell {name!r} raised {type(error).__name__}: {error}".splitlines()[0]
        raise CellFailed(name, summary, stdout.getvalue()[-2000:] + details) from error
    return {"stdout": stdout.getvalue(), "figures": save_figures(folder, name)}


def save_figures(folder, cell_name):
    """Every figure still open at the end of a cell, as an SVG file named by its content; then close them."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    plt = sys.modules["matplotlib.pyplot"]
    plt.rcParams["svg.hashsalt"] = "llms101"  # stable ids inside the SVG: figures are reproducible
    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        alt = figure.get_label()
        if not alt:
            raise CellFailed(
                cell_name,
                f"cell {cell_name!r} draws a figure without alt text: "
                "create it with plt.subplots(num='what it shows')",
                "",
            )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        svg = buffer.getvalue()
        file = records.digest(svg) + ".svg"
        (Path(folder) / file).write_bytes(svg)
        figures.append({"file": file, "alt": alt})
    plt.close("all")
    return figures


def main(path, folder, key_and_inputs, argv):
    """The child process: run the snippet's cells as `python snippets/NAME.py ...` from the repository
    root would, and write its record. One line per cell on stderr, so a long run shows where it is."""
    key, found = json.loads(key_and_inputs)
    sys.argv = [os.path.relpath(path), *argv]
    sys.path.insert(0, str(path.parent))
    namespace = {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}
    cells = split_cells(path.read_text(encoding="utf-8"))
    outputs, session = {}, (str(path), namespace, folder, str(path.parent))
    for number, cell in enumerate(cells, 1):
        print(f"cell {cell.name!r} ({number} of {len(cells)})", file=sys.stderr, flush=True)
        try:
            outputs[cell.name] = execute_cell(cell.name, cell.source, cell.first_line, *session)
        except CellFailed as failure:
            if failure.details:
                print(failure.details, file=sys.stderr)
            sys.exit(str(failure))
    records.write_record(folder, key, found, outputs, namespace)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]), sys.argv[3], sys.argv[4:])
