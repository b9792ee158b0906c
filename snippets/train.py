"""Train the tiny GPT on a text, watch the loss fall, and save the model under out/.

    python snippets/train.py                           # the default run, on Python's own documentation
    python snippets/train.py --text my.txt --steps 3000 --device auto
"""
import copy
import math
import os

import matplotlib.pyplot as plt
import torch

import cli
import training
from sampling import generate

parser = cli.Parser(description="Train the tiny GPT on a text and save it (a checkpoint) under out/.")
parser.add_argument("--text", metavar="FILE",
                    help="a UTF-8 text file to train on (default: Python's own documentation); "
                         "the last 10%% is held out to test on")
parser.add_argument("--long", action="store_true",
                    help="the longer setting: a wider model and more steps (a few minutes on a laptop)")
parser.add_argument("--steps", type=int, help="how many training steps (default: %d, or %d with --long)"
                    % (training.DEFAULT["steps"], training.LONG["steps"]))
parser.add_argument("--seed", type=int, default=training.DEFAULT["seed"], help="random seed (default: %(default)s)")
parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu",
                    help="where to train; auto picks a GPU if there is one (default: %(default)s)")
parser.add_argument("--out", metavar="FILE", default=training.CHECKPOINT,
                    help="where to save the trained model (default: out/tiny-gpt.pt)")
args = cli.parse_args(parser)

settings = dict(training.LONG if args.long else training.DEFAULT, seed=args.seed)
if args.steps is not None:
    if args.steps < 1:
        cli.fail(f"--steps must be at least 1, not {args.steps}")
    settings["steps"] = args.steps
device = args.device
if device == "auto":
    device = "cuda" if torch.cuda.is_available() else "cpu"
if device == "cuda" and not torch.cuda.is_available():
    cli.fail("--device cuda: this machine has no GPU that PyTorch can use (try --device auto)")
if os.path.isdir(args.out):
    cli.fail(f"--out {args.out} is a folder: give a file name, like {os.path.join(args.out, 'tiny-gpt.pt')}")
text = cli.read_text(args.text) if args.text else cli.default_corpus()
if len(text) < 20 * settings["block_size"]:
    cli.fail(f"the text is too short to learn from: {len(text):,} characters, "
             f"need at least {20 * settings['block_size']:,}")
torch.manual_seed(settings["seed"])
torch.set_num_threads(training.THREADS)  # the same numbers on every machine (see training.py)

# %% data
tokenizer = training.CharTokenizer.from_text(text)
train_ids, val_ids = training.split(text, tokenizer, settings["heldout_fraction"])
vocab_size = tokenizer.vocab_size
uniform_bits = math.log2(vocab_size)  # a know-nothing guess: every character equally likely
print(f"{len(text):,} characters, {vocab_size} different ones: each character is a token")
print(f"training on the first {len(train_ids):,}, holding out the last {len(val_ids):,} to test on")

# %% model
model = training.build(settings, tokenizer)
n_params = model.num_params()
print(f"{n_params:,} weights: {settings['n_layer']} blocks, {settings['n_head']} heads, "
      f"{settings['n_embd']} numbers per token, reading {settings['block_size']} characters at a time")

# %% one_step
probe = copy.deepcopy(model)  # a copy: the real run below starts from the very same random weights
x, y = training.get_batch(train_ids, probe.config.block_size, 16, torch.Generator().manual_seed(0))
loss_before_step = probe(x, y)[1]
loss_before_step.backward()
grad = probe.wte.weight.grad  # the token embeddings: a row of dials per character
row, col = divmod(int(grad.abs().argmax()), grad.size(1))  # the dial with the steepest slope
char = tokenizer.decode([row])
weight_before, gradient = probe.wte.weight[row, col].item(), grad[row, col].item()
step_size = 0.1
with torch.no_grad():
    for p in probe.parameters():
        p -= step_size * p.grad  # the plainest nudge: every weight moves against its gradient
weight_after = probe.wte.weight[row, col].item()
loss_before_step, loss_after_step = loss_before_step.item(), probe(x, y)[1].item()
print(f"loss on one batch of text:           {loss_before_step:.4f}")
print(f"one weight (dial {col} of {char!r}):     {weight_before:+.6f}")
print(f"its gradient:                        {gradient:+.6f}")
print(f"after the nudge, weight - {step_size} x gradient: {weight_after:+.6f}")
print(f"loss on the same batch, all {n_params:,} weights nudged: {loss_after_step:.4f}")

# %% train
prompt = "the cat sat on the "
samples = {}


def sample_now(step):
    ids = generate(model, tokenizer.encode(prompt), 60, temperature=0.8,
                   generator=torch.Generator().manual_seed(settings["seed"]))  # the same dice every time
    samples[step] = tokenizer.decode(ids).replace("\n", "⏎")


def report(step, history):
    train_bits, heldout_bits = history["train"][-1] / math.log(2), history["heldout"][-1] / math.log(2)
    print(f"step {step:5,d}   loss {history['train'][-1]:.3f}   "
          f"= {train_bits:.2f} bits/char training, {heldout_bits:.2f} held out")
    sample_now(step)


sample_now(0)
model.to(device)
history = training.train(model, train_ids, val_ids, settings["steps"], batch_size=settings["batch_size"],
                         lr=settings["lr"], min_lr=settings["min_lr"], warmup=settings["warmup"],
                         weight_decay=settings["weight_decay"], seed=settings["seed"], device=device,
                         on_eval=report)
model.to("cpu")
first_loss, last_loss = history["train"][0], history["train"][-1]

# %% samples
for step, sample in samples.items():
    print(f"step {step:5,d}   {sample}")

# %% curve
fig, ax = plt.subplots(figsize=(7, 3.2), num="Training loss and held-out loss fall together as the steps go by; "
                                              "the dashed line is gzip on the same held-out text")
bits = [[loss / math.log(2) for loss in history[key]] for key in ("train", "heldout")]
ax.plot(history["step"], bits[0], marker="o", label="training text")
ax.plot(history["step"], bits[1], marker="o", label="held-out text (never trained on)")
n_train = len(train_ids)
baselines = training.compressed_bits_per_char(text[:n_train], text[n_train:])
ax.axhline(baselines["gzip"], color="gray", linestyle="--", label="gzip, for comparison")
ax.set_xlabel("training step")
ax.set_ylabel("bits per character")
ax.legend()
plt.show()

# %% compression
heldout_bpc = training.heldout_loss(model, val_ids, device="cpu") / math.log(2)
print(f"bits per character on the held-out text ({len(val_ids):,} characters):")
print(f"  tiny GPT  {heldout_bpc:.3f}")
for name, bpc in baselines.items():
    print(f"  {name:8s}  {bpc:.3f}   (already given the training text)")
gzip_bpc, bz2_bpc, xz_bpc = baselines["gzip"], baselines["bz2"], baselines["xz"]

# %% scale
tokens_seen = settings["steps"] * settings["batch_size"] * settings["block_size"]
flops = training.flops_per_token(model) * tokens_seen
gpt3 = {"weights": 175e9, "tokens": 300e9, "flops": 3.14e23}  # Brown et al. 2020, "Language Models are Few-Shot Learners"
print(f"{'':14s}{'this run':>12s}{'GPT-3':>12s}{'ratio':>10s}")
for name, ours in [("weights", n_params), ("tokens", tokens_seen), ("flops", flops)]:
    print(f"{name:14s}{ours:12.3g}{gpt3[name]:12.3g}{gpt3[name] / ours:10.1e}")
gpt3_flops_ratio = gpt3["flops"] / flops
gpt3_ratio_billions = gpt3_flops_ratio / 1e9
laptop_years = gpt3_flops_ratio / (60 * 24 * 365)  # if one run like ours takes a minute
print(f"GPT-3's training is {gpt3_flops_ratio:.1e} runs like this one: at a minute each, {laptop_years:,.0f} years")

# %% save
training.save(args.out, model, tokenizer, settings, text, history)
print(f"saved the trained model to {os.path.relpath(args.out)}")
