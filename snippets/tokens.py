# Train our own BPE tokeniser, then watch it and two real ones cut up "strawberry".
#
# Trains on a part of Python's manual (snippets/data/) unless you pass --text with a
# UTF-8 file of your own.

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import hashlib

import tokenizer
from tokenizer import QUESTION, encode, pieces, visible

parser = cli.Parser(
    description="Train our own BPE tokeniser, then watch it and two real ones cut up "
    '"strawberry". Trains on a part of Python\'s manual (snippets/data/) unless you '
    "pass --text with a UTF-8 file of your own."
)
parser.add_argument(
    "--text",
    metavar="FILE",
    help="train on this UTF-8 text file instead of Python's manual",
)
parser.add_argument(
    "--vocab-size",
    type=int,
    default=4096,
    help="tokens in our vocabulary (default: %(default)s)",
)
args = cli.parse_args(parser)
if args.vocab_size < 256:
    cli.fail(f"--vocab-size must be 256 or more, not {args.vocab_size}")

if args.vocab_size > 1_000_000:
    cli.fail(f"--vocab-size must be at most 1,000,000, got {args.vocab_size}")

corpus = cli.read_text(args.text) if args.text else cli.default_corpus()

# %% train
with cli.stopwatch("trained"):
    ours = tokenizer.train_bpe(corpus, vocab_size=args.vocab_size)

corpus_chars = len(corpus)
vocab_size = ours.get_vocab_size()
merges = vocab_size - 256
fingerprint = hashlib.sha256(ours.to_str().encode()).hexdigest()[:16]
print(f"corpus:      {corpus_chars:,} characters")
print(f"vocabulary:  {vocab_size:,} tokens (256 single bytes + {merges:,} merges)")
if vocab_size < args.vocab_size:
    print(f"             (asked for {args.vocab_size:,}: the text ran out of pairs)")

print(f"fingerprint: {fingerprint}  (a hash of the whole tokeniser)")

# %% again
# Train a second time from scratch: BPE has no randomness, so everything must match.
again = tokenizer.train_bpe(corpus, vocab_size=args.vocab_size)
same_vocab = again.get_vocab() == ours.get_vocab()
same_ids = again.encode(corpus[:20_000]).ids == ours.encode(corpus[:20_000]).ids
print(f"second run, same vocabulary:                   {same_vocab}")
print(f"second run, same ids for 20,000 characters:    {same_ids}")

tokenizer_file = cli.OUT / "tokenizer.json"
tokenizer.save(ours, tokenizer_file)
reloaded = tokenizer.load(tokenizer_file)
same_after_reload = encode(reloaded, QUESTION) == encode(ours, QUESTION)
print(f"saved as {cli.shown(tokenizer_file)}, loaded, same ids: {same_after_reload}")
exports = [cli.shown(tokenizer_file)]  # the page's tokeniser playground loads this file

# %% vocab
# BPE learns the commonest pieces of *its* corpus first; they show what it read.
ids_in_order = sorted(ours.get_vocab().values())
first_learned = [visible(ours.decode([i])) for i in ids_in_order[256:268]]
words_known = [i for i in ids_in_order if ours.decode([i]).lstrip(" ").isalpha()]
longest_words = sorted(words_known, key=lambda i: (-len(ours.decode([i])), i))[:6]
print("its first merges:  ", "  ".join(first_learned))
longest = [visible(ours.decode([i])) for i in longest_words]
print("its longest words: ", "  ".join(longest))
strawberry_in_corpus = corpus.count("strawberr")
print(f'times its corpus says "strawberr...": {strawberry_in_corpus}')

# %% split
import bpe_openai  # here, not at the top: it takes a second; bad flags fail before it

compared = {
    "ours": ours,
    "cl100k_base": bpe_openai.get_encoding("cl100k_base"),  # GPT-4's tokeniser
    "o200k_base": bpe_openai.get_encoding("o200k_base"),  # GPT-4o's tokeniser
}
vocab_sizes = {name: tokenizer.vocabulary_size(t) for name, t in compared.items()}
# On the page, the OpenAI tokenisers go by the models a reader knows.
label = {"ours": "ours", "cl100k_base": "GPT-4's", "o200k_base": "GPT-4o's"}
texts = ["strawberry", "Strawberry", " strawberry", "strawberries", QUESTION]
# name -> text -> its pieces
splits = {
    name: {text: pieces(t, encode(t, text)) for text in texts}
    for name, t in compared.items()
}
openai = ["cl100k_base", "o200k_base"]  # ours cuts every spelling the same way
rows = [["  text", "letters"] + [label[name] for name in openai]]
for text in texts[:-1]:  # the question has a picture of its own, below
    cuts = ["|".join(visible(p) for p in splits[name][text]) for name in openai]
    letters = sum(c.isalpha() for c in text)
    rows.append([f"  {visible(text)}", letters] + cuts)

print(tokenizer.aligned(rows))
strawberry_split = {
    name: "|".join(visible(p) for p in splits[name]["strawberry"]) for name in splits
}
strawberry_tokens_ours = len(splits["ours"]["strawberry"])
strawberry_tokens_cl100k = len(splits["cl100k_base"]["strawberry"])
strawberry_tokens_o200k = len(splits["o200k_base"]["strawberry"])

# %% straw
# A popular explanation says the model reads "strawberry" as straw + berry. Here?
straw_berry = {
    name: any(
        [p.strip() for p in splits[name][word]] == ["straw", "berry"]
        for word in ["strawberry", " strawberry"]
    )
    for name in splits
}
straw_berry_count = sum(straw_berry.values())  # tokenisers that cut it that way
n_tokenisers = len(straw_berry)
print('Cut into "straw" + "berry", with or without a space in front?')
for name, cut in straw_berry.items():
    print(f"  {label[name]}: {'yes' if cut else 'no'}")

# %% ids
# What the model actually receives: not the pieces, only their numbers.
question_ids = {name: encode(t, QUESTION) for name, t in compared.items()}
question_pieces = {
    name: [visible(p) for p in splits[name][QUESTION]] for name in compared
}
for name in compared:
    print(f"{label[name]}:")
    print(
        tokenizer.aligned(
            [["  piece"] + question_pieces[name], ["  id"] + question_ids[name]]
        )
    )
    print()

for name in compared:
    print(f"{label[name]} sends the model: {question_ids[name]}")

# %% count
# Count the r's in text: easy, the letters are right there. Count them in ids: each word
# below is ONE number, and nothing in that number says how it is spelled.
cl100k = compared["cl100k_base"]
o200k = compared["o200k_base"]
words = [" strawberry", " straw", " berry", " carrot", " banana", " error"]
rows = [["  text", "r's in the text", "GPT-4's ids", "GPT-4o's ids"]]
for word in words:
    rows.append(
        [
            f"  {visible(word)}",
            word.count("r"),
            encode(cl100k, word),
            encode(o200k, word),
        ]
    )

print(tokenizer.aligned(rows))

strawberry_id_cl100k = encode(cl100k, " strawberry")[0]
strawberry_id_o200k = encode(o200k, " strawberry")[0]
spelled_back = cl100k.decode([strawberry_id_cl100k])
print()
print(
    f"{strawberry_id_cl100k} has no letters to count. "
    f"The r's come back only through the tokeniser's table:"
)
print(
    f"decode([{strawberry_id_cl100k}]) = {spelled_back!r}, "
    f"which has {spelled_back.count('r')} r's."
)
print("The model never sees that table: it gets the number, nothing else.")

# %% spell
# Spell the word out and every letter becomes a token: now there is something to count.
spellings = ["s t r a w b e r r y", "s-t-r-a-w-b-e-r-r-y"]
spelled_with = ["spaced", "dashed"]  # the table's headings for them
spelled_tokens, spelled_r_count, spelled_cuts = {}, {}, {}  # name -> spelling -> ...
for name, t in compared.items():
    spelled = {spelling: pieces(t, encode(t, spelling)) for spelling in spellings}
    spelled_tokens[name] = {s: len(p) for s, p in spelled.items()}
    # a token is an r if it is one, with at most a space or a dash attached
    spelled_r_count[name] = {
        s: sum(x.strip(" -") == "r" for x in p) for s, p in spelled.items()
    }
    spelled_cuts[name] = {s: "|".join(map(visible, p)) for s, p in spelled.items()}

rows = [["  tokeniser"] + spelled_with]
for name in compared:
    rows.append([f"  {label[name]}"] + [spelled_tokens[name][s] for s in spellings])

print(
    " and ".join(f"{s!r} ({w})" for s, w in zip(spellings, spelled_with)), "as tokens:"
)
print(tokenizer.aligned(rows))
r_counts = {n for counts in spelled_r_count.values() for n in counts.values()}
if len(r_counts) == 1:
    print(f"in every case, {r_counts.pop()} of the tokens are an r")
else:
    print(f"of the tokens, these many are an r: {spelled_r_count}")

print()
print("GPT-4o's cuts:")
for spelling in spellings:
    print(f"  {spelled_cuts['o200k_base'][spelling]}")

# %% figure
# Colour each token of the question, one row per tokeniser, as tokeniser playgrounds do.
n_tokens = {name: len(splits[name][QUESTION]) for name in splits}
boxes = {name: len(splits[name][" strawberry"]) for name in splits}
rows = [
    f"{label[name]}: {n_tokens[name]} tokens, strawberry in {boxes[name]} "
    f"box{'es' if boxes[name] > 1 else ''}"
    for name in splits
]
alt = (
    f"The question {QUESTION!r} drawn as coloured boxes, one box per token, one row "
    f"per tokeniser. " + "; ".join(rows) + "."
)
with cli.figure("question-tokens", alt, figsize=(6, 2.8)) as (fig, ax):
    tokenizer.draw_pieces(ax, {label[name]: splits[name][QUESTION] for name in splits})
    fig.tight_layout()
