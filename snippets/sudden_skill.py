"""A skill that appears suddenly: a 2-layer model learns to copy, all at once; a 1-layer
model never does.

Both models are attention-only transformers (induction.py). They see random tokens in
which one segment appears twice, and we watch their loss on the second copy, the part a
copier could predict.

    python snippets/sudden_skill.py
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import matplotlib.pyplot as plt
import torch

import induction
from induction import SEGMENT_LEN, SEQ_LEN, VOCAB_SIZE

parser = cli.Parser(description="Watch a 2-layer model learn to copy, suddenly, and a "
                                "1-layer one not.")
parser.add_argument("--seed", type=int, default=induction.SEED,
                    help="seed for weights and data (default: %(default)s)")
args = cli.parse_args(parser)
torch.set_num_threads(1)  # small matrices: a second thread only adds waiting

# %% example
x, y, mask = induction.repeated_batch(1, torch.Generator().manual_seed(3))
tokens = x[0].tolist() + [y[0, -1].item()]
# the copy starts here (the mask starts one token later)
copy = mask[0].nonzero()[0].item()
segment = tokens[copy:copy + SEGMENT_LEN]
original = next(i for i in range(copy) if tokens[i:i + SEGMENT_LEN] == segment)
starts, ends = {original, copy}, {original + SEGMENT_LEN - 1, copy + SEGMENT_LEN - 1}
shown = [("[" if i in starts else "") + str(t) + ("]" if i in ends else "")
         for i, t in enumerate(tokens)]
print(f"{SEQ_LEN + 1} random tokens out of {VOCAB_SIZE}; a {SEGMENT_LEN}-token segment "
      f"and its copy are in brackets:")
print(" ".join(shown))

# %% train
steps = 1000
chance = math.log(VOCAB_SIZE)   # the loss of a uniform guess among all tokens, in nats
curves = {}
for n_layer in (1, 2):
    model, measured_at, losses = induction.train_induction(n_layer, steps, args.seed)
    curves[n_layer] = losses
    if n_layer == 2:
        induction.save_induction(model, args.seed)  # inside.py opens this one up
loss_1layer, loss_2layer = curves[1], curves[2]
print(f" step   1 layer   2 layers   (loss on the copy, nats; guessing: {chance:.2f})")
for step, one, two in zip(measured_at, loss_1layer, loss_2layer):
    if step % 100 == 0:
        print(f"{step:5d}   {one:7.2f}   {two:8.2f}")

# %% drop
window = steps // 10   # "a small fraction of training": a tenth of it
per_window = window // (measured_at[1] - measured_at[0])


def sharpest_drop(losses):
    """The window of training in which the loss shrank by the largest factor: (start
    index, factor)."""
    ratios = [later / now for now, later in zip(losses, losses[per_window:])]
    best = min(range(len(ratios)), key=ratios.__getitem__)
    return best, ratios[best]


i, ratio_2layer = sharpest_drop(loss_2layer)
drop_start, drop_end = measured_at[i], measured_at[i + per_window]
drop_from, drop_to = loss_2layer[i], loss_2layer[i + per_window]
_, ratio_1layer = sharpest_drop(loss_1layer)
final_1layer, final_2layer = loss_1layer[-1], loss_2layer[-1]
print(f"2 layers: from step {drop_start} to {drop_end}, the loss on the copy fell from "
      f"{drop_from:.2f} to "
      f"{drop_to:.2f} ({drop_to / drop_from:.0%} of what it was)")
print(f"1 layer: its biggest fall in {window} steps leaves {ratio_1layer:.0%} of it")
print(f"after {steps} steps: 1 layer {final_1layer:.2f}, 2 layers {final_2layer:.2f} "
      f"nats per token")

# %% plot
alt = ("Loss on the repeated segment over training: the 1-layer model creeps down "
       "slowly, the 2-layer model sits on a plateau and then drops steeply")
fig, ax = plt.subplots(figsize=(7, 3.5), num=alt)
ax.plot(measured_at, loss_1layer, label="1 layer")
ax.plot(measured_at, loss_2layer, label="2 layers")
ax.axhline(chance, color="gray", linestyle=":", label=f"blind guess, 1 in {VOCAB_SIZE}")
ax.axvspan(drop_start, drop_end, color="C1", alpha=0.15,
           label=f"the sharpest {window} steps")
ax.set_xlabel("training step")
ax.set_ylabel("loss on the copy (nats)")
ax.set_ylim(0, chance + 0.4)
ax.legend()
cli.save_figure(fig, "sudden-skill")
