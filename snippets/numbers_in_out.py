"""Numbers in, numbers out: what the tiny GPT receives, what it hands back, before and after training."""
import torch

import training
from sampling import top_words

model, tokenizer = training.load_or_train()  # the trained model of the chapter "Predict, check, nudge"
untrained = training.build(training.DEFAULT, tokenizer).eval()  # the same dials before training: random
prompt = "the cat sat on the "
vocab_size = tokenizer.vocab_size

# %% ids
ids = tokenizer.encode(prompt)
idx = torch.tensor([ids])  # a batch of one text
print(f"text   {prompt!r}")
print(f"ids    {ids}")
print(f"shape  {tuple(idx.shape)}: 1 text of {len(ids)} characters, one id each")
print(f"the vocabulary: {tokenizer.vocab_size} characters, ids 0 to {tokenizer.vocab_size - 1}")

# %% vectors
with torch.no_grad():
    vectors = model.wte(idx) + model.wpe(torch.arange(len(ids)))  # what the character is + where it is
vectors_shape = list(vectors.shape)
print(f"shape  {tuple(vectors.shape)}: {model.config.n_embd} numbers for each of the {len(ids)} characters")
print(f"'t' at position 0 starts  {[round(x, 2) for x in vectors[0, 0, :6].tolist()]} ...")

# %% logits
with torch.no_grad():
    logits, _ = model(idx)
probs = torch.softmax(logits[0, -1], dim=-1)  # the scores after the last character, made into probabilities
print(f"logits {tuple(logits.shape)}: a score for each of {tokenizer.vocab_size} characters, at every position")
print(f"after the last character: {tuple(probs.shape)} probabilities, adding up to {probs.sum():.3f}")
best = torch.topk(probs, 3)
print("likeliest next characters:", ", ".join(f"{tokenizer.decode([i])!r} {p:.0%}"
                                              for p, i in zip(best.values.tolist(), best.indices.tolist())))

# %% untrained
untrained_top5 = top_words(untrained, tokenizer, prompt)
for word, p in untrained_top5:
    print(f"{p:8.1e}  {prompt}{word}")  # 1.0e-05 means 0.00001: one chance in 100,000

# %% trained
trained_top5 = top_words(model, tokenizer, prompt)
for word, p in trained_top5:
    print(f"{p:8.1e}  {prompt}{word}   ({p:.1%})")
