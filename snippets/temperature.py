# Numbers back into words: greedy picks, temperature and top-k, on the trained tiny
# GPT.

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import re
from collections import Counter

import torch

import sampling
import training

parser = cli.Parser(
    description="Numbers back into words: greedy picks, temperature and top-k, on the "
    "trained tiny GPT."
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="the model trained with this seed, and these dice (default: %(default)s)",
)
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
# For comparison: which character follows the word "the " in the manual it learned from
text = cli.default_corpus()
after_the = Counter(match[1] for match in re.finditer(r"\bthe (.)", text))
in_text = torch.tensor([after_the[ch] for ch in tokenizer.chars]) / after_the.total()
print("| next | the model's odds | how often it follows 'the ' in the manual |")
print("| --- | ---: | ---: |")
for p, i in zip(best.values.tolist(), best.indices.tolist()):
    print(f"| {tokenizer.decode([i])!r} | {p:.1%} | {in_text[i]:.1%} |")

top_char_prob = best.values[0].item()
words_after_the = Counter(re.findall(r"\bthe ([a-z]+)", text)).most_common(6)
print(
    "commonest words after 'the ' in the manual:",
    ", ".join(word for word, _ in words_after_the),
)
cats_in_text = len(re.findall(r"\bcats?\b", text, flags=re.IGNORECASE))
print(f"times the manual mentions a cat: {cats_in_text}")

# %% distance
# How far apart the model's odds and the text column are, over every character: the
# share of probability to move to turn one into the other (0 = the same, 1 = disjoint)
distance_to_text = 0.5 * (probs - in_text).abs().sum().item()
# Two guesses to compare with. One knows how words start, but not that "the " came
# before: the character after a space that follows any lowercase word.
after_a_word = Counter(match[1] for match in re.finditer(r"\b[a-z]+ (?=(.))", text))
word_start = torch.tensor([after_a_word[ch] for ch in tokenizer.chars])
word_start = word_start / after_a_word.total()
distance_word_start = 0.5 * (word_start - in_text).abs().sum().item()
# The other knows nothing: every character equally likely.
uniform = torch.full_like(probs, 1 / vocab_size)
distance_uniform = 0.5 * (uniform - in_text).abs().sum().item()
print(f"distance from the text column, over all {vocab_size} characters (0 to 1):")
print(f"  the model                           {distance_to_text:.2f}")
print(f"  how any word starts, in the manual  {distance_word_start:.2f}")
print(f"  every character equally likely      {distance_uniform:.2f}")

# %% greedy
greedy_ids = sampling.generate(model, ids, 1000, greedy=True)
greedy_text = show(greedy_ids[: len(ids) + 120])
print(greedy_text)
# The model reads only its last block_size characters, so once those come back, greedy
# decoding has to repeat everything after them too: find the first window seen twice.
block = model.config.block_size
first_seen, loop_start, loop_length = {}, None, None
for end in range(len(ids) + block, len(greedy_ids) + 1):
    window = tuple(greedy_ids[end - block : end])
    if window in first_seen:
        start = first_seen[window] - block  # where that window first began
        loop_start, loop_length = start - len(ids), end - first_seen[window]
        break
    first_seen[window] = end

if loop_length is None:
    print("no repeat in 1,000 characters")
else:
    print(
        f"... and after its first {loop_start} characters, it repeats the same "
        f"{loop_length} characters forever"
    )

# %% temperatures
temperatures = [0.2, 0.5, 0.8, 1.0, 1.5, 2.5]
new_chars = 80  # characters each sample adds
samples_at = {}
for t in temperatures:
    # the same dice for every temperature
    dice = torch.Generator().manual_seed(args.seed)
    out = sampling.generate(model, ids, new_chars, temperature=t, generator=dice)
    samples_at[t] = show(out)
    print(f"T={t:<4}  {samples_at[t]}")

# %% figure
low, high = 0.5, 1.5
p_low = sampling.next_token_probs(model, ids, temperature=low)
p_high = sampling.next_token_probs(model, ids, temperature=high)
order = torch.argsort(probs, descending=True)[:15]
labels = [repr(tokenizer.decode([i]))[1:-1] or "?" for i in order.tolist()]
alt = (
    f"The probabilities of the 15 likeliest next characters at temperature {low} "
    f"(peaked) and {high} (flatter)"
)
with cli.figure("temperature", alt, figsize=(5, 3.4)) as (fig, ax):
    x = torch.arange(len(order))
    ax.bar(x - 0.2, p_low[order], width=0.4, label=f"temperature {low}")
    ax.bar(x + 0.2, p_high[order], width=0.4, label=f"temperature {high}")
    ax.set_xticks(x, labels)
    ax.set_ylabel("probability")
    ax.set_title(f"What comes after {prompt!r}?")
    ax.legend()

entropy = {
    t: float(-(p * p.clamp_min(1e-12).log2()).sum())
    for t, p in [(low, p_low), (1.0, probs), (high, p_high)]
}
print(
    "uncertainty (entropy, in bits):",
    ", ".join(f"T={t}: {e:.2f}" for t, e in entropy.items()),
)

# %% topk
k = 5  # top-k's shortlist; a long shot is a character from outside the k favourites
topk_samples, long_shots = {}, {}
for top_k in [None, k]:
    dice = torch.Generator().manual_seed(args.seed)
    out = sampling.generate(
        model, ids, new_chars, temperature=1.5, top_k=top_k, generator=dice
    )
    topk_samples[top_k] = show(out)
    # how many new characters were not among the model's k favourites at that point
    favourites = [
        torch.topk(sampling.next_token_probs(model, out[:t]), k).indices
        for t in range(len(ids), len(out))
    ]
    new_ids = out[len(ids) :]
    long_shots[top_k] = sum(i not in f.tolist() for i, f in zip(new_ids, favourites))
    which = "every character" if top_k is None else f"top {top_k} only"
    print(f"T=1.5, {which:>15s}:  {topk_samples[top_k]}")

print(
    f"characters from outside the {k} favourites: {long_shots[None]} of {new_chars} "
    f"with every character allowed, {long_shots[k]} of {new_chars} with top {k} only"
)
long_shots_all, long_shots_top5 = long_shots[None], long_shots[k]
