"""A scaling law on a laptop: six model sizes, one rule, held-out loss against size on
log-log axes.

The rule: every model reads the same text, in the same order, for the same number of
steps (so the same number of characters); only its shape changes. Sizes are counted
without the embeddings, as Kaplan et al. (2020) do. Takes a few minutes; the site runs
it once and caches it.

    python snippets/scaling.py
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import matplotlib.pyplot as plt
import torch
from matplotlib.ticker import FormatStrFormatter, MultipleLocator, NullFormatter

import training
from gpt import GPT, GPTConfig

parser = cli.Parser(description="Six model sizes, the same training: loss by size.")
parser.add_argument("--seed", type=int, default=training.DEFAULT["seed"],
                    help="seed for the weights and batches (default: %(default)s)")
args = cli.parse_args(parser)
torch.set_num_threads(1)  # steadier than two threads on a shared 2-core machine

# %% setup
# (layers, width); 4 heads unless narrower
shapes = [(1, 32), (2, 40), (2, 64), (3, 80), (4, 104), (4, 128)]
steps, batch_size, block_size = 200, 32, 64
text = cli.default_corpus()
tokenizer = training.CharTokenizer.from_text(text)
train_ids, heldout_ids = training.split(text, tokenizer)
characters_seen = steps * batch_size * block_size
print(f"every model: {steps} steps x {batch_size} windows x {block_size} characters = "
      f"{characters_seen:,} characters of training text "
      f"({characters_seen / len(train_ids):.1f} passes over it)")

# %% train
params, losses = [], []
print(" layers  width   parameters  held-out loss (nats per character)")
for n_layer, n_embd in shapes:
    torch.manual_seed(args.seed)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=block_size,
                       n_layer=n_layer,
                       n_head=4 if n_embd >= 64 else 2, n_embd=n_embd)
    model = GPT(config)
    # without embeddings
    n = model.num_params() - model.wte.weight.numel() - model.wpe.weight.numel()
    settings = dict(training.DEFAULT, steps=steps, batch_size=batch_size,
                    seed=args.seed)
    history = training.train(model, train_ids, heldout_ids, settings, eval_every=steps,
                             # measured once, at the end, on all held-out text
                             eval_tokens=None)
    loss = history["heldout"][-1]
    params.append(n)
    losses.append(loss)
    print(f"{n_layer:7d}  {n_embd:5d}  {n:11,d}  {loss:.3f}")

# %% fit
# A power law L = c * N^(-alpha) is a straight line on log-log axes: fit log L = log c -
# alpha log N.
xs, ys = [math.log(n) for n in params], [math.log(loss) for loss in losses]
x_mean, y_mean = sum(xs) / len(xs), sum(ys) / len(ys)
slope = (sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys))
         / sum((x - x_mean) ** 2 for x in xs))
alpha = -slope
c = math.exp(y_mean - slope * x_mean)
r_squared = 1 - (sum((y - (math.log(c) + slope * x)) ** 2 for x, y in zip(xs, ys))
                 / sum((y - y_mean) ** 2 for y in ys))
kaplan_alpha = 0.076   # Kaplan et al. 2020, alpha_N
size_ratio = params[-1] / params[0]
loss_ratio = losses[-1] / losses[0]
loss_cut = 1 - loss_ratio
print(f"fitted: loss = {c:.2f} x N^-{alpha:.3f}   (R^2 = {r_squared:.3f})")
print(f"Kaplan et al. 2020: alpha_N = {kaplan_alpha}")
print(f"{size_ratio:.0f}x the parameters: {loss_cut:.0%} lower loss")

# %% plot
alt = ("Held-out loss against model size on log-log axes: the points fall close to a "
       "straight line, a power law; Kaplan's slope is drawn for comparison")
fig, ax = plt.subplots(figsize=(6, 4), num=alt)
ax.loglog(params, losses, "o", label="our models")
fit = [c * n ** -alpha for n in params]
ax.loglog(params, fit, "-", label=f"fit: slope -{alpha:.3f}")
kaplan = [losses[0] * (n / params[0]) ** -kaplan_alpha for n in params]
ax.loglog(params, kaplan, ":", color="gray",
          label=f"Kaplan et al.'s slope, -{kaplan_alpha}")
# Label each model's size on the x axis, and every 0.1 on the y axis: the losses span
# less than a factor of 2, too little for a tick at each power of ten.
ax.set_xticks(params, [f"{n / 1000:,.0f}k" for n in params])
ax.xaxis.set_minor_formatter(NullFormatter())
ax.yaxis.set_major_formatter(NullFormatter())
ax.yaxis.set_minor_locator(MultipleLocator(0.1))
ax.yaxis.set_minor_formatter(FormatStrFormatter("%.1f"))
ax.set_xlabel("parameters (without embeddings)")
ax.set_ylabel("held-out loss (nats per character)")
ax.legend()
cli.save_figure(fig, "scaling")
