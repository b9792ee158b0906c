"""The tiny GPT and its training: the claims of "Predict, check, nudge" and "Numbers in, numbers out",
checked against the run the pages show (no training here), plus the training command's bad input."""

import math
import re
import sys
from pathlib import Path

import pytest
import torch

from claims import claim
from helpers import one_line_error, run_script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

import training  # noqa: E402
from gpt import GPT, GPTConfig  # noqa: E402

TRAIN = ROOT / "snippets" / "train.py"


@pytest.fixture(scope="module")
def train_run(snippet_run):
    return snippet_run("train.py")


@pytest.fixture(scope="module")
def numbers_run(snippet_run):
    return snippet_run("numbers_in_out.py")


@pytest.fixture(scope="module")
def corpus_words():
    return set(re.findall(r"[A-Za-z]+", cli.default_corpus()))


def tiny_model(vocab_size=11, block_size=8):
    torch.manual_seed(0)
    return GPT(
        GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=2, n_head=2, n_embd=16)
    )


# The model itself: fast, on a tiny configuration.


def test_numbers_in_numbers_out_shapes():
    model = tiny_model()
    idx = torch.randint(11, (3, 8))
    logits, loss = model(idx)
    assert logits.shape == (3, 8, 11) and loss is None
    _, loss = model(idx, idx)
    assert abs(loss.item() - math.log(11)) < 0.2  # untrained: about as unsure as a uniform guess


def test_output_layer_is_tied_to_the_embedding():
    model = tiny_model()
    assert model.lm_head.weight is model.wte.weight


@claim(
    "text-becomes-numbers.md",
    "The layers (attention, where each position looks back at the earlier ones, and a little number-crunching network at each position) mix and reshape them",
)
def test_no_position_sees_the_future():
    model = tiny_model().eval()
    a = torch.randint(11, (1, 8))
    b = a.clone()
    b[0, 5:] = (b[0, 5:] + 1) % 11  # change only the last three tokens
    with torch.no_grad():
        la, lb = model(a)[0], model(b)[0]
    assert torch.allclose(la[0, :5], lb[0, :5], atol=1e-6)
    assert not torch.allclose(la[0, 5:], lb[0, 5:])


def test_attention_is_reachable_through_one_qkv_projection_per_block():
    model = tiny_model()
    for block in model.blocks:
        assert isinstance(block.attn.c_attn, torch.nn.Linear)
        assert block.attn.c_attn.out_features == 3 * model.config.n_embd


@claim(
    "predict-check-nudge.md",
    "our model skips the tokeniser's word pieces and reads Python's manual one character at a time (a letter, a space, a comma: each its own id;",
)
@claim(
    "text-becomes-numbers.md",
    "skips BPE and reads plain **characters**, one id per letter, space or comma",
)
def test_char_tokenizer_round_trips_and_refuses_unknown_characters(capsys):
    tok = training.CharTokenizer.from_text("hello world")
    assert tok.decode(tok.encode("low hello")) == "low hello"
    assert tok.vocab_size == len(set("hello world"))
    with pytest.raises(ValueError) as e:
        tok.encode("hello, world")
    assert "','" in str(e.value)


def count_scored(monkeypatch, *args, **kwargs):
    """How many tokens training.evaluate scores (it skips targets set to -100)."""
    scored = []
    cross_entropy = training.F.cross_entropy

    def spy(logits, targets, **kw):
        scored.append(int((targets != -100).sum()))
        return cross_entropy(logits, targets, **kw)

    monkeypatch.setattr(training.F, "cross_entropy", spy)
    training.evaluate(*args, **kwargs)
    monkeypatch.setattr(training.F, "cross_entropy", cross_entropy)
    return sum(scored)


@claim(
    "predict-check-nudge.md",
    "(`evaluate`: every character scored once, each with at least half a window of text before it)",
)
def test_evaluate_scores_every_token_once_after_the_context(monkeypatch):
    model = tiny_model().eval()  # block_size 8: each scored token has 5 or more before it
    data, context = torch.randint(11, (103,)), torch.randint(11, (40,))
    assert count_scored(monkeypatch, model, data, context) == 103  # all of them
    assert count_scored(monkeypatch, model, data) == 103 - 5  # the first 5: context only
    # only the end of the context is read: what comes before it changes nothing
    earlier = torch.cat([torch.randint(11, (40,)), context[-5:]])
    assert training.evaluate(model, data, earlier) == training.evaluate(model, data, context)
    other = context.clone()
    other[-1] = (other[-1] + 1) % 11
    assert training.evaluate(model, data, other) != training.evaluate(model, data, context)


@claim(
    "predict-check-nudge.md",
    "every so often the loop scores the model on the validation text and on as many characters of the training text, with the same function",
)
def test_training_and_held_out_losses_are_the_same_evaluation():
    text = "".join(
        f"paragraph {i}: the cat sat on the mat, {i * 7 % 13} times.\n\n" for i in range(60)
    )
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids = training.split(text, tokenizer)
    model = tiny_model(tokenizer.vocab_size)
    settings = dict(training.DEFAULT, steps=3, batch_size=4, warmup=1)
    history = training.train(model, train_ids, val_ids, settings, eval_tokens=200)
    assert history["train"][-1] == training.evaluate(model, train_ids, max_tokens=200)
    assert history["heldout"][-1] == training.evaluate(model, val_ids, max_tokens=200)


@pytest.mark.snippet("training.py")
@claim(
    "predict-check-nudge.md",
    "So we took every paragraph that appears word for word in the validation or test text out of the training text.",
    "we keep two slices of the text out of training: the **validation** text, a practice exam on which we chose the settings (choices like how big the model is and how fast it learns), and the **test** text, the final exam,",
)
def test_split_three_keeps_the_validation_text_and_trains_on_no_held_out_paragraph():
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids, test_ids = training.split_three(text, tokenizer)
    assert torch.equal(val_ids, training.split(text, tokenizer)[1])  # the tuning text
    test = tokenizer.decode(test_ids.tolist())
    assert text.index(test) + len(test) == len(text) - len(val_ids)  # just before it
    assert abs(len(val_ids) - len(text) / 10) <= 1 and 0.09 < len(test) / len(text) <= 0.1
    train = tokenizer.decode(train_ids.tolist())
    held_out = set(test.split("\n\n")) | set(tokenizer.decode(val_ids.tolist()).split("\n\n"))
    assert not held_out & set(train.split("\n\n"))
    assert len(train) > 0.75 * len(text)
    # "the settings": the recipe's choices, among them the model's size and how fast it learns
    assert {"n_layer", "n_embd", "lr"} <= training.DEFAULT.keys()


def test_a_checkpoint_from_other_settings_is_not_reused():
    assert training.fingerprint(training.DEFAULT, "text") != training.fingerprint(
        dict(training.DEFAULT, steps=1), "text"
    )
    assert training.fingerprint(training.DEFAULT, "text") != training.fingerprint(
        training.DEFAULT, "text!"
    )


# The claims, against the recorded run of the page.


@claim("predict-check-nudge.md", "The loss falls, fast at first, then more and more slowly:")
def test_loss_falls_fast_then_more_slowly(train_run):
    history = train_run.variables["history"]
    uniform = math.log(train_run.variables["vocab_size"])  # a know-nothing guess, in nats
    for key in ("train", "heldout"):
        curve = history[key]
        assert curve[0] < 0.8 * uniform  # by the first report, far below guessing
        assert curve[-1] < 0.75 * curve[0]  # and falling from there
        middle = len(curve) // 2
        assert curve[0] - curve[middle] > 1.5 * (curve[middle] - curve[-1])  # more slowly
    # no rebound at the end: the last report is within a hair of the best one
    assert history["heldout"][-1] < min(history["heldout"]) + 0.02


@claim(
    "predict-check-nudge.md",
    "Early on, the validation score can sit below the training score, as it did in the page's own run (the chart above), probably because the validation text is simply easier text.",
)
def test_training_and_validation_text_scored_the_same_way_cross(train_run):
    """The page: early on the validation text scores better (it is easier text), by the
    end the training text does, as the model learns its own text."""
    history = train_run.variables["history"]
    assert history["heldout"][0] < history["train"][0] - 0.05
    assert history["heldout"][-1] > history["train"][-1] + 0.03


@claim(
    "predict-check-nudge.md",
    "It gets {= train.py:train_bpc:.2f =} there, and {= train.py:test_bpc:.2f =} on the test text it never saw: only a little worse.",
)
def test_a_little_worse_on_unseen_text(train_run):
    v = train_run.variables
    assert 0.03 < v["test_bpc"] - v["train_bpc"] < 0.15 * v["test_bpc"]  # worse, by a little


@claim(
    "predict-check-nudge.md",
    "Before the clean-up, {= train.py:overlap_before.1:.0% =} of the test text's {= train.py:piece_sizes.1 =}-character pieces sat somewhere in the training text, word for word; after it, none, and only a handful of the {= train.py:piece_sizes.0 =}-character ones.",
    "The test text holds no whole passages of the training text.",
)
def test_test_text_barely_overlaps_the_training_text(train_run):
    v = train_run.variables
    short, long = v["piece_sizes"]  # the page quotes both sizes as markers
    assert 0 < short < long
    before_50, before_200 = v["overlap_before"]
    after_50, after_200 = v["overlap"]
    assert before_200 > 0.03  # the manual repeats itself: worth taking out
    assert after_200 == 0 and after_50 < 0.01  # none, and a few short stock phrases
    assert v["n_train"] < v["n_before"]


@claim(
    "predict-check-nudge.md",
    "Stored as 32-bit numbers they take {= train.py:weights_kb:,.0f =} KB, more than the text's {= train.py:train_kb:,.0f =} KB, but that's the size of the box, not what a trained network keeps in it.",
    "about the size of the text squeezed by xz ({= train.py:xz_train_kb:,.0f =} KB). So room alone doesn't settle it.",
    "What does: the model read the text only about {= train.py:passes:.1f =} times (the 2-bit figure took a thousand readings), and it scores far from the near-zero a by-heart model would.",
)
def test_it_did_not_learn_its_training_text_by_heart(train_run):
    """The page: the box (32-bit weights) is bigger than the text; what trained networks were
    measured to store (2 to 3.6 bits a weight) is in the same ballpark as the text squeezed by
    xz, so room doesn't settle it; it read the text only a few times, and it scores far from
    the near-zero bits of a model that knows the text by heart."""
    v = train_run.variables
    assert v["weights_kb"] > v["train_kb"]
    assert v["capacity_kb"][0] / 2 < v["xz_train_kb"] < v["capacity_kb"][1] * 2
    assert v["passes"] < 6
    assert v["train_bpc"] > 1


@claim(
    "predict-check-nudge.md",
    "every so often the loop scores the model on the validation text and on as many characters of the training text, with the same function (`evaluate`: every character scored once, each with at least half a window of text before it), so the two numbers can be compared.",
)
def test_the_curve_scores_what_the_page_scores_at_the_end(train_run):
    """The page: the curve's reports score all of the validation text and as many
    characters of the training text, so its last training-text score is the one quoted
    further down (same scoring, about as many characters)."""
    v = train_run.variables
    assert v["history"]["train"][-1] / math.log(2) == pytest.approx(v["train_bpc"], abs=0.01)
    assert (
        f"validation text {v['history']['heldout'][-1] / math.log(2):.2f}"
        in train_run.cells["train"]["stdout"]
    )


@claim(
    "predict-check-nudge.md",
    "It moved from {= train.py:weight_before:.3f =} to {= train.py:weight_after:.3f =}, the way its gradient said would lower the loss.",
    "All the other dials moved too, at once, and the loss on that same batch fell from {= train.py:bits_before_step:.2f =} to {= train.py:bits_after_step:.2f =} bits per character.",
    "The gradient points the way that would *raise* the loss, so each dial steps the other way: **new weight = old weight − step size × gradient**.",
)
def test_one_nudge_is_weight_minus_step_times_gradient_and_it_helps(train_run):
    v = train_run.variables
    assert v["gradient"] != 0
    # the weight moved against its gradient (a step the other way would make the loss worse)
    assert (v["weight_after"] - v["weight_before"]) * v["gradient"] < 0
    assert v["bits_after_step"] < v["bits_before_step"]


@claim(
    "predict-check-nudge.md",
    "(\"Dial {= train.py:col =} of ' '\" is number {= train.py:col =}, counting from zero, in the space character's list.)",
    "We watched one dial, one of the numbers the model uses for the space character.",
)
def test_the_singled_out_dial_is_one_of_the_space_characters_numbers(train_run):
    v = train_run.variables
    assert v["char"] == " "  # the row of numbers that stands for the space character
    assert 0 <= v["col"] < v["settings"]["n_embd"]  # a place in the character's list, from zero
    assert f"(dial {v['col']} of ' ')" in train_run.cells["one_step"]["stdout"]


@claim(
    "predict-check-nudge.md",
    "Each first read the training text, as our model had, then squeezed the test text.",
    "| **our model, as training left it** | {= train.py:test_bpc:.2f =} |",
    "Our model beats the everyday zip. It loses to xz by a hair and to bz2 clearly:",
    "Why xz and bz2 come out ahead of the frozen model: they can *copy*.",
)
@claim(
    "why-does-this-work.md",
    "But the model had read the training text first; let the compressors read it first too, and xz wins by a hair, bz2 (a third compressor) clearly: chapter 3 ran that fair race.",
    "our model beat gzip, the everyday zip-style compressor, and lost to xz and bz2, two stronger compressors;",
)
def test_test_bits_per_char_beat_gzip_clearly_xz_edges_it_out_bz2_beats_it_clearly(train_run):
    """Chapter 3: "clearly better [than gzip]. But xz edges it out and bz2 beats it clearly"
    (fact-check M1). On the kernel paths and seeds 1 and 2, xz leads the frozen model by 0.02 to
    0.03 bits per character."""
    v = train_run.variables
    assert v["gzip_bpc"] - v["test_bpc"] >= 0.2  # clearly, not by a hair
    assert v["bz2_bpc"] < v["test_bpc"] - 0.05
    assert 0 < v["test_bpc"] - v["xz_bpc"] < 0.05  # xz: ahead, by a hair
    assert f"{v['test_bpc']:.3f}" in train_run.cells["compression"]["stdout"]


@claim(
    "predict-check-nudge.md", "From keyboard-mash to something recognisably trying to be English."
)
def test_samples_go_from_gibberish_to_words(train_run, corpus_words):
    samples = train_run.variables["samples"]
    prompt = train_run.variables["prompt"]

    def real_word_share(sample):
        words = re.findall(
            r"[A-Za-z]{2,}", sample[len(prompt) :]
        )  # single letters are words too easily
        return sum(w in corpus_words for w in words) / max(1, len(words))

    first, last = samples[min(samples, key=int)], samples[max(samples, key=int)]
    assert real_word_share(first) <= 0.25
    assert real_word_share(last) >= 0.5


@claim(
    "predict-check-nudge.md",
    "GPT-3, the model that made everybody sit up in 2020, took about {= train.py:gpt3_ratio_billions:.0f =} billion times our run's arithmetic.[^gpt3]",
    "If a laptop did one run like ours every minute, it would need {= train.py:laptop_years:,.0f =} years to do that much.",
    "{= train.py:llama3_days:.0f =} days even with every card busy all the time.[^llama31]",
    "The biggest runs since take months, on some of the biggest computers on Earth.[^llama31]",
    "Training takes about 6 per weight for every token read.[^kaplan]",
)
def test_scale_against_gpt3(train_run):
    v = train_run.variables
    # what the run did: its steps, each on batch_size windows of block_size characters
    steps = len(v["history"]["loss"])
    assert (
        v["tokens_seen"] == steps * training.DEFAULT["batch_size"] * training.DEFAULT["block_size"]
    )
    # about 6 operations per weight per token (Kaplan et al. 2020), counted independently
    assert v["flops"] == pytest.approx(6 * v["n_params"] * v["tokens_seen"], rel=0.1)
    assert v["gpt3_flops_ratio"] > 1e9  # GPT-3 did over a billion times more arithmetic
    # "one run like ours every minute": years of minutes, to two significant digits
    assert v["laptop_years"] == pytest.approx(v["gpt3_flops_ratio"] / (60 * 24 * 365), rel=0.05)
    assert 2 < v["passes"] < 10  # it reads its training text a few times over
    assert v["llama3_days"] > 60  # months, even with every GPU busy all the time


@claim(
    "predict-check-nudge.md",
    "Not a mat in sight. Not even a word.",
    "As good as never. Random dials, random opinions.",
    "The random model never stops on its own, and its favourite next character tends to be one it has just read",
    "The cat, apparently, sat on the {= train.py:trained_top5.0.0 =}, at {= train.py:trained_top5.0.1:.1% =}: real odds, where the untrained model had as good as none.",
)
def test_trained_top5_differs_from_and_beats_untrained(train_run, corpus_words):
    untrained = train_run.variables["untrained_top5"]
    trained = train_run.variables["trained_top5"]
    assert {w for w, _ in untrained}.isdisjoint({w for w, _ in trained})
    assert sum(w in corpus_words for w, _ in trained) >= 4  # real words
    assert sum(w in corpus_words for w, _ in untrained) <= 1  # nonsense
    assert all(len(w) == 12 for w, _ in untrained)  # never ends: cut off at twelve letters
    assert all(len(set(w)) <= 2 for w, _ in untrained)  # the same letter or two, over and over
    assert all(p < 1e-10 for _, p in untrained)  # as good as never
    assert all(1e-4 < p < 0.2 for _, p in trained)  # real odds, not one in a billion billion


@claim(
    "text-becomes-numbers.md",
    "So a swap is three changes at once: at the same number of training steps, the BPE version reads about {= numbers_in_out.py:chars_per_token:.0f =} times the text, looks about {= numbers_in_out.py:chars_per_token:.0f =} times as far back, and has {= numbers_in_out.py:extra_weights:.0% =} more weights",
)
def test_a_bpe_version_of_the_model_is_three_changes_at_once(numbers_run):
    """The page: with a 512-token BPE vocabulary, a step reads about twice the text, the
    model sees about twice as far back, and it has some 17% more weights."""
    v = numbers_run.variables
    assert 1.7 < v["chars_per_token"] < 2.6
    # it sees as many tokens back, so about twice as many characters: what the output says
    assert v["looks_back"] == pytest.approx(v["block"] * v["chars_per_token"])
    assert 1.7 * v["block"] < v["looks_back"] < 2.6 * v["block"]
    looked_back = f"the model looks back about {v['looks_back']:.0f} characters, not {v['block']}"
    assert looked_back in numbers_run.stdout
    # only the table of token vectors grows: one row of n_embd numbers per extra token
    extra_rows = 512 - v["vocab_size"]
    assert v["bpe_params"] - v["n_params"] == extra_rows * training.DEFAULT["n_embd"]
    assert 0.1 < v["extra_weights"] < 0.25


@claim(
    "text-becomes-numbers.md",
    "The *shape* is how many numbers there are along each direction: one text, one id per character",
    "Now it's {= numbers_in_out.py:vectors_shape.2 =} numbers per character.",
    "A last step turns the scores into **probabilities**, odds for the next token that add up to 1",
)
def test_numbers_page_prints_the_shapes(numbers_run):
    out = numbers_run.stdout
    n = len(numbers_run.variables["prompt"])
    assert f"(1, {n})" in out and f"(1, {n}, {training.DEFAULT['n_embd']})" in out
    assert "adding up to 1.000" in out  # probabilities: the page says they add up to 1


# The command: one clear line on bad input, before any training.


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: (d / "empty.txt").write_text("  \n") and d / "empty.txt", "empty"),
        (
            lambda d: (
                (d / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
                and d / "latin1.txt"
            ),
            "not UTF-8",
        ),
        (
            lambda d: (d / "short.txt").write_text("too short to learn from") and d / "short.txt",
            "too short",
        ),
    ],
)
def test_train_bad_text(tmp_path, make, expected):
    line = one_line_error(run_script(TRAIN, "--text", make(tmp_path)))
    assert expected in line


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--steps", "0"], "at least 1"),
        (["--steps", "many"], "invalid int"),
        (["--device", "tpu"], "invalid choice"),
        (["--learning-rate", "1"], "unrecognized arguments"),
        (["--out", "snippets"], "is a folder"),
    ],
)
def test_train_bad_flags(args, expected):
    assert expected in one_line_error(run_script(TRAIN, *args))


def test_train_help():
    proc = run_script(TRAIN, "--help")
    assert proc.returncode == 0 and "--text" in proc.stdout and "--device" in proc.stdout
