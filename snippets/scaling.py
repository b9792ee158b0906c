# A scaling experiment on a laptop: ten model sizes, one rule, test loss (in bits per
# character) against size, and three curves that could describe it, judged on sizes
# they never saw.
#
# The rule: every model has the same shape (2 layers, 1 attention head, only the width
# changes) and reads the same text, in the same order, for the same number of steps (so
# the same number of characters). Sizes are counted without the embeddings, as Kaplan et
# al. (2020) do. Takes a minute or two; the site runs it once and keeps the record.
#
#     python snippets/scaling.py

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import numpy as np
import torch

import training
from gpt import GPT, GPTConfig

parser = cli.Parser(
    description="Ten model sizes, the same training: loss by size, "
    "and which curve predicts the biggest ones."
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="seed for the weights and batches (default: %(default)s)",
)
args = cli.parse_args(parser)
torch.set_num_threads(1)  # one thread: the same sums in the same order on any machine

# %% setup
widths = [4, 6, 8, 12, 16, 24, 32, 48, 64, 88]  # the only thing that changes
n_layer, n_head = 2, 1
steps, batch_size, block_size = 400, 32, 64
text = cli.default_corpus()
tokenizer = training.CharTokenizer.from_text(text)
# train, validation (where the learning rates below were chosen), test (chose nothing)
train_ids, val_ids, test_ids = training.split_three(text, tokenizer)
characters_seen = steps * batch_size * block_size
print(
    f"every model: {n_layer} layers, {n_head} attention head, width from "
    f"{widths[0]} to {widths[-1]}"
)
print(
    f"every model reads {steps} batches x {batch_size} windows x {block_size} "
    f"characters = {characters_seen:,} characters of training text, in the same "
    f"order ({characters_seen / len(train_ids):.1f} passes over it)"
)

# %% train
# Losses in bits per character (the training code measures nats: divide by ln 2).
params, test_losses, train_losses, reads_per_parameter = [], [], [], []
print("loss in bits per character, on training text and on test text\n")
print(
    "| weights | characters read per weight | loss, training text | loss, test text |"
)
print("|---:|---:|---:|---:|")
for width in widths:
    weights_dice = torch.manual_seed(args.seed)  # every size starts from the same dice
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size,
        block_size=block_size,
        n_layer=n_layer,
        n_head=n_head,
        n_embd=width,
    )
    model = GPT(config)
    # without the embeddings (token and position), as Kaplan et al. count
    n = model.num_params() - model.wte.weight.numel() - model.wpe.weight.numel()
    # A narrower model takes bigger steps: the learning rate falls in proportion to the
    # width, at the scale that did best on the validation text at most widths we tried
    # (benchmarks/scaling_lr.py).
    lr = 0.012 * 32 / width
    settings = dict(
        training.DEFAULT,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        min_lr=lr / 10,
        seed=args.seed,
    )
    history = training.train(
        model, train_ids, val_ids, settings, eval_every=steps, eval_tokens=None
    )
    test_loss = training.evaluate(model, test_ids) / math.log(2)
    params.append(n)
    test_losses.append(test_loss)
    # scored the same way as the test text
    train_losses.append(history["train"][-1] / math.log(2))
    reads_per_parameter.append(characters_seen / n)
    print(
        f"| {n:,d} | {reads_per_parameter[-1]:,.1f} | "
        f"{train_losses[-1]:.3f} | {test_loss:.3f} |"
    )

decades = math.log10(params[-1] / params[0])
print(
    f"\nthe biggest has {params[-1] / params[0]:,.0f}x the weights of the smallest: "
    f"{decades:.1f} powers of ten"
)
largest_gap = max(abs(train - test) for train, test in zip(train_losses, test_losses))
print(f"training text and test text: at most {largest_gap:.2f} bits apart, at any size")

# %% fit
# Three curves that could describe the points. Each is fitted by least squares to the
# smallest sizes only; then each predicts the sizes it never saw.
curves = {  # name -> the columns the loss is a weighted sum of, for an exponent alpha
    "power law": lambda n, alpha: [n**-alpha],  # A N^-alpha
    "floor + power law": lambda n, alpha: [np.ones_like(n), n**-alpha],  # E + ...
    "logarithm": lambda n, alpha: [np.ones_like(n), -np.log(n)],  # a - b ln N
}
formulas = {
    "power law": "{1:.2f} x N^-{0:.3f}",
    "floor + power law": "{1:.2f} + {2:.2f} x N^-{0:.3f}",
    "logarithm": "{1:.2f} - {2:.3f} x ln N",
}
exponents = np.linspace(0.002, 1.0, 500)


def fit(columns, n, loss):
    """The exponent and weights with the least squared error (a floor E, the first
    weight, can't be negative: no loss is)."""
    best = None
    for alpha in exponents:
        design = np.stack(columns(n, alpha), axis=1)
        weights = np.linalg.lstsq(design, loss, rcond=None)[0]
        error = ((design @ weights - loss) ** 2).sum()
        if weights[0] >= 0 and (best is None or error < best[0]):
            best = (error, alpha, weights)
    return best[1], best[2]


def predict(columns, alpha, weights, n):
    return np.stack(columns(n, alpha), axis=1) @ weights


n_fit = 7  # fitted on these; the rest are held back
sizes, losses = np.array(params, dtype=float), np.array(test_losses)
fitted, fit_error, prediction_error = {}, {}, {}
print(
    f"fitted on the {n_fit} smallest ({params[0]:,} to {params[n_fit - 1]:,} "
    f"weights, N); the {len(params) - n_fit} biggest held back\n"
)
print("| curve | off by, fitted | off by, held back |")
print("|---|---:|---|")
for name, columns in curves.items():
    exponent, weights = fit(columns, sizes[:n_fit], losses[:n_fit])
    fitted[name] = [float(exponent), *map(float, weights)]  # (alpha, weights...)
    errors = predict(columns, exponent, weights, sizes) / losses - 1
    fit_error[name] = float(np.sqrt((errors[:n_fit] ** 2).mean()))
    prediction_error[name] = [float(e) for e in errors[n_fit:]]
    held_back = " ".join(f"{e:+.1%}" for e in prediction_error[name])
    print(f"| {name} | {fit_error[name]:.1%} | {held_back} |")

worst_miss = {
    name: max(abs(e) for e in errors) for name, errors in prediction_error.items()
}
power_miss, floor_miss, log_miss = worst_miss.values()
alpha = fitted["power law"][0]
floor_alpha, floor = fitted["floor + power law"][:2]  # alpha and E
kaplan_alpha = 0.076  # Kaplan et al. 2020, alpha_N
size_ratio = params[-1] / params[0]
loss_cut = 1 - test_losses[-1] / test_losses[0]
print("\nthe fitted curves, loss in bits per character:")
for name in curves:
    print(f"  {name}: loss = {formulas[name].format(*fitted[name])}")

print(f"\n{size_ratio:,.0f}x the weights: {loss_cut:.0%} lower test loss")

# %% plot
# The story's picture: the models, and the power law fitted to the smallest ones,
# extended to the biggest (the other two curves are in the table above).
power_law = curves["power law"]
alt = (
    f"Test loss in bits per character falls steadily as the models grow from "
    f"{params[0]:,} to {params[-1]:,} weights; a power law fitted to the "
    f"{n_fit} smallest, extended, lands close to the {len(params) - n_fit} "
    f"biggest, which it never saw"
)
with cli.figure("scaling", alt, figsize=(5, 4)) as (fig, ax):
    line = np.geomspace(params[0], params[-1], 100)
    exponent, *weights = fitted["power law"]
    ax.plot(
        line,
        predict(power_law, exponent, weights, line),
        "--",
        color="gray",
        label=f"a curve fitted to the {n_fit} smallest",
    )
    ax.plot(
        params[:n_fit],
        test_losses[:n_fit],
        "o",
        color="black",
        label="our models, used for the fit",
    )
    ax.plot(
        params[n_fit:],
        test_losses[n_fit:],
        "o",
        color="black",
        fillstyle="none",
        label="our models, held back",
    )
    ax.set_xscale("log")
    ax.set_xlabel("weights, without the embeddings (log scale)")
    ax.set_ylabel("test loss (bits per character)")
    ax.legend()
