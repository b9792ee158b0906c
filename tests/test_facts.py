"""'It learns things anyway': the made-up web is built as the page says (facts in several
wordings at web-like frequencies, test prompts nowhere in it), and the page's claims hold
for the run it shows: rates over many facts, with margins wide enough for any CPU and
seed (benchmarks/robustness.py runs these against other kernel paths and seeds)."""

import sys

import pytest

from conftest import ROOT, one_line_error, run_script

sys.path.insert(0, str(ROOT / "snippets"))
import corpus  # noqa: E402

SEEDS = [corpus.SETTINGS["seed"], 1, 2]


@pytest.fixture(scope="module")
def run(snippet_run):
    return snippet_run("facts.py")


def rate(hits):
    return sum(hits) / len(hits)


def test_the_text_is_seeded():
    assert corpus.make_corpus(3) == corpus.make_corpus(3)
    assert corpus.make_corpus(3) != corpus.make_corpus(4)
    assert corpus.make_corpus(3, "one") != corpus.make_corpus(3, "several")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wordings", ["several", "one"])
def test_no_test_prompt_and_no_never_written_capital_is_in_the_text(seed, wordings):
    text = corpus.make_corpus(seed, wordings)
    for rank in range(1, len(corpus.COUNTRIES) + 1):
        prompt, capital = corpus.held_out(rank)
        assert prompt not in text, prompt
        assert prompt.lower() not in text.lower(), prompt  # not even in other capitals
    for country, capital in corpus.NEVER_WRITTEN:
        assert capital not in text, capital
        assert country in text, country  # the model reads the name, never the capital


@pytest.mark.parametrize("seed", SEEDS)
def test_each_fact_is_stated_as_often_as_planned_in_several_wordings_or_one(seed):
    several, one = corpus.make_corpus(seed, "several"), corpus.make_corpus(seed, "one")
    for rank, (country, capital) in enumerate(corpus.COUNTRIES, start=1):
        counts = corpus.times_seen(several, country, capital)
        assert sum(counts) == corpus.times_written(rank) == text_count(several, capital)
        assert counts[corpus.held_out_wording(rank)] == 0
        if corpus.times_written(rank) >= 10:
            assert sum(1 for n in counts if n) >= 3, (country, counts)
        counts_one = corpus.times_seen(one, country, capital)
        assert sorted(counts_one)[-1] == sum(counts_one) == corpus.times_written(rank)


def text_count(text, capital):
    """Every time the capital's name is in the text at all (each is a statement of it)."""
    import re

    return len(re.findall(rf"\b{capital}\b", text))


def test_frequencies_run_from_everywhere_to_once_with_a_long_tail():
    times = [corpus.times_written(rank) for rank in range(1, len(corpus.COUNTRIES) + 1)]
    assert times == sorted(times, reverse=True)
    assert times[0] == corpus.TOP >= 100 and times[-1] == 1
    assert sum(t <= 3 for t in times) >= len(times) // 5  # the tail: rare facts
    for lo, hi in [(1, 3), (4, 9), (10, 29), (30, corpus.TOP)]:
        assert sum(lo <= t <= hi for t in times if True) >= 12, (lo, hi)


def test_validation_and_test_facts_are_apart_and_cover_every_band():
    assert set(corpus.VALIDATION).isdisjoint(corpus.TEST)
    assert sorted(corpus.VALIDATION + corpus.TEST) == list(range(1, len(corpus.COUNTRIES) + 1))
    for lo, hi in [(1, 3), (4, 9), (10, 29), (30, corpus.TOP)]:
        assert sum(lo <= corpus.times_written(r) <= hi for r in corpus.TEST) >= 6


def test_the_run_reports_the_text_as_built(run):
    assert run.variables["prompts_in_text"] == []
    assert run.variables["never_written_in_text"] == []
    for rank, times in run.variables["times"].items():
        assert times == corpus.times_written(int(rank))


def test_frequent_facts_are_stated_in_a_wording_never_read_and_rare_ones_are_not(run):
    frequent, rare = run.variables["frequent"], run.variables["rare"]
    assert rate(frequent) >= 0.5, frequent  # recorded run: 9 of 10
    assert rate(rare) <= 0.25, rare  # recorded run: 0 of 8
    assert rate(frequent) - rate(rare) >= 0.4
    assert sum(run.variables["control"]) == 0  # a capital it never read: never


def test_facts_stated_often_come_out_right_far_more_than_rare_ones(run):
    held = run.variables["held_by_band"]
    often = held["10-29"] + held[f"30-{corpus.TOP}"]
    seldom = held["1-3"] + held["4-9"]
    assert rate(often) >= rate(seldom) + 0.4, (often, seldom)  # recorded run: 11/17, 1/15
    rates = [rate(hits) for hits in held.values()]
    assert rates[0] == min(rates), rates  # (the top two bands are close: 7 or 10 facts)
    read = run.variables["read_by_band"]
    assert rate(read[f"30-{corpus.TOP}"]) >= rate(held[f"30-{corpus.TOP}"])


def test_during_training_none_come_right_at_first_and_the_frequent_ones_come_first(run):
    history = run.variables["history"]
    steps, knows = history["knows_step"], history["knows"]
    assert steps[0] == 0 and not any(knows[0])

    def first_step(ranks):
        return min(
            [step for step, known in zip(steps, knows) if any(known[r - 1] for r in ranks)],
            default=float("inf"),
        )

    often = [r for r in corpus.TEST if corpus.times_written(r) >= 30]
    seldom = [r for r in corpus.TEST if corpus.times_written(r) <= 9]
    assert first_step(often) <= first_step(seldom) and first_step(often) > steps[1]


def test_one_wording_per_fact_leaves_the_facts_memorised_but_not_extractable(run):
    several, one = run.variables["several_total"], run.variables["one_total"]
    assert one <= 2, one  # recorded run: 0 of 32
    assert several >= one + 5, (several, one)  # recorded run: 12 against 0
    assert run.variables["one_read_total"] >= 5  # it did learn them, as written
    frequent_one = run.variables["read_one_by_band"][f"30-{corpus.TOP}"]
    assert rate(frequent_one) >= 0.5


def test_the_models_own_odds_mostly_mark_a_guess(run):
    confidence = run.variables["confidence"]
    assert confidence["right"] >= confidence["wrong"] + 0.2, confidence
    assert confidence["right"] >= confidence["never written"] + 0.2, confidence


def test_story_and_code_prompts_never_seen_get_story_and_code_shapes(run):
    trained, untrained = run.variables["shapes"]["trained"], run.variables["shapes"]["untrained"]
    assert rate(trained["stories"]) >= 0.35 and rate(untrained["stories"]) <= 0.05
    assert rate(trained["code"]) >= 0.6 and rate(untrained["code"]) <= 0.05
    # the bodies use *their* arguments: judged by another prompt's, far fewer pass
    assert rate(trained["code"]) >= rate(trained["shuffled"]) + 0.25


@pytest.mark.parametrize("seed", SEEDS)
def test_no_story_in_the_text_has_an_animal_doing_what_only_people_do(seed):
    """So the story prompts ("The lazy goat opened a") are new by construction."""
    import re

    text = corpus.make_corpus(seed)
    animals, verbs = "|".join(corpus.ANIMALS), "|".join(corpus.VERBS)
    assert not re.search(rf"\b({animals}) ({verbs}) a\b", text)
    assert re.search(rf"\b[A-Z][a-z]+ ({verbs}) a\b", text)  # people do


def test_shape_prompts_are_new_to_the_text(run):
    assert run.variables["shape_prompts_in_text"] == []
    for prompts in (run.variables["story_prompts"], run.variables["code_prompts"]):
        assert len(set(prompts)) == len(prompts) >= 50


@pytest.mark.parametrize(
    "args,message",
    [
        (["--steps", "0"], "--steps must be at least 1"),
        (["--seed", "many"], "invalid int value"),
        (["--temperature", "1"], "unrecognized arguments"),
    ],
)
def test_bad_flags_get_one_line(args, message):
    result = run_script("snippets/facts.py", *args)
    assert result.stdout == ""
    assert message in one_line_error(result)
