"""Training the tiny GPT: characters to ids, batches, the loop, checkpoints, workers.

Library module: importing it does nothing. `load_or_train()` hands any demo the default
run's model.
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import bz2
import gzip
import hashlib
import json
import lzma
import math
import struct
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from gpt import GPT, GPTConfig
from workers import mean_over_workers, worker

CHECKPOINT = cli.OUT / "tiny-gpt.pt"  # the default run's model

# The default run: the page's numbers come from exactly these settings, chosen by
# measurement (benchmarks/train_speed.py) on the validation text, to beat gzip clearly
# within a minute on a 2-core laptop-class CPU, on every CPU kernel path; the page's
# score is on a test text that no choice was made on (split_three). For that
# budget a narrow, shallow model that takes many small steps learns more than a wider or
# deeper one that takes fewer. It trains on one thread (THREADS): a second one barely
# speeds up matrices this small, and a fixed thread count adds numbers up in the same
# order on any number of cores.
THREADS = 1
DEFAULT = dict(
    n_layer=2,
    n_head=4,
    n_embd=96,
    block_size=32,
    dropout=0.0,
    steps=1600,
    batch_size=32,
    lr=6e-3,
    min_lr=6e-4,
    warmup=50,
    weight_decay=0.1,
    seed=1337,
    heldout_fraction=0.1,
    test_fraction=0.1,
)
# The longer run (a few minutes): wider, deeper, a longer context, more steps.
LONG = dict(
    DEFAULT,
    n_layer=4,
    n_embd=128,
    block_size=128,
    batch_size=16,
    steps=1500,
    lr=4e-3,
    min_lr=4e-4,
)


class CharTokenizer:
    """One token per character: the vocabulary is every character in the text."""

    def __init__(self, chars):
        self.chars = list(chars)
        self.stoi = {ch: i for i, ch in enumerate(self.chars)}
        self.vocab_size = len(self.chars)

    @classmethod
    def from_text(cls, text):
        return cls(sorted(set(text)))

    def encode(self, text):
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise cli.InputError(
                f"the model has never seen these characters, so it "
                f"cannot read them: {''.join(unknown)!r}"
            )
        return [self.stoi[ch] for ch in text]

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def split(text, tokenizer, heldout_fraction=0.1):
    """The text as a tensor of ids, cut in two: the first part to train on, the rest
    held out."""
    data = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    n = int(len(data) * (1 - heldout_fraction))
    return data[:n], data[n:]


def split_three(text, tokenizer, heldout_fraction=0.1, test_fraction=0.1):
    """The text as ids, cut in three: (train, validation, test).

    validation: the last heldout_fraction, the text settings are chosen on. test: about
    test_fraction just before it, from a paragraph's start, scored at the end and used
    to choose nothing. train: all the text before those, less every paragraph that
    also appears word for word in one of them (the manual repeats itself: a test passage
    trained on would flatter the model).
    """
    val_start = int(len(text) * (1 - heldout_fraction))
    test_start = int(len(text) * (1 - heldout_fraction - test_fraction))
    # the test text starts with a whole paragraph: a part of one could hide a repeat
    blank_line = text.find("\n\n", test_start, val_start)
    if blank_line != -1:
        test_start = blank_line + 2
    test, validation = text[test_start:val_start], text[val_start:]
    held_out = set(test.split("\n\n")) | set(validation.split("\n\n"))
    train = "\n\n".join(
        paragraph
        for paragraph in text[:test_start].split("\n\n")
        if paragraph not in held_out
    )
    if len(train) < len(test):
        raise cli.InputError(
            f"only {len(train):,} characters are left to train on: "
            f"the rest repeats paragraphs of the parts held out"
        )
    return [
        torch.tensor(tokenizer.encode(part), dtype=torch.long)
        for part in (train, validation, test)
    ]


def get_batch(data, block_size, batch_size, generator):
    """Random windows of the text: x is a window, y the same one shifted by a token."""
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i : i + block_size] for i in ix])
    y = torch.stack([data[i + 1 : i + 1 + block_size] for i in ix])
    return x, y


def lr_at(step, settings):
    """The learning rate: a linear warmup, then a cosine decay from lr to min_lr."""
    lr, min_lr, warmup = settings["lr"], settings["min_lr"], settings["warmup"]
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, settings["steps"] - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (lr - min_lr)


@torch.no_grad()
def evaluate(model, data, context=None, max_tokens=None, device="cpu"):
    """Average cross-entropy (nats per token) on data, with no nudging: the one way we
    score training text and held-out text alike.

    Every token is scored once, always with more than half a window of text before it
    to go on: the windows overlap by half, and each scores only its second half.
    context: the text that comes before data; its end is read, never scored (without
    it, data's own first tokens are context only). max_tokens: score only about that
    many, in windows spread evenly over the whole text.
    """
    was_training = model.training
    model.eval()
    size = model.config.block_size
    half = size // 2  # tokens each window scores
    lead = size - half + 1  # the least context a scored token gets
    before = data[:0] if context is None else context[-lead:]
    text = torch.cat([before, data])
    # window s reads text[s:s + size] and scores text[s + lead:s + size + 1]
    starts = list(range(0, len(text) - size, half))
    firsts = [size - half] * len(starts)  # where in its window the scoring starts
    end = starts[-1] + size + 1  # the first token not scored yet
    if end < len(text):  # the last few: one more window, at the end
        starts.append(len(text) - size - 1)
        firsts.append(end - starts[-1] - 1)
    if max_tokens is not None:
        keep = slice(None, None, max(1, len(starts) * half // max_tokens))
        starts, firsts = starts[keep], firsts[keep]
    x = torch.stack([text[s : s + size] for s in starts])
    y = torch.stack([text[s + 1 : s + size + 1] for s in starts])
    # context only: cross_entropy skips -100
    y[torch.arange(size) < torch.tensor(firsts)[:, None]] = -100
    total, count = 0.0, 0
    for i in range(0, len(x), 64):
        logits, _ = model(x[i : i + 64].to(device))
        targets = y[i : i + 64].to(device)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="sum")
        total += loss.item()
        count += (targets != -100).sum().item()
    model.train(was_training)
    return total / count


def make_optimizer(model, lr, weight_decay):
    """AdamW; matrices get weight decay, biases and layer-norm gains do not."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95))


def train(
    model,
    train_ids,
    val_ids,
    settings,
    eval_every=None,
    eval_tokens=8192,
    device="cpu",
    on_eval=None,
):
    """Train in place; returns the loss history in nats per token.

    settings: steps, batch_size, lr, min_lr, warmup, weight_decay, seed (as in DEFAULT).
    history: "loss" (the batch's, what the nudge follows) at every step; every
    eval_every steps and at the last, "step", then "train" and "heldout": the loss on
    about eval_tokens of the training text and of the held-out text, scored the same
    way (evaluate; None: all the held-out text, as much training text), and a call to
    on_eval(step, history) (to print a line, say). Started by torchrun, every worker
    runs this: each takes its share of every batch, and the gradients are averaged
    across workers before every nudge.
    """
    rank, workers = worker()
    steps, batch_size = settings["steps"], settings["batch_size"]
    assert batch_size % workers == 0, "train.py checks this for the reader"
    net = DistributedDataParallel(model) if workers > 1 else model  # averages gradients
    # which windows, in which order
    generator = torch.Generator().manual_seed(settings["seed"])
    optimizer = make_optimizer(model, settings["lr"], settings["weight_decay"])
    eval_every = eval_every or max(1, steps // 10)
    history = {"loss": [], "step": [], "train": [], "heldout": []}
    progress = Progress(steps, batch_size * model.config.block_size, show=rank == 0)
    model.train()
    for step in range(1, steps + 1):
        x, y = get_batch(train_ids, model.config.block_size, batch_size, generator)
        x, y = x.chunk(workers)[rank], y.chunk(workers)[rank]  # this worker's share
        logits, _ = net(x.to(device))  # PREDICT: a score for each token
        loss = F.cross_entropy(logits.flatten(0, 1), y.to(device).flatten())  # CHECK
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # the gradient: which way to turn each weight
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # no shoving too hard
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step - 1, settings)
        optimizer.step()  # NUDGE: turn every weight a little that way
        history["loss"].append(mean_over_workers(loss.item()))
        progress.update(step, history["loss"][-1])
        if step % eval_every == 0 or step == steps:
            history["step"].append(step)
            scored = eval_tokens or len(val_ids)
            history["train"].append(evaluate(model, train_ids, None, scored, device))
            history["heldout"].append(evaluate(model, val_ids, None, scored, device))
            progress.clear()
            if on_eval is not None:
                on_eval(step, history)
                model.train()  # on_eval may have sampled, which switches to eval mode
    model.eval()
    return history


class Progress:
    """A one-line progress report on stderr, rewritten in place; only for a person at a
    terminal."""

    def __init__(self, steps, tokens_per_step, show=True):
        self.steps, self.tokens_per_step = steps, tokens_per_step
        self.show = show and sys.stderr.isatty()
        self.smoothed = None
        self.t0 = time.time()

    def update(self, step, loss):
        first = self.smoothed is None
        self.smoothed = loss if first else 0.9 * self.smoothed + 0.1 * loss
        if self.show:
            rate = step * self.tokens_per_step / (time.time() - self.t0)
            print(
                f"\rstep {step}/{self.steps}  loss {self.smoothed:.3f}  "
                f"{rate:,.0f} tokens/s",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def clear(self):
        if self.show:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def compressed_bits_per_char(train_text, heldout_text):
    """Bits per held-out character for gzip, bz2 and xz when they have already read the
    training text: compressed(train + heldout) - compressed(train), what adding the
    held-out text costs. The model's score to compare is evaluate(model, heldout_ids,
    context=train_ids): every held-out character, after the same training text."""
    sizes = {
        "gzip": lambda b: len(gzip.compress(b, 9)),
        "bz2": lambda b: len(bz2.compress(b, 9)),
        "xz": lambda b: len(lzma.compress(b, preset=9 | lzma.PRESET_EXTREME)),
    }
    both, seen = (train_text + heldout_text).encode(), train_text.encode()
    return {
        name: 8 * (size(both) - size(seen)) / len(heldout_text)
        for name, size in sizes.items()
    }


def flops_per_token(model):
    """Training arithmetic per token: 6 per weight that multiplies (forward 2, backward
    4; Kaplan et al. 2020), plus the attention scores, which grow with the context."""
    c = model.config
    # looking up a position multiplies nothing
    n = model.num_params() - model.wpe.weight.numel()
    return 6 * n + 12 * c.n_layer * c.n_embd * c.block_size


def fingerprint(settings, text):
    """Changes whenever the code, the settings or the text change: a stale checkpoint is
    never reused (a comment or a docstring changes nothing)."""
    h = hashlib.sha256(cli.code_key("gpt.py", "training.py", "workers.py").encode())
    h.update(json.dumps(settings, sort_keys=True).encode())
    h.update(text.encode())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def build(settings, tokenizer):
    """A new model with random weights, the same ones for the same seed."""
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size,
        block_size=settings["block_size"],
        n_layer=settings["n_layer"],
        n_head=settings["n_head"],
        n_embd=settings["n_embd"],
        dropout=settings["dropout"],
    )
    torch.manual_seed(settings["seed"])
    return GPT(config)


def checkpoint(model, tokenizer, settings, history=None):
    """What a checkpoint file holds: the model's shape and weights, its characters, the
    settings it was trained with and its loss history."""
    return {
        "config": asdict(model.config),
        "model": model.state_dict(),
        "chars": tokenizer.chars,
        "settings": settings,
        "history": history,
    }


def from_checkpoint(ckpt):
    """(model, tokenizer) back from checkpoint()'s dict."""
    model = GPT(GPTConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    return model.eval(), CharTokenizer(ckpt["chars"])


def save(path, model, tokenizer, settings, text, history=None):
    """Write a checkpoint file, keyed by fingerprint(settings, text): load_or_train()
    reuses it. A failed save breaks nothing, two at once don't mix (cli.store)."""
    try:
        cli.store(
            path,
            fingerprint(settings, text),
            checkpoint(model, tokenizer, settings, history),
        )
    except OSError as e:
        raise cli.InputError(
            f"cannot save the model to {path}: {e.strerror or e}"
        ) from e


def load(path):
    """(model, tokenizer, checkpoint dict) from a checkpoint file; InputError if there
    is none, or it is not one."""
    path = Path(path)
    if not path.is_file():
        raise cli.InputError(
            f"no checkpoint at {path}: train one first with `python snippets/train.py`"
        )
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        model, tokenizer = from_checkpoint(ckpt)
    except Exception as e:  # a truncated or foreign file
        raise cli.InputError(
            f"{path} is not a checkpoint this code can read ({type(e).__name__})"
        ) from e
    return model, tokenizer, ckpt


def checkpoint_for(seed):
    """Where the default run with this seed keeps its model (train.py --seed writes it
    there)."""
    if seed == DEFAULT["seed"]:
        return CHECKPOINT
    return CHECKPOINT.with_stem(f"tiny-gpt-seed{seed}")


def load_or_train(seed=DEFAULT["seed"]):
    """The default run's model and tokenizer: from its checkpoint, or trained now (and
    kept) if that is missing or stale. Training is deterministic: trained here, it is
    the same model train.py makes."""
    text = cli.default_corpus()
    settings = dict(DEFAULT, seed=seed)
    path = checkpoint_for(seed)

    def make():
        print(
            f"training the default run first (about a minute), to keep as "
            f"{cli.shown(path)}",
            file=sys.stderr,
        )
        torch.set_num_threads(THREADS)
        tokenizer = CharTokenizer.from_text(text)
        train_ids, val_ids, _ = split_three(
            text, tokenizer, settings["heldout_fraction"], settings["test_fraction"]
        )
        model = build(settings, tokenizer)
        history = train(model, train_ids, val_ids, settings)
        return checkpoint(model, tokenizer, settings, history)

    return from_checkpoint(cli.cached(path, fingerprint(settings, text), make))


def export_for_browser(path, model, tokenizer):
    """The model as a safetensors file (a JSON header, then the raw float32 weights),
    with its settings and characters in the header's metadata: what the page's sampling
    playground runs."""
    tensors = {
        name: t.detach().float().contiguous() for name, t in model.state_dict().items()
    }
    tensors.pop("lm_head.weight")  # tied to wte.weight: the same numbers, stored once
    header, offset = {}, 0
    for name, t in tensors.items():
        header[name] = {
            "dtype": "F32",
            "shape": list(t.shape),
            "data_offsets": [offset, offset + 4 * t.numel()],
        }
        offset += 4 * t.numel()
    header["__metadata__"] = {
        "config": json.dumps(asdict(model.config)),
        "chars": json.dumps(tokenizer.chars),
    }
    head = json.dumps(header).encode()
    # the format pads the header to a multiple of 8 bytes
    head += b" " * (-len(head) % 8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for t in tensors.values():
            f.write(t.numpy().astype("<f4").tobytes())
