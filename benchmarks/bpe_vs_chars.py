"""Would the tiny GPT do better reading BPE tokens than characters? A benchmark, not a test.

"Text becomes numbers" says our model reads characters for readability, and that a small BPE
vocabulary does a little better. This measures it: the default run's model shape, steps, batch and
learning-rate schedule, trained once on characters and once on BPE tokens (our tokeniser, trained on
the training text only, at each --vocab size), then scored the same way on the same test text: bits
per character of that text, every token scored once with at least half a window of context (the
scheme of training.evaluate), the token's bits counted for the characters it ends.

The text is split exactly as the default run splits it (training.split_three): the last 10% is the
validation text the default settings were tuned on, so it is left out; about 10% before it, from a
paragraph's start, is the test text, scored here; the rest is the training text, less every paragraph
that also appears word for word in the test or validation text.

Equal steps is not quite equal work: a BPE token covers about two characters, so the BPE model reads
more text per step, and its bigger vocabulary adds weights and a little time per step. CPU seconds are
printed for each run; wall times depend on what else the machine is doing.

    python benchmarks/bpe_vs_chars.py                       # seeds 1337 and 1, BPE at 512 and 1024
    python benchmarks/bpe_vs_chars.py --seeds 7 --vocab 512
"""

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402

import tokenizer  # noqa: E402
import training  # noqa: E402
from gpt import GPT, GPTConfig  # noqa: E402


class Codepoints:
    """A stand-in tokeniser for training.split_three: one id per character, its code point."""

    @staticmethod
    def encode(text):
        return [ord(ch) for ch in text]


def split(text):
    """(train, test) as text, cut exactly as the default run cuts it (training.split_three)."""
    train, _, test = training.split_three(text, Codepoints)
    return ["".join(map(chr, part.tolist())) for part in (train, test)]


@torch.no_grad()
def bits_per_char(model, ids, chars):
    """Bits per character of a text given as token ids and, for each token, the number of
    characters it ends (summing to the text's length)."""
    model.eval()
    block, half = model.config.block_size, model.config.block_size // 2
    ids, chars = torch.tensor(ids), torch.tensor(chars, dtype=torch.float64)
    starts = range(0, len(ids) - block, half)
    x = torch.stack([ids[s : s + block] for s in starts])
    y = torch.stack([ids[s + 1 : s + 1 + block] for s in starts])
    n = torch.stack([chars[s + 1 : s + 1 + block] for s in starts])
    scored = torch.ones_like(y, dtype=torch.bool)
    scored[1:, :half] = False  # scored by the window before, with more context
    nats = total_chars = 0.0
    for i in range(0, len(x), 64):
        logits, _ = model(x[i : i + 64])
        loss = F.cross_entropy(logits.flatten(0, 1), y[i : i + 64].flatten(), reduction="none")
        keep = scored[i : i + 64].flatten()
        nats += loss[keep].double().sum().item()
        total_chars += n[i : i + 64].flatten()[keep].sum().item()
    return nats / total_chars / math.log(2)


def run(train_text, test_text, vocab, seed):
    settings = dict(training.DEFAULT, seed=seed)
    if vocab is None:
        chars = training.CharTokenizer.from_text(train_text + test_text)
        train_ids, test_ids = chars.encode(train_text), chars.encode(test_text)
        ends, vocab_size = [1] * len(test_ids), chars.vocab_size
    else:
        bpe = tokenizer.train_bpe(train_text, vocab_size=vocab)
        train_ids, encoded = bpe.encode(train_text).ids, bpe.encode(test_text)
        test_ids, vocab_size = encoded.ids, bpe.get_vocab_size()
        # a character counts for the token holding its last byte
        stops = [stop for _, stop in encoded.offsets]
        ends = [stops[0]] + [b - a for a, b in zip(stops, stops[1:])]
        assert sum(ends) == len(test_text)
    config = GPTConfig(
        vocab_size=vocab_size,
        block_size=settings["block_size"],
        n_layer=settings["n_layer"],
        n_head=settings["n_head"],
        n_embd=settings["n_embd"],
        dropout=0.0,
    )
    torch.manual_seed(seed)
    model = GPT(config)
    cpu = time.process_time()
    training.train(
        model,
        torch.tensor(train_ids),
        torch.tensor(test_ids[:4096]),
        settings,
        eval_every=settings["steps"],
    )
    cpu = time.process_time() - cpu
    bpc = bits_per_char(model, test_ids, ends)
    name = "characters" if vocab is None else f"BPE {vocab}"
    print(
        f"{name:>12s}  seed {seed:<5d}  {model.num_params():>7,} weights  "
        f"{len(train_text) / len(train_ids):.2f} chars/token  {bpc:.3f} bits/char  "
        f"{cpu:.0f} CPU s",
        flush=True,
    )
    return bpc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1337, 1])
    parser.add_argument(
        "--vocab",
        type=int,
        nargs="+",
        default=[512, 1024],
        help="BPE vocabulary sizes to try (at least 256)",
    )
    args = parser.parse_args()
    torch.set_num_threads(training.THREADS)
    train_text, test_text = split(cli.default_corpus())
    print(
        f"training text {len(train_text):,} characters, test text {len(test_text):,}; "
        f"{training.DEFAULT['steps']} steps of {training.DEFAULT['batch_size']} windows "
        f"of {training.DEFAULT['block_size']} tokens"
    )
    results = {}
    for seed in args.seeds:
        for vocab in [None, *args.vocab]:
            results.setdefault(vocab, []).append(run(train_text, test_text, vocab, seed))
    print(
        "mean over seeds:",
        "   ".join(
            f"{'characters' if v is None else f'BPE {v}'} {sum(r) / len(r):.3f}"
            for v, r in results.items()
        ),
    )


if __name__ == "__main__":
    main()
