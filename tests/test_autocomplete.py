"""'It's just autocomplete': the pretraining text's questions are followed by answers only
sometimes, the post-training conversations are apart from every question the page asks,
and the page's before/after claims hold for the run it shows, as rates over many held-out
questions (benchmarks/robustness.py runs these against other kernel paths and seeds)."""

import dataclasses
import re
import sys

import pytest

from claims import claim
from helpers import ROOT, one_line_error, records, run_script, shown_on_page

sys.path.insert(0, str(ROOT / "snippets"))
import corpus  # noqa: E402


@pytest.fixture(scope="module")
def run(snippet_run):
    return snippet_run("autocomplete.py")


@claim(
    "just-autocomplete.md",
    "So, in its world, a question is followed by its answer only {= autocomplete.py:answered_share:.0% =} of the time, and more often by another question or some chatter.",
)
def test_questions_in_the_pretraining_text_are_answered_only_sometimes():
    text = corpus.make_corpus(corpus.SETTINGS["seed"])
    after = corpus.after_questions(text)
    total = sum(after.values())
    assert total > 1000
    assert 0.1 < after["its answer"] / total < 0.5  # sometimes, not mostly
    assert after["another question"] > after["its answer"]


@claim(
    "just-autocomplete.md",
    'In the model\'s web, a colon outside code is always followed by a capital city and a closing bracket ("Japan (capital: Tokyo)"), and answers to its questions sometimes end with "I think."',
)
def test_in_the_pretraining_text_a_colon_leads_to_a_capital_and_a_bracket():
    """Why the replies before post-training look like "Stockholm)" and "I think)"."""
    text = corpus.make_corpus(corpus.SETTINGS["seed"])
    capitals = {capital for _, capital in corpus.COUNTRIES}
    after = [line.split(": ", 1)[1] for line in text.split("\n") if ": " in line]
    assert text.count(":") == len(after) > 100  # every colon is followed by a space
    prose = [rest for rest in after if not rest.startswith("return ")]  # code: `def f(a): return a`
    assert prose and all(re.fullmatch(r"(.+)\)", rest)[1] in capitals for rest in prose)
    assert any(line.endswith(", I think.") for line in text.split("\n"))
    assert "I think)" not in text  # the model's own blend


@claim(
    "just-autocomplete.md",
    "our model has never seen it.",
    "The user's questions are worded in ways the web never uses (\"What's the capital of ...?\").",
    "The assistant's replies are short and plain, as some of the web's answers are.",
    'Our model can write "I don\'t know": the words, apostrophe and all, turn up in the forum threads of its web.',
)
def test_the_chat_format_and_the_users_questions_are_new_to_the_pretraining_text():
    """(The assistant's short answers are not: "It's Paris." is also one way the web answers a
    question, as the page says.)"""
    text = corpus.make_corpus(corpus.SETTINGS["seed"])
    assert "User:" not in text and "Assistant:" not in text
    for ask in corpus.ASK:
        assert ask.split("{c}")[0] not in text  # no question is worded the chat's way
    assert "It's Paris." in text and "It is Paris." not in text
    for sentence in corpus.DONT_KNOW:
        assert sentence not in text
    # but the words are there, apostrophe and all, so the model can write them
    assert "I don't know" in text


@claim(
    "just-autocomplete.md",
    "None is about a country we'll ask about afterwards",
    "The conversations are about facts from the *validation* half of chapter 5's facts, never the test countries",
    "The example conversations didn't teach those capitals (they never mention these countries)",
)
def test_no_country_the_page_asks_about_is_in_a_post_training_conversation():
    seed = corpus.SETTINGS["seed"]
    text = corpus.make_corpus(seed)
    post = corpus.posttraining_text(seed, corpus.VALIDATION, text)  # every candidate
    conversations = [d for d in post.split("\n\n") if d.startswith("User:")]
    assert len(conversations) > 1000
    asked = [corpus.COUNTRIES[rank - 1] for rank in corpus.CHAT_TEST + corpus.CHAT_VALIDATION]
    asked += corpus.UNKNOWN_TEST + corpus.UNKNOWN_VALIDATION
    for country, capital in asked:
        assert not any(country in c or capital in c for c in conversations), country
    assert set(corpus.CHAT_TEST + corpus.CHAT_VALIDATION).isdisjoint(corpus.VALIDATION)


@claim(
    "just-autocomplete.md",
    "Half of what it reads during post-training is more of its pretraining text, so that it keeps "
    "reading the web while it learns to chat.",
)
def test_half_of_the_post_training_text_is_more_of_the_pretraining_text():
    seed = corpus.SETTINGS["seed"]
    text = corpus.make_corpus(seed)
    documents = corpus.posttraining_text(seed, corpus.VALIDATION[:5], text).split("\n\n")
    chats = sum(len(d) for d in documents if d.startswith("User:"))
    web = sum(len(d) for d in documents if not d.startswith("User:"))
    assert chats > 10_000 and 0.45 < chats / (chats + web) < 0.55
    assert all(d in text for d in documents if not d.startswith("User:"))  # the web, as it was


@claim(
    "just-autocomplete.md",
    "A small program sorts every reply into one of four kinds, checking in this order:",
    '"I don\'t know": the reply says "don\'t know" somewhere;',
    "right: it names the right capital;",
    "wrong: it names another country's capital;",
    "no answer: anything else.",
    'The sorting is blunt: "Cairo, I don\'t know that one." names the right city but counts as "I don\'t know", and "It\'s Storry.", a made-up name rather than another country\'s capital, counts as no answer, though you\'d call it a wrong one.',
    'So the "wrong" row undercounts made-up answers, and the "no answer" row hides garbled refusals like "It is Sorry.".',
    'It is this function (so a blend of the two replies taught later, like "It is Sorry.", counts as no answer too):',
)
def test_the_reply_kinds_are_read_as_the_page_says():
    assert corpus.reply_kind("It's Lima.", "Lima") == "right"
    assert corpus.reply_kind("It is Paris.", "Lima") == "wrong"
    assert corpus.reply_kind("Sorry, I don't know that one.", "Lima") == "I don't know"
    assert corpus.reply_kind("what is the capital of Peru?", "Lima") == "no answer"
    assert corpus.reply_kind("It's Lim.", "Lima") == "no answer"
    # blunt, as the page says: "don't know" wins over a right capital named first, and a blend of
    # the two taught replies is no answer
    assert corpus.reply_kind("It's Lima. Sorry, I don't know that one.", "Lima") == "I don't know"
    assert corpus.reply_kind("It is Sorry.", "Lima") == "no answer"
    # the page's two examples: the right city with "don't know" after it, and a made-up name
    assert corpus.reply_kind(" Cairo, I don't know that one.", "Cairo") == "I don't know"
    assert corpus.reply_kind(" It's Storry.", "Stockholm") == "no answer"
    # so "wrong" counts only real capitals: a made-up name is never counted wrong
    assert not any(name == "Storry" for _, name in corpus.COUNTRIES)


# "in this run" sentences are checked on the recorded run only (helpers.shown_on_page): the pretrained
# model's chat replies vary most between runs (benchmarks/robustness.py: on one processor's pinned
# path it named a capital in 47 of 48 chat replies, against 1 to 9 elsewhere)


def test_in_this_run_checks_are_made_on_the_recorded_run_and_no_other():
    recorded = records.recorded("autocomplete.py")
    assert shown_on_page(recorded)
    other = dict(
        recorded.variables, named_before_count=recorded.variables["named_before_count"] + 1
    )
    assert not shown_on_page(dataclasses.replace(recorded, variables=other))


@claim(
    "just-autocomplete.md",
    'before, the model hardly answered these questions at all (the "no answer" row); now it answers, so capitals it picked up from its web text can show.',
)
def test_before_post_training_it_hardly_answers_the_validation_questions(run):
    """The fold's validation table: the rise in right answers there comes with answering at all."""
    before = [kind for _, kind in run.variables["before_validation"]]
    after = [kind for _, kind in run.variables["after_validation"]]
    assert after.count("no answer") <= 0.5 * len(after), after
    if shown_on_page(run):  # "In this run, unlike the test questions, ..."
        assert before.count("no answer") >= 0.75 * len(before), before


@claim(
    "just-autocomplete.md",
    "It doesn't reply the way an assistant would, and in this run it mostly doesn't answer.",
    "Only {= autocomplete.py:named_before_count =} of its {= autocomplete.py:chat_questions =} chat replies name a capital at all, right or wrong.",
)
def test_before_post_training_it_continues_the_text_instead_of_answering(run):
    rates = run.variables["rates"]
    # as a quiz line it writes the next question, and no chat reply has the assistant's shape: in
    # every run; the chat replies that name no capital, in this run
    assert rates["before_text"]["no answer"] >= 0.5, rates["before_text"]
    assert run.variables["shaped_before"] <= 0.1 * len(run.variables["before_chat"])
    if shown_on_page(run):
        assert run.variables["named_before_count"] <= 0.35 * run.variables["chat_questions"]


@claim(
    "just-autocomplete.md",
    "{= autocomplete.py:countries_asked =} of chapter 5's test countries, each once as a quiz line: {= autocomplete.py:text_questions =} questions;",
    'the same countries in the chat format, asked {= autocomplete.py:ways_asked =} ways each ("What\'s the capital of ...?", "Do you know ...?"): {= autocomplete.py:chat_questions =} questions;',
    "{= autocomplete.py:never_countries =} countries whose capitals its web never gives, in the chat format, {= autocomplete.py:ways_asked =} ways each: {= autocomplete.py:never_questions =} questions.",
    "The last row is a question from outside those {= autocomplete.py:chat_questions =}: a country whose capital its web never gives.",
)
def test_the_three_sets_of_questions_are_what_the_page_lists(run):
    v = run.variables
    assert set(corpus.CHAT_TEST) < set(corpus.TEST)  # some of chapter 5's test countries
    assert [p for p, _ in v["as_text"]] == [
        corpus.QUESTION.format(c=c) + "\n" for c, _ in v["known"]
    ]  # once each, as a quiz line
    assert len(v["as_chat"]) == len(v["known"]) * len(corpus.ASK)
    assert (
        "What's the capital of {c}?" in corpus.ASK
        and "Do you know the capital of {c}?" in corpus.ASK
    )
    text = corpus.make_corpus(corpus.SETTINGS["seed"])
    assert not any(capital in text for _, capital in corpus.UNKNOWN_TEST)  # never in its web
    assert len(v["never"]) == len(corpus.UNKNOWN_TEST) * len(corpus.ASK)
    # the reply table's last row (the page's before_never.0): a "never" question, not a chat one
    assert v["never"][0][0] not in {prompt for prompt, _ in v["as_chat"]}
    # the before table's columns count all the questions of each set
    sizes = [len(v["as_text"]), len(v["as_chat"]), len(v["never"])]
    assert [sum(column) for column in table(run.cells["before"]["stdout"])] == sizes


def table(stdout):
    """The counts of a printed "| kind | x of N | ... |" table, column by column, checking that
    its rows are the four kinds of reply, in order, and that each cell's N is the column's sum."""
    lines = [line for line in stdout.splitlines() if line.startswith("| ")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]
    assert [row[0] for row in rows] == ["right", "wrong", "I don't know", "no answer"], rows
    columns = []
    for cells in zip(*[row[1:] for row in rows]):
        counts = [tuple(map(int, cell.split(" of "))) for cell in cells]
        assert len({n for _, n in counts}) == 1, counts  # one N for the whole column
        assert sum(x for x, _ in counts) == counts[0][1], counts  # all of them, nothing left out
        columns.append([x for x, _ in counts])
    return columns


@claim(
    "just-autocomplete.md",
    'The *shape* changed completely: {= autocomplete.py:shaped_after =} of the {= autocomplete.py:chat_questions =} replies now come in the assistant\'s tidy form ("It\'s Lima." or "I don\'t know."), against {= autocomplete.py:shaped_before =} before.',
    "What held in every run we tried: after post-training nearly every reply has the assistant's shape,",
)
def test_after_post_training_nearly_every_reply_has_the_assistants_shape(run):
    assert run.variables["shaped_after"] >= 0.7 * len(run.variables["after_chat"])
    assert run.variables["shaped_after"] >= run.variables["shaped_before"] + 0.5 * len(
        run.variables["after_chat"]
    )


@claim(
    "just-autocomplete.md",
    "wrong answers went up from {= autocomplete.py:counts.before_chat.wrong =} to {= autocomplete.py:counts.after_chat.wrong =}",
    "Asked about the {= autocomplete.py:never_countries =} countries whose capitals it never read, it now names another country's capital in {= autocomplete.py:counts.after_never.wrong =} of {= autocomplete.py:never_questions =} replies",
    "Charm school taught it to answer, and a model that always answers has to guess at what it doesn't know.",
    "In every run we tried, it now makes up a capital for most countries it never read about",
    "it invents a capital for most countries it never read about,",
)
def test_post_training_adds_no_facts_it_invents_answers_instead(run):
    rates = run.variables["rates"]
    assert rates["after_never"]["right"] == 0  # it cannot know
    assert rates["after_never"]["wrong"] >= 0.5, rates["after_never"]  # but it answers
    # and the answers it gives are "wrong": another country's capital (reply_kind, tested above)
    assert run.variables["invented"] == rates["after_never"]["wrong"]
    if shown_on_page(run):  # "In this run, ... wrong answers went up"
        assert rates["after_chat"]["wrong"] >= rates["before_chat"]["wrong"] + 0.1


@claim(
    "just-autocomplete.md",
    "Nor did it gain facts; in this run it even lost a few: in chapter 5's test wordings it now states {= autocomplete.py:facts_after =} of {= autocomplete.py:facts_n =} facts, against {= autocomplete.py:facts_before =} before.",
    "Afterwards the model gets {= autocomplete.py:right_known_count =} of the {= autocomplete.py:known_asked =} questions about facts it could already state in chapter 5's test right, and {= autocomplete.py:right_unknown_count =} of the {= autocomplete.py:unknown_asked =} about facts it couldn't.",
    "Post-training taught the shape of an answer; the facts came from pretraining.",
    "In this run, the right answers it gives afterwards are all about capitals it could already state when chapter 5 tested it, and the rest are mostly wrong or garbled.",
    "and it even lost a few capitals it used to write, Sweden's among them.",
    "In this run, right answers held about steady ({= autocomplete.py:counts.before_chat.right =} of {= autocomplete.py:chat_questions =} before, {= autocomplete.py:counts.after_chat.right =} after)",
    "In every run we tried (another seed, and another processor doing its arithmetic three ways), it stated no more of chapter 5's facts in their test wording afterwards than before.",
    "In this run no right answer was about a capital it couldn't already state; in other runs a few were, but it never ended up stating more of chapter 5's facts than before.",
    "questions about facts it could already state come out right far more often than the others, and it states no more of chapter 5's facts than before.",
)
def test_right_answers_after_post_training_are_about_facts_it_could_already_state(run):
    known, unknown = run.variables["right_known"], run.variables["right_unknown"]
    assert len(known) + len(unknown) == len(corpus.CHAT_TEST) * len(corpus.ASK)
    # "far more often" (benchmarks/robustness.py: 33-53% against 0-10% on every variant)
    known_rate, unknown_rate = sum(known) / len(known), sum(unknown) / len(unknown)
    assert known_rate >= unknown_rate + 0.1 and known_rate >= 2 * unknown_rate, (known, unknown)
    # "nor did it gain facts": no more of chapter 5's test facts stated in their test wording
    # (the recorded run loses a few, which the page shows through the markers)
    assert run.variables["facts_after"] <= run.variables["facts_before"]
    # "the rest are mostly wrong or garbled": wrong answers and non-answers, not "I don't know"
    rates = run.variables["rates"]
    rest = 1 - rates["after_chat"]["right"]
    assert rates["after_chat"]["wrong"] + rates["after_chat"]["no answer"] > 0.5 * rest, rates
    if shown_on_page(run):
        # "all about capitals it could already state"; "held about steady" (within a tenth)
        assert sum(unknown) == 0, unknown
        assert abs(rates["after_chat"]["right"] - rates["before_chat"]["right"]) <= 0.1, rates


@claim(
    "just-autocomplete.md",
    "Those counts are fewer separate facts than they sound: the {= autocomplete.py:chat_questions =} questions are {= autocomplete.py:countries_asked =} countries asked {= autocomplete.py:ways_asked =} ways each, and the right answers, before and after, are about only a handful of countries.",
)
def test_the_chat_questions_are_few_countries_asked_several_ways(run):
    v = run.variables
    assert v["chat_questions"] == v["countries_asked"] * v["ways_asked"]
    assert v["asked_ranks"] == [rank for rank in corpus.CHAT_TEST for _ in corpus.ASK]
    if not shown_on_page(run):
        pytest.skip('"before and after" counts of the run the page shows')
    for replies in (v["before_chat"], v["after_chat"]):
        right = {rank for (_, kind), rank in zip(replies, v["asked_ranks"]) if kind == "right"}
        assert 0 < len(right) <= 5, right  # a handful of the 16


def capital_named(reply):
    """The capital a reply names (the longest, so that a city inside another's name loses)."""
    named = [capital for _, capital in corpus.COUNTRIES if capital in reply]
    return max(named, key=len) if named else None


@claim(
    "just-autocomplete.md",
    "Nor are its guesses about the country asked: in this run most of them are one city, a capital from its example conversations, whatever the country.",
    "It learnt a reply more than a way to look anything up.",
)
def test_its_made_up_capitals_are_mostly_one_city_from_its_example_conversations(run):
    if not shown_on_page(run):
        pytest.skip('"in this run": the run the page shows')
    v = run.variables
    taught = {corpus.COUNTRIES[rank - 1][1] for rank in v["taught"]}
    ways = v["ways_asked"]
    wrong = [
        (i // ways, capital_named(reply))
        for i, (reply, kind) in enumerate(v["after_never"])
        if kind == "wrong"
    ]
    cities = [city for _, city in wrong]
    top = max(set(cities), key=cities.count)
    assert cities.count(top) > len(cities) / 2, cities  # "most of them are one city"
    assert top in taught, (top, taught)  # "a capital from its example conversations"
    countries = {country for country, city in wrong if city == top}
    assert len(countries) > v["never_countries"] / 2, countries  # "whatever the country"


@claim(
    "just-autocomplete.md",
    'and says "I don\'t know" in {= autocomplete.py:counts.after_never.dont_know =}, though {= autocomplete.py:dont_know_n =} of the example conversations answer "I don\'t know"',
    "it now mostly names another country's capital instead of saying \"I don't know\", though many of its example conversations answered just that.",
    "It learnt the phrase, not *when* to say it.",
    '**"I don\'t know"** went up from {= autocomplete.py:counts.before_chat.dont_know =} to {= autocomplete.py:counts.after_chat.dont_know =}.',
)
def test_it_learns_the_phrase_i_dont_know_but_not_when_to_say_it(run):
    rates = run.variables["rates"]
    # "mostly names another country's capital instead of saying "I don't know""
    assert rates["after_never"]["wrong"] >= 0.5, rates["after_never"]
    assert rates["after_never"]["wrong"] > rates["after_never"]["I don't know"]
    # not said more often about capitals it never read than about ones it did
    assert rates["after_never"]["I don't know"] <= rates["after_chat"]["I don't know"] + 0.15
    assert rates["after_never"]["I don't know"] < 0.5
    counts = run.variables["counts"]
    assert counts["after_chat"]["dont_know"] > counts["before_chat"]["dont_know"]  # "up from"
    assert run.variables["dont_know_n"] >= 10 * max(1, counts["after_never"]["dont_know"])


@claim(
    "just-autocomplete.md",
    "Our post-training took {= autocomplete.py:compute_share:.0% =} of the arithmetic of pretraining.",
    "same `train` function, same loop, gentler nudges and far fewer steps.",
)
def test_post_training_is_a_small_share_of_the_compute(run):
    assert run.variables["compute_share"] <= 0.1
    assert run.variables["posttraining_flops"] < run.variables["pretraining_flops"]


@claim(
    "just-autocomplete.md",
    "and only about the ones the model could already state in a wording it never read.",
)
def test_answers_are_taught_only_about_facts_the_model_could_already_state(run):
    taught = run.variables["taught"]
    assert taught and set(taught) <= set(corpus.VALIDATION)
    # exactly the validation facts it could already state in their test wording
    can_answer = run.variables["can_answer"]
    assert taught == [rank for rank, ok in zip(corpus.VALIDATION, can_answer) if ok]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--steps", "-5"], "--steps must be at least 1"),
        (["--seed", "1.5"], "invalid int value"),
        (["--prompt", "hi"], "unrecognized arguments"),
    ],
)
def test_bad_flags_get_one_line(args, message):
    result = run_script("snippets/autocomplete.py", *args)
    assert result.stdout == ""
    assert message in one_line_error(result)


@claim(
    "just-autocomplete.md",
    "Each column adds up to all {= autocomplete.py:chat_questions =} questions:",
    "In this run, **no answer** went down from {= autocomplete.py:counts.before_chat.no_answer =} to {= autocomplete.py:counts.after_chat.no_answer =}, because it now answers",
    "Nor was our model better before: in this run it mostly didn't answer at all and never said \"I don't know\" either; it wasn't being careful, just carrying on the text.",
)
def test_the_after_table_counts_every_reply_once_before_and_after(run):
    """The story's after table: four kinds, each reply in exactly one, each column all 48."""
    v = run.variables
    before, after = table(run.cells["after"]["stdout"])  # checks each column adds up to all
    assert sum(before) == sum(after) == v["chat_questions"] == len(v["after_chat"])
    counts = v["counts"]
    assert before == [
        counts["before_chat"][k] for k in ("right", "wrong", "dont_know", "no_answer")
    ]
    assert after == [counts["after_chat"][k] for k in ("right", "wrong", "dont_know", "no_answer")]
    # (table() also checks that the rows are the four kinds and nothing else: the shape of a reply
    # is counted apart, in the fold, not as a fifth row among right and wrong)
    assert "assistant's form" not in run.cells["after"]["stdout"] + run.cells["before"]["stdout"]
    # in this run: "down ... because it now answers", fewer non-answers; none said "I don't know"
    # before, and most questions got no answer
    if shown_on_page(run):
        assert counts["after_chat"]["no_answer"] < counts["before_chat"]["no_answer"]
        assert counts["before_chat"]["dont_know"] == 0
        assert counts["before_chat"]["no_answer"] >= 0.5 * v["chat_questions"]
