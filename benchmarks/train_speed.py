"""How fast does the tiny GPT train here, and how good does it get? A benchmark, not a test.

Measures this machine's fp32 matmul peak, then trains one configuration (the default run unless
flags say otherwise) and reports tokens per second, model FLOPs utilisation (MFU) against that peak,
held-out bits per character next to gzip/bz2/xz, and peak memory. Wall times depend on what else the
machine is doing: run it on a quiet machine, and run it twice.

    python benchmarks/train_speed.py                      # the default run
    python benchmarks/train_speed.py --steps 3000 --n_embd 192   # a longer/bigger setting
"""
import math
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402
import training  # noqa: E402
from training import DEFAULT  # noqa: E402


def matmul_peak(n=1024, seconds=2.0):
    """Best fp32 GFLOP/s of a square matmul, over a few timed bursts."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    best = 0.0
    for _ in range(3):
        t0, k = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds / 3:
            a @ b
            k += 1
        best = max(best, 2 * n ** 3 * k / (time.perf_counter() - t0))
    return best


parser = cli.Parser(description=__doc__.splitlines()[0])
for key, value in DEFAULT.items():
    parser.add_argument(f"--{key}", type=type(value), default=value)
parser.add_argument("--threads", type=int, default=torch.get_num_threads())
args = cli.parse_args(parser)
s = vars(args)
torch.set_num_threads(args.threads)

peak = matmul_peak()
text = cli.default_corpus()
tok = training.CharTokenizer.from_text(text)
train_ids, val_ids = training.split(text, tok, s["heldout_fraction"])
n_train = len(train_ids)
baselines = training.compressed_bits_per_char(text[:n_train], text[n_train:])
model = training.build(s, tok)

t0 = time.perf_counter()
history = training.train(model, train_ids, val_ids, args.steps, batch_size=args.batch_size, lr=args.lr,
                         min_lr=args.min_lr, warmup=args.warmup, weight_decay=args.weight_decay,
                         seed=args.seed, eval_every=args.steps)  # one evaluation, at the end
seconds = time.perf_counter() - t0
bpc = training.heldout_loss(model, val_ids) / math.log(2)
tokens = args.steps * args.batch_size * args.block_size
achieved = training.flops_per_token(model) * tokens / seconds
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

print(f"settings: {s}")
print(f"params {model.num_params():,}   {training.flops_per_token(model):,} FLOPs/token")
print(f"fp32 matmul peak {peak / 1e9:.0f} GFLOP/s on {args.threads} threads")
print(f"trained {args.steps} steps, {tokens:,} tokens in {seconds:.1f} s: {tokens / seconds:,.0f} tokens/s, "
      f"{achieved / 1e9:.0f} GFLOP/s, MFU {achieved / peak:.0%}")
print(f"held-out bits/char: model {bpc:.3f}   " + "   ".join(f"{k} {v:.3f}" for k, v in baselines.items()))
print(f"peak memory {peak_mib:,.0f} MiB")
