"""Compression that keeps learning as it reads: predict a character, pay for it, and,
every few characters, nudge the weights towards the text just read. The decoder makes
the very same nudges, so it always holds the very same model as the encoder had.

This is how neural compressors such as NNCP and cmix work, and what every adaptive
compressor (PPMd, gzip's window) does in its own way: what it has read so far shapes
its next guess. arithmetic_coding.py codes with a model that stopped learning.

Both sides run the same arithmetic in the same order: the model reads the text
character by character, keeping what it worked out for earlier characters (a cache of
each layer's keys and values), in chunks of half a window. After each chunk, one
training step on the text just coded, with the same optimizer. On the same kind of
machine the two sides get identical numbers, so identical probabilities, so the coder
gets every character back; a file decoded on another kind of machine is refused by its
checksum, never returned wrong.

Library module: importing it does nothing.
"""

import cli  # noqa: F401  (first: it pins how PyTorch adds numbers up, see cli.py)

import copy
import math
import zlib

import torch
import torch.nn.functional as F

import arithmetic_coding
import training

# How the model keeps learning as it reads, chosen on the validation text: after every
# chunk of characters (half a window), one AdamW step at this learning rate on the
# latest windows of text read.
NUDGE = dict(lr=1e-4, windows=4, weight_decay=0.0)
# the same header as arithmetic_coding's, with its own magic bytes
MAGIC = b"LMAD"


class Reader:
    """The model reading one character at a time. Each layer keeps the keys and values
    of the characters it has read (a cache), so a new character costs one position of
    work, not a whole window."""

    def __init__(self, model):
        self.model = model
        self.cache = []

    @torch.no_grad()
    def read(self, ids):
        """Read ids after what was read so far; returns the next-token scores after
        the last one."""
        m = self.model
        start = self.cache[0][0].size(1) if self.cache else 0
        idx = torch.as_tensor(ids, dtype=torch.long)[None]
        pos = torch.arange(start, start + idx.size(1))
        x = m.wte(idx) + m.wpe(pos)
        for i, block in enumerate(m.blocks):
            attn = block.attn
            B, T, C = x.size()
            q, k, v = attn.c_attn(block.ln_1(x)).split(C, dim=2)
            if len(self.cache) > i:
                k = torch.cat([self.cache[i][0], k], dim=1)
                v = torch.cat([self.cache[i][1], v], dim=1)
                self.cache[i] = (k, v)
            else:
                self.cache.append((k, v))
            heads, size = attn.n_head, C // attn.n_head
            q = q.view(B, T, heads, size).transpose(1, 2)
            k = k.view(B, -1, heads, size).transpose(1, 2)
            v = v.view(B, -1, heads, size).transpose(1, 2)
            # each new position sees every cached one and the new ones up to itself
            mask = torch.ones(T, k.size(2), dtype=torch.bool).tril(k.size(2) - T)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            x = x + attn.c_proj(y)
            x = x + block.mlp(block.ln_2(x))
        return m.lm_head(m.ln_f(x[:, -1]))[0]


class Learner:
    """The model, its optimizer and the text read so far: what the encoder and the
    decoder each hold, and change the same way."""

    def __init__(self, model, context_ids, nudge=NUDGE):
        self.model = copy.deepcopy(model)  # the caller's model stays as it was
        self.model.eval()  # no dropout: the nudges must be the same on both sides
        self.nudge = nudge
        self.optimizer = training.make_optimizer(
            self.model, nudge["lr"], nudge["weight_decay"]
        )
        self.size = self.model.config.block_size
        self.chunk = self.size // 2
        self.read = list(context_ids[-self.size :])  # the training text's last window

    def chunks(self, n):
        """(start, end) of each chunk of n characters to code."""
        return [(s, min(s + self.chunk, n)) for s in range(0, n, self.chunk)]

    def start_chunk(self):
        """A fresh reader that has read the text just before the chunk; returns it
        and its scores for the chunk's first character."""
        reader = Reader(self.model)
        keep = self.size - self.chunk  # the chunk's last character sits at size - 1
        return reader, reader.read(self.read[-keep:])

    def learn(self, chunk_ids):
        """The chunk has been coded: add it to what was read, then nudge."""
        self.read += chunk_ids
        self.read = self.read[-(self.size + self.nudge["windows"] * self.chunk) :]
        ends = [len(self.read) - w * self.chunk for w in range(self.nudge["windows"])]
        ends = [e for e in ends if e >= self.size + 1]
        if not ends:
            return
        data = torch.tensor(self.read)
        x = torch.stack([data[e - self.size - 1 : e - 1] for e in ends])
        y = torch.stack([data[e - self.size : e] for e in ends])
        logits, _ = self.model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()


def probabilities(scores):
    return F.softmax(scores.double(), dim=-1)


def encode_ids(model, context_ids, ids, nudge=NUDGE):
    """Arithmetic-code ids while learning. Returns (payload, bits the model paid)."""
    learner, encoder, bits = (
        Learner(model, context_ids, nudge),
        arithmetic_coding.Encoder(),
        0.0,
    )
    for start, end in learner.chunks(len(ids)):
        reader, scores = learner.start_chunk()
        for i in range(start, end):
            probs = probabilities(scores)
            bits -= math.log2(probs[ids[i]].item())
            encoder.encode(arithmetic_coding.quantise(probs), ids[i])
            if i + 1 < end:
                scores = reader.read([ids[i]])
        learner.learn(ids[start:end])
    return encoder.finish(), bits


def decode_ids(model, context_ids, payload, n, nudge=NUDGE):
    learner, decoder, ids = (
        Learner(model, context_ids, nudge),
        arithmetic_coding.Decoder(payload),
        [],
    )
    for start, end in learner.chunks(n):
        reader, scores = learner.start_chunk()
        for i in range(start, end):
            ids.append(
                decoder.decode(arithmetic_coding.quantise(probabilities(scores)))
            )
            if i + 1 < end:
                scores = reader.read([ids[-1]])
        learner.learn(ids[start:end])
    return ids


def compress(model, tokenizer, context_text, text, nudge=NUDGE):
    """Header + payload, coded by a model that keeps learning as it reads text, after
    reading context_text. Returns (compressed bytes, bits the model measured)."""
    ids = tokenizer.encode(text)
    payload, bits = encode_ids(model, tokenizer.encode(context_text), ids, nudge)
    return arithmetic_coding.pack(MAGIC, model, text, len(ids), payload), bits


def decompress(model, tokenizer, context_text, blob, nudge=NUDGE):
    """The original text, or arithmetic_coding.CorruptData. Never a wrong text."""
    mid, n_chars, n_bytes, crc = arithmetic_coding.read_header(blob, MAGIC)
    if mid != arithmetic_coding.model_id(model):
        raise arithmetic_coding.CorruptData("compressed with a different model")
    payload = blob[arithmetic_coding.HEADER.size :]
    ids = decode_ids(model, tokenizer.encode(context_text), payload, n_chars, nudge)
    data = tokenizer.decode(ids).encode("utf-8")
    if len(data) != n_bytes or zlib.crc32(data) != crc:
        raise arithmetic_coding.CorruptData(
            "the data is corrupt: the decoded text fails its length and checksum test"
        )
    return data.decode("utf-8")


def score(model, context_ids, ids, nudge=NUDGE):
    """Bits per character of ids for a model that keeps learning as it reads, the
    fast way (a chunk's characters scored together): what encode_ids pays, up to the
    last digits, for choosing the nudge's settings. nudge=None: no learning."""
    learner = Learner(model, context_ids, nudge or NUDGE)
    keep, total = learner.size - learner.chunk, 0.0
    for start, end in learner.chunks(len(ids)):
        window = torch.tensor(learner.read[-keep:] + ids[start:end])
        with torch.no_grad():
            logits, _ = learner.model(window[None, :-1])
        total += F.cross_entropy(
            logits[0, keep - 1 :], window[keep:], reduction="sum"
        ).item()
        if nudge:
            learner.learn(ids[start:end])
        else:
            learner.read = (learner.read + ids[start:end])[-learner.size :]
    return total / len(ids) / math.log(2)
