"""Numbers back into words: greedy picks, temperature and top-k, on the trained tiny
GPT."""
import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import matplotlib.pyplot as plt
import torch

import sampling
import training

parser = cli.Parser(description=__doc__)
parser.add_argument("--seed", type=int, default=training.DEFAULT["seed"],
                    help="the model trained with this seed, and these dice "
                         "(default: %(default)s)")
args = cli.parse_args(parser)
torch.set_num_threads(training.THREADS)
# the model of "Predict, check, nudge"
model, tokenizer = training.load_or_train(args.seed)
prompt = "the cat sat on the "
ids = tokenizer.encode(prompt)
vocab_size = tokenizer.vocab_size


def show(out_ids):
    return tokenizer.decode(out_ids).replace("\n", "⏎")


# %% probs
probs = sampling.next_token_probs(model, ids)
best = torch.topk(probs, 8)
for p, i in zip(best.values.tolist(), best.indices.tolist()):
    print(f"{tokenizer.decode([i])!r:6s} {p:6.1%}  {'#' * round(p * 100)}")
top_char_prob = best.values[0].item()

# %% greedy
greedy_text = show(sampling.generate(model, ids, 120, greedy=True))
print(greedy_text)

# %% temperatures
temperatures = [0.2, 0.5, 0.8, 1.0, 1.5, 2.5]
samples_at = {}
for t in temperatures:
    # the same dice for every temperature
    dice = torch.Generator().manual_seed(args.seed)
    out = sampling.generate(model, ids, 80, temperature=t, generator=dice)
    samples_at[t] = show(out)
    print(f"T={t:<4}  {samples_at[t]}")

# %% figure
low, high = 0.5, 1.5
p_low = sampling.next_token_probs(model, ids, temperature=low)
p_high = sampling.next_token_probs(model, ids, temperature=high)
order = torch.argsort(probs, descending=True)[:15]
labels = [repr(tokenizer.decode([i]))[1:-1] or "?" for i in order.tolist()]
alt = (f"The probabilities of the 15 likeliest next characters at temperature {low} "
       f"(peaked) and {high} (flatter)")
fig, ax = plt.subplots(figsize=(7, 3), num=alt)
x = torch.arange(len(order))
ax.bar(x - 0.2, p_low[order], width=0.4, label=f"temperature {low}")
ax.bar(x + 0.2, p_high[order], width=0.4, label=f"temperature {high}")
ax.set_xticks(x, labels)
ax.set_ylabel("probability")
ax.set_title(f"What comes after {prompt!r}?")
ax.legend()
cli.save_figure(fig, "temperature")
entropy = {t: float(-(p * p.clamp_min(1e-12).log2()).sum())
           for t, p in [(low, p_low), (1.0, probs), (high, p_high)]}
print("uncertainty (entropy, in bits):",
      ", ".join(f"T={t}: {e:.2f}" for t, e in entropy.items()))

# %% topk
topk_samples = {}
for k in [None, 5]:
    dice = torch.Generator().manual_seed(args.seed)
    out = sampling.generate(model, ids, 80, temperature=1.5, top_k=k, generator=dice)
    topk_samples[k] = show(out)
    which = "every character" if k is None else f"top {k} only"
    print(f"T=1.5, {which:>15s}:  {topk_samples[k]}")
