"""Every @claim(page, sentence, ...) in tests/ names words that are on its page, checked in a second
without running the claim tests (which need a run of their snippet), and the mechanism itself."""

import ast
from pathlib import Path

import pytest

import claims

TESTS = Path(__file__).resolve().parent


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
