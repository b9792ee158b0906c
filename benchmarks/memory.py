"""How much of the gap to PPMd is memory? A benchmark, not a test: about 10 CPU-minutes.

PPMd beats our model on the test text (benchmarks/compressors.txt) because it can reuse long strings
of the training text word for word, which a model with a 32-character window and 200 K weights
cannot hold. This measures that explanation: the default run's model, stopped learning, is given a
memory of the training text, as a kNN-LM does (Khandelwal et al. 2020, "Generalization through
Memorization: Nearest Neighbor Language Models"). Every position of the training text is stored as
the model's last hidden vector there (what it made of the text so far) and the character that came
next. At each character to predict, the k stored positions whose vectors are nearest give their next
characters, weighted by softmax(-distance / T); that guess is mixed with the model's own:
(1 - lam) * model + lam * memory. Positions of the text being scored join the memory once read, as in
any compressor.

k, T and lam are chosen on the validation text; the test text is scored once, with that choice. The
scores are losses (the size of an ideal coded file), not files. Seconds are this process's CPU time.

    python benchmarks/memory.py            # the default run's model (trained first if out/ has none)
"""

import bz2
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402  (first among the snippets' modules: it pins the arithmetic)

import pyppmd  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import training  # noqa: E402

KS, TEMPERATURES, LAMBDAS = (16, 64), (0.5, 1.0, 2.0), (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@torch.no_grad()
def hidden_states(model, data, context):
    """The model's last hidden vector and log-probabilities at each character of data (after
    context), each with at least half a window of text before it, as training.evaluate scores."""
    size = model.config.block_size
    half, n = size // 2, len(data)
    # data[i] sits at text[lead + i]; the vector that predicts it, at lead + i - 1
    lead = size - half + 1
    text = torch.cat([context[-lead:], data])
    starts = list(range(0, n - half + 1, half))  # window s predicts data[s : s + half]
    if starts[-1] < n - half:  # the last few characters: one more window, at the end
        starts.append(n - half)
    vectors = torch.zeros(n, model.config.n_embd)
    for start in starts:
        x = text[start : start + size][None]
        h = model.wte(x) + model.wpe(torch.arange(size))
        for block in model.blocks:
            h = block(h)
        vectors[start : start + half] = model.ln_f(h)[0, size - half :]
    logprobs = F.log_softmax(model.lm_head(vectors).double(), dim=-1)
    return vectors, logprobs


def neighbours(queries, keys, k):
    """For each query i: the distances to, and indices of, its k nearest keys among the first
    n_stored + i (the stored text, then the scored text up to but not including query i)."""
    n_stored = len(keys) - len(queries)
    key_norms = (keys * keys).sum(1)
    found_d, found_i = [], []
    for first in range(0, len(queries), 1024):
        q = queries[first : first + 1024]
        d = key_norms[None] - 2 * q @ keys.T + (q * q).sum(1, keepdim=True)
        unread = torch.arange(len(queries))[None] >= torch.arange(first, first + len(q))[:, None]
        d[:, n_stored:][unread] = float("inf")
        dist, index = d.topk(k, dim=1, largest=False)
        found_d.append(dist)
        found_i.append(index)
    return torch.cat(found_d), torch.cat(found_i)


def mixed_bits(logprobs, targets, dist, next_ids, k, temperature, lam, vocab_size):
    weights = F.softmax(-dist[:, :k].double() / temperature, dim=1)
    memory = torch.zeros(len(targets), vocab_size, dtype=torch.double)
    memory.scatter_add_(1, next_ids[:, :k], weights)
    p = (1 - lam) * logprobs.exp() + lam * memory
    return -p.gather(1, targets[:, None]).log2().mean().item()


def squeezed(train_text, text):
    """Bits per character for bz2 and PPMd order 16, after the training text."""
    tools = {
        "bz2 -9": lambda b: bz2.compress(b, 9),
        "PPMd order 16": lambda b: pyppmd.compress(b, max_order=16, mem_size=256 << 20),
    }
    both, seen = (train_text + text).encode(), train_text.encode()
    return {name: 8 * (len(f(both)) - len(f(seen))) / len(text) for name, f in tools.items()}


torch.set_num_threads(training.THREADS)
print(f"kernel path: {torch.backends.cpu.get_cpu_capability()}, {training.THREADS} thread")
model, tokenizer = training.load_or_train()
model.eval()
text = cli.default_corpus()
train_ids, val_ids, test_ids = training.split_three(text, tokenizer)
train_text = tokenizer.decode(train_ids.tolist())
cpu = time.process_time()
keys, _ = hidden_states(model, train_ids[32:], train_ids[:32])
stored_next = train_ids[32:]
print(f"memory: {len(keys):,} positions of the training text, {keys.size(1)} numbers each")

scores = {}
for name, ids in (("validation", val_ids), ("test", test_ids)):
    queries, logprobs = hidden_states(model, ids, train_ids)
    dist, index = neighbours(queries, torch.cat([keys, queries]), max(KS))
    next_ids = torch.cat([stored_next, ids])[index]
    scores[name] = (ids, logprobs, dist, next_ids)

ids, logprobs, dist, next_ids = scores["validation"]
grid = {
    (k, t, lam): mixed_bits(logprobs, ids, dist, next_ids, k, t, lam, tokenizer.vocab_size)
    for k in KS
    for t in TEMPERATURES
    for lam in LAMBDAS
}
k, t, lam = min(grid, key=grid.get)
print(f"chosen on the validation text: k={k}, T={t}, lam={lam} (of {len(grid)} settings tried)")
print(f"CPU: {time.process_time() - cpu:.0f} s for the memory, both searches and the choice")

print(f"\n{'bits per character':46s}{'validation':>11s}{'test':>8s}")
rows = {}
for name, (ids, logprobs, dist, next_ids) in scores.items():
    own = -logprobs.gather(1, ids[:, None]).mean().item() / math.log(2)
    rows.setdefault("default run, stopped learning", {})[name] = own
    rows.setdefault("the same model + memory of the training text", {})[name] = mixed_bits(
        logprobs, ids, dist, next_ids, k, t, lam, tokenizer.vocab_size
    )
    for tool, bpc in squeezed(train_text, tokenizer.decode(ids.tolist())).items():
        rows.setdefault(tool, {})[name] = bpc
for row, got in rows.items():
    print(f"{row:46s}{got['validation']:11.3f}{got['test']:8.3f}")
