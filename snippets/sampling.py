"""Turning the model's numbers back into text: next-token probabilities, then pick,
append, repeat.

Library module: importing it does nothing.
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import torch
import torch.nn.functional as F


def check_settings(ids, temperature=1.0, top_k=None, greedy=False, max_new_tokens=1):
    if len(ids) == 0:
        raise cli.InputError(
            "the prompt is empty: give the model at least one character"
        )
    if max_new_tokens <= 0:
        raise cli.InputError(f"tokens to add: must be at least 1, not {max_new_tokens}")
    if not greedy and not temperature > 0:
        raise cli.InputError(
            f"temperature must be above 0, not {temperature} "
            f"(for always-the-top-token, use greedy)"
        )
    if top_k is not None and top_k < 1:
        raise cli.InputError(
            f"top-k must be at least 1, not {top_k} "
            f"(leave it out to sample from every token)"
        )


@torch.no_grad()
def next_token_probs(model, ids, temperature=1.0):
    """The model's probability for every token in its vocabulary to come next after
    ids."""
    check_settings(ids, temperature)
    idx = torch.as_tensor(list(ids), dtype=torch.long)[None, -model.config.block_size :]
    model.eval()
    logits, _ = model(idx.to(next(model.parameters()).device))
    return F.softmax(logits[0, -1].float().cpu() / temperature, dim=-1)


@torch.no_grad()
def generate(
    model,
    ids,
    max_new_tokens,
    temperature=1.0,
    top_k=None,
    greedy=False,
    generator=None,
):
    """Continue ids by max_new_tokens tokens; returns the whole sequence as a list.

    greedy: always take the most likely token. Otherwise draw at random from the
    probabilities, sharpened (temperature < 1) or flattened (> 1), and, with top_k, only
    among the k likeliest.
    """
    check_settings(ids, temperature, top_k, greedy, max_new_tokens)
    ids = list(ids)
    model.eval()
    device = next(model.parameters()).device
    for _ in range(max_new_tokens):
        context = ids[-model.config.block_size :]  # the model reads at most this much
        logits, _ = model(torch.tensor([context], device=device))
        logits = logits[0, -1].float().cpu()
        if greedy:
            ids.append(int(torch.argmax(logits)))
            continue
        logits = logits / temperature
        if top_k is not None and top_k < len(logits):
            kth = torch.topk(logits, top_k).values[-1]  # outside the top k: never
            logits = logits.masked_fill(logits < kth, float("-inf"))
        probs = F.softmax(logits, dim=-1)
        ids.append(int(torch.multinomial(probs, 1, generator=generator)))
    return ids


def top_words(model, tokenizer, prompt, k=5, max_len=12):
    """The model's k likeliest next words after prompt, likeliest first, with their
    probabilities.

    The model reads characters, so a "word" starts with one of the k likeliest next
    letters and goes on with the likeliest character each time, until something that is
    not a letter comes out (or max_len letters). A word's probability is the product of
    its letters' probabilities.
    """
    ids = tokenizer.encode(prompt)
    probs = next_token_probs(model, ids)
    letters = torch.tensor([tokenizer.decode([i]).isalpha() for i in range(len(probs))])
    first = torch.topk(probs * letters, k)
    words = []
    for p, i in zip(first.values.tolist(), first.indices.tolist()):
        word, prob = tokenizer.decode([i]), p
        while len(word) < max_len:
            probs = next_token_probs(model, ids + tokenizer.encode(word))
            nxt = int(torch.argmax(probs))
            if not tokenizer.decode([nxt]).isalpha():
                break
            word, prob = word + tokenizer.decode([nxt]), prob * float(probs[nxt])
        words.append((word, prob))
    return sorted(words, key=lambda wp: -wp[1])
