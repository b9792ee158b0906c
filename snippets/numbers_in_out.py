"""Numbers in, numbers out: what the trained tiny GPT receives, and what it hands back.
"""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import torch

import training

parser = cli.Parser(description=__doc__)
parser.add_argument("--seed", type=int, default=training.DEFAULT["seed"],
                    help="use the model trained with this seed (default: %(default)s)")
args = cli.parse_args(parser)
torch.set_num_threads(training.THREADS)
# the model of "Predict, check, nudge"
model, tokenizer = training.load_or_train(args.seed)
prompt = "the cat sat on the "
vocab_size = tokenizer.vocab_size

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
print(f"shape  {tuple(vectors.shape)}: {model.config.n_embd} numbers for each of the "
      f"{len(ids)} characters")
first_numbers = [round(x, 2) for x in vectors[0, 0, :6].tolist()]
print(f"'t' at position 0 starts  {first_numbers} ...")

# %% logits
with torch.no_grad():
    logits, _ = model(idx)
# the scores after the last character, as probabilities
probs = torch.softmax(logits[0, -1], dim=-1)
print(f"logits {tuple(logits.shape)}: a score for each of {vocab_size} characters, "
      f"at every position")
print(f"after the last character: {tuple(probs.shape)} probabilities, "
      f"adding up to {probs.sum():.3f}")
best = torch.topk(probs, 3)
likeliest = zip(best.values.tolist(), best.indices.tolist())
print("likeliest next characters:",
      ", ".join(f"{tokenizer.decode([i])!r} {p:.0%}" for p, i in likeliest))
