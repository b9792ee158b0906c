"""The snippets on a reader's desktop, whatever the system: every text file they open has its
encoding named, their output survives a console or pipe that isn't UTF-8 (Windows's default),
and data parallelism starts where torchrun cannot (PyTorch's Windows builds).

The test matrix runs these on Linux, macOS and Windows; the subprocesses here switch Python's
UTF-8 mode off, so they see what a reader's Python sees by default."""

import ast
import os
import subprocess
import sys

import pytest

from helpers import ROOT, SHORT_TEXT

SNIPPETS = ROOT / "snippets"
sys.path.insert(0, str(SNIPPETS))
import training  # noqa: E402
import workers  # noqa: E402

PRINTS = "import cli; print('a ⏎ “quoted” ─ b')"
EXPECTED = "a ⏎ “quoted” ─ b"


def reader_env(**settings):
    """The environment a reader's Python starts in: no UTF-8 mode, plus settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONUTF8", "PYTHONIOENCODING")
    }
    return dict(env, PYTHONUTF8="0", **settings)


def calls_without_encoding(tree):
    """(line, call) for each call in tree that reads or writes text without naming the encoding."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        ours = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "cli"
        if "encoding" in keywords or ours:  # cli.read_text() decodes UTF-8 itself
            continue
        if name in ("read_text", "write_text"):
            found.append((node.lineno, name))
        elif name == "open" and getattr(getattr(node.func, "value", None), "id", "") != "os":
            # os.open is bytes only
            mode = node.args[1] if len(node.args) > 1 else keywords.get("mode")
            if not (isinstance(mode, ast.Constant) and "b" in str(mode.value)):
                found.append((node.lineno, name))
        elif name in ("run", "Popen", "check_output") and any(
            isinstance(keywords.get(k), ast.Constant) and keywords[k].value is True
            for k in ("text", "universal_newlines")
        ):
            found.append((node.lineno, f"{name}(text=True)"))
    return found


@pytest.mark.parametrize("path", sorted(SNIPPETS.glob("*.py")), ids=lambda path: path.name)
def test_every_text_file_a_snippet_opens_names_its_encoding(path):
    """Windows reads and writes text in its old code page unless told: a snippet always says UTF-8."""
    assert calls_without_encoding(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_encoding_check_finds_what_it_looks_for():
    source = (
        "open(p)\nopen(p, 'rb')\np.read_text()\np.write_text('x', encoding='utf-8')\n"
        "subprocess.run(a, text=True)\nsubprocess.run(a, encoding='utf-8')\ncli.read_text(p)\n"
    )
    assert calls_without_encoding(ast.parse(source)) == [
        (1, "open"),
        (3, "read_text"),
        (5, "run(text=True)"),
    ]


def test_output_to_a_pipe_in_an_old_code_page_comes_out_as_utf8():
    """On Windows a pipe or a file gets cp1252, which has no '⏎': cli makes such output UTF-8."""
    proc = subprocess.run(
        [sys.executable, "-c", PRINTS],
        cwd=SNIPPETS,
        capture_output=True,
        env=reader_env(PYTHONIOENCODING="cp1252"),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout.decode("utf-8").strip() == EXPECTED


def test_a_script_piped_in_an_old_code_page_prints_utf8():
    """tokens.py prints '·' between tokens: cp1252 has it, but a pipe must carry UTF-8 all the same."""
    proc = subprocess.run(
        [sys.executable, "snippets/tokens.py"],
        cwd=ROOT,
        capture_output=True,
        env=reader_env(PYTHONIOENCODING="cp1252"),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert "·" in proc.stdout.decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs a Unix")
def test_a_terminal_that_cannot_show_a_character_gets_a_question_mark_not_a_crash():
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PRINTS],
            cwd=SNIPPETS,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=reader_env(PYTHONIOENCODING="ascii"),
            timeout=120,
        )
        shown = os.read(leader, 1000).decode("ascii")
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert shown.strip() == "a ? ?quoted? ? b"


def test_torchrun_starts_where_pytorch_has_its_libuv_store_which_windows_builds_lack():
    """What the "Run it yourself" page says of torchrun on each system, checked on each system."""
    assert workers.torchrun_can_start() == (sys.platform != "win32")


def test_workers_started_without_torchrun_take_the_same_steps_as_one(tmp_path, one_worker_losses):
    """The way train.py --workers 2 starts where torchrun cannot (Windows), tried here."""
    start = (
        "import sys, workers; from pathlib import Path; "
        "workers.start_workers_here(Path('train.py'), 2, sys.argv[1:])"
    )
    two = subprocess.run(
        [
            sys.executable,
            "-c",
            start,
            "--steps",
            "3",
            "--text",
            SHORT_TEXT,
            "--out",
            tmp_path / "two.pt",
        ],
        cwd=SNIPPETS,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
    )
    assert two.returncode == 0, two.stderr[-2000:]
    losses = [one_worker_losses, training.load(tmp_path / "two.pt")[2]["history"]["loss"]]
    assert len(losses[0]) == len(losses[1]) == 3
    assert max(abs(a - b) for a, b in zip(*losses)) < 1e-4


def test_workers_started_without_torchrun_that_fail_end_the_run_with_one_line():
    start = (
        "import sys, workers; from pathlib import Path; "
        "workers.start_workers_here(Path('train.py'), 2, sys.argv[1:])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", start, "--steps", "0"],
        cwd=SNIPPETS,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "train.py: error: --steps must be at least 1, not 0"
    ]
