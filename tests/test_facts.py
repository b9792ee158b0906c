"""'It learns things anyway': the made-up web is built as the page says (facts in several
wordings at web-like frequencies, test prompts nowhere in it), and the page's claims hold
for the run it shows: rates over many facts, with margins wide enough for any CPU and
seed (benchmarks/robustness.py runs these against other kernel paths and seeds)."""

import sys

import pytest

from claims import claim
from helpers import ROOT, one_line_error, run_script, shown_on_page

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


@claim(
    "learns-anyway.md",
    "We checked: not one test question appears anywhere in the text.",
    "The last lines check the promise: no test prompt (a fact in its test wording, up to where the capital goes) appears in the text, and nor does the capital of any never-written country.",
)
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


@claim(
    "learns-anyway.md",
    "from {= facts.py:most_times =} times down to {= facts.py:fewest_times =}, in several wordings.",
    "Every fact has one wording the text *never* uses, its **test wording**.",
    "a text where each fact always comes in one wording: the same facts, as often, just never varied.",
    "The one wording is never the test wording, and only the variety differs from the first text",
)
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


@claim(
    "learns-anyway.md",
    "Like facts on the real web, some are written about far more than others,[^kandpal] from {= facts.py:most_times =} times down to {= facts.py:fewest_times =}",
    "How often each fact is stated follows a long tail, spread evenly on a logarithmic scale:",
)
def test_frequencies_run_from_everywhere_to_once_with_a_long_tail():
    times = [corpus.times_written(rank) for rank in range(1, len(corpus.COUNTRIES) + 1)]
    assert times == sorted(times, reverse=True)
    assert times[0] == corpus.TOP >= 100 and times[-1] == 1
    assert sum(t <= 3 for t in times) >= len(times) // 5  # the tail: rare facts
    for lo, hi in [(1, 3), (4, 9), (10, 29), (30, corpus.TOP)]:
        assert sum(lo <= t <= hi for t in times if True) >= 12, (lo, hi)


@claim(
    "learns-anyway.md",
    "Its settings (choices like how big the model is and how fast it learns) were chosen on half of the facts, the *validation* facts; everything below is measured on the other half, the **test facts**.",
)
def test_validation_and_test_facts_are_apart_and_cover_every_band():
    assert set(corpus.VALIDATION).isdisjoint(corpus.TEST)
    assert sorted(corpus.VALIDATION + corpus.TEST) == list(range(1, len(corpus.COUNTRIES) + 1))
    # "the settings": the recipe's choices, among them the model's size and how fast it learns
    assert {"n_layer", "n_embd", "lr"} <= corpus.SETTINGS.keys()
    for lo, hi in [(1, 3), (4, 9), (10, 29), (30, corpus.TOP)]:
        assert sum(lo <= corpus.times_written(r) <= hi for r in corpus.TEST) >= 6


@claim("learns-anyway.md", "We checked: not one test question appears anywhere in the text.")
def test_the_run_reports_the_text_as_built(run):
    assert run.variables["prompts_in_text"] == []
    assert run.variables["never_written_in_text"] == []
    for rank, times in run.variables["times"].items():
        assert times == corpus.times_written(int(rank))


@claim(
    "learns-anyway.md",
    "For the facts the text states most often, yes: {= facts.py:frequent_right =} of {= facts.py:frequent_n =}, in a sentence it never read.",
    "Down the tail it falls apart: of the facts stated {= facts.py:BANDS.0.0 =} to {= facts.py:BANDS.0.1 =} times, {= facts.py:rare_right =} of {= facts.py:rare_n =}.",
    "The control, countries whose capitals the text never gives, is only a sanity check: no model can spell a capital it never saw.",
)
def test_frequent_facts_are_stated_in_a_wording_never_read_and_rare_ones_are_not(run):
    frequent, rare = run.variables["frequent"], run.variables["rare"]
    assert rate(frequent) >= 0.5, frequent  # recorded run: 9 of 10
    assert rate(rare) <= 0.25, rare  # recorded run: 0 of 8
    assert rate(frequent) - rate(rare) >= 0.4
    assert sum(run.variables["control"]) == 0  # a capital it never read: never
    # the control row is in the folded "control" cell, off the story path (the test cell)
    assert "control: capital never in the text" in run.cells["control"]["stdout"]
    assert "control" not in run.cells["test"]["stdout"]
    assert "validation" not in run.cells["test"]["stdout"]


@claim(
    "learns-anyway.md",
    "In all, {= facts.py:several_total =} of the {= facts.py:test_n =} test facts come out right in their test wording.",
    "Asked in their test wording, it gets {= facts.py:one_total =} of {= facts.py:test_n =}, against {= facts.py:several_total =} for the first model.",
)
def test_the_tables_print_the_totals_the_page_quotes(run):
    """The totals are printed in the tables' "in all" rows: the reader reads them, not adds them."""
    v = run.variables
    assert v["several_total"] == sum(v["held"].values()) and v["test_n"] == len(v["held"])
    assert v["one_total"] == sum(v["held_one"].values())
    total = f"{v['several_total']}/{v['test_n']}"
    rows = [line for line in run.cells["test"]["stdout"].splitlines() if line.startswith("in all")]
    assert len(rows) == 1 and rows[0].split()[2:4] == [str(v["test_n"]), total], rows
    # the band rows add up to the total
    assert sum(sum(hits) for hits in v["held_by_band"].values()) == v["several_total"]
    rows = [
        line
        for line in run.cells["one-wording"]["stdout"].splitlines()
        if line.startswith("in all")
    ]
    assert len(rows) == 1 and rows[0].split()[2:4] == [total, f"{v['one_total']}/{v['test_n']}"]


@claim(
    "learns-anyway.md",
    "Under the table are two of its answers, picked by a rule: the first right one and the first wrong one, in the table's order.",
    "A fact it misses doesn't get a blank or an \"I don't know\": most of the time it gets another country's capital, like the wrong answer above, looking just as sure of itself on the page.",
)
def test_the_two_examples_are_the_first_right_and_first_wrong_answers_cut_cleanly(run):
    import re

    v = run.variables
    held = {int(rank): ok for rank, ok in v["held"].items()}
    kinds = {int(rank): kind for rank, kind in v["answer_kinds"].items()}
    lines = run.cells["test"]["stdout"].splitlines()
    shown = {line.split()[0]: line[7:] for line in lines if line[:6] in ("right ", "wrong ")}
    assert list(shown) == ["right", "wrong"], lines  # one pair, right first
    for kind in ("right", "wrong"):
        # the first test fact (in the table's order, corpus.TEST) whose answer is of that kind
        first = next(r for r in corpus.TEST if kinds[r] == kind and held[r] == (kind == "right"))
        prompt, capital = corpus.held_out(first)
        assert shown[kind].startswith(prompt), (shown[kind], prompt)
        answer = shown[kind][len(prompt) :]
        assert corpus.reply_kind(answer, capital) == kind
        # cut cleanly: a city's name and at most its closing punctuation, not a word cut short
        assert re.fullmatch(r"[A-Z][A-Za-z' -]*[a-z][.)\"]?", answer), answer
    # a missed fact mostly gets another country's capital (recorded run: 17 of 20), never "I don't know"
    missed = [r for r in corpus.TEST if not held[r]]
    assert sum(kinds[r] == "wrong" for r in missed) >= 0.6 * len(missed)
    assert all(kinds[r] != "I don't know" for r in missed)
    assert all(w.strip() for w in v["written"])  # never a blank


@claim(
    "learns-anyway.md",
    "it gets right the facts it read often and in many wordings, and makes up an answer for the rare ones.",
)
def test_facts_stated_often_come_out_right_far_more_than_rare_ones(run):
    held = run.variables["held_by_band"]
    often = held["10-29"] + held[f"30-{corpus.TOP}"]
    seldom = held["1-3"] + held["4-9"]
    assert rate(often) >= rate(seldom) + 0.4, (often, seldom)  # recorded run: 11/17, 1/15
    rates = [rate(hits) for hits in held.values()]
    assert rates[0] == min(rates), rates  # (the top two bands are close: 7 or 10 facts)
    read = run.variables["read_by_band"]
    assert rate(read[f"30-{corpus.TOP}"]) >= rate(held[f"30-{corpus.TOP}"])


@claim(
    "learns-anyway.md",
    "It shows when the knowledge arrived: for a long while nothing, then the often-stated facts first.",
)
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


@claim(
    "learns-anyway.md",
    "Asked in the wording it read, the one-wording model states {= facts.py:one_read_total =} of the {= facts.py:test_n =} test facts.",
    "In the one wording it read, it can state some of them.",
    "Asked in their test wording, it gets {= facts.py:one_total =} of {= facts.py:test_n =}, against {= facts.py:several_total =} for the first model.",
    "It memorised its sentences, and the facts stayed locked inside them.",
)
def test_one_wording_per_fact_leaves_the_facts_memorised_but_not_extractable(run):
    several, one = run.variables["several_total"], run.variables["one_total"]
    assert one <= 2, one  # recorded run: 0 of 32
    assert several >= one + 5, (several, one)  # recorded run: 12 against 0
    assert run.variables["one_read_total"] >= 5  # it did learn them, as written
    frequent_one = run.variables["read_one_by_band"][f"30-{corpus.TOP}"]
    assert rate(frequent_one) >= 0.5


@claim(
    "learns-anyway.md",
    "Right answers typically get a large share of the probability: half of them get about {= facts.py:confidence.right:.0% =} or more.",
    "Wrong ones are spread thin: half of them get about {= facts.py:confidence.wrong:.0% =} or less.",
    "those odds usually give a guess away: right answers typically get a large share of the probability, wrong ones clearly less.",
    "Not always: in this run, asked about a country whose capital the text never mentions, it bet heavily on a wrong city (the box below shows it).",
    "the last line is a never-written country where it bets heavily on a wrong answer:",
)
def test_the_models_own_odds_mostly_mark_a_guess(run):
    confidence = run.variables["confidence"]
    # "a large share" (recorded: 67%; 49% with seed 1 in benchmarks/robustness.py, which is why the
    # page no longer says "most")
    assert confidence["right"] > 0.4, confidence
    # "clearly less": 15 points and a half as much again (recorded: 67% against 23%; an Intel Xeon's
    # pinned path, a contributor trial's fresh run: 44% against 24%)
    for other in ("wrong", "never written"):
        assert confidence["right"] >= confidence[other] + 0.15, confidence
        assert confidence["right"] >= 1.5 * confidence[other], confidence
    # "half of them get about X% or more" / "about Y% or less", X and Y as the page rounds them
    # ("about": the median of an even count can round past the value above it, as on an AVX-512 path)
    right, wrong = run.variables["guesses"]["right"], run.variables["guesses"]["wrong"]
    assert sum(p >= round(confidence["right"], 2) - 0.005 for p in right) >= len(right) // 2
    assert sum(p < round(confidence["wrong"], 2) + 0.005 for p in wrong) >= len(wrong) // 2
    # the last line: a never-written country (its capital is nowhere in the text, so any word is
    # wrong) with a heavy bet on its likeliest word (recorded: 72%)
    # "in this run": with seed 1 (benchmarks/robustness.py) the likeliest word got only 26%
    if shown_on_page(run):
        word, p = run.variables["split"][0]
        assert p > 0.4 and p > confidence["wrong"], run.variables["split"]


@claim(
    "learns-anyway.md",
    "It finishes {= facts.py:stories_ok =} stories as a sentence (a full stop, and before it only words our stories use, so one misspelling fails it, as it fails each story above), and for {= facts.py:code_ok =} functions writes a body that is valid Python and uses only that function's own inputs (programmers call them *arguments*): a recipe that cooks with the ingredients it lists, not another recipe's.",
    "each body is judged against *another* function's inputs, where it should mostly fail. Only {= facts.py:shuffled_ok =} pass, so the code really is written for its own function.",
    "The untrained model passes nothing: a floor, not proof the checks are hard.",
)
def test_story_and_code_prompts_never_seen_get_story_and_code_shapes(run):
    trained, untrained = run.variables["shapes"]["trained"], run.variables["shapes"]["untrained"]
    assert rate(trained["stories"]) >= 0.35 and rate(trained["code"]) >= 0.6
    assert not any(untrained["stories"] + untrained["code"])  # "the untrained model passes nothing"
    # the bodies use *their* arguments: judged by another prompt's, far fewer pass
    assert rate(trained["code"]) >= rate(trained["shuffled"]) + 0.25


@claim(
    "learns-anyway.md",
    "We gave the same model {= facts.py:shape_n =} story beginnings and as many Python function headers that aren't in its text",
)
@pytest.mark.parametrize("seed", SEEDS)
def test_no_story_in_the_text_has_an_animal_doing_what_only_people_do(seed):
    """So the story prompts ("The lazy goat opened a") are new by construction."""
    import re

    text = corpus.make_corpus(seed)
    animals, verbs = "|".join(corpus.ANIMALS), "|".join(corpus.VERBS)
    assert not re.search(rf"\b({animals}) ({verbs}) a\b", text)
    assert re.search(rf"\b[A-Z][a-z]+ ({verbs}) a\b", text)  # people do


@claim(
    "learns-anyway.md",
    "Here is what it wrote for the first few of each, in the order they were made (a | marks where our beginning ends)",
)
def test_the_endings_shown_are_the_first_ones_made(run):
    """The page's examples are picked by the code's rule, not by hand: the first story endings, then
    the first function bodies, each after its prompt and a |."""
    lines = run.cells["shapes"]["stdout"].split("\n\n")[0].splitlines()
    stories = [line for line in lines if not line.startswith("def ")]
    bodies = [line for line in lines if line.startswith("def ")]
    assert len(stories) == len(bodies) >= 2
    for shown, prompts in ((stories, "story_prompts"), (bodies, "code_prompts")):
        starts = [line.split("|")[0] for line in shown]
        assert starts == run.variables[prompts][: len(shown)]
    # "one misspelling fails it, as it fails each story above": none of the stories the page shows
    # passes. The page shows the recorded run; another seed or CPU writes other stories (on the
    # robustness variants one of the three passes), so this is checked on the recorded run
    if shown_on_page(run):
        assert not any(run.variables["shapes"]["trained"]["stories"][: len(stories)])


@claim(
    "learns-anyway.md",
    "a full stop, and before it only words our stories use, so one misspelling fails it",
)
def test_a_misspelt_word_fails_the_sentence_check():
    words = corpus.story_words()
    assert corpus.well_formed_sentence(" map in the village. The", words)
    assert not corpus.well_formed_sentence(" map in the vilage. The", words)
    assert not corpus.well_formed_sentence(" map in the village and", words)


@claim(
    "learns-anyway.md",
    "We gave the same model {= facts.py:shape_n =} story beginnings and as many Python function headers that aren't in its text",
)
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
