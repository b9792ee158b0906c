"""Every number a page quotes from a run (`{= file.py:variable =}`) checked for what it is, not for
its type: a count of pieces is the number of pieces shown, a percentage is the counts it was made
from, a model's size is what its settings build, a loop's start is where the greedy text repeats.

Each quoted variable has a check in CHECKS, or a reason in NOT_CHECKED (a figure copied from a
source, or a measurement whose claim test lives elsewhere); a page that quotes a variable with
neither fails test_every_quoted_value_has_a_check, which says what to add.
"""

import difflib
import math
import re
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

from helpers import records  # noqa: E402 (hooks/records.py)

# the hook's marker (hooks/snippets.py NUMBER), in pages and in the diagrams they put inline
MARKER = re.compile(r"\{=\s*(?P<file>[\w./-]+\.py):(?P<path>[\w.\[\]-]+)(?::[^=}]*?)?\s*=\}")


def quoted():
    """{"file.py:path": [pages that quote it]}, from docs/*.md and docs/assets/diagrams/*.svg."""
    found = {}
    sources = sorted((ROOT / "docs").glob("*.md")) + sorted(
        (ROOT / "docs" / "assets" / "diagrams").glob("*.svg")
    )
    for source in sources:
        for match in MARKER.finditer(source.read_text(encoding="utf-8")):
            found.setdefault(key_of(match["file"], match["path"]), []).append(source.name)
    return found


def key_of(file, path):
    """One spelling for a marker's variable: a[-1] and a.-1 are the same."""
    parts = re.findall(r"[^.\[\]]+", path)
    return f"{file}:{'.'.join(parts)}"


def value_at(variables, path):
    """The value a marker shows: path "a.b.0" or "a[-1]", as the hook reads it."""
    value = variables
    for key in re.findall(r"[^.\[\]]+", path):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


CHECKS = {}


def check(*keys):
    """Register fn(variables, run) as the meaning check of these quoted variables."""

    def register(fn):
        for key in keys:
            CHECKS[key_of(*key.split(":", 1))] = fn
        return fn

    return register


def corpus():
    return cli.default_corpus()


def default_split():
    import training

    text = corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    return text, tokenizer, training.split_three(text, tokenizer)


# Chapter 1: strawberry.py


@check("strawberry.py:QUESTION", "strawberry.py:question_chars")
def _(v, run):
    assert v["QUESTION"] == "How many r's are in strawberry?"
    assert v["question_chars"] == len(v["QUESTION"])


@check(
    "strawberry.py:question_tokens",
    *(f"strawberry.py:question_ids.{i}" for i in range(8)),
    "strawberry.py:strawberry_id",
)
def _(v, run):
    import bpe_openai

    o200k = bpe_openai.get_encoding("o200k_base")
    assert v["question_ids"] == o200k.encode(v["QUESTION"])  # what GPT-4o receives
    assert v["question_tokens"] == len(v["question_ids"])
    assert o200k.decode([v["strawberry_id"]]) == " strawberry"


# Chapter 2: tokens.py and numbers_in_out.py


@check(
    "tokens.py:QUESTION",
    "tokens.py:n_tokens.o200k_base",
    *(f"tokens.py:question_ids.o200k_base.{i}" for i in range(8)),
)
def _(v, run):
    import bpe_openai

    ids = bpe_openai.get_encoding("o200k_base").encode(v["QUESTION"])
    assert v["QUESTION"] == run("strawberry.py").variables["QUESTION"]
    assert v["question_ids"]["o200k_base"] == ids
    assert v["n_tokens"]["o200k_base"] == len(ids) == len(v["splits"]["o200k_base"][v["QUESTION"]])


@check(*(f"tokens.py:question_pieces.o200k_base.{i}" for i in range(8)))
def _(v, run):
    import bpe_openai

    pieces = v["question_pieces"]["o200k_base"]
    ids = v["question_ids"]["o200k_base"]
    encoding = bpe_openai.get_encoding("o200k_base")
    assert len(pieces) == len(ids)  # one piece above each id
    for piece, token_id in zip(pieces, ids):  # each piece is what its id stands for
        assert piece.replace("·", " ") == encoding.decode([token_id])


@check("tokens.py:corpus_chars")
def _(v, run):
    assert v["corpus_chars"] == len(corpus())


@check("tokens.py:vocab_size", "tokens.py:merges")
def _(v, run):
    from tokenizers import Tokenizer

    ours = Tokenizer.from_file(str(ROOT / "_freeze" / "tokens" / "exports" / "tokenizer.json"))
    assert v["vocab_size"] == ours.get_vocab_size()
    assert v["merges"] == v["vocab_size"] - 256  # every token beyond the 256 bytes is a merge


@check("tokens.py:longest.0")
def _(v, run):
    longest = v["longest"][0]
    assert all(len(word) <= len(longest) for word in v["longest"])
    assert longest.strip("·") in corpus()  # a piece of the text it learned from


@check("tokens.py:strawberry_in_corpus")
def _(v, run):
    assert v["strawberry_in_corpus"] == corpus().count("strawberr")


@check(
    *(f"tokens.py:strawberry_split.{name}" for name in ("ours", "cl100k_base", "o200k_base")),
    "tokens.py:strawberry_tokens_ours",
    "tokens.py:strawberry_tokens_cl100k",
    "tokens.py:strawberry_tokens_o200k",
)
def _(v, run):
    short = {"ours": "ours", "cl100k_base": "cl100k", "o200k_base": "o200k"}
    for name, suffix in short.items():
        pieces = v["splits"][name]["strawberry"]
        assert "".join(pieces) == "strawberry"
        assert v["strawberry_split"][name] == "|".join(pieces)  # the pieces shown
        assert v[f"strawberry_tokens_{suffix}"] == len(pieces)  # and how many there are


@check("tokens.py:straw_berry_count", "tokens.py:n_tokenisers")
def _(v, run):
    # tokenisers that cut "strawberry" (with or without a space) into straw + berry, of those shown
    assert v["n_tokenisers"] == len(v["splits"]) == len(v["straw_berry"])
    cut = [
        name
        for name, split in v["splits"].items()
        if any(
            [p.strip() for p in split[word]] == ["straw", "berry"]
            for word in ("strawberry", " strawberry")
        )
    ]
    assert v["straw_berry_count"] == len(cut)


@check(
    "tokens.py:strawberry_id_cl100k",
    "tokens.py:strawberry_id_o200k",
    "tokens.py:vocab_sizes.cl100k_base",
    "tokens.py:vocab_sizes.o200k_base",
)
def _(v, run):
    import bpe_openai

    import tokenizer

    for name, key in (("cl100k_base", "cl100k"), ("o200k_base", "o200k")):
        encoding = bpe_openai.get_encoding(name)
        assert encoding.decode([v[f"strawberry_id_{key}"]]) == " strawberry"
        assert v["vocab_sizes"][name] == tokenizer.vocabulary_size(encoding)


@check("numbers_in_out.py:vocab_size", "train.py:vocab_size", "temperature.py:vocab_size")
def _(v, run):
    assert v["vocab_size"] == len(set(corpus()))  # one token per character of the text


@check("numbers_in_out.py:vectors_shape.2")
def _(v, run):
    import training

    assert v["vectors_shape"] == [1, len(v["prompt"]), training.DEFAULT["n_embd"]]


@check("numbers_in_out.py:chars_per_token", "numbers_in_out.py:extra_weights")
def _(v, run):
    import training

    assert 1 < v["chars_per_token"] < 5
    # only the table of token vectors grows: one row of n_embd numbers per extra token
    extra_rows = (v["bpe_params"] - v["n_params"]) / training.DEFAULT["n_embd"]
    assert extra_rows == int(extra_rows) and extra_rows > 0
    assert v["extra_weights"] == pytest.approx(v["bpe_params"] / v["n_params"] - 1)


# Chapter 3: train.py and data_parallel.py


@check("train.py:n_params")
def _(v, run):
    import training
    from gpt import GPT, GPTConfig

    d = training.DEFAULT
    config = GPTConfig(v["vocab_size"], d["block_size"], d["n_layer"], d["n_head"], d["n_embd"])
    assert v["n_params"] == GPT(config).num_params()  # what these settings build


@check("train.py:settings.steps", "train.py:settings.block_size", "train.py:settings.weight_decay")
def _(v, run):
    import training

    for key in ("steps", "block_size", "weight_decay"):
        assert v["settings"][key] == training.DEFAULT[key]
    assert len(v["history"]["loss"]) == v["settings"]["steps"]  # the steps the run took


@check("temperature.py:block")
def _(v, run):
    assert v["block"] == run("train.py").variables["settings"]["block_size"]


@check("train.py:uniform_bits")
def _(v, run):
    assert v["uniform_bits"] == pytest.approx(math.log2(v["vocab_size"]))


@check(
    "train.py:surprise.0.2",
    "train.py:surprise.3.2",
    "train.py:surprise.0.0",
    "train.py:surprise.3.0",
)
def _(v, run):
    # the page: "a right answer the model gave 90% costs ... bits; one it gave 1% costs ..."
    assert v["surprise"][0][0] == 0.9 and v["surprise"][3][0] == 0.01
    for chance, nats, bits in v["surprise"]:
        assert bits == pytest.approx(-math.log2(chance)) and nats == pytest.approx(
            -math.log(chance)
        )


@check("train.py:bits_before_step", "train.py:bits_after_step")
def _(v, run):
    # an untrained model: about as unsure as a uniform guess; one nudge later, a little less
    assert v["bits_before_step"] == pytest.approx(math.log2(v["vocab_size"]), abs=0.5)
    assert v["bits_after_step"] < v["bits_before_step"]
    # the same losses in bits, as printed, that PyTorch measured in nats
    assert v["bits_before_step"] == pytest.approx(v["loss_before_step"] / math.log(2))
    printed = run("train.py").cells["one_step"]["stdout"]
    assert f"{v['bits_before_step']:.4f} bits per character" in printed


@check("train.py:weight_before", "train.py:weight_after")
def _(v, run):
    # the singled-out dial before and after one plain nudge, as the one-step cell prints them
    printed = run("train.py").cells["one_step"]["stdout"]
    assert f"{v['weight_before']:+.6f}" in printed and f"{v['weight_after']:+.6f}" in printed
    assert f"weight - {v['step_size']} x gradient: {v['weight_after']:+.6f}" in printed
    assert v["weight_after"] == pytest.approx(
        v["weight_before"] - v["step_size"] * v["gradient"], abs=1e-6
    )


@check("train.py:col")
def _(v, run):
    # a place, from zero, in the list of numbers of the character the step singles out (the space)
    assert 0 <= v["col"] < v["settings"]["n_embd"] and v["char"] == " "
    shown = run("train.py").cells["one_step"]["stdout"]
    assert f"(dial {v['col']} of ' ')" in shown


@check("train.py:passes")
def _(v, run):
    _, _, (train_ids, _, _) = default_split()
    s = v["settings"]
    read = len(v["history"]["loss"]) * s["batch_size"] * s["block_size"]
    assert v["passes"] == pytest.approx(read / len(train_ids))


@check("train.py:n_val", "train.py:train_kb", "train.py:xz_train_kb")
def _(v, run):
    import lzma

    text, tokenizer, (train_ids, val_ids, _) = default_split()
    assert v["n_val"] == len(val_ids)
    train_text = tokenizer.decode(train_ids.tolist()).encode("utf-8")
    assert v["train_kb"] == pytest.approx(len(train_text) / 1000)
    xz = lzma.compress(train_text, preset=9 | lzma.PRESET_EXTREME)
    assert v["xz_train_kb"] == pytest.approx(len(xz) / 1000)


@check("train.py:overlap_before.1", "train.py:piece_sizes.0", "train.py:piece_sizes.1")
def _(v, run):
    # each share is of pieces of the size it is quoted with, as the run prints them
    printed = run("train.py").cells["overlap"]["stdout"]
    for size, before, after in zip(v["piece_sizes"], v["overlap_before"], v["overlap"]):
        assert f"{size:3d} characters long: {before:5.1%} of them before" in printed
        assert 0 <= after <= before <= 1


@check("train.py:settings.heldout_fraction", "train.py:settings.test_fraction")
def _(v, run):
    import training

    text, _, (_, val_ids, test_ids) = default_split()
    assert v["settings"]["heldout_fraction"] == training.DEFAULT["heldout_fraction"]
    assert v["settings"]["test_fraction"] == training.DEFAULT["test_fraction"]
    assert len(val_ids) == pytest.approx(v["settings"]["heldout_fraction"] * len(text), abs=1)
    assert len(test_ids) == pytest.approx(v["settings"]["test_fraction"] * len(text), rel=0.1)


@check("train.py:gzip_bpc", "train.py:bz2_bpc", "train.py:xz_bpc")
def _(v, run):
    import training

    text, tokenizer, (train_ids, val_ids, test_ids) = default_split()
    train_text = tokenizer.decode(train_ids.tolist())
    test_text = tokenizer.decode(test_ids.tolist())
    measured = training.compressed_bits_per_char(train_text, test_text)
    for name in ("gzip", "bz2", "xz"):  # each on the test text, after the training text
        assert v[f"{name}_bpc"] == pytest.approx(measured[name])


@check("train.py:test_bpc", "train.py:train_bpc")
def _(v, run):
    printed = run("train.py").cells["compression"]["stdout"]
    assert f"tiny GPT  {v['test_bpc']:.3f}" in printed
    assert f"scored the same way: {v['train_bpc']:.3f}" in printed
    # the last report of the curve scores the same text the same way
    assert v["history"]["train"][-1] / math.log(2) == pytest.approx(v["train_bpc"], abs=0.01)


@check("train.py:trained_top5.0.0", "train.py:trained_top5.0.1", "train.py:untrained_top5.0.1")
def _(v, run):
    for key in ("trained_top5", "untrained_top5"):
        probs = [p for _, p in v[key]]
        assert probs == sorted(probs, reverse=True)  # the first one is the favourite
    assert v["trained_top5"][0][0].isalpha()


@check("train.py:weights_kb")
def _(v, run):
    assert v["weights_kb"] == pytest.approx(4 * v["n_params"] / 1000)  # 32-bit numbers


@check("train.py:capacity_kb.0", "train.py:capacity_kb.1")
def _(v, run):
    # the page: what 2 to 3.6 bits a weight can hold
    assert v["capacity_kb"] == pytest.approx([bits * v["n_params"] / 8 / 1000 for bits in (2, 3.6)])


@check("train.py:gpt3_ratio_billions", "train.py:laptop_years")
def _(v, run):
    gpt3_flops = 3.14e23  # Brown et al. 2020, Table D.1
    ours = 6 * v["n_params"] * v["tokens_seen"]  # about 6 per weight per token
    assert v["gpt3_ratio_billions"] == pytest.approx(gpt3_flops / ours / 1e9, rel=0.1)
    assert v["laptop_years"] == pytest.approx(gpt3_flops / ours / (60 * 24 * 365), rel=0.1)


@check("train.py:llama3_vs_gpt3", "train.py:llama3_days")
def _(v, run):
    assert v["llama3_vs_gpt3"] == pytest.approx(3.8e25 / 3.14e23)  # both footnoted on the page
    assert v["llama3_days"] == pytest.approx(30.84e6 / 16_384 / 24)


@check("data_parallel.py:batch")
def _(v, run):
    import training

    # the batch the table's header counts in windows: the training recipe's batch of text stretches
    assert v["batch"] == training.DEFAULT["batch_size"]
    compare = run("data_parallel.py").cells["compare"]["stdout"]
    assert f"1 worker, {v['batch']} windows" in "".join(compare)


@check("data_parallel.py:largest_difference")
def _(v, run):
    biggest = max(abs(a - b) for a, b in zip(v["one"], v["two"]))
    assert v["largest_difference"] == pytest.approx(biggest)
    assert 0 < biggest < 1e-4  # rounding noise, not a different run


# Chapter 4: temperature.py


@check("temperature.py:cats_in_text")
def _(v, run):
    assert v["cats_in_text"] == len(re.findall(r"\bcats?\b", corpus(), flags=re.IGNORECASE))


@check("temperature.py:words_after_the.0.0", "temperature.py:words_after_the.1.0")
def _(v, run):
    from collections import Counter

    # the commonest words right after "the " in the manual, commonest first
    counted = Counter(re.findall(r"\bthe ([a-z]+)", corpus())).most_common(2)
    assert [word for word, _ in v["words_after_the"][:2]] == [word for word, _ in counted]


@check("temperature.py:labels.0", "temperature.py:labels.1")
def _(v, run):
    import training

    # the characters the model gives the highest odds after the prompt, highest first
    chars = training.CharTokenizer.from_text(corpus()).chars
    ranked = sorted(range(len(v["probs"])), key=lambda i: -v["probs"][i])
    assert v["labels"][:2] == [chars[i] for i in ranked[:2]]


@check("temperature.py:distance_to_text", "temperature.py:distance_uniform")
def _(v, run):
    probs, in_text = v["probs"], v["in_text"]
    assert len(probs) == len(in_text) == v["vocab_size"]
    assert v["distance_to_text"] == pytest.approx(
        0.5 * sum(abs(p - q) for p, q in zip(probs, in_text))
    )
    uniform = 1 / v["vocab_size"]
    assert v["distance_uniform"] == pytest.approx(0.5 * sum(abs(uniform - q) for q in in_text))
    assert 0 <= v["distance_to_text"] <= 1 and 0 <= v["distance_uniform"] <= 1  # as the page says


@check("temperature.py:distance_word_start")
def _(v, run):
    from collections import Counter

    import training

    # how any word starts: the character after a space that follows a lowercase word
    chars = training.CharTokenizer.from_text(corpus()).chars
    after = Counter(m[1] for m in re.finditer(r"\b[a-z]+ (?=(.))", corpus()))
    word_start = [after[ch] / after.total() for ch in chars]
    assert v["word_start"] == pytest.approx(word_start)
    assert v["distance_word_start"] == pytest.approx(
        0.5 * sum(abs(p - q) for p, q in zip(word_start, v["in_text"]))
    )
    assert 0 <= v["distance_word_start"] <= 1  # "It runs from 0 to 1"


@check("temperature.py:k", "temperature.py:new_chars")
def _(v, run):
    shown = run("temperature.py").cells["topk"]["stdout"]
    assert f"top {v['k']} only" in shown  # the shortlist the page names
    assert len(v["new_ids"]) == v["new_chars"]  # the characters each sample adds
    for text in v["samples_at"].values():
        assert len(text) == len(v["prompt"]) + v["new_chars"]


@check("temperature.py:loop_start", "temperature.py:loop_length")
def _(v, run):
    new = v["greedy_ids"][len(v["ids"]) :]
    start, period = v["loop_start"], v["loop_length"]
    assert all(new[i] == new[i + period] for i in range(start, len(new) - period))  # it repeats
    assert start == 0 or new[start - 1] != new[start - 1 + period]  # from there, not before
    assert not any(  # and no shorter stretch repeats
        all(new[i] == new[i + p] for i in range(start, len(new) - p)) for p in range(1, period)
    )


@check("temperature.py:long_shots_all", "temperature.py:long_shots_top5")
def _(v, run):
    shown = run("temperature.py").cells["topk"]["stdout"]
    new = len(v["new_ids"])
    assert f"{v['long_shots_all']} of {new} with every character allowed" in shown
    assert f"{v['long_shots_top5']} of {new} with top 5 only" in shown


# Chapter 5: facts.py


@check("facts.py:fact_count", "facts.py:most_times", "facts.py:fewest_times", "facts.py:times.16")
def _(v, run):
    times = v["times"]
    assert v["fact_count"] == len(times)
    assert v["most_times"] == max(times.values()) and v["fewest_times"] == min(times.values())


@check("facts.py:BANDS.0.0", "facts.py:BANDS.0.1", "facts.py:BANDS.3.0")
def _(v, run):
    # the bands of how often a fact is stated: side by side, from the rarest fact to the commonest
    bands = v["BANDS"]
    assert bands[0][0] == v["fewest_times"] and bands[-1][1] == v["most_times"]
    assert all(a[1] + 1 == b[0] for a, b in zip(bands, bands[1:]))


@check(
    "facts.py:frequent_right",
    "facts.py:frequent_n",
    "facts.py:rare_right",
    "facts.py:rare_n",
    "facts.py:control_right",
    "facts.py:control_n",
)
def _(v, run):
    for name in ("frequent", "rare", "control"):
        assert v[f"{name}_right"] == sum(v[name]) and v[f"{name}_n"] == len(v[name])


@check("facts.py:several_total", "facts.py:one_total", "facts.py:one_read_total", "facts.py:test_n")
def _(v, run):
    assert v["several_total"] == sum(v["held"].values())
    assert v["one_total"] == sum(v["held_one"].values())
    assert v["one_read_total"] == sum(v["read_one_ok"].values())
    assert v["test_n"] == len(v["held"]) == len(v["held_one"])


@check("facts.py:confidence.right", "facts.py:confidence.wrong", "facts.py:right_words")
def _(v, run):
    for kind, ps in v["guesses"].items():
        assert v["confidence"][kind] == pytest.approx(statistics.median(ps))
    assert v["right_words"] == len(v["guesses"]["right"])


@check("facts.py:stories_ok", "facts.py:code_ok", "facts.py:shuffled_ok", "facts.py:shape_n")
def _(v, run):
    trained = v["shapes"]["trained"]
    assert v["stories_ok"] == sum(trained["stories"]) and v["code_ok"] == sum(trained["code"])
    assert v["shuffled_ok"] == sum(trained["shuffled"])
    assert v["shape_n"] == len(v["story_prompts"]) == len(trained["stories"])


@check("facts.py:settings.heldout_fraction")
def _(v, run):
    import corpus as facts_corpus
    import training

    # the facts model trains on the text less its last heldout_fraction (corpus.pretrained)
    assert v["settings"]["heldout_fraction"] == facts_corpus.SETTINGS["heldout_fraction"]
    text = facts_corpus.make_corpus(facts_corpus.SETTINGS["seed"])
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, held_ids = training.split(text, tokenizer, v["settings"]["heldout_fraction"])
    assert len(held_ids) == pytest.approx(v["settings"]["heldout_fraction"] * len(text), abs=1)
    assert len(train_ids) + len(held_ids) == len(text)


@check(
    "facts.py:weights",
    "facts.py:settings.n_layer",
    "facts.py:settings.n_embd",
    "facts.py:settings.block_size",
)
def _(v, run):
    import corpus as facts_corpus
    from gpt import GPT, GPTConfig

    s = v["settings"]
    assert s == facts_corpus.SETTINGS
    shown = re.search(
        rf"{v['weights']:,} weights in {s['n_layer']} blocks, (\d+) ", run("facts.py").stdout
    )
    assert shown, "the run prints the model's size"
    config = GPTConfig(int(shown[1]), s["block_size"], s["n_layer"], s["n_head"], s["n_embd"])
    assert v["weights"] == GPT(config).num_params()  # what these settings build


# Chapter 6: compress_paragraph.py, inside.py, scaling.py, sudden_skill.py


@check(
    "compress_paragraph.py:model_rate",
    "compress_paragraph.py:payload_rate",
    "compress_paragraph.py:payload_bytes",
    "compress_paragraph.py:model_bits",
    "compress_paragraph.py:best_other",
    "compress_paragraph.py:best_other_rate",
    "compress_paragraph.py:xz_primed_rate",
)
def _(v, run):
    import arithmetic_coding

    original = len(v["paragraph"].encode("utf-8"))
    assert v["original_bytes"] == original
    assert v["payload_rate"] == pytest.approx(v["payload_bytes"] / original)
    assert v["model_rate"] == pytest.approx(
        (v["payload_bytes"] + arithmetic_coding.HEADER.size) / original
    )
    assert -0.5 <= v["payload_bytes"] - v["model_bits"] / 8 <= 2  # "within a byte or two"
    assert v["best_other"] == min(v["others"], key=v["others"].get)
    assert v["best_other_rate"] == pytest.approx(v["others"][v["best_other"]] / original)
    assert v["xz_primed_rate"] == pytest.approx(v["xz_primed"] / original)


@check("compress_paragraph.py:model_bytes", "compress_paragraph.py:counted_rate")
def _(v, run):
    assert v["model_bytes"] == 4 * run("train.py").variables["n_params"]  # our model, 32-bit
    assert v["counted_rate"] == pytest.approx(
        (v["test_compressed"] + v["model_bytes"]) / v["test_bytes"]
    )


@check(
    "compress_paragraph.py:flips",
    "compress_paragraph.py:refused",
    "compress_paragraph.py:same_text",
    "compress_paragraph.py:wrong_text",
)
def _(v, run):
    import arithmetic_coding

    assert v["flips"] % 8 == 0 and v["flips"] > 8 * arithmetic_coding.HEADER.size  # every bit
    assert v["refused"] + v["same_text"] + v["wrong_text"] == v["flips"]
    assert v["same_text"] == len(v["harmless_bits"])


@check(
    "compress_paragraph.py:raw_rate",
    "compress_paragraph.py:gzip_test_rate",
    "compress_paragraph.py:xz_test_rate",
)
def _(v, run):
    import gzip
    import lzma

    data = v["test_text"].encode("utf-8")
    assert v["test_bytes"] == len(data)
    # the model's cost in bits is chapter 3's score of the same model on the same test text (its
    # record: a fresh train.py is a long demo; the margin leaves room for another CPU's digits)
    assert v["test_bits_per_char"] == pytest.approx(
        records.recorded("train.py").variables["test_bpc"], abs=0.01
    )
    assert v["test_compressed"] == pytest.approx(v["test_bits_per_char"] * len(v["test_text"]) / 8)
    assert v["raw_rate"] == pytest.approx(v["test_compressed"] / len(data))
    assert v["gzip_test_rate"] == pytest.approx(len(gzip.compress(data, 9)) / len(data))
    xz = lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)
    assert v["xz_test_rate"] == pytest.approx(len(xz) / len(data))


@check(
    "inside.py:intact",
    "inside.py:without_previous",
    "inside.py:without_induction",
    "inside.py:without_others",
)
def _(v, run):
    knocked_out = {
        "intact": "nothing",
        "without_previous": "the previous-token heads",
        "without_induction": "the induction heads",
        "without_others": "all the other heads",
    }
    for name, heads in knocked_out.items():  # the share of tokens copied right
        assert v[name] == pytest.approx(v["knockout"][heads][0] / v["tokens_total"])


@check(
    "inside.py:toy_prev_head",
    "inside.py:toy_prev_score",
    "inside.py:toy_induction_score",
    "inside.py:lm_prev_head",
    "inside.py:lm_prev_score",
    "inside.py:lm_induction_score",
)
def _(v, run):
    for kind in ("toy", "lm"):
        scores = v[f"{kind}_scores"]
        prev = max(scores, key=lambda h: scores[h][0])  # the head that attends most to the last one
        assert v[f"{kind}_prev_head"] == prev
        assert v[f"{kind}_prev_score"] == pytest.approx(scores[prev][0])
        assert v[f"{kind}_induction_score"] == pytest.approx(scores[v[f"{kind}_induction_head"]][1])


@check("inside.py:even_prev_score")
def _(v, run):
    # attention spread evenly over what came before: 1/t on the previous token, averaged
    n = 2 * v["lm_half"]
    assert v["even_prev_score"] == pytest.approx(sum(1 / t for t in range(2, n + 1)) / (n - 1))


@check("inside.py:lm_layers")
def _(v, run):
    assert v["lm_layers"] == run("train.py").variables["settings"]["n_layer"]  # chapter 3's model


@check("inside.py:lm_chance")
def _(v, run):
    assert v["lm_chance"] == pytest.approx(math.log2(len(set(corpus()))))  # in bits


@check("inside.py:space_share", "inside.py:space_head", "inside.py:space_attention")
def _(v, run):
    assert v["space_share"] == pytest.approx(sum(v["is_space"]) / len(v["is_space"]))
    assert sum(v["is_space"]) == v["sentence"].count(" ")
    layer, head = map(int, v["space_head"].split("."))
    assert v["space_attention"] == pytest.approx(v["on_spaces"][layer][head])
    assert v["space_attention"] == pytest.approx(max(max(row) for row in v["on_spaces"]))


@check(
    "scaling.py:params[-1]",
    "scaling.py:size_ratio",
    "scaling.py:decades",
    "scaling.py:loss_cut",
    "scaling.py:largest_gap",
)
def _(v, run):
    params = v["params"]
    assert params == sorted(params)
    assert v["size_ratio"] == pytest.approx(params[-1] / params[0])
    assert v["decades"] == pytest.approx(math.log10(params[-1] / params[0]))
    assert v["loss_cut"] == pytest.approx(1 - v["test_losses"][-1] / v["test_losses"][0])
    gaps = [abs(a - b) for a, b in zip(v["train_losses"], v["test_losses"])]
    assert v["largest_gap"] == pytest.approx(max(gaps))


@check("scaling.py:steps")
def _(v, run):
    assert v["characters_seen"] == v["steps"] * v["batch_size"] * v["block_size"]


@check("scaling.py:reads_per_parameter[0]", "scaling.py:reads_per_parameter[-1]")
def _(v, run):
    for reads, n in zip(v["reads_per_parameter"], v["params"]):
        assert reads == pytest.approx(v["characters_seen"] / n)


@check(
    "scaling.py:power_miss",
    "scaling.py:floor_miss",
    "scaling.py:log_miss",
    "scaling.py:alpha",
    "scaling.py:floor",
    "scaling.py:n_fit",
)
def _(v, run):
    assert [v["power_miss"], v["floor_miss"], v["log_miss"]] == list(v["worst_miss"].values())
    for name, errors in v["prediction_error"].items():  # the worst miss on the held-back sizes
        assert v["worst_miss"][name] == pytest.approx(max(abs(e) for e in errors))
        assert len(errors) == len(v["params"]) - v["n_fit"]
    assert v["alpha"] == v["fitted"]["power law"][0]
    assert v["floor"] == v["fitted"]["floor + power law"][1]


@check("sudden_skill.py:SEGMENT_LEN", "sudden_skill.py:SEQ_LEN", "sudden_skill.py:VOCAB_SIZE")
def _(v, run):
    import induction

    assert (v["SEGMENT_LEN"], v["SEQ_LEN"], v["VOCAB_SIZE"]) == (
        induction.SEGMENT_LEN,
        induction.SEQ_LEN,
        induction.VOCAB_SIZE,
    )
    # the example shown: a window of SEQ_LEN tokens and the one after it, with the segment twice
    tokens, segment = v["tokens"], v["segment"]
    assert len(segment) == v["SEGMENT_LEN"] and len(tokens) == v["SEQ_LEN"] + 1
    assert max(tokens) < v["VOCAB_SIZE"]
    starts = [i for i in range(len(tokens)) if tokens[i : i + len(segment)] == segment]
    assert len(starts) == 2


@check("sudden_skill.py:chance")
def _(v, run):
    assert v["chance"] == pytest.approx(math.log2(v["VOCAB_SIZE"]))  # a blind guess, in bits


@check(
    "sudden_skill.py:one_usual",
    "sudden_skill.py:one_near",
    "sudden_skill.py:one_far",
    "sudden_skill.py:two_usual",
    "sudden_skill.py:two_near",
    "sudden_skill.py:two_far",
)
def _(v, run):
    for name, (right, total, *_) in v["tested"].items():
        assert v["share"][name] == pytest.approx(right / total)
    for layers, key in (("1 layer", "one"), ("2 layers", "two")):
        for where, short in (("usual", "usual"), ("nearer", "near"), ("further", "far")):
            assert v[f"{key}_{short}"] == v["share"][f"{layers}, {where}"]


@check(
    "sudden_skill.py:drop_start",
    "sudden_skill.py:drop_end",
    "sudden_skill.py:drop_from",
    "sudden_skill.py:drop_to",
)
def _(v, run):
    at, loss = v["measured_at"], v["loss_2layer"]
    i = at.index(v["drop_start"])
    assert v["drop_from"] == loss[i] and v["drop_to"] == loss[at.index(v["drop_end"])]
    assert v["drop_end"] - v["drop_start"] == v["window"]
    # the sharpest drop over any window of that length
    w = v["per_window"]
    assert v["drop_to"] / v["drop_from"] == pytest.approx(
        min(loss[j + w] / loss[j] for j in range(len(loss) - w))
    )
    assert v["ratio_2layer"] == pytest.approx(v["drop_to"] / v["drop_from"])


@check("sudden_skill.py:one_whole", "sudden_skill.py:two_whole")
def _(v, run):
    # whole copies right on the fresh test's usual copies: copies right over copies
    for layers, key in (("1 layer", "one"), ("2 layers", "two")):
        right, total, whole, copies = v["tested"][f"{layers}, usual"]
        assert v[f"{key}_whole"] == pytest.approx(whole / copies)


@check("sudden_skill.py:ratio_1layer")
def _(v, run):
    loss, w = v["loss_1layer"], v["per_window"]
    assert v["ratio_1layer"] == pytest.approx(
        min(loss[j + w] / loss[j] for j in range(len(loss) - w))
    )


# Chapter 7: autocomplete.py


@check("autocomplete.py:answered_share")
def _(v, run):
    assert v["answered_share"] == pytest.approx(
        v["after_question"]["its answer"] / v["question_lines"]
    )
    assert sum(v["after_question"].values()) == v["question_lines"]


@check("autocomplete.py:conversation_n", "autocomplete.py:dont_know_n")
def _(v, run):
    assert v["dont_know_n"] == len(v["dont_know"])
    assert all("don't know" in conversation for conversation in v["dont_know"])
    shown = run("autocomplete.py").stdout
    assert f"{v['conversation_n']:,} conversations ({v['dont_know_n']} of them" in shown


@check("autocomplete.py:flops_per_char", "autocomplete.py:compute_share")
def _(v, run):
    import corpus as facts_corpus

    assert v["compute_share"] == pytest.approx(v["posttraining_flops"] / v["pretraining_flops"])
    post, pre = v["posttraining"], facts_corpus.SETTINGS
    assert v["characters_per_step"] == post["batch_size"] * post["block_size"]
    assert v["posttraining_flops"] == v["flops_per_char"] * post["steps"] * v["characters_per_step"]
    assert v["pretraining_flops"] == v["flops_per_char"] * pre["steps"] * v["characters_per_step"]
    # about 6 operations per weight per character (Kaplan et al. 2020)
    assert v["flops_per_char"] == pytest.approx(6 * run("facts.py").variables["weights"], rel=0.15)


@check(
    "autocomplete.py:right_known_count",
    "autocomplete.py:right_unknown_count",
    "autocomplete.py:known_asked",
    "autocomplete.py:unknown_asked",
    "autocomplete.py:facts_before",
    "autocomplete.py:facts_after",
    "autocomplete.py:facts_n",
    "autocomplete.py:known_facts",
    "autocomplete.py:ways_asked",
)
def _(v, run):
    assert v["right_known_count"] == sum(v["right_known"]) and v["known_asked"] == len(
        v["right_known"]
    )
    assert v["right_unknown_count"] == sum(v["right_unknown"])
    assert v["unknown_asked"] == len(v["right_unknown"])
    assert v["facts_before"] == sum(v["knew_before"]) and v["facts_after"] == sum(v["knew_after"])
    assert v["facts_n"] == len(v["knew_before"]) == len(v["knew_after"])
    assert v["known_asked"] == v["known_facts"] * v["ways_asked"]  # each known fact, every way


@check(
    "autocomplete.py:shaped_before",
    "autocomplete.py:shaped_after",
    "autocomplete.py:chat_questions",
)
def _(v, run):
    assert v["chat_questions"] == len(v["as_chat"]) == len(v["before_chat"]) == len(v["after_chat"])
    assert (
        0 <= v["shaped_before"] <= v["chat_questions"]
        and 0 <= v["shaped_after"] <= v["chat_questions"]
    )


@check(
    "autocomplete.py:rates.before_chat.right",
    "autocomplete.py:rates.before_chat.wrong",
    "autocomplete.py:rates.after_chat.right",
    "autocomplete.py:rates.after_chat.wrong",
    "autocomplete.py:named_before",
    "autocomplete.py:no_answer_before",
    "autocomplete.py:no_answer_after",
)
def _(v, run):
    for name in ("before_chat", "after_chat"):  # the share of each kind of reply, over all of them
        kinds = [kind for _, kind in v[name]]
        for kind, rate in v["rates"][name].items():
            assert rate == pytest.approx(kinds.count(kind) / len(kinds))
    # the page's before/after table: the share of chat replies that answer nothing
    assert v["no_answer_before"] == v["rates"]["before_chat"]["no answer"]
    assert v["no_answer_after"] == v["rates"]["after_chat"]["no answer"]
    # a city named, right or wrong
    assert v["named_before"] == pytest.approx(
        v["rates"]["before_chat"]["right"] + v["rates"]["before_chat"]["wrong"]
    )


@check(
    "autocomplete.py:countries_asked",
    "autocomplete.py:text_questions",
    "autocomplete.py:never_countries",
    "autocomplete.py:never_questions",
)
def _(v, run):
    import corpus as facts_corpus

    # half of chapter 5's test countries, each once as a quiz line and ways_asked ways in chat;
    # the countries whose capitals the web never gives, ways_asked ways each
    assert v["countries_asked"] == len(facts_corpus.CHAT_TEST) == len(v["known"])
    assert set(facts_corpus.CHAT_TEST) < set(facts_corpus.TEST)
    assert v["text_questions"] == len(v["as_text"]) == v["countries_asked"]
    assert v["chat_questions"] == v["countries_asked"] * v["ways_asked"]
    assert v["never_countries"] == len(facts_corpus.UNKNOWN_TEST)
    assert set(map(tuple, facts_corpus.UNKNOWN_TEST)) <= set(facts_corpus.NEVER_WRITTEN)
    assert v["never_questions"] == len(v["never"]) == v["never_countries"] * v["ways_asked"]


@check(
    "autocomplete.py:named_before_count",
    "autocomplete.py:counts.before_chat.right",
    "autocomplete.py:counts.before_chat.wrong",
    "autocomplete.py:counts.before_chat.dont_know",
    "autocomplete.py:counts.before_chat.no_answer",
    "autocomplete.py:counts.after_chat.right",
    "autocomplete.py:counts.after_chat.wrong",
    "autocomplete.py:counts.after_chat.dont_know",
    "autocomplete.py:counts.after_chat.no_answer",
    "autocomplete.py:counts.after_never.wrong",
    "autocomplete.py:counts.after_never.dont_know",
)
def _(v, run):
    # each count is the replies of that kind among that set's replies, as its table prints it
    names = {
        "right": "right",
        "wrong": "wrong",
        "dont_know": "I don't know",
        "no_answer": "no answer",
    }
    for name in ("before_chat", "after_chat", "before_never", "after_never"):
        kinds = [kind for _, kind in v[name]]
        assert v["counts"][name] == {short: kinds.count(kind) for short, kind in names.items()}
        assert sum(v["counts"][name].values()) == len(kinds)
    assert v["named_before_count"] == sum(
        kind in ("right", "wrong") for _, kind in v["before_chat"]
    )
    shown = run("autocomplete.py").cells
    for kind, short in [(kind, short) for short, kind in names.items()]:
        before, after = v["counts"]["before_chat"][short], v["counts"]["after_chat"][short]
        n = v["chat_questions"]
        assert f"| {kind} | {before} of {n} | {after} of {n} |" in shown["after"]["stdout"]


@check("autocomplete.py:invented", "autocomplete.py:idk_never")
def _(v, run):
    kinds = [kind for _, kind in v["after_never"]]
    assert v["invented"] == pytest.approx(kinds.count("wrong") / len(kinds))
    assert v["idk_never"] == kinds.count("I don't know")


@check(
    "autocomplete.py:before_text.2.0",
    "autocomplete.py:before_chat.0.0",
    "autocomplete.py:after_chat.0.0",
    "autocomplete.py:before_chat.9.0",
    "autocomplete.py:after_chat.9.0",
    "autocomplete.py:before_chat.12.0",
    "autocomplete.py:after_chat.12.0",
    "autocomplete.py:before_never.0.0",
    "autocomplete.py:after_never.0.0",
)
def _(v, run):
    # the page's example replies: each to the question the page types next to it
    assert v["as_text"][2][0] == "what is the capital of Australia?\n"
    asked = {0: "Germany", 9: "Turkey", 12: "Sweden"}
    for i, country in asked.items():
        assert v["as_chat"][i][0] == f"User: What's the capital of {country}?\nAssistant:"
    assert v["never"][0][0] == "User: What's the capital of Lithuania?\nAssistant:"
    # what the replies are holds for the recorded run the page shows ("in this run"); a fresh run
    # may change a reply or two (the page says so)
    recorded = records.recorded("autocomplete.py")
    if recorded is None or v != recorded.variables:
        return
    # "the quiz's next question"
    assert v["before_text"][2] == ["what is the capital of Canada?", "no answer"]
    assert v["before_chat"][0][1] == "no answer"  # "nothing tells it that an answer is wanted"
    # the reply table: Germany right after, Turkey wrong after, Sweden right before and not after
    # ("lost a few capitals it used to write, Sweden's among them"), Lithuania wrong after
    assert v["after_chat"][0][1] == "right" and v["after_chat"][9][1] == "wrong"
    assert v["before_chat"][12][1] == "right" and v["after_chat"][12][1] != "right"
    assert all(kind != "right" for _, kind in v["after_chat"][12:15])
    assert v["after_never"][0][1] == "wrong"
    # "In this run, the right answers it gives afterwards are all about capitals it could
    # already state when chapter 5 tested it"
    assert v["right_unknown_count"] == 0
    assert v["right_known_count"] == v["counts"]["after_chat"]["right"]


@check("autocomplete.py:unknown_taught")
def _(v, run):
    import corpus as facts_corpus

    assert v["unknown_taught"] == len(facts_corpus.UNKNOWN_TAUGHT)


@check(
    "learn_as_it_reads.py:stopped_bpc",
    "learn_as_it_reads.py:xz_bpc",
    "learn_as_it_reads.py:bz2_bpc",
)
def _(v, run):
    # the frozen model and the compressors on the same test text, after the same training
    # text, as chapter 3's train.py scores them ("train.py prints the same number")
    trained = run("train.py").variables
    assert v["stopped_bpc"] == pytest.approx(trained["test_bpc"], abs=1e-6)
    for name in ("xz", "bz2"):
        assert v[f"{name}_bpc"] == pytest.approx(trained[f"{name}_bpc"])


@check("learn_as_it_reads.py:learning_bpc")
def _(v, run):
    # the whole file, header included, over every character of the test text
    _, tokenizer, (_, _, test_ids) = default_split()
    assert v["n_test"] == len(tokenizer.decode(test_ids.tolist()))
    assert v["round_trip_exact"] is True
    assert v["file_bytes"] > v["header_bytes"]
    assert v["learning_bpc"] * v["n_test"] / 8 == pytest.approx(v["file_bytes"])
    printed = run("learn_as_it_reads.py").cells["learning"]["stdout"]
    assert f"a file of {v['file_bytes']:,} bytes, {v['header_bytes']} of them header" in printed


NOT_CHECKED = {
    "compress_paragraph.py:paper_gzip": "a figure from a paper, footnoted on the page",
    "compress_paragraph.py:paper_model_raw": "a figure from a paper, footnoted on the page",
    "compress_paragraph.py:paper_model_gb": "a figure from a paper, footnoted on the page",
    "scaling.py:kaplan_alpha": "Kaplan et al.'s exponent, footnoted on the page",
    "sudden_skill.py:new_segment": "a setting of the demo, printed in its output",
    "sudden_skill.py:loss_onset": "a measurement: test_scaling.py / test_induction.py check its claim",
    "sudden_skill.py:accuracy_onset": "a measurement: test_induction.py checks its claim",
    "sudden_skill.py:whole_onset": "a measurement: test_induction.py checks its claim",
    "inside.py:toy_first": "a measured loss: test_induction.py checks the drop it shows",
    "inside.py:toy_second": "a measured loss: test_induction.py checks the drop it shows",
    "inside.py:lm_first": "a measured loss: test_induction.py checks its claim",
    "inside.py:lm_second": "a measured loss: test_induction.py checks its claim",
}


@pytest.mark.parametrize("key", sorted(set(quoted()) & set(CHECKS)))
def test_a_quoted_value_is_what_the_page_says_it_is(key, snippet_run):
    file, path = key.split(":", 1)
    variables = snippet_run(file).variables
    value_at(variables, path)  # the marker points at a recorded value
    CHECKS[key](variables, snippet_run)


def no_such_value(key):
    """Why a marker points at nothing the run recorded (a typo, say), in words; or None."""
    file, path = key.split(":", 1)
    run = records.recorded(file) if (records.SNIPPETS / file).is_file() else None
    if run is None:
        return None  # no snippet, or a stale record: the build says which
    name = re.split(r"[.\[]", path, maxsplit=1)[0]
    if name in run.variables:
        return None
    near = difflib.get_close_matches(name, run.variables, n=1)
    return f"snippets/{file} recorded no variable {name!r}" + (
        f" (did you mean {near[0]!r}?)" if near else ""
    )


def test_every_quoted_value_has_a_check():
    typos = {key: no_such_value(key) for key in quoted()}
    typos = {key: why for key, why in typos.items() if why}
    assert not typos, "\n".join(f"{{= {key} =}}: {why}" for key, why in typos.items())
    missing = {
        key: pages
        for key, pages in quoted().items()
        if key not in CHECKS and key not in NOT_CHECKED
    }
    assert not missing, "\n".join(
        [
            "these quoted values have no check of what they are: add one to CHECKS in "
            "tests/test_quoted_values.py (what the number counts, or what it was made from), or "
            "say in NOT_CHECKED why a test cannot check it:"
        ]
        + [
            f"  {{= {key} =}} on {', '.join(sorted(set(pages)))}"
            for key, pages in sorted(missing.items())
        ]
    )
