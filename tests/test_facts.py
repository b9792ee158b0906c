"""'It learns things anyway': the corpus, the facts, the unseen fact and the shapes the chapter talks
about, checked against the very run the page shows; and facts.py's one-line errors."""
import sys

import pytest

from conftest import ROOT, run_script

sys.path.insert(0, str(ROOT / "snippets"))
import corpus  # noqa: E402

SEEN = [fact for fact in corpus.TRACKED if fact != corpus.UNSEEN_FACT]


@pytest.fixture(scope="module")
def run(snippet_run):
    return snippet_run("facts.py")


@pytest.fixture(scope="module")
def text():
    return corpus.make_corpus(corpus.SETTINGS["seed"])


def test_corpus_is_seeded():
    assert corpus.make_corpus(3, documents=200) == corpus.make_corpus(3, documents=200)
    assert corpus.make_corpus(3, documents=200) != corpus.make_corpus(4, documents=200)


def test_every_fact_is_in_the_text_as_a_sentence_and_the_unseen_one_is_not(text):
    for shape, _, pairs in corpus.FACTS:
        for subject, answer in pairs:
            assert f"{shape.format(subject)} {answer}." in text
    prompt, answer = corpus.UNSEEN_FACT
    assert answer.strip() not in text
    assert prompt not in text
    assert "Italy" in text  # the model has read about Italy, just never what people speak there


def test_facts_start_near_blind_guessing_and_end_far_above_it(run):
    vocab = run.variables["vocab"]
    history = run.variables["history"]
    for (prompt, answer), probs in zip(corpus.TRACKED, history["probs"]):
        chance = (1 / vocab) ** len(answer)
        assert chance / 100 < probs[0] < chance * 100, (prompt, probs[0], chance)
        if (prompt, answer) != corpus.UNSEEN_FACT:
            assert probs[-1] > 0.5, (prompt, probs[-1])


def test_paris_after_training_is_far_above_paris_at_initialisation(run):
    start, end = run.variables["p_paris_start"], run.variables["p_paris_end"]
    assert end > 0.9
    assert end > 1e9 * start
    assert "the capital of France is ... Paris" in run.cells["paris"]["stdout"]


def test_the_right_capital_wins_and_nearly_all_the_rest_goes_to_capitals_too(run):
    france, japan = (run.variables["capital_guesses"][f"the capital of {country} is"]
                     for country in ("France", "Japan"))
    assert france[0][0] == "Paris" and france[0][1] > 0.9, france
    assert japan[0][0] == "Tokyo" and japan[0][1] > 0.5, japan
    assert run.variables["p_any_capital"] > 0.95  # the page quotes it for France
    assert run.variables["p_any_capital"] == run.variables["any_capital"]["the capital of France is"]
    for prompt, total in run.variables["any_capital"].items():
        assert total >= run.variables["capital_guesses"][prompt][0][1]  # the winner is a capital


def test_the_unseen_fact_gets_a_plausible_wrong_guess(run):
    guesses = run.variables["unseen_guesses"]
    languages = {answer for shape, _, pairs in corpus.FACTS if shape == "in {}, people speak" for _, answer in pairs}
    top_word, top_p = guesses[0]
    assert top_word != corpus.UNSEEN_FACT[1].strip()
    assert top_word in languages  # shaped like an answer: a language the corpus does name
    assert run.variables["any_language"] > 0.5
    assert run.variables["p_unseen_end"] < 1e-6 < top_p
    unseen = run.variables["history"]["probs"][corpus.TRACKED.index(corpus.UNSEEN_FACT)]
    assert unseen[-1] < unseen[0] and max(unseen) < 1e-6  # stays in the basement, ends lower than it began


def test_story_prompts_get_stories_and_code_prompts_get_code(run):
    shapes = run.variables["shapes"]
    for prompt in ["She opened the door and saw a", "the little fox"]:
        continuation = shapes[prompt][len(prompt):]
        assert "." in continuation, shapes[prompt]  # a sentence that ends
        sentence = continuation.split(".")[0]
        assert "\n" not in sentence and not {"def", "return", "?"} & set(sentence.split()), sentence
    for prompt in ["def area(w, h):", "def volume("]:
        first_line = shapes[prompt].split("\n")[0]
        assert first_line.startswith(prompt) and ": return " in first_line, first_line


@pytest.mark.parametrize("args,message", [
    (["--steps", "0"], "--steps must be at least 1"),
    (["--seed", "many"], "invalid int value"),
    (["--temperature", "1"], "unrecognized arguments"),
])
def test_bad_flags_get_one_line(args, message):
    result = run_script("snippets/facts.py", *args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


def test_the_facts_model_is_built_like_the_training_chapters():
    """'Same game as before' says so: the same number of blocks, the same width."""
    import training

    for key in ("n_layer", "n_head", "n_embd"):
        assert corpus.SETTINGS[key] == training.DEFAULT[key], key
