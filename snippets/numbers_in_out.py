# Numbers in, numbers out: what the trained tiny GPT receives, and what it hands back.

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

from dataclasses import replace

import torch

import training
from gpt import GPT
from tokenizer import train_bpe

parser = cli.Parser(
    description="Numbers in, numbers out: what the trained tiny GPT receives, and what "
    "it hands back."
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="use the model trained with this seed (default: %(default)s)",
)
args = cli.parse_args(parser)
torch.set_num_threads(training.THREADS)
# the model of "Predict, check, nudge"
model, tokenizer = training.load_or_train(args.seed)
prompt = "the cat sat on the "
vocab_size = tokenizer.vocab_size

# %% bpe
# The same model reading a small BPE vocabulary instead of characters: what changes
# (benchmarks/bpe_vs_chars.py trains the two side by side)
text = cli.default_corpus()
train_ids, _, _ = training.split_three(text, tokenizer)  # as the default run splits it
train_text = tokenizer.decode(train_ids.tolist())
bpe = train_bpe(train_text, vocab_size=512)
chars_per_token = len(train_text) / len(bpe.encode(train_text).ids)
block = model.config.block_size
n_params = model.num_params()
bpe_params = GPT(replace(model.config, vocab_size=bpe.get_vocab_size())).num_params()
extra_weights = bpe_params / n_params - 1
looks_back = block * chars_per_token  # characters the BPE model's context spans
print(
    f"a BPE token covers {chars_per_token:.2f} characters of the training text, "
    f"on average, so:"
)
print(f"  a step reads {chars_per_token:.1f} times as much text")
print(f"  the model looks back about {looks_back:.0f} characters, not {block}")
print(f"  it has {bpe_params:,} weights, not {n_params:,}: {extra_weights:.0%} more")

# %% ids
ids = tokenizer.encode(prompt)
idx = torch.tensor([ids])  # a batch of one text
print(f"text   {prompt!r}")
print(f"ids    {ids}")
print(f"shape  {tuple(idx.shape)}: 1 text of {len(ids)} characters, one id each")
print(f"the vocabulary: {vocab_size} characters, ids 0 to {vocab_size - 1}")

# %% vectors
with torch.no_grad():
    vectors = model.wte(idx) + model.wpe(torch.arange(len(ids)))  # what + where

vectors_shape = list(vectors.shape)
print(
    f"shape  {tuple(vectors.shape)}: {model.config.n_embd} numbers for each of the "
    f"{len(ids)} characters"
)
first_numbers = [round(x, 2) for x in vectors[0, 0, :6].tolist()]
print(f"'t' at position 0 starts  {first_numbers} ...")

# %% logits
with torch.no_grad():
    logits, _ = model(idx)

# the scores after the last character, as probabilities
probs = torch.softmax(logits[0, -1], dim=-1)
print(
    f"logits {tuple(logits.shape)}: a score for each of {vocab_size} characters, "
    f"at every position"
)
print(
    f"after the last character: {tuple(probs.shape)} probabilities, "
    f"adding up to {probs.sum():.3f}"
)
best = torch.topk(probs, 3)
likeliest = zip(best.values.tolist(), best.indices.tolist())
print(
    "likeliest next characters:",
    ", ".join(f"{tokenizer.decode([i])!r} {p:.0%}" for p, i in likeliest),
)
