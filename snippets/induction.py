"""A toy for watching a skill appear: attention-only transformers learning to copy a
repeated segment.

Each training sequence is random tokens in which one random segment appears twice, at an
offset that changes from sequence to sequence. Once the model has seen the first copy,
the second copy is predictable token by token: "find where the current token appeared
before, and predict what came next". That trick is an induction head (Olsson et al.,
2022), and it needs two attention layers working together: one to note "the token before
me was X", one to look for that note.

One attention layer can't do that. It can still learn where copies usually sit and
guess from position, which is the best it can do.

This module only defines things; sudden_skill.py and inside.py run them.
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 64  # random "words" 0..63
SEQ_LEN = 48  # tokens per sequence
SEGMENT_LEN = 20  # length of the segment that appears twice
SEED = 1337
EVAL_SIZE = 256  # held-out sequences scored during training


def repeated_batch(batch_size, generator):
    """Random sequences with one segment repeated later on, plus a mask of the
    predictable targets.

    targets[:, t] is the token at t+1. The mask marks targets inside the second copy,
    except its first token (nothing tells the model where the copy starts, so that one
    is a pure guess). The copy starts 20 to 29 tokens after the original (for these
    sizes), nearer ones more often.
    """
    x = torch.randint(VOCAB_SIZE, (batch_size, SEQ_LEN + 1), generator=generator)
    starts = SEQ_LEN + 2 - 2 * SEGMENT_LEN  # how many places the first copy can be at
    src = torch.randint(starts, (batch_size, 1), generator=generator)
    room = starts - src  # how many places the second copy can start at
    offset = (torch.rand(batch_size, 1, generator=generator) * room).long()
    return with_copy(x, src, src + SEGMENT_LEN + offset, SEGMENT_LEN)


def repeated_at(batch_size, generator, distances, segment_len):
    """Like repeated_batch, with a segment of segment_len tokens whose copy starts a
    distance after it that is picked from distances: a test at distances that training
    never used."""
    x = torch.randint(VOCAB_SIZE, (batch_size, SEQ_LEN + 1), generator=generator)
    pick = torch.randint(len(distances), (batch_size, 1), generator=generator)
    distance = torch.tensor(distances)[pick]
    room = SEQ_LEN + 2 - segment_len - distance  # places the first copy can be at
    src = (torch.rand(batch_size, 1, generator=generator) * room).long()
    return with_copy(x, src, src + distance, segment_len)


def with_copy(x, src, dst, length):
    """x with x[src:src+length] copied to dst, row by row: (inputs, targets, mask)."""
    pos = torch.arange(x.size(1)).expand(x.size(0), -1)
    in_copy = (pos >= dst) & (pos < dst + length)
    x = x.gather(1, torch.where(in_copy, pos - dst + src, pos))
    mask = in_copy[:, 1:] & (pos[:, 1:] > dst)  # targets dst+1 .. dst+length-1
    return x[:, :-1], x[:, 1:], mask


class Attention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.proj = nn.Linear(n_embd, n_embd, bias=False)
        # (batch, head, query, key) from the latest forward pass
        self.last_pattern = None
        # heads whose output is set to zero: an experiment, see inside.py
        self.knocked_out = []

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (
            t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            for t in (q, k, v)
        )
        scores = q @ k.transpose(-2, -1) / (k.size(-1) ** 0.5)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        pattern = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        self.last_pattern = pattern.detach()
        y = pattern @ v  # (batch, head, query, head size)
        if self.knocked_out:
            y[:, self.knocked_out] = 0
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class AttentionOnly(nn.Module):
    """A transformer with the MLPs taken out: embeddings, n_layer attention layers,
    unembedding."""

    def __init__(self, n_layer, n_head=4, n_embd=64):
        super().__init__()
        self.tok_emb = nn.Embedding(VOCAB_SIZE, n_embd)
        self.pos_emb = nn.Embedding(SEQ_LEN, n_embd)
        self.layers = nn.ModuleList(Attention(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.unembed = nn.Linear(n_embd, VOCAB_SIZE, bias=False)

    def forward(self, idx):
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(idx.size(1)))
        for layer in self.layers:
            x = x + layer(x)
        return self.unembed(self.ln_f(x))


def copy_scores(logits, targets, mask):
    """How well the predictable part of the copies is predicted: (average loss in
    nats, tokens whose likeliest prediction is right, tokens, copies right in full)."""
    losses = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    right = (logits.argmax(dim=-1) == targets) & mask
    whole = right.sum(dim=1) == mask.sum(dim=1)
    return (
        losses[mask].mean().item(),
        right.sum().item(),
        mask.sum().item(),
        whole.sum().item(),
    )


def train_induction(
    n_layer,
    steps=1000,
    seed=SEED,
    batch_size=64,
    lr=3e-3,
    eval_every=25,
    eval_size=EVAL_SIZE,
):
    """Train on fresh random batches; every eval_every steps, score the copies in a
    fixed held-out batch (copy_scores). Returns (model, history): history["step"],
    and per step measured "loss", "accuracy" (share of copy tokens right) and "whole"
    (share of copies right from end to end)."""
    torch.manual_seed(seed)
    model = AttentionOnly(n_layer)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    data = torch.Generator().manual_seed(seed + 1)
    held_out = torch.Generator().manual_seed(seed + 2)
    val_x, val_y, val_mask = repeated_batch(eval_size, held_out)
    history = {"step": [], "loss": [], "accuracy": [], "whole": []}
    for step in range(steps + 1):
        if step % eval_every == 0:
            model.eval()
            with torch.no_grad():
                loss, right, total, whole = copy_scores(model(val_x), val_y, val_mask)
            history["step"].append(step)
            history["loss"].append(loss)
            history["accuracy"].append(right / total)
            history["whole"].append(whole / eval_size)
            model.train()
        if step == steps:
            break
        x, y, _ = repeated_batch(batch_size, data)
        loss = F.cross_entropy(model(x).transpose(1, 2), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model, history


def fingerprint():
    """Changes whenever this file's code or torch changes: a stale checkpoint is never
    reused (a comment or a docstring changes nothing)."""
    return cli.code_key("induction.py") + torch.__version__


def checkpoint_for(n_layer, steps, seed):
    return cli.OUT / f"induction-{n_layer}layer-{steps}steps-seed{seed}.pt"


def trained(n_layer, steps=1000, seed=SEED):
    """(model, history) of train_induction(n_layer, steps, seed), kept in out/: loaded
    if this very run was kept before, trained (and kept) now if not. Training is
    deterministic, so both ways give the same model."""

    def make():
        model, history = train_induction(n_layer, steps, seed)
        return {"model": model.state_dict(), "history": history}

    kept = cli.cached(checkpoint_for(n_layer, steps, seed), fingerprint(), make)
    model = AttentionOnly(n_layer)
    model.load_state_dict(kept["model"])
    return model.eval(), kept["history"]


def load_or_train_induction(seed=SEED):
    """sudden_skill.py's 2-layer model, trained (and kept in out/) if not there."""
    return trained(2, seed=seed)[0]


def repeated_random_tokens(length, generator):
    """A block of random tokens followed by the same block again (Olsson et al.'s test
    sequence)."""
    block = torch.randint(VOCAB_SIZE, (1, length), generator=generator)
    return torch.cat([block, block], dim=1)


def head_scores(patterns, half):
    """Olsson et al.'s two scores for each head, on a sequence made of a random block
    repeated twice.

    patterns: (head, query, key) attention weights; half: the block length.
    previous-token score: average attention from each position to the one just before
    it. induction score: average attention, from each token of the second copy, to the
    token that came right after its earlier occurrence (position t - half + 1): where an
    induction head looks.
    """
    T = patterns.size(-1)
    t = torch.arange(1, T)
    previous_token = patterns[:, t, t - 1].mean(dim=-1)
    t = torch.arange(half, T)
    induction = patterns[:, t, t - half + 1].mean(dim=-1)
    return previous_token, induction
