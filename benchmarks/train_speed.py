"""How fast does the tiny GPT train here, and how good does it get? A benchmark, not a test.

Measures this machine's fp32 matmul peak (one thread per worker), then trains one configuration
(the default run unless flags say otherwise) on one worker or, data-parallel, on several, and reports
tokens per second, model FLOPs utilisation (MFU) against that peak, bits per character on the
validation text next to gzip/bz2/xz (given the training text) and on as much training text, scored
the same way, and peak memory. Settings are chosen on the validation text only: the test text
(training.split_three) is for train.py's final score, so this never looks at it. Wall times depend on
what else the machine is doing: run it on a quiet machine, and run it twice.

    python benchmarks/train_speed.py                  # the default run (the page's)
    python benchmarks/train_speed.py --workers 2      # the same run on 2 workers (torchrun's engine)
    python benchmarks/train_speed.py --long           # the longer setting (train.py --long)
    python benchmarks/train_speed.py --n_layer 4 --n_embd 128 --block_size 64 --batch_size 12
"""

import math
import os
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402

import training  # noqa: E402
import workers  # noqa: E402
from training import DEFAULT, LONG  # noqa: E402


def matmul_peak(n=1024, seconds=2.0):
    """Best fp32 GFLOP/s of a square matmul, over a few timed bursts."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    best = 0.0
    for _ in range(3):
        t0, k = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds / 3:
            a @ b
            k += 1
        best = max(best, 2 * n**3 * k / (time.perf_counter() - t0))
    return best


parser = cli.Parser(description=__doc__.splitlines()[0])
parser.add_argument(
    "--long", action="store_true", help="start from the longer setting instead of the default"
)
for key, value in DEFAULT.items():
    parser.add_argument(f"--{key}", type=type(value), help=f"(default run: {value})")
parser.add_argument(
    "--threads",
    type=int,
    default=training.THREADS,
    help="threads per worker (default: %(default)s)",
)
parser.add_argument(
    "--workers", type=int, default=1, help="data-parallel workers (default: %(default)s)"
)
args = cli.parse_args(parser)
s = dict(LONG if args.long else DEFAULT)
s.update({key: value for key, value in vars(args).items() if key in s and value is not None})
if args.workers > 1 and "RANK" not in os.environ:
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    workers.launch_workers(Path(__file__), args.workers, sys.argv[1:])
    raise SystemExit(0)
rank, n_workers = workers.start_worker("cpu", 120)
torch.set_num_threads(args.threads)

load_before = ", ".join(
    f"{x:.1f}" for x in os.getloadavg()
)  # other work on the machine skews every figure
peak = workers.mean_over_workers(matmul_peak()) * n_workers  # every worker's cores, added up
text = cli.default_corpus()
tok = training.CharTokenizer.from_text(text)
train_ids, val_ids, _ = training.split_three(text, tok, s["heldout_fraction"], s["test_fraction"])
model = training.build(s, tok)

t0 = time.perf_counter()
cpu0 = time.process_time()
history = training.train(
    model, train_ids, val_ids, s, eval_every=s["steps"]
)  # one evaluation, at the end
cpu = time.process_time() - cpu0
seconds = time.perf_counter() - t0
# like the compressors below: the training text, then every character of the validation text
val_bpc = training.evaluate(model, val_ids, context=train_ids) / math.log(2)
train_bpc = training.evaluate(model, train_ids, max_tokens=len(val_ids)) / math.log(2)
tokens = s["steps"] * s["batch_size"] * s["block_size"]  # all workers together
achieved = training.flops_per_token(model) * tokens / seconds
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

print(f"settings: {s}")
print(f"load average before: {load_before}")
print(f"params {model.num_params():,}   {training.flops_per_token(model):,} FLOPs/token")
print(
    f"fp32 matmul peak {peak / 1e9:.0f} GFLOP/s on {n_workers} worker(s) x {args.threads} thread(s)"
)
print(
    f"trained {s['steps']} steps, {tokens:,} tokens in {seconds:.1f} s wall on {n_workers} worker(s) "
    f"({cpu:.1f} s CPU on worker 0): {tokens / seconds:,.0f} tokens/s, {achieved / 1e9:.0f} GFLOP/s, "
    f"MFU {achieved / peak:.0%}"
)
train_text, val_text = tok.decode(train_ids.tolist()), tok.decode(val_ids.tolist())
print(
    f"validation bits/char: model {val_bpc:.3f}   "
    + "   ".join(
        f"{k} {v:.3f}" for k, v in training.compressed_bits_per_char(train_text, val_text).items()
    )
    + f"   (model on training text, scored the same way: {train_bpc:.3f})"
)
print(f"peak memory {peak_mib:,.0f} MiB (worker 0)")
