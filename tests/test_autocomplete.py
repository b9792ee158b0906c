"""'It's just autocomplete': before post-training the model answers a question with more questions,
after a short training on question/answer text it answers; checked against the run the page shows."""
import sys

import pytest

from conftest import ROOT, run_script

sys.path.insert(0, str(ROOT / "snippets"))
import corpus  # noqa: E402

FRANCE, HOT, CAT, ITALY = ("what is the capital of France?", "what is the opposite of hot?",
                           "what is a baby cat called?", "what language do people speak in Italy?")


@pytest.fixture(scope="module")
def run(snippet_run):
    return snippet_run("autocomplete.py")


def test_the_pretrained_model_continues_with_more_questions(run):
    for question, line in run.variables["before"].items():
        assert line.startswith("what ") and line.endswith("?"), (question, line)


def test_after_post_training_every_question_gets_a_statement_and_the_drilled_ones_are_right(run):
    for question, line in run.variables["after"].items():
        assert line and not line.endswith("?") and not line.startswith("what "), (question, line)
    assert run.variables["after"][FRANCE] == "the capital of France is Paris."
    assert run.variables["after"][HOT] == "the opposite of hot is cold."


def test_a_question_left_out_of_post_training_is_answered_in_shape_but_wrongly(run):
    assert CAT in run.variables["LEFT_OUT"]
    line = run.variables["after"][CAT]
    assert line.startswith("a baby ") and line.endswith(".")
    assert not line.startswith("a baby cat") and "kitten" not in line


def test_a_question_nobody_could_answer_gets_an_answer_shaped_reply_never_the_truth(run):
    line = run.variables["after"][ITALY]
    assert line.startswith("in ") and "Italian" not in line


def test_post_training_is_short_and_never_sees_the_left_out_questions(run):
    assert run.variables["posttrain_steps"] < run.variables["pretrain_steps"]
    qa = corpus.qa_text(run.variables["LEFT_OUT"], corpus.SETTINGS["seed"])
    for question in run.variables["LEFT_OUT"]:
        assert question not in qa
    assert f"{FRANCE}\nthe capital of France is Paris." in qa


@pytest.mark.parametrize("args,message", [
    (["--steps", "-5"], "--steps must be at least 1"),
    (["--seed", "1.5"], "invalid int value"),
    (["--prompt", "hi"], "unrecognized arguments"),
])
def test_bad_flags_get_one_line(args, message):
    result = run_script("snippets/autocomplete.py", *args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr
