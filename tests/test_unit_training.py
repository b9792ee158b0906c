"""snippets/training.py: batches, the learning-rate schedule, the loop (a small text's loss falls
well below its start), scoring, the optimiser's groups, saving and the browser export. Tiny models,
seconds."""

import bz2
import gzip
import json
import lzma
import math
import random
import struct

import pytest
import torch
import torch.nn.functional as F

import tiny
from tiny import one_thread  # noqa: F401  (autouse: one thread)

# isort: split
import training

TEXT = "".join(
    f"the cat sat on the mat. the dog sat on the log. {i % 7} cats, {i % 5} dogs.\n"
    for i in range(40)
)


# Batches.


def test_targets_are_the_inputs_shifted_by_one():
    data = torch.arange(100) * 3  # every value tells where it came from
    x, y = training.get_batch(data, 8, 32, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (32, 8)
    for row_x, row_y in zip(x, y):
        start = int(row_x[0]) // 3
        assert torch.equal(row_x, data[start : start + 8])  # a window of the text
        assert torch.equal(row_y, data[start + 1 : start + 9])  # the next token at each position


def test_every_window_can_be_drawn_and_no_other():
    data = torch.arange(12)
    starts = set()
    g = torch.Generator().manual_seed(1)
    for _ in range(50):
        x, y = training.get_batch(data, 8, 16, g)
        starts |= set(x[:, 0].tolist())
        assert int(y.max()) <= 11  # never past the end
    assert starts == {0, 1, 2, 3}  # the last window (3..11) included


def test_the_same_seed_draws_the_same_batches():
    data = torch.arange(500)
    a = training.get_batch(data, 8, 4, torch.Generator().manual_seed(7))
    b = training.get_batch(data, 8, 4, torch.Generator().manual_seed(7))
    c = training.get_batch(data, 8, 4, torch.Generator().manual_seed(8))
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])


def test_split_three_cuts_at_the_fractions_and_moves_the_test_start_to_a_paragraph():
    import random

    rng = random.Random(0)
    words = [rng.choice(["cat", "sat", "on", "the", "mat", "dog"]) for _ in range(3000)]
    flat = " ".join(words)  # no paragraphs at all: the cuts stay where the fractions put them
    tok = training.CharTokenizer.from_text(flat)
    train, val, test = training.split_three(flat, tok, 0.1, 0.2)
    assert len(val) == len(flat) - int(len(flat) * 0.9)
    assert len(test) == int(len(flat) * 0.9) - int(len(flat) * 0.7)
    assert len(train) == int(len(flat) * 0.7)
    # with paragraphs, the test text starts at the first paragraph after its fraction
    text = "\n\n".join(" ".join(words[i : i + 30]) for i in range(0, 3000, 30))
    tok = training.CharTokenizer.from_text(text)
    _, val, test = training.split_three(text, tok, 0.1, 0.2)
    test_text = tok.decode(test.tolist())
    start = text.index(test_text)
    assert text[start - 2 : start] == "\n\n" and start >= int(len(text) * 0.7)
    assert start + len(test_text) == len(text) - len(val)


def test_split_three_trains_on_no_paragraph_of_the_validation_or_test_text():
    # paragraphs 0..99, each its own words; the text repeats, early on, one paragraph of the
    # validation text (the last 10%) and one of the test text (the 10% before it)
    paragraphs = [f"paragraph {i} " + "abcdefgh"[i % 8] * 40 for i in range(100)]
    validation_one, test_one = paragraphs[95], paragraphs[85]
    text = "\n\n".join(paragraphs[:10] + [validation_one, test_one] + paragraphs[10:])
    tok = training.CharTokenizer.from_text(text)
    parts = [tok.decode(part.tolist()) for part in training.split_three(text, tok)]
    train, val, test = (set(part.split("\n\n")) for part in parts)
    assert validation_one in val and test_one in test  # where the fractions put them
    assert not train & val and not train & test and not val & test  # no paragraph in two parts
    # training keeps every other paragraph before the test text
    before = text[: text.rindex(parts[2])].split("\n\n")
    assert train - {""} == set(before) - {"", validation_one, test_one}


# The learning rate: a linear warmup, then a cosine decay.


def test_learning_rate_warms_up_then_decays_to_its_floor():
    s = dict(lr=1.0, min_lr=0.1, warmup=10, steps=110)
    assert training.lr_at(0, s) == pytest.approx(0.1)  # a tenth of the way up at the first step
    assert training.lr_at(4, s) == pytest.approx(0.5)
    assert training.lr_at(9, s) == pytest.approx(1.0)  # the top at the end of the warmup
    assert training.lr_at(10, s) == pytest.approx(1.0)
    assert training.lr_at(60, s) == pytest.approx(0.55)  # halfway down: halfway between
    assert training.lr_at(35, s) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi / 4)))
    assert training.lr_at(110, s) == pytest.approx(0.1)  # the floor at the last step
    rates = [training.lr_at(step, s) for step in range(10, 111)]
    assert all(a >= b for a, b in zip(rates, rates[1:]))


# The loop.


def train_small(steps=60, seed=1337, **kw):
    tok = training.CharTokenizer.from_text(TEXT)
    train_ids, val_ids = training.split(TEXT, tok)
    model = tiny.model(vocab_size=tok.vocab_size, block_size=16, n_layer=1, n_embd=32, spread=None)
    settings = dict(
        training.DEFAULT, steps=steps, batch_size=16, lr=1e-2, min_lr=1e-3, warmup=5, seed=seed
    )
    history = training.train(model, train_ids, val_ids, settings, **kw)
    return model, tok, train_ids, val_ids, history


@pytest.fixture(scope="module")
def trained():
    return train_small(eval_every=20)


def test_a_small_texts_loss_falls_well_below_its_start(trained):
    model, tok, _, _, history = trained
    start = history["loss"][0]
    assert start == pytest.approx(math.log(tok.vocab_size), abs=0.1)  # a know-nothing start
    # 60 steps take it under a fifth of that (0.12 here; without zeroing the gradients, 0.26)
    assert history["train"][-1] < 0.18 * start
    assert history["heldout"][-1] < 0.18 * start
    assert sum(history["loss"][-5:]) / 5 < 0.25 * start
    assert not model.training  # handed back ready to predict


def test_history_reports_at_every_eval_and_at_the_end(trained):
    model, _, train_ids, val_ids, history = trained
    assert len(history["loss"]) == 60
    assert history["step"] == [20, 40, 60]
    assert len(history["train"]) == len(history["heldout"]) == 3
    assert history["heldout"][0] > history["heldout"][-1]
    # the reports score the model as it is at that step, the same way for both texts
    assert history["train"][-1] == training.evaluate(model, train_ids, None, 8192)
    assert history["heldout"][-1] == training.evaluate(model, val_ids, None, 8192)


def test_an_uneven_step_count_still_reports_the_last_step():
    *_, history = train_small(steps=7, eval_every=3)
    assert history["step"] == [3, 6, 7]


def test_on_eval_is_called_at_each_report():
    seen = []
    train_small(steps=6, eval_every=2, on_eval=lambda s, h: seen.append(s))
    assert seen == [2, 4, 6]


def test_training_is_deterministic_and_the_seed_matters():
    a = train_small(steps=5)[-1]["loss"]
    b = train_small(steps=5)[-1]["loss"]
    c = train_small(steps=5, seed=1)[-1]["loss"]
    assert a == b and a != c


def test_each_step_follows_the_learning_rate_schedule(monkeypatch):
    rates = []
    step = torch.optim.AdamW.step

    def spy(self, *args, **kwargs):
        rates.append([group["lr"] for group in self.param_groups])
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", spy)
    train_small(steps=8, eval_every=8)
    settings = dict(training.DEFAULT, steps=8, lr=1e-2, min_lr=1e-3, warmup=5)
    assert rates == [[training.lr_at(s, settings)] * 2 for s in range(8)]


def test_gradients_are_clipped_to_norm_one(monkeypatch):
    norms = []
    clip = torch.nn.utils.clip_grad_norm_

    def spy(parameters, max_norm, *args, **kwargs):
        parameters = list(parameters)
        clip(parameters, max_norm, *args, **kwargs)
        norms.append(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in parameters])))

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    train_small(steps=3, eval_every=3)
    assert len(norms) == 3 and all(n <= 1.0 + 1e-5 for n in norms)


def test_weight_decay_on_matrices_only():
    model = tiny.model(spread=None)
    optimizer = training.make_optimizer(model, 0.01, 0.1)
    decay, no_decay = optimizer.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() == 2 for p in decay["params"]) and all(
        p.dim() == 1 for p in no_decay["params"]
    )
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))
    assert optimizer.defaults["lr"] == 0.01 and optimizer.defaults["betas"] == (0.9, 0.95)


# Scoring.


def bigram_model(vocab_size, block_size=8):
    """A model whose prediction depends only on the current token (no blocks, no positions), so the
    right score for a text can be computed here without any windows."""
    model = tiny.model(vocab_size=vocab_size, block_size=block_size, n_layer=0, spread=1.0)
    with torch.no_grad():
        model.wpe.weight.zero_()
    return model


def test_evaluate_is_the_mean_loss_over_the_scored_tokens():
    model = bigram_model(11)
    g = torch.Generator().manual_seed(2)
    data, context = torch.randint(11, (103,), generator=g), torch.randint(11, (40,), generator=g)
    before = torch.cat([context[-1:], data])[:-1]  # the token before each token of data
    with torch.no_grad():
        logits = model(before[:, None])[0][:, 0]
    per_token = F.cross_entropy(logits, data, reduction="none")
    # with context, every token of data is scored, the first one after the context's last
    assert training.evaluate(model, data, context) == pytest.approx(
        per_token.mean().item(), rel=1e-6
    )
    # without, the first block_size - block_size // 2 + 1 = 5 tokens are context only
    assert training.evaluate(model, data) == pytest.approx(per_token[5:].mean().item(), rel=1e-6)


def test_evaluate_gives_the_model_back_as_it_was():
    model = bigram_model(11)
    data = torch.randint(11, (50,), generator=torch.Generator().manual_seed(3))
    model.train()
    training.evaluate(model, data)
    assert model.training
    model.eval()
    training.evaluate(model, data)
    assert not model.training


def test_evaluate_max_tokens_scores_windows_spread_over_the_whole_text(monkeypatch):
    model = tiny.model(vocab_size=11, block_size=8)
    data = torch.randint(11, (1000,), generator=torch.Generator().manual_seed(4))
    scored = []
    cross_entropy = training.F.cross_entropy

    def spy(logits, targets, **kw):
        scored.append(targets)
        return cross_entropy(logits, targets, **kw)

    monkeypatch.setattr(training.F, "cross_entropy", spy)
    training.evaluate(model, data, max_tokens=100)
    targets = torch.cat(scored)
    count = int((targets != -100).sum())
    assert 100 <= count <= 150  # about that many (whole windows of 4)
    windows = targets.view(-1, 8)
    assert len(windows) == count // 4
    assert bool((windows[:, :4] == -100).all()) and bool((windows[:, 4:] != -100).all())


# What compressors manage on the same text, for comparison.


def test_compressors_pay_little_for_repeats_and_much_for_noise():
    rng = random.Random(0)
    train = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz .") for _ in range(20000))
    repeat = train[5000:7000]
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz .") for _ in range(2000))
    cheap = training.compressed_bits_per_char(train, repeat)
    dear = training.compressed_bits_per_char(train, noise)
    assert set(cheap) == set(dear) == {"gzip", "bz2", "xz"}
    for name in cheap:  # 28 equally likely characters: log2(28) = 4.8 bits each
        assert 4.5 < dear[name] < 6.5, name
    # already read: nearly free for the compressors that find repeats, cheaper for bz2
    assert cheap["gzip"] < 1.2 and cheap["xz"] < 1.2 and cheap["bz2"] < dear["bz2"] - 0.5
    # what each adds to the compressed training text, at its strongest setting (gzip -9, bz2 -9, xz -9e)
    strongest = {
        "gzip": lambda b: gzip.compress(b, 9),
        "bz2": lambda b: bz2.compress(b, 9),
        "xz": lambda b: lzma.compress(b, preset=9 | lzma.PRESET_EXTREME),
    }
    for name, compress in strongest.items():
        extra = len(compress((train + noise).encode())) - len(compress(train.encode()))
        assert dear[name] == pytest.approx(8 * extra / len(noise)), name


def test_flops_per_token_counts_six_per_multiplying_weight_plus_attention():
    model = tiny.model(vocab_size=65, block_size=32, n_layer=2, n_head=4, n_embd=96, spread=None)
    multiplying = model.num_params() - 32 * 96  # looking up a position multiplies nothing
    assert training.flops_per_token(model) == 6 * multiplying + 12 * 2 * 96 * 32


# Saving, loading, exporting.


def test_save_and_load_give_back_the_same_model(tmp_path, trained):
    model, tok, *_ = trained
    path = tmp_path / "new" / "folder" / "m.pt"  # folders made as needed
    training.save(path, model, tok, {"steps": 60}, TEXT, {"loss": [1.0]})
    loaded, loaded_tok, ckpt = training.load(path)
    assert loaded_tok.chars == tok.chars and not loaded.training
    idx = torch.tensor([tok.encode("the cat")])
    with torch.no_grad():
        assert torch.equal(loaded(idx)[0], model(idx)[0])
    assert ckpt["history"] == {"loss": [1.0]} and ckpt["settings"] == {"steps": 60}
    assert ckpt["key"] == training.fingerprint({"steps": 60}, TEXT)  # reused only if it matches
    assert [p.name for p in path.parent.iterdir()] == ["m.pt"]  # no temporary file left


def test_load_refuses_a_file_cut_short_or_not_a_checkpoint(tmp_path, trained):
    """One clear error (InputError), not a traceback: a file cut short, or a foreign one."""
    model, tok, *_ = trained
    path = tmp_path / "m.pt"
    training.save(path, model, tok, {"steps": 60}, TEXT)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(training.cli.InputError, match="not a checkpoint"):
        training.load(path)
    path.write_text("just text")
    with pytest.raises(training.cli.InputError, match="not a checkpoint"):
        training.load(path)


def test_load_unpickles_no_code(tmp_path, trained):
    """A checkpoint is read as weights only (torch.load's weights_only): a file that would run code
    or build arbitrary objects as it loads is refused, never unpickled."""
    model, tok, *_ = trained
    ckpt = training.checkpoint(model, tok, {"steps": 60})
    ckpt["settings"] = {"steps": 60, "made": random.Random(0)}  # any object not plain data
    torch.save(ckpt, tmp_path / "m.pt")
    with pytest.raises(training.cli.InputError, match="not a checkpoint"):
        training.load(tmp_path / "m.pt")


def test_the_same_settings_in_any_order_reuse_the_checkpoint():
    a = dict(training.DEFAULT)
    b = dict(reversed(list(a.items())))
    assert training.fingerprint(a, TEXT) == training.fingerprint(b, TEXT)
    assert training.fingerprint(a, TEXT) != training.fingerprint(dict(a, seed=1), TEXT)


def test_build_gives_the_same_weights_for_the_same_seed():
    tok = training.CharTokenizer.from_text(TEXT)
    settings = dict(training.DEFAULT, n_layer=1, n_embd=16, n_head=2, block_size=8)
    a, b = training.build(settings, tok), training.build(settings, tok)
    c = training.build(dict(settings, seed=1), tok)
    assert a.config.vocab_size == tok.vocab_size and a.config.block_size == 8
    assert a.config.n_layer == 1 and a.config.n_embd == 16 and a.config.n_head == 2
    assert torch.equal(a.wte.weight, b.wte.weight) and not torch.equal(a.wte.weight, c.wte.weight)


@pytest.mark.parametrize("extra", range(8))  # header lengths that leave every remainder mod 8
def test_the_browser_exports_header_is_padded_to_eight_bytes_with_spaces(tmp_path, extra):
    tok = training.CharTokenizer(list("abcdefgh")[: extra + 1])
    model = tiny.model(vocab_size=tok.vocab_size, n_layer=1, spread=None)
    training.export_for_browser(tmp_path / "m.safetensors", model, tok)
    blob = (tmp_path / "m.safetensors").read_bytes()
    (size,) = struct.unpack("<Q", blob[:8])
    header = blob[8 : 8 + size]
    assert size % 8 == 0 and len(header) - len(header.rstrip(b" ")) < 8
    json.loads(header)


def test_browser_export_is_safetensors_with_every_weight_once(tmp_path, trained):
    model, tok, *_ = trained
    path = tmp_path / "m.safetensors"
    training.export_for_browser(path, model, tok)
    blob = path.read_bytes()
    (size,) = struct.unpack("<Q", blob[:8])
    assert size % 8 == 0
    header = json.loads(blob[8 : 8 + size])
    meta = header.pop("__metadata__")
    assert json.loads(meta["chars"]) == tok.chars
    assert json.loads(meta["config"])["n_embd"] == model.config.n_embd
    state = model.state_dict()
    assert set(header) == set(state) - {"lm_head.weight"}  # tied: stored once
    end = 0
    for name, entry in header.items():
        start, stop = entry["data_offsets"]
        assert (
            start == end and entry["dtype"] == "F32" and entry["shape"] == list(state[name].shape)
        )
        numbers = torch.frombuffer(
            bytearray(blob[8 + size + start : 8 + size + stop]), dtype=torch.float32
        )
        assert torch.equal(numbers.view(state[name].shape), state[name].float())
        end = stop
    assert len(blob) == 8 + size + end


def test_alone_a_process_is_worker_zero_of_one():
    assert training.worker() == (0, 1)
    assert training.mean_over_workers(2.5) == 2.5
