# A skill that appears suddenly: a 2-layer model learns to copy, all at once; a 1-layer
# model, trained the same way, never does.
#
# Both models are attention-only transformers (induction.py). They see random tokens in
# which one segment appears twice, and we watch three scores on the second copy, the
# part a copier could predict: the loss (in bits per token), the share of its tokens
# predicted right, and the share of copies predicted right from end to end.
#
#     python snippets/sudden_skill.py

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import torch

import induction
from induction import SEGMENT_LEN, SEQ_LEN, VOCAB_SIZE

parser = cli.Parser(
    description="Watch a 2-layer model learn to copy, suddenly, and a 1-layer one not."
)
parser.add_argument(
    "--seed",
    type=int,
    default=induction.SEED,
    help="seed for weights and data (default: %(default)s)",
)
args = cli.parse_args(parser)
torch.set_num_threads(1)  # small matrices: a second thread only adds waiting

# %% example
x, y, mask = induction.repeated_batch(1, torch.Generator().manual_seed(3))
tokens = x[0].tolist() + [y[0, -1].item()]
# the copy starts here (the mask starts one token later)
copy = mask[0].nonzero()[0].item()
segment = tokens[copy : copy + SEGMENT_LEN]
original = next(i for i in range(copy) if tokens[i : i + SEGMENT_LEN] == segment)
starts, ends = {original, copy}, {original + SEGMENT_LEN - 1, copy + SEGMENT_LEN - 1}
shown = [
    ("[" if i in starts else "") + str(t) + ("]" if i in ends else "")
    for i, t in enumerate(tokens)
]
print(
    f"{SEQ_LEN + 1} random tokens out of {VOCAB_SIZE}; a {SEGMENT_LEN}-token segment "
    f"and its copy are in brackets:"
)
print(" ".join(shown))

# %% train
steps = 1000
chance = math.log2(VOCAB_SIZE)  # the loss of a uniform guess among all tokens, in bits
models, histories = {}, {}
for n_layer in (1, 2):
    # kept in out/ for next time: inside.py opens up the 2-layer model
    models[n_layer], histories[n_layer] = induction.trained(n_layer, steps, args.seed)

measured_at = histories[2]["step"]
# the training code measures the loss in nats: in bits, divide by ln 2
loss_1layer = [loss / math.log(2) for loss in histories[1]["loss"]]
loss_2layer = [loss / math.log(2) for loss in histories[2]["loss"]]
accuracy_1layer, accuracy_2layer = histories[1]["accuracy"], histories[2]["accuracy"]
whole_2layer = histories[2]["whole"]
print(f"scores on the copies in {induction.EVAL_SIZE} sequences never trained on\n")
shown = [i for i, step in enumerate(measured_at) if step % 100 == 0]
print("| step | loss (bits), 1 layer | loss (bits), 2 layers |")
print("|---:|---:|---:|")
for i in shown:
    print(f"| {measured_at[i]} | {loss_1layer[i]:.2f} | {loss_2layer[i]:.2f} |")

print(
    "\n| step | tokens right, 1 layer | tokens right, 2 layers "
    "| whole copies, 2 layers |"
)
print("|---:|---:|---:|---:|")
for i in shown:
    print(
        f"| {measured_at[i]} | {accuracy_1layer[i]:.0%} | {accuracy_2layer[i]:.0%} | "
        f"{whole_2layer[i]:.0%} |"
    )

print(f"\n(a blind guess: loss {chance:.2f} bits, 1 token in {VOCAB_SIZE} right)")

# %% drop
window = steps // 10  # "a small fraction of training": a tenth of it
per_window = window // (measured_at[1] - measured_at[0])


def sharpest_drop(losses):
    """The window of training in which the loss shrank by the largest factor: (start
    index, factor)."""
    ratios = [later / now for now, later in zip(losses, losses[per_window:])]
    best = min(range(len(ratios)), key=ratios.__getitem__)
    return best, ratios[best]


def onset(scores):
    """The first step at which a score has gone a tenth of the way from its first value
    to its last."""
    first, last = scores[0], scores[-1]
    return next(
        step
        for step, score in zip(measured_at, scores)
        if (score - first) / (last - first) >= 0.1
    )


i, ratio_2layer = sharpest_drop(loss_2layer)
drop_start, drop_end = measured_at[i], measured_at[i + per_window]
drop_from, drop_to = loss_2layer[i], loss_2layer[i + per_window]
_, ratio_1layer = sharpest_drop(loss_1layer)
loss_onset, accuracy_onset = onset(loss_2layer), onset(accuracy_2layer)
whole_onset = onset(whole_2layer)
print(
    f"2 layers: the steepest {window} steps, from step {drop_start} to {drop_end}: "
    f"loss {drop_from:.2f} -> {drop_to:.2f} bits ({drop_to / drop_from:.0%} of it)"
)
print(f"1 layer: its steepest {window} steps leave {ratio_1layer:.0%} of its loss")
print("2 layers, the first step each score had gone a tenth of its way:")
print(
    f"  loss {loss_onset}, tokens right {accuracy_onset}, whole copies right "
    f"{whole_onset}"
)

# %% plot
alt = (
    "Two panels over training. Top, loss on the copy: the 1-layer model creeps down "
    "slowly; the 2-layer model starts the same way, then drops steeply. Bottom, share "
    "of the copy predicted right: the 2-layer model jumps to nearly all of its tokens, "
    "whole copies start later; the 1-layer model stays low"
)
with cli.figure("sudden-skill", alt, 2, 1, figsize=(3.6, 7.4)) as (fig, (left, right)):
    left.plot(measured_at, loss_1layer, label="1 layer")
    left.plot(measured_at, loss_2layer, label="2 layers")
    left.axhline(
        chance, color="gray", linestyle=":", label=f"blind guess, 1 in {VOCAB_SIZE}"
    )
    left.axvspan(
        drop_start, drop_end, color="C1", alpha=0.15, label=f"steepest {window} steps"
    )
    left.set_ylim(0, chance + 0.4)
    left.set_ylabel("loss on the copy (bits)")
    right.plot(measured_at, accuracy_1layer, label="1 layer: tokens right")
    right.plot(measured_at, accuracy_2layer, label="2 layers: tokens right")
    right.plot(
        measured_at,
        whole_2layer,
        "--",
        color="C1",
        label="2 layers: whole copies right",
    )
    right.set_ylim(0, 1)
    right.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    for ax in (left, right):
        ax.set_xlabel("training step")
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.tight_layout()

# %% test
# A fresh test: 1,024 new sequences like the training ones, and two sets of 1,024 with a
# shorter segment (10 tokens) whose copy sits at distances training never used: nearer
# (10 to 19 tokens on) and further (30 to 39).
test = induction.repeated_batch(1024, torch.Generator().manual_seed(args.seed + 3))
trained_distances = range(SEGMENT_LEN, SEQ_LEN + 2 - SEGMENT_LEN)  # 20 to 29
new_segment = 10
near_distances = list(range(new_segment, trained_distances.start))
far_distances = list(range(trained_distances.stop, SEQ_LEN + 2 - new_segment))
near = induction.repeated_at(
    1024, torch.Generator().manual_seed(args.seed + 4), near_distances, new_segment
)
far = induction.repeated_at(
    1024, torch.Generator().manual_seed(args.seed + 5), far_distances, new_segment
)
tested = {}  # "model, test" -> [tokens right, tokens, whole copies right, copies]
print("| model | copies | tokens right | whole copies right |")
print("|---|---|---:|---:|")
with torch.no_grad():
    for name, model in (("1 layer", models[1]), ("2 layers", models[2])):
        for where, (x, y, mask) in [
            ("usual", test),
            ("nearer", near),
            ("further", far),
        ]:
            _, right, total, whole = induction.copy_scores(model(x), y, mask)
            tested[f"{name}, {where}"] = [right, total, whole, len(x)]
            print(
                f"| {name} | {where} | {right:,d} of {total:,d} | "
                f"{whole:,d} of {len(x):,d} |"
            )

share = {key: right / total for key, (right, total, _, _) in tested.items()}
one_usual, one_near, one_far = (
    share[f"1 layer, {w}"] for w in ("usual", "nearer", "further")
)
two_usual, two_near, two_far = (
    share[f"2 layers, {w}"] for w in ("usual", "nearer", "further")
)
print(
    f"\n1 layer: {one_usual:.0%} of the usual copies' tokens, {one_near:.0%} nearer, "
    f"{one_far:.0%} further (a blind guess: {1 / VOCAB_SIZE:.0%})"
)
print(f"2 layers: {two_usual:.0%}, {two_near:.0%} and {two_far:.0%}")
one_whole, two_whole = (
    tested[f"{name}, usual"][2] / tested[f"{name}, usual"][3]
    for name in ("1 layer", "2 layers")
)
