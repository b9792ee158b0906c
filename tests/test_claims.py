"""Every @claim(page, sentence, ...) in tests/ names words that are on its page, checked in a second
without running the claim tests (which need a run of their snippet), and the mechanism itself."""

import ast
from pathlib import Path

import pytest

import claims

TESTS = Path(__file__).resolve().parent


# Tests that read a run (snippet_run) and back no sentence: {"file::test": why}.
NOT_A_CLAIM = {
    "test_quoted_values.py::test_a_quoted_value_is_what_the_page_says_it_is": (
        "keyed by marker, not by sentence: every {= file.py:variable =} a page uses has its check"
    ),
    "test_tokens.py::test_page_shows_no_wall_time": "a rule for every demo: times go to stderr",
    "test_tokens.py::test_figure_has_alt_text_from_the_run": "a rule: alt text comes from the run",
}
# Claim tests whose page section is being rewritten: tied when the rewrite lands. {"file::test": why}
NOT_YET = {}


def reads_a_run():
    """'file::test' for every test that takes snippet_run, directly or through a fixture of its
    own module."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        fixtures = {
            node.name: {a.arg for a in node.args.args}
            for node in functions
            if any("fixture" in ast.unparse(d) for d in node.decorator_list)
        }
        runs, grown = {"snippet_run"}, True
        while grown:
            grown = False
            for name, arguments in fixtures.items():
                if name not in runs and runs & arguments:
                    runs.add(name)
                    grown = True
        found += [
            f"{path.name}::{node.name}"
            for node in functions
            if node.name.startswith("test_") and runs & {a.arg for a in node.args.args}
        ]
    return found


def test_every_test_that_reads_a_run_names_the_sentences_it_backs():
    tied = {f"{file}::{test}" for file, test, _, _ in claimed()}
    untied = [
        test
        for test in reads_a_run()
        if test not in tied and test not in {**NOT_A_CLAIM, **NOT_YET}
    ]
    assert not untied, (
        "these tests check a run but name no sentence: give each @claim(page, sentence, ...) with "
        "the words of the page it backs (tests/claims.py), or, if it backs no sentence, add it to "
        f"NOT_A_CLAIM in tests/test_claims.py with the reason: {untied}"
    )
    listed = [test for test in {**NOT_A_CLAIM, **NOT_YET} if test in tied]
    assert not listed, f"tied with @claim, so take them out of NOT_A_CLAIM/NOT_YET: {listed}"
    gone = [test for test in {**NOT_A_CLAIM, **NOT_YET} if test not in reads_a_run()]
    assert not gone, (
        f"no such test reads a run any more: take them out of NOT_A_CLAIM/NOT_YET: {gone}"
    )


def test_claims_on_several_pages_stack_and_say_which_pages():
    @claims.claim("a.md", "one")
    @claims.claim("b.md", "two", "three")
    def test_example():
        pass

    assert test_example.claims == [("a.md", ("one",)), ("b.md", ("two", "three"))]


def test_page_selects_the_tests_that_claim_its_words():
    """`pytest --page NAME.md` keeps a test tied to that page's words, though its parameters name
    no page (it reads a run)."""
    import subprocess
    import sys

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "--page",
            "big-runs.md",
            "tests/test_data_parallel.py",
            "tests/test_scaling.py",
        ],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert "test_two_workers_take_the_same_steps_as_one[record]" in listed
    assert "test_bad_worker_settings_get_one_line" in listed  # no run, but it backs a sentence
    assert "test_scaling.py" not in listed  # another page's claims


def claimed():
    """(test file, test name, page, sentences) for every @claim(...) with literal arguments."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and getattr(decorator.func, "id", None) == "claim"
                    and all(isinstance(a, ast.Constant) for a in decorator.args)
                ):
                    page, *sentences = (a.value for a in decorator.args)
                    found.append((path.name, node.name, page, sentences))
    return found


@pytest.mark.parametrize(
    "file, test, page, sentences", claimed(), ids=[f"{f}::{t}" for f, t, *_ in claimed()]
)
def test_claimed_sentences_are_on_their_pages(file, test, page, sentences):
    gone = claims.missing(page, sentences)
    assert not gone, claims.message(f"{file}::{test}", page, gone)


def test_a_changed_sentence_fails_its_test_and_says_which(tmp_path, monkeypatch):
    monkeypatch.setattr(claims, "DOCS", tmp_path)
    (tmp_path / "p.md").write_text(
        "- temperature below 1 makes the favourites\n  even more favoured;\n", encoding="utf-8"
    )

    @claims.claim("p.md", "temperature below 1 makes the favourites even more favoured")
    def test_example(x):
        return x

    assert test_example(3) == 3  # the sentence is there (across a line break): the test runs
    (tmp_path / "p.md").write_text(
        "- temperature above 1 makes the favourites even more favoured;\n", encoding="utf-8"
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        test_example(3)
    assert "test_example backs these words of docs/p.md" in str(failed.value)
    assert "below 1" in str(failed.value)
