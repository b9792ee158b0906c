"""Training the tiny GPT: characters to ids, batches, the loop, checkpoints.

Library module: importing it does nothing. `load_or_train()` hands any demo the default run's model.
"""
import bz2
import gzip
import hashlib
import json
import lzma
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F

import cli
from gpt import GPT, GPTConfig

SNIPPETS = Path(__file__).resolve().parent
CHECKPOINT = SNIPPETS.parent / "out" / "tiny-gpt.pt"  # the default run's model

# The default run: the page's numbers come from exactly these settings. Chosen by measurement on a
# 2-core laptop-class CPU (benchmarks/train_speed.py): for a one-minute budget, a shallow model that
# takes many small steps learns more than a deeper one that takes fewer. It trains on one thread
# (THREADS): a second one barely speeds up matrices this small, and one thread adds numbers up in the
# same order on every machine, so the same seed gives the same model everywhere.
THREADS = 1
DEFAULT = dict(
    n_layer=2, n_head=4, n_embd=128, block_size=64, dropout=0.0,
    steps=1200, batch_size=16, lr=6e-3, min_lr=6e-4, warmup=50, weight_decay=0.1,
    seed=1337, heldout_fraction=0.1,
)
# The longer run (about five minutes): deeper, a longer context, more steps.
LONG = dict(DEFAULT, n_layer=4, block_size=128, steps=1500, lr=4e-3, min_lr=4e-4)


class CharTokenizer:
    """One token per character: the vocabulary is every character that appears in the text."""

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
            cli.fail(f"the model has never seen these characters, so it cannot read them: "
                     f"{''.join(unknown)!r}")
        return [self.stoi[ch] for ch in text]

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def split(text, tokenizer, heldout_fraction=DEFAULT["heldout_fraction"]):
    """The text as a tensor of ids, cut in two: the first part to train on, the last part held out."""
    data = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    n = int(len(data) * (1 - heldout_fraction))
    return data[:n], data[n:]


def get_batch(data, block_size, batch_size, generator, device="cpu"):
    """Random windows of the text: x is a window, y the same window shifted one token to the left."""
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + block_size] for i in ix])
    return x.to(device), y.to(device)


def lr_at(step, steps, lr, min_lr, warmup):
    """Linear warmup, then a cosine decay from lr down to min_lr."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (lr - min_lr)


@torch.no_grad()
def heldout_loss(model, data, max_tokens=None, device="cpu"):
    """Average cross-entropy (nats per token) over held-out text, with no nudging.

    The model reads block_size windows that overlap by half, and each token is scored once, in the
    second half of a window: so it always has at least half a window of text before it to go on.
    max_tokens: score only about that many, in windows spread evenly over the whole text (quicker).
    """
    was_training = model.training
    model.eval()
    block_size, half = model.config.block_size, model.config.block_size // 2
    starts = list(range(0, len(data) - block_size, half))
    if max_tokens is not None:
        starts = starts[::max(1, len(starts) * half // max_tokens)]
    x = torch.stack([data[s:s + block_size] for s in starts])
    y = torch.stack([data[s + 1:s + 1 + block_size] for s in starts])
    y[1:, :half] = -100  # context only (scored by the window before, or skipped): cross_entropy ignores -100
    total, count = 0.0, 0
    for i in range(0, len(x), 64):
        logits, _ = model(x[i:i + 64].to(device))
        targets = y[i:i + 64].to(device)
        total += F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="sum").item()
        count += (targets != -100).sum().item()
    model.train(was_training)
    return total / count


def make_optimizer(model, lr, weight_decay):
    """AdamW; matrices get weight decay, biases and layer-norm gains do not."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))


def train(model, train_ids, val_ids, steps, batch_size=DEFAULT["batch_size"], lr=DEFAULT["lr"],
          min_lr=DEFAULT["min_lr"], warmup=DEFAULT["warmup"], weight_decay=DEFAULT["weight_decay"],
          seed=DEFAULT["seed"], eval_every=None, eval_tokens=8192, device="cpu", on_eval=None):
    """Train in place; returns the loss history {"step", "train", "heldout"} in nats per token.

    Every eval_every steps (and at the last) it measures the loss on held-out text and calls
    on_eval(step, history), e.g. to print a line and a sample.
    """
    generator = torch.Generator().manual_seed(seed)  # which windows of text, in which order
    optimizer = make_optimizer(model, lr, weight_decay)
    eval_every = eval_every or max(1, steps // 10)
    history = {"step": [], "train": [], "heldout": []}
    progress = Progress(steps, batch_size * model.config.block_size)
    model.train()
    for step in range(1, steps + 1):
        x, y = get_batch(train_ids, model.config.block_size, batch_size, generator, device)
        logits, _ = model(x)                                   # PREDICT: scores for every next token
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())  # CHECK: how surprised by the real ones?
        optimizer.zero_grad(set_to_none=True)
        loss.backward()                                        # the gradient: which way to turn each weight
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # no single batch may shove too hard
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step - 1, steps, lr, min_lr, warmup)
        optimizer.step()                                       # NUDGE: turn every weight a little that way
        progress.update(step, loss.item())
        if step % eval_every == 0 or step == steps:
            history["step"].append(step)
            history["train"].append(progress.smoothed)
            history["heldout"].append(heldout_loss(model, val_ids, eval_tokens, device))
            progress.clear()
            if on_eval is not None:
                on_eval(step, history)
                model.train()  # on_eval may have sampled, which switches to eval mode
    model.eval()
    return history


class Progress:
    """A one-line progress report on stderr, rewritten in place; only when a person is watching a terminal."""

    def __init__(self, steps, tokens_per_step):
        self.steps, self.tokens_per_step = steps, tokens_per_step
        self.show = sys.stderr.isatty()
        self.smoothed = None
        self.t0 = time.time()

    def update(self, step, loss):
        self.smoothed = loss if self.smoothed is None else 0.9 * self.smoothed + 0.1 * loss
        if self.show:
            rate = step * self.tokens_per_step / (time.time() - self.t0)
            print(f"\rstep {step}/{self.steps}  loss {self.smoothed:.3f}  {rate:,.0f} tokens/s",
                  end="", file=sys.stderr, flush=True)

    def clear(self):
        if self.show:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def compressed_bits_per_char(train_text, heldout_text):
    """Bits per held-out character for gzip, bz2 and xz when they have already seen the training text.

    compressed(train + heldout) - compressed(train): what it costs to add the held-out text.
    """
    sizes = {"gzip": lambda b: len(gzip.compress(b, 9)), "bz2": lambda b: len(bz2.compress(b, 9)),
             "xz": lambda b: len(lzma.compress(b, preset=9 | lzma.PRESET_EXTREME))}
    both, seen = (train_text + heldout_text).encode(), train_text.encode()
    return {name: 8 * (size(both) - size(seen)) / len(heldout_text) for name, size in sizes.items()}


def flops_per_token(model):
    """Training arithmetic per token: 6 per weight that multiplies (forward 2, backward 4; Kaplan et al.
    2020), plus the attention scores, which grow with the context."""
    c = model.config
    n = model.num_params() - model.wpe.weight.numel()  # looking up a position multiplies nothing
    return 6 * n + 12 * c.n_layer * c.n_embd * c.block_size


def fingerprint(settings, text):
    """Changes whenever the code, the settings or the text change: a stale checkpoint is never reused."""
    h = hashlib.sha256()
    for name in ("gpt.py", "training.py"):
        h.update((SNIPPETS / name).read_bytes())
    h.update(json.dumps(settings, sort_keys=True).encode())
    h.update(text.encode())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def build(settings, tokenizer):
    config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=settings["block_size"],
                       n_layer=settings["n_layer"], n_head=settings["n_head"],
                       n_embd=settings["n_embd"], dropout=settings["dropout"])
    torch.manual_seed(settings["seed"])
    return GPT(config)


def save(path, model, tokenizer, settings, text, history=None):
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")  # write, then rename: a failed save leaves no broken file
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"config": asdict(model.config), "model": model.state_dict(), "chars": tokenizer.chars,
                    "settings": settings, "fingerprint": fingerprint(settings, text),
                    "history": history}, tmp)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        cli.fail(f"cannot save the model to {path}: {e.strerror or e}")


def load(path):
    """(model, tokenizer, checkpoint dict) from a checkpoint file, or one clear line if there is none."""
    path = Path(path)
    if not path.is_file():
        cli.fail(f"no checkpoint at {path}: train one first with `python snippets/train.py`")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        model = GPT(GPTConfig(**ckpt["config"]))
        model.load_state_dict(ckpt["model"])
    except Exception as e:  # a truncated or foreign file
        cli.fail(f"{path} is not a checkpoint this code can read ({type(e).__name__})")
    model.eval()
    return model, CharTokenizer(ckpt["chars"]), ckpt


def train_default(text=None, device="cpu", on_eval=None):
    """The default run, start to finish: returns (model, tokenizer, history)."""
    text = text if text is not None else cli.default_corpus()
    s = DEFAULT
    tokenizer = CharTokenizer.from_text(text)
    train_ids, val_ids = split(text, tokenizer, s["heldout_fraction"])
    model = build(s, tokenizer).to(device)
    torch.set_num_threads(THREADS)
    history = train(model, train_ids, val_ids, s["steps"], batch_size=s["batch_size"], lr=s["lr"],
                    min_lr=s["min_lr"], warmup=s["warmup"], weight_decay=s["weight_decay"],
                    seed=s["seed"], device=device, on_eval=on_eval)
    model.to("cpu")
    return model, tokenizer, history


def load_or_train(path=CHECKPOINT):
    """The default run's model and tokenizer: from its checkpoint, or trained now if that is missing or stale.

    Training is deterministic, so a model trained here is the same one the training page shows.
    """
    text = cli.default_corpus()
    path = Path(path)
    if path.is_file():
        model, tokenizer, ckpt = load(path)
        if ckpt.get("fingerprint") == fingerprint(DEFAULT, text):
            return model, tokenizer
    print(f"{path} is missing or was made by other code or settings: training the default run "
          f"first (about a minute)...", file=sys.stderr)
    model, tokenizer, history = train_default(text)
    save(path, model, tokenizer, DEFAULT, text, history)
    return model, tokenizer
