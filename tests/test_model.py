"""The tiny GPT and its training: the claims of "Predict, check, nudge" and "Numbers in, numbers out",
checked against the run the pages show (no training here), plus the training command's bad input."""
import math
import re
import sys
from pathlib import Path

import pytest
import torch

from conftest import one_line_error, run_script

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
    return GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=2, n_head=2, n_embd=16))


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


def test_char_tokenizer_round_trips_and_refuses_unknown_characters(capsys):
    tok = training.CharTokenizer.from_text("hello world")
    assert tok.decode(tok.encode("low hello")) == "low hello"
    assert tok.vocab_size == len(set("hello world"))
    with pytest.raises(SystemExit) as e:
        tok.encode("hello, world")
    assert "','" in str(e.value)


def test_a_checkpoint_from_other_settings_is_not_reused():
    assert training.fingerprint(training.DEFAULT, "text") != training.fingerprint(dict(training.DEFAULT, steps=1), "text")
    assert training.fingerprint(training.DEFAULT, "text") != training.fingerprint(training.DEFAULT, "text!")


# The claims, against the recorded run of the page.

def test_loss_falls(train_run):
    history = train_run.variables["history"]
    uniform = math.log(train_run.variables["vocab_size"])  # a know-nothing guess, in nats
    assert history["heldout"][0] < 0.8 * uniform  # by the first report, far below guessing
    assert history["train"][-1] < 0.7 * history["train"][0]  # and falling from there
    assert history["heldout"][-1] < 0.7 * history["heldout"][0]
    assert history["heldout"][-1] == min(history["heldout"])


def test_one_nudge_is_weight_minus_step_times_gradient_and_it_helps(train_run):
    v = train_run.variables
    assert v["gradient"] != 0
    assert v["weight_after"] == pytest.approx(v["weight_before"] - v["step_size"] * v["gradient"], abs=1e-6)
    assert v["loss_after_step"] < v["loss_before_step"]


def test_heldout_bits_per_char_beat_gzip_measured_in_the_same_run(train_run):
    v = train_run.variables
    assert v["heldout_bpc"] < v["gzip_bpc"]
    if v["settings"]["seed"] == training.DEFAULT["seed"]:  # the default run, on any kernel path:
        assert v["margin_over_gzip"] >= 0.05              # clearly, not by a hair
    assert f"{v['heldout_bpc']:.3f}" in train_run.cells["compression"]["stdout"]


def test_samples_go_from_gibberish_to_words(train_run, corpus_words):
    samples = train_run.variables["samples"]
    prompt = train_run.variables["prompt"]

    def real_word_share(sample):
        words = re.findall(r"[A-Za-z]{2,}", sample[len(prompt):])  # single letters are words too easily
        return sum(w in corpus_words for w in words) / max(1, len(words))

    first, last = samples[min(samples, key=int)], samples[max(samples, key=int)]
    assert real_word_share(first) <= 0.25
    assert real_word_share(last) >= 0.5


def test_scale_against_gpt3(train_run):
    v = train_run.variables
    assert v["flops"] == training.flops_per_token(
        GPT(GPTConfig(vocab_size=v["vocab_size"], block_size=training.DEFAULT["block_size"],
                      n_layer=training.DEFAULT["n_layer"], n_head=training.DEFAULT["n_head"],
                      n_embd=training.DEFAULT["n_embd"]))) * v["tokens_seen"]
    assert v["gpt3_flops_ratio"] > 1e9  # GPT-3 did over a billion times more arithmetic


def test_trained_top5_differs_from_and_beats_untrained(train_run, corpus_words):
    untrained = train_run.variables["untrained_top5"]
    trained = train_run.variables["trained_top5"]
    assert {w for w, _ in untrained}.isdisjoint({w for w, _ in trained})
    assert sum(w in corpus_words for w, _ in trained) >= 4  # real words
    assert sum(w in corpus_words for w, _ in untrained) <= 1  # nonsense
    assert trained[0][1] > 10 * untrained[0][1]


def test_numbers_page_prints_the_shapes(numbers_run):
    out = numbers_run.stdout
    n = len(numbers_run.variables["prompt"])
    assert f"(1, {n})" in out and f"(1, {n}, {training.DEFAULT['n_embd']})" in out


# The command: one clear line on bad input, before any training.

@pytest.mark.parametrize("make, expected", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: (d / "empty.txt").write_text("  \n") and d / "empty.txt", "empty"),
    (lambda d: (d / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1")) and d / "latin1.txt", "not UTF-8"),
    (lambda d: (d / "short.txt").write_text("too short to learn from") and d / "short.txt", "too short"),
])
def test_train_bad_text(tmp_path, make, expected):
    line = one_line_error(run_script(TRAIN, "--text", make(tmp_path)))
    assert expected in line


@pytest.mark.parametrize("args, expected", [
    (["--steps", "0"], "at least 1"),
    (["--steps", "many"], "invalid int"),
    (["--device", "tpu"], "invalid choice"),
    (["--learning-rate", "1"], "unrecognized arguments"),
    (["--out", "snippets"], "is a folder"),
])
def test_train_bad_flags(args, expected):
    assert expected in one_line_error(run_script(TRAIN, *args))


def test_train_help():
    proc = run_script(TRAIN, "--help")
    assert proc.returncode == 0 and "--text" in proc.stdout and "--device" in proc.stdout
