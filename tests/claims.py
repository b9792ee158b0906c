"""A claim test knows its sentence: `@claim(page, sentence, ...)` ties a claim test to the sentences
of a page it backs, as written in the Markdown (markers and all; line breaks and indentation count as
one space). When a sentence is gone or changed, the test fails before it checks anything, naming
itself and the page, so a claim turned around in prose ("below 1" made "above 1") cannot pass unseen.

    from claims import claim

    @claim("sampling.md", "temperature below 1 makes the favourites even more favoured")
    def test_low_temperature_is_cautious(snippet_run):
        ...

A test that backs words of several pages takes one @claim per page. `pytest --page NAME.md` selects
the tests that claim words of that page (tests/selection.py reads `test.claims`).

tests/test_claims.py checks every @claim in tests/ without running the claim tests themselves.
"""

import functools
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def normalised(text):
    return re.sub(r"\s+", " ", text).strip()


def missing(page, sentences):
    """The sentences that are not on the page as written (all of them if the page is gone)."""
    path = DOCS / page
    if not path.is_file():
        return list(sentences)
    text = normalised(path.read_text(encoding="utf-8"))
    return [sentence for sentence in sentences if normalised(sentence) not in text]


def message(test_name, page, gone):
    return "\n".join(
        [
            f"{test_name} backs these words of docs/{page}, which are no longer there as written:",
            *(f"  {sentence!r}" for sentence in gone),
            "If the prose changed, check that the test still checks what the page now says (and "
            "change the test if not), then copy the new words into the test's @claim(...).",
        ]
    )


def claim(page, *sentences):
    """Decorator: this test backs these sentences of docs/<page>."""
    if not sentences:
        raise ValueError("@claim needs at least one sentence, as written on the page")

    def decorate(test):
        @functools.wraps(test)
        def checked(*args, **kwargs):
            gone = missing(page, sentences)
            if gone:
                pytest.fail(
                    message(f"{test.__module__}.{test.__name__}", page, gone), pytrace=False
                )
            return test(*args, **kwargs)

        # (page, sentences) for each @claim on the test, outermost first: a test may back words of
        # several pages (`pytest --page NAME.md` selects it for each)
        checked.claims = [(page, sentences), *getattr(test, "claims", [])]
        return checked

    return decorate
