# How the big runs do it: the same training run on one worker and on two, data-parallel.
#
# Each worker is its own process with its own copy of the model. At every step the batch
# is cut in equal shares, each worker predicts and checks on its share, then the workers
# average their gradients (all-reduce) and all make the same nudge. PyTorch's real
# engine does it here: torchrun's launcher, a process group, and
# DistributedDataParallel.
#
#     python snippets/data_parallel.py              # about half a minute

import cli

import subprocess
import sys

import training

parser = cli.Parser(description="Train a few steps on one worker and on two; compare.")
parser.add_argument(
    "--steps", type=int, default=50, help="training steps (default: %(default)s)"
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="random seed (default: %(default)s)",
)
args = cli.parse_args(parser)
if args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")


# %% runs
def train_on(workers):
    """Run snippets/train.py on this many workers; return the loss of every step."""
    out = cli.OUT / f"data-parallel-{workers}.pt"
    command = [
        "snippets/train.py",
        "--steps",
        str(args.steps),
        "--seed",
        str(args.seed),
        "--workers",
        str(workers),
        "--out",
        cli.shown(out),
    ]
    print("$ python", " ".join(command))
    done = subprocess.run(
        [sys.executable, *command], cwd=cli.ROOT, capture_output=True, encoding="utf-8"
    )
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-1:] or ["no message"]
        cli.fail(f"training on {workers} worker(s) failed: {said[0]}")
    return training.load(out)[2]["history"]["loss"]


one = train_on(1)
two = train_on(2)
batch = training.DEFAULT["batch_size"]

# %% compare
print(
    f"{'step':>5}   1 worker, {batch} windows   2 workers, {batch // 2} each"
    f"   difference"
)
for step in [1, 2, 3, 10, 25, args.steps]:
    if step <= args.steps:
        a, b = one[step - 1], two[step - 1]
        print(f"{step:5d}   {a:18.4f}   {b:18.4f}   {abs(a - b):10.1e}")

largest_difference = max(abs(a - b) for a, b in zip(one, two))
print(f"largest difference over all {args.steps} steps: {largest_difference:.1e}")
