"""What the tests share that is not a fixture: paths, running a script as a reader would, the built
site, and whether a run is the record the page shows. (Fixtures are in conftest.py; the --snippet,
--page and --long options in selection.py.)"""

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
import records  # noqa: E402

# The demos that train a model, or need the default run's: about 14 CPU-minutes in all on the
# reference 2-core machine (each 30 s to 2.5 min), more than the whole suite without them. A plain
# `pytest` checks their claims against their records and leaves their fresh runs (and the copy-paste
# sessions of the pages that show them) to `pytest --long`, which GitHub's CI runs on every system.
LONG = {
    "train.py",
    "commands.py",
    "data_parallel.py",
    "facts.py",
    "autocomplete.py",
    "scaling.py",
    "inside.py",
    "learn_as_it_reads.py",
    "sudden_skill.py",
}
# a short text for the runs that test how workers start and stop (the manual's takes 10 s more a run)
SHORT_TEXT = ROOT / "snippets" / "data" / "LICENSE-python.txt"


class Built:
    def __init__(self, site, log):
        self.site, self.log = site, log

    def page(self, url):
        """The HTML of a page, by its URL path ('' for home, 'sampling/' for sampling.md)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def build_site(site):
    """`mkdocs build --strict` from the records, running nothing: a stale record fails the build."""
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_FROZEN="1"),
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"mkdocs build --strict failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
        )
    return Built(site, proc.stderr)


def records_kind(name):
    """Is this machine the kind the snippet's record was made on (so that its digits must match)?"""
    record = records.recorded(name)
    return record is not None and records.same_kind(record.machine, records.local_machine())


def shown_on_page(run):
    """Is this run the record the page shows? A sentence that says "in this run" is checked on that
    run alone: other seeds and kernel paths (benchmarks/robustness.py) make other runs."""
    recorded = records.recorded(run.snippet)
    return recorded is not None and run.variables == recorded.variables


def default_model_from_record():
    """Chapter 3's model, kept in out/ as load_or_train() keeps it, made from the weights train.py's
    record exported: where this machine is the records' kind and that record is up to date, these are
    bit for bit the weights training makes (a fresh run of train.py must export the same bytes), and
    the demos and tests that only use the model (compress_paragraph.py, the compression command) skip
    a minute of training."""
    import tiny  # snippets/ on the path, and cli (which pins the CPU kernel path) before torch
    from test_playgrounds import load_exported

    cli, training = tiny.cli, importlib.import_module("training")
    path, text = training.checkpoint_for(training.DEFAULT["seed"]), cli.default_corpus()
    record = records.recorded("train.py") if records_kind("train.py") else None  # None: stale
    if record and not cli.stored(path, training.fingerprint(training.DEFAULT, text)):
        model, tokenizer = load_exported(record.folder / "exports" / "tiny-gpt.safetensors")
        training.save(path, model, tokenizer, training.DEFAULT, text)


def waits(item):
    """Does the test wait for a fresh run or a page's copy-paste session?"""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "fresh" in getattr(item, "fixturenames", ()) or params.get("snippet_run") == "fresh"


def wait(made, log, about):
    """What made() gives, once it gives something, while the background job that writes log runs (it
    holds log's lock: conftest.py, Fresh.start); a failed test, with the job's lines about it, if
    the job ended or was killed first."""
    while (found := made()) is None:
        if not running(f"{log}.lock") and (found := made()) is None:
            said = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
            lines = [line for line in said.splitlines() if about in line] or said.splitlines()
            pytest.fail(f"{about} failed:\n" + "\n".join(lines[-40:]), pytrace=False)
        time.sleep(1)
    return found


def running(lock):
    """Does a process hold this file lock?"""
    try:
        with filelock.FileLock(lock, timeout=0):
            return False
    except filelock.Timeout:
        return True


def run_script(*args, cwd=ROOT, timeout=600):
    """Run `python snippets/...` as a reader would, from the repository root."""
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def one_line_error(proc):
    """A command that failed the way bad input must fail: non-zero exit, one line on stderr, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
