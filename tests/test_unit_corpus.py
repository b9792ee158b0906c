"""snippets/corpus.py's splits of the facts: what settings are chosen on, what is taught and what
the chapters report never overlap, and together they cover what they split (chapter 5's facts and
chapter 7's questions). No model, no text: a second."""

import tiny  # noqa: F401  (puts snippets/ on the path, cli first)

# isort: split
import corpus


def parts_of(whole, **parts):
    """Assert that the named parts split `whole`: none shares an element with another, and together
    they hold each element of whole once."""
    names = list(parts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = set(parts[a]) & set(parts[b])
            assert not shared, f"{a} and {b} share {sorted(shared)}"
    for name, part in parts.items():
        assert part, f"{name} is empty"
        assert len(set(part)) == len(part), f"{name} names something twice"
    together = [x for part in parts.values() for x in part]
    assert sorted(together) == sorted(whole), f"{' + '.join(names)} is not the whole"


def test_known_facts_split_into_validation_and_test_ranks():
    # chapter 5: settings chosen on the odd ranks, the even ranks reported
    parts_of(range(1, len(corpus.COUNTRIES) + 1), VALIDATION=corpus.VALIDATION, TEST=corpus.TEST)


def test_the_questions_after_post_training_split_the_test_facts():
    # chapter 7: settings chosen on some of chapter 5's test facts, the others asked afterwards;
    # none of them a fact chapter 5 chose its settings on
    parts_of(corpus.TEST, CHAT_VALIDATION=corpus.CHAT_VALIDATION, CHAT_TEST=corpus.CHAT_TEST)


def test_never_written_countries_split_into_taught_validation_and_test_thirds():
    # "I don't know" taught on a third, settings chosen on a third, a third tested
    parts_of(
        corpus.NEVER_WRITTEN,
        UNKNOWN_TAUGHT=corpus.UNKNOWN_TAUGHT,
        UNKNOWN_VALIDATION=corpus.UNKNOWN_VALIDATION,
        UNKNOWN_TEST=corpus.UNKNOWN_TEST,
    )
    sizes = [len(corpus.UNKNOWN_TAUGHT), len(corpus.UNKNOWN_VALIDATION), len(corpus.UNKNOWN_TEST)]
    assert max(sizes) - min(sizes) <= 1  # thirds


def test_no_never_written_country_or_capital_is_one_the_text_states():
    written, never = dict(corpus.COUNTRIES), dict(corpus.NEVER_WRITTEN)
    assert len(written) == len(corpus.COUNTRIES) and len(never) == len(corpus.NEVER_WRITTEN)
    assert not set(written) & set(never)
    assert not set(written.values()) & set(never.values())
