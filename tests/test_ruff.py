"""Ruff keeps the Python tidy: `ruff check` (mistakes, and the import order that keeps
`import cli` first) and `ruff format --check`, over the whole repository, with the
settings in pyproject.toml (snippets/ruff.toml: 88 columns, the width of a page)."""

import subprocess
import sys

from helpers import ROOT


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        encoding="utf-8",
    )


def test_ruff_check_finds_nothing():
    done = ruff("check", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_changes_nothing():
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_cli_stays_first():
    """The import sorter keeps `import cli` before torch (a section of its own)."""
    source = "import torch\nimport os\n\nimport cli\nimport training\n"
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "I", "--fix", "-"],
        cwd=ROOT,
        input=source,
        capture_output=True,
        encoding="utf-8",
    )
    # ruff check --fix - writes the fixed file to stdout
    assert done.stdout == "import cli\n\nimport os\n\nimport torch\n\nimport training\n"
