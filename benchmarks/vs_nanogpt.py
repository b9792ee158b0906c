"""Is our training step as fast as nanoGPT's? A benchmark, not a test: a minute or two.

Trains our model (snippets/gpt.py, through training.build and make_optimizer) and nanoGPT's
(benchmarks/nanogpt/model.py, unchanged, with its configure_optimizers) on the same shape as the
default run (2 layers, 4 heads, 96 wide, a 32-character window, batch 32, biases, no dropout), on the
same batches, one thread each, in alternating blocks of steps so that other work on the machine
slows both alike. Reports each one's CPU milliseconds per training step (forward, backward, gradient
clipping, AdamW), the median over the blocks.

    python benchmarks/vs_nanogpt.py
    python benchmarks/vs_nanogpt.py --blocks 10 --steps 50
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402  (first among the snippets' modules: it pins the arithmetic)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "nanogpt"))
import model as nanogpt  # noqa: E402

import training  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--blocks", type=int, default=8, help="blocks of steps per model")
parser.add_argument("--steps", type=int, default=40, help="steps per block")
args = parser.parse_args()
torch.set_num_threads(1)

s = training.DEFAULT
text = cli.default_corpus()
tokenizer = training.CharTokenizer.from_text(text)
train_ids, _, _ = training.split_three(text, tokenizer)

torch.manual_seed(s["seed"])
ours = training.build(s, tokenizer)
ours_optimizer = training.make_optimizer(ours, s["lr"], s["weight_decay"])
torch.manual_seed(s["seed"])
config = nanogpt.GPTConfig(
    block_size=s["block_size"],
    vocab_size=tokenizer.vocab_size,
    n_layer=s["n_layer"],
    n_head=s["n_head"],
    n_embd=s["n_embd"],
    dropout=0.0,
    bias=True,
)
theirs = nanogpt.GPT(config)
theirs_optimizer = theirs.configure_optimizers(s["weight_decay"], s["lr"], (0.9, 0.95), "cpu")


def step(model, optimizer, x, y):
    logits, _ = model(x)
    loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


def nano_step(model, optimizer, x, y):
    _, loss = model(x, y)  # nanoGPT computes its loss inside forward when given targets
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


generator = torch.Generator().manual_seed(s["seed"])
batches = [
    training.get_batch(train_ids, s["block_size"], s["batch_size"], generator)
    for _ in range(args.steps)
]
runs = {"ours (snippets/gpt.py)": [], "nanoGPT (model.py)": []}
ours.train()
theirs.train()
for block in range(args.blocks + 1):  # the first block warms both up and is not counted
    for name, (model, optimizer, one_step) in zip(
        runs,
        [(ours, ours_optimizer, step), (theirs, theirs_optimizer, nano_step)],
    ):
        started = time.process_time()
        for x, y in batches:
            one_step(model, optimizer, x, y)
        if block:
            runs[name].append(1000 * (time.process_time() - started) / args.steps)

print(f"kernel path: {torch.backends.cpu.get_cpu_capability()}, 1 thread")
print(f"{ours.num_params():,} weights (ours), {theirs.get_num_params(False):,} (nanoGPT)")
print(f"{'CPU ms per training step':28s}{'median':>8s}{'fastest':>9s}")
for name, times in runs.items():
    print(f"{name:28s}{statistics.median(times):8.2f}{min(times):9.2f}")
