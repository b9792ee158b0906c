"""The README's two commands are the whole set-up, and CI runs the test command exactly as written."""
import re

from conftest import ROOT


def commands():
    text = (ROOT / "README.md").read_text()
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    return {title: re.findall(r"```sh\n(.*?)\n```", body, re.S) for title, body in sections.items()}


def test_readme_gives_one_command_to_serve_and_one_to_test():
    found = commands()
    [serve] = found["Read it locally"]
    [test] = found["Run the tests"]
    for command in (serve, test):
        assert "\n" not in command
        assert command.startswith("python3 -m venv .venv && ")
        assert "-c constraints.txt" in command, "installs must be pinned"
    assert serve.endswith("mkdocs serve")
    assert test.endswith("pytest")


def test_ci_runs_the_readmes_test_command_verbatim():
    [test] = commands()["Run the tests"]
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in lines


def test_constraints_pin_every_dependency_and_the_cpu_torch():
    pins = dict(line.lower().replace("_", "-").split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    assert pins["torch"] == "2.13.0"
    for name in ["mkdocs", "mkdocs-material", "mkdocs-jupyter", "tokenizers", "bpe-openai", "pytest",
                 "pytest-codeblocks", "matplotlib", "numpy", "playwright"]:
        assert name in pins, f"{name} is not pinned in constraints.txt"
    assert pins["mkdocs"].startswith("1.")
