# Train the tiny GPT on a text, watch the loss fall, and save the model under out/.
#
# python snippets/train.py                   # the default run, on Python's manual
# python snippets/train.py --text my.txt --steps 3000 --device auto
# python snippets/train.py --workers 2       # the same run, on 2 workers
# torchrun --standalone --nproc_per_node=2 snippets/train.py   # the same, by torchrun

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import copy
import lzma
import math
import os
import sys
from pathlib import Path

import torch

import sampling
import training
from workers import launch_workers, start_worker

parser = cli.Parser(description="Train the tiny GPT on a text and save it under out/.")
parser.add_argument(
    "--text",
    metavar="FILE",
    help="a UTF-8 text file to train on (default: Python's manual); "
    "the last 10%% is held out to check on, the 10%% before it "
    "to test on",
)
parser.add_argument(
    "--long",
    action="store_true",
    help="the bigger setting: a wider, deeper model that reads 128 "
    "characters at a time, twice the text per step (a few "
    "minutes)",
)
parser.add_argument(
    "--steps",
    type=int,
    help="how many training steps (default: %d, or %d with --long)"
    % (training.DEFAULT["steps"], training.LONG["steps"]),
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="random seed (default: %(default)s)",
)
parser.add_argument(
    "--device",
    choices=["auto", "cpu", "cuda"],
    default="cpu",
    help="where to train; auto picks a GPU if there is one (default: %(default)s)",
)
parser.add_argument(
    "--out",
    metavar="FILE",
    help="where to save the trained model (default: out/tiny-gpt.pt)",
)
parser.add_argument(
    "--workers",
    "--nproc_per_node",
    type=int,
    default=1,
    metavar="N",
    help="train data-parallel on N processes (default: 1)",
)
parser.add_argument(
    "--timeout",
    type=float,
    default=60,
    help="seconds a worker waits for the others (default: %(default)s)",
)
args = cli.parse_args(parser)

settings = dict(training.LONG if args.long else training.DEFAULT, seed=args.seed)
if args.steps is not None and args.steps < 1:
    cli.fail(f"--steps must be at least 1, not {args.steps}")

settings["steps"] = args.steps or settings["steps"]
out = Path(args.out or training.checkpoint_for(args.seed))
device = args.device
if device == "auto":
    device = "cuda" if torch.cuda.is_available() else "cpu"

if device == "cuda" and not torch.cuda.is_available():
    cli.fail("--device cuda: no GPU here that PyTorch can use (try --device auto)")

if os.path.isdir(out):
    cli.fail(f"--out {out} is a folder: give a file name, like {out / 'tiny-gpt.pt'}")

# torchrun tells each worker it starts how many there are
workers = int(os.environ.get("WORLD_SIZE", args.workers))
if workers < 1:
    cli.fail(f"the number of workers must be at least 1, not {workers}")

if settings["batch_size"] % workers:
    cli.fail(
        f"a batch of {settings['batch_size']} windows does not split evenly "
        f"across {workers} workers (try 1, 2 or 4)"
    )

if args.timeout <= 0:
    cli.fail(f"--timeout must be above 0 seconds, not {args.timeout:g}")

text = cli.read_text(args.text) if args.text else cli.default_corpus()
if len(text) < 20 * settings["block_size"]:
    cli.fail(
        f"the text is too short to learn from: {len(text):,} characters, "
        f"need at least {20 * settings['block_size']:,}"
    )

# start the workers, each running this script
if args.workers > 1 and "RANK" not in os.environ:
    launch_workers(cli.SNIPPETS / "train.py", args.workers, sys.argv[1:])
    raise SystemExit(0)

# (0, 1) unless torchrun started us
rank, workers = start_worker(device, args.timeout)
dice = torch.manual_seed(settings["seed"])  # every weight starts from the same dice
# the same numbers on every machine (see training.py)
torch.set_num_threads(training.THREADS)

# %% data
tokenizer = training.CharTokenizer.from_text(text)
train_ids, val_ids, test_ids = training.split_three(
    text, tokenizer, settings["heldout_fraction"], settings["test_fraction"]
)
vocab_size = tokenizer.vocab_size
# a know-nothing guess: every character equally likely
uniform_bits = math.log2(vocab_size)
print(f"{len(text):,} characters, {vocab_size} different ones: a token each")
n_train, n_val, n_test = len(train_ids), len(val_ids), len(test_ids)
n_before = len(text) - n_val - n_test  # the text before the two held-out parts
print(f"validation text: the last {n_val:,}, to choose settings on")
print(f"test text: the {n_test:,} before it, to score the model at the end")
print(
    f"training text: the first {n_before:,}, less repeats of their paragraphs: "
    f"{n_train:,}"
)

# %% model
model = training.build(settings, tokenizer)
n_params = model.num_params()
print(
    f"{n_params:,} weights: {settings['n_layer']} blocks, {settings['n_head']} "
    f"heads, {settings['n_embd']} numbers per token, reading "
    f"{settings['block_size']} characters at a time"
)

# %% untrained
prompt = "the cat sat on the "
untrained_top5 = sampling.top_words(model, tokenizer, prompt)
for word, p in untrained_top5:
    print(f"{p:8.1e}  {prompt}{word}")  # 1.0e-05 means 0.00001: one chance in 100,000

# %% overlap
train_text, test_text = tokenizer.decode(train_ids.tolist()), text[n_before:-n_val]
piece_sizes, overlap_before, overlap = [50, 200], [], []
print("pieces of the test text found word for word in the training text:")
for size in piece_sizes:
    pieces = [test_text[i : i + size] for i in range(0, n_test - size + 1, size)]
    overlap_before.append(sum(p in text[:n_before] for p in pieces) / len(pieces))
    overlap.append(sum(p in train_text for p in pieces) / len(pieces))
    print(
        f"  {size:3d} characters long: {overlap_before[-1]:5.1%} of them before "
        f"those paragraphs went, {overlap[-1]:4.1%} after"
    )

# %% surprise
# the loss of one guess: minus the logarithm of the chance it gave the right answer
surprise = []
for chance in [0.9, 0.5, 0.1, 0.01]:
    surprise.append([chance, -math.log(chance), -math.log2(chance)])
    print(
        f"right answer given {chance:4.0%}: loss {-math.log(chance):.2f} nats = "
        f"{-math.log2(chance):.2f} bits"
    )

# %% one_step
# a copy: the real run below starts from the same random weights
probe = copy.deepcopy(model)
batch = torch.Generator().manual_seed(0)
x, y = training.get_batch(train_ids, settings["block_size"], 16, batch)
loss_before_step = probe(x, y)[1]
loss_before_step.backward()
grad = probe.wte.weight.grad  # the token embeddings: a row of dials per character
# the dial with the steepest slope
row, col = divmod(int(grad.abs().argmax()), grad.size(1))
char = tokenizer.decode([row])
weight_before, gradient = probe.wte.weight[row, col].item(), grad[row, col].item()
step_size = 0.1
with torch.no_grad():
    for p in probe.parameters():
        # the plainest nudge: every weight moves against its gradient
        p -= step_size * p.grad

weight_after = probe.wte.weight[row, col].item()
loss_before_step, loss_after_step = loss_before_step.item(), probe(x, y)[1].item()
# PyTorch's loss is in nats; the page counts bits per character
bits_before_step = loss_before_step / math.log(2)
bits_after_step = loss_after_step / math.log(2)
print(f"loss on one batch of text:           {bits_before_step:.4f} bits per character")
print(f"one weight (dial {col} of {char!r}):     {weight_before:+.6f}")
print(f"its gradient:                        {gradient:+.6f}")
print(f"after the nudge, weight - {step_size} x gradient: {weight_after:+.6f}")
print(
    f"loss on the same batch, all {n_params:,} weights nudged: "
    f"{bits_after_step:.4f} bits per character"
)

# %% train
samples = {}


def sample_now(step):
    dice = torch.Generator().manual_seed(settings["seed"])  # the same dice every time
    ids = sampling.generate(
        model, tokenizer.encode(prompt), 60, temperature=0.8, generator=dice
    )
    samples[step] = tokenizer.decode(ids).replace("\n", "⏎")


def report(step, history):
    # the same scoring for both (training.evaluate): all of the validation text, and as
    # many characters of the training text
    train_bits, val_bits = (history[k][-1] / math.log(2) for k in ("train", "heldout"))
    print(
        f"step {step:5,d}   bits per character: training text {train_bits:.2f}, "
        f"validation text {val_bits:.2f}"
    )
    sample_now(step)


sample_now(0)
model = model.to(device)
history = training.train(
    model, train_ids, val_ids, settings, eval_tokens=None, device=device, on_eval=report
)
model = model.to("cpu")
first_loss, last_loss = history["train"][0], history["train"][-1]

# %% curve
alt = (
    "Bits per character on the training text and on the validation text, scored "
    "the same way, fall together as the steps go by"
)
with cli.figure("training-curve", alt, figsize=(5, 3.4)) as (fig, ax):
    for key, label in [
        ("train", "training text"),
        ("heldout", "validation text (never trained on)"),
    ]:
        bits = [loss / math.log(2) for loss in history[key]]
        ax.plot(history["step"], bits, marker="o", label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("bits per character")
    ax.legend()

# %% samples
shown = 36  # the first characters of each answer: a line fits a phone's screen
for step, sample in samples.items():
    print(f"step {step:5,d}   {sample[len(prompt) :][:shown]}")

# %% trained
trained_top5 = sampling.top_words(model, tokenizer, prompt)
for word, p in trained_top5:
    print(f"{p:8.1e}  {prompt}{word}   ({p:.1%})")

# %% compression
# The same characters for everyone: each reads the training text, then pays for every
# character of the test text. A compressor pays the bytes the test text adds; the model
# pays its loss on each character, reading on from the end of the training text.
baselines = training.compressed_bits_per_char(train_text, test_text)
test_bpc = training.evaluate(model, test_ids, context=train_ids) / math.log(2)
# as many characters of the training text, scored the same way
train_bpc = training.evaluate(model, train_ids, max_tokens=n_test) / math.log(2)
print(
    f"bits per character on the test text ({n_test:,} characters), after the "
    f"training text:"
)
print(f"  tiny GPT  {test_bpc:.3f}")
for name, bpc in baselines.items():
    print(f"  {name:8s}  {bpc:.3f}")

print(f"the tiny GPT on training text, scored the same way: {train_bpc:.3f}")
weights_kb = 4 * n_params / 1000  # 32-bit numbers, 4 bytes each
train_kb = len(train_text.encode("utf-8")) / 1000
# What trained networks were measured to store, in bits per weight: facts, Allen-Zhu &
# Li 2024 (arXiv:2404.05405); random data, Morris et al. 2025 (arXiv:2505.24832)
capacity_kb = [bits * n_params / 8 / 1000 for bits in (2, 3.6)]
# what learning it by heart needs room for: the text squeezed as small as xz gets it
xz_train_kb = (
    len(lzma.compress(train_text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    / 1000
)
print(
    f"its weights take {weights_kb:,.0f} KB as 32-bit numbers; the training text "
    f"takes {train_kb:,.0f} KB, {xz_train_kb:,.0f} KB squeezed by xz"
)
print(
    f"what 2 to 3.6 bits a weight can hold: {capacity_kb[0]:,.0f} to "
    f"{capacity_kb[1]:,.0f} KB"
)
gzip_bpc, bz2_bpc, xz_bpc = baselines["gzip"], baselines["bz2"], baselines["xz"]
margin_over_gzip = gzip_bpc - test_bpc
unseen_gap = test_bpc - train_bpc

# %% scale
tokens_seen = settings["steps"] * settings["batch_size"] * settings["block_size"]
passes = tokens_seen / n_train  # each character of the training text, read this often
flops = training.flops_per_token(model) * tokens_seen
# Brown et al. 2020, "Language Models are Few-Shot Learners" (Tables 2.1, D.1):
gpt3 = {"weights": 175e9, "tokens": 300e9, "flops": 3.14e23}
print(f"{'':10s}{'this run':>12s}{'GPT-3':>12s}{'ratio':>10s}")
for name, ours in [("weights", n_params), ("tokens", tokens_seen), ("flops", flops)]:
    print(f"{name:10s}{ours:12.3g}{gpt3[name]:12.3g}{gpt3[name] / ours:10.1e}")

print("(our tokens are single characters; GPT-3's are words or pieces of words)")
gpt3_flops_ratio = gpt3["flops"] / flops
gpt3_ratio_billions = gpt3_flops_ratio / 1e9
# at a minute per run like ours; two digits are all this estimate deserves
laptop_years = float(f"{gpt3_flops_ratio / (60 * 24 * 365):.2g}")
print(
    f"GPT-3's training is {gpt3_flops_ratio:.1e} runs like this one: "
    f"at a minute each, about {laptop_years:,.0f} years"
)
# Llama 3 405B ("The Llama 3 Herd of Models", 2024; its model card)
llama3 = {"flops": 3.8e25, "gpu_hours": 30.84e6, "gpus": 16_384}
llama3_vs_gpt3 = llama3["flops"] / gpt3["flops"]
llama3_days = llama3["gpu_hours"] / llama3["gpus"] / 24  # with every GPU busy
print(
    f"Llama 3 405B: {llama3_vs_gpt3:.0f} times GPT-3's FLOPs, on up to "
    f"{llama3['gpus']:,} GPUs: at least {llama3_days:.0f} days"
)

# %% save
# what the page's sampling playground runs
browser_file = out.with_suffix(".safetensors")
if rank == 0:
    training.save(out, model, tokenizer, settings, text, history)
    training.export_for_browser(browser_file, model, tokenizer)
    print(f"saved the trained model to {cli.shown(out)}, and a copy for browsers")

exports = [cli.shown(browser_file)]
