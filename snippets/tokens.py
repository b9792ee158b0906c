"""Train our own BPE tokenizer, then watch it and two production tokenizers cut up "strawberry".

Trains on Python's own documentation unless you pass --text with a UTF-8 file of your own.
"""
import hashlib
import sys
import time

import matplotlib.pyplot as plt

import cli
from tokenizer import QUESTION, aligned, encode, load, pieces, save, train_bpe, visible, vocabulary_size

parser = cli.Parser(description=__doc__)
parser.add_argument("--text", metavar="FILE", help="train on this UTF-8 text file instead of Python's documentation")
parser.add_argument("--vocab-size", type=int, default=4096, help="tokens in our vocabulary (default: 4096)")
args = cli.parse_args(parser)
if args.vocab_size < 256:
    cli.fail(f"--vocab-size must be at least 256 (one token per byte), got {args.vocab_size}")
if args.vocab_size > 1_000_000:
    cli.fail(f"--vocab-size must be at most 1,000,000, got {args.vocab_size}")
corpus = cli.read_text(args.text) if args.text else cli.default_corpus()

# %% train
started = time.perf_counter()
ours = train_bpe(corpus, vocab_size=args.vocab_size)
print(f"(trained in {time.perf_counter() - started:.2f} s)", file=sys.stderr)  # stderr: times vary, pages don't

corpus_chars = len(corpus)
vocab_size = ours.get_vocab_size()
fingerprint = hashlib.sha256(ours.to_str().encode()).hexdigest()[:16]
print(f"corpus:      {corpus_chars:,} characters")
print(f"vocabulary:  {vocab_size:,} tokens (256 single bytes + {vocab_size - 256:,} learned merges)")
if vocab_size < args.vocab_size:
    print(f"             (asked for {args.vocab_size:,}: the text ran out of pairs to merge before that)")
print(f"fingerprint: {fingerprint}  (a hash of the whole tokenizer: same corpus, same tokenizer)")

# %% again
# Train a second time from scratch: BPE has no randomness, so everything must match.
again = train_bpe(corpus, vocab_size=args.vocab_size)
same_vocab = again.get_vocab() == ours.get_vocab()
same_ids = again.encode(corpus[:20_000]).ids == ours.encode(corpus[:20_000]).ids
print(f"second run, same vocabulary:                   {same_vocab}")
print(f"second run, same ids for 20,000 characters:    {same_ids}")

save(ours, "out/tokenizer.json")
reloaded = load("out/tokenizer.json")
same_after_reload = encode(reloaded, QUESTION) == encode(ours, QUESTION)
print(f"saved to out/tokenizer.json and loaded back, same ids: {same_after_reload}")

# %% vocab
# BPE learns the most frequent pieces of *its* corpus first, so the vocabulary shows what it read.
ids_in_order = sorted(ours.get_vocab().values())
first_learned = [visible(ours.decode([i])) for i in ids_in_order[256:268]]
words_known = [i for i in ids_in_order if ours.decode([i]).lstrip(" ").isalpha()]
longest_words = sorted(words_known, key=lambda i: (-len(ours.decode([i])), i))[:6]
print("its first merges:  ", "  ".join(first_learned))
print("its longest words: ", "  ".join(visible(ours.decode([i])) for i in longest_words))
strawberry_in_corpus = corpus.count("strawberr")
print(f'times its corpus says "strawberr...": {strawberry_in_corpus}')

# %% split
import bpe_openai  # imported here, not at the top: loading it takes a second, and bad input should fail at once

tokenizers_compared = {
    "ours": ours,
    "cl100k_base": bpe_openai.get_encoding("cl100k_base"),  # GPT-4's tokenizer
    "o200k_base": bpe_openai.get_encoding("o200k_base"),  # GPT-4o's tokenizer
}
vocab_sizes = {name: vocabulary_size(tokenizer) for name, tokenizer in tokenizers_compared.items()}
print("vocabulary sizes:", "   ".join(f"{name} {size:,}" for name, size in vocab_sizes.items()))
print()
texts = ["strawberry", "Strawberry", " strawberry", "strawberries", QUESTION]
splits = {}  # tokenizer -> text -> its pieces
for name, tokenizer in tokenizers_compared.items():
    splits[name] = {text: pieces(tokenizer, encode(tokenizer, text)) for text in texts}

for text in texts:
    print(repr(text))
    rows = []
    for name in tokenizers_compared:
        text_pieces = splits[name][text]
        rows.append([f"  {name}", f"{len(text_pieces)} tokens" if len(text_pieces) > 1 else "1 token",
                     "|".join(visible(p) for p in text_pieces)])
    print(aligned(rows))
    print()

strawberry_split = {name: "|".join(visible(p) for p in splits[name]["strawberry"]) for name in tokenizers_compared}
strawberry_tokens_ours = len(splits["ours"]["strawberry"])
strawberry_tokens_cl100k = len(splits["cl100k_base"]["strawberry"])
strawberry_tokens_o200k = len(splits["o200k_base"]["strawberry"])

# %% ids
# What the model actually receives: not the pieces, only their numbers.
question_ids = {}
for name, tokenizer in tokenizers_compared.items():
    question_ids[name] = encode(tokenizer, QUESTION)
    print(f"{name}:")
    print(aligned([["  piece"] + [visible(p) for p in splits[name][QUESTION]],
                   ["  id"] + question_ids[name]]))
    print()
for name in tokenizers_compared:
    print(f"{name} sends the model: {question_ids[name]}")

# %% count
# Count the r's in text: easy, the letters are right there.
# Count them in ids: each word below is ONE number, and nothing in that number says how it is spelled.
cl100k = tokenizers_compared["cl100k_base"]
o200k = tokenizers_compared["o200k_base"]
words = [" strawberry", " straw", " berry", " carrot", " banana", " error"]
rows = [["  text", "r's in the text", "cl100k_base ids", "o200k_base ids"]]
for word in words:
    rows.append([f"  {visible(word)}", word.count("r"), encode(cl100k, word), encode(o200k, word)])
print(aligned(rows))

strawberry_id_cl100k = encode(cl100k, " strawberry")[0]
strawberry_id_o200k = encode(o200k, " strawberry")[0]
spelled_back = cl100k.decode([strawberry_id_cl100k])
print()
print(f"{strawberry_id_cl100k} has no letters to count. The r's come back only through the tokenizer's table:")
print(f"decode([{strawberry_id_cl100k}]) = {spelled_back!r}, which has {spelled_back.count('r')} r's.")
print("The model never sees that table: it gets the number, nothing else.")

# %% spell
# Spell the word out and every letter becomes a token of its own: now there is something to count.
spellings = ["s t r a w b e r r y", "s-t-r-a-w-b-e-r-r-y"]
spelled_tokens = {}  # tokenizer -> spelling -> number of tokens
spelled_r_count = {}  # tokenizer -> spelling -> tokens that are the letter r (give or take a space or dash)
for spelling in spellings:
    print(repr(spelling))
    rows = []
    for name, tokenizer in tokenizers_compared.items():
        spelled_pieces = pieces(tokenizer, encode(tokenizer, spelling))
        r_tokens = sum(piece.strip(" -") == "r" for piece in spelled_pieces)
        spelled_tokens.setdefault(name, {})[spelling] = len(spelled_pieces)
        spelled_r_count.setdefault(name, {})[spelling] = r_tokens
        rows.append([f"  {name}", f"{len(spelled_pieces)} tokens", f"{r_tokens} of them are an r",
                     "|".join(visible(p) for p in spelled_pieces)])
    print(aligned(rows))
    print()

# %% figure
# Colour each token of the question, one row per tokenizer, the way tokenizer playgrounds do.
colors = ["#cdb4f6", "#a7e0c9", "#ffd59e", "#f6b4c8", "#a9d2f5"]
n_tokens = {name: len(splits[name][QUESTION]) for name in tokenizers_compared}
strawberry_boxes = {name: len(splits[name][" strawberry"]) for name in tokenizers_compared}
alt = (f"The question {QUESTION!r} drawn as coloured boxes, one box per token, one row per tokenizer. "
       + "; ".join(f"{name}: {n_tokens[name]} tokens, strawberry in {strawberry_boxes[name]} "
                   + ("box" if strawberry_boxes[name] == 1 else "boxes") for name in tokenizers_compared) + ".")
fig, ax = plt.subplots(figsize=(9, 2.6), num=alt)
for row, name in enumerate(tokenizers_compared):
    y = len(tokenizers_compared) - 1 - row
    x = 0.0
    for k, piece in enumerate(splits[name][QUESTION]):
        width = len(piece)  # in characters: the x axis counts characters of the question
        ax.add_patch(plt.Rectangle((x + 0.05, y + 0.15), width - 0.1, 0.7, facecolor=colors[k % len(colors)],
                                   edgecolor="white", linewidth=1))
        ax.text(x + width / 2, y + 0.5, visible(piece), ha="center", va="center", family="monospace", fontsize=11)
        x += width
    ax.text(-0.6, y + 0.5, f"{name}\n{n_tokens[name]} tokens", ha="right", va="center", fontsize=10)
ax.set_xlim(-0.2, len(QUESTION) + 0.2)
ax.set_ylim(0, len(tokenizers_compared))
ax.axis("off")
fig.tight_layout()
plt.show()
