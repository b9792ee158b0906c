# Prediction is compression, literally: the trained model squeezes a paragraph it never
# saw into bytes.
#
# The model from the training chapter predicts each next character; arithmetic coding
# (arithmetic_coding.py) turns those predictions into bits. Then we decompress and check
# we got every character back, and put the result next to gzip, bz2 and xz, and next to
# the size of the model itself.
#
#     python snippets/compress_paragraph.py

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import bz2
import gzip
import lzma
import math

import torch

import arithmetic_coding
import training

parser = cli.Parser(
    description="Compress a paragraph the model never saw; compare "
    "with gzip, bz2 and xz."
)
parser.add_argument(
    "--seed",
    type=int,
    default=training.DEFAULT["seed"],
    help="use the model trained with this seed (default: %(default)s)",
)
args = cli.parse_args(parser)
torch.set_num_threads(1)  # one character at a time: a second thread only adds waiting
model, tokenizer = training.load_or_train(args.seed)
corpus = cli.default_corpus()
# the default run's cut: it trained on train_ids; the test text chose no setting
train_ids, _, test_ids = training.split_three(corpus, tokenizer)
train_text = tokenizer.decode(train_ids.tolist())
test_text = tokenizer.decode(test_ids.tolist())

# %% paragraph
# The first two back-to-back paragraphs of prose (no code) in the test text: the model
# never trained on them.
paragraphs = test_text.split("\n\n")
prose = [len(p) >= 350 and ">>>" not in p for p in paragraphs]
first = next(i for i in range(len(paragraphs) - 1) if prose[i] and prose[i + 1])
paragraph = "\n\n".join(paragraphs[first : first + 2])
original_bytes = len(paragraph.encode("utf-8"))
print(paragraph)
n_chars = len(paragraph)
print(f"\n({n_chars} characters, {original_bytes} bytes of UTF-8)")

# %% roundtrip
blob, model_bits = arithmetic_coding.compress(model, tokenizer, paragraph)
restored = arithmetic_coding.decompress(model, tokenizer, blob)
round_trip_exact = restored == paragraph
payload_bytes = len(blob) - arithmetic_coding.HEADER.size
print(
    f"the model's own surprise, summed:   {model_bits:8.1f} bits = "
    f"{model_bits / 8:6.1f} bytes ({model_bits / n_chars:.2f} bits per character)"
)
print(
    f"what the arithmetic coder wrote:    {8 * payload_bytes:8d} bits = "
    f"{payload_bytes:6d} bytes"
)
header_bytes = arithmetic_coding.HEADER.size
print(
    f"plus a header (lengths, checksums): {header_bytes:6d} bytes, "
    f"so the file is {len(blob)} bytes"
)
print(f"decompressed, character for character the same: {round_trip_exact}")

# %% versus
others = {
    "gzip -9": len(gzip.compress(paragraph.encode(), 9)),
    "bz2 -9": len(bz2.compress(paragraph.encode(), 9)),
    "xz -9e": len(lzma.compress(paragraph.encode(), preset=9 | lzma.PRESET_EXTREME)),
}
# The model has read the training text; give xz the same head start (its memory holds
# all of it).
xz_bits = training.compressed_bits_per_char(train_text, paragraph)["xz"]
xz_primed = xz_bits * len(paragraph) / 8
sizes = {
    "original (UTF-8)": original_bytes,
    **others,
    "xz -9e, having read the training text": xz_primed,
    "tiny GPT + arithmetic coding": len(blob),
    "  the same, without our header": payload_bytes,
}
print(f"{'':38s} {'bytes':>6s}  {'% of original':>13s}")
for name, size in sizes.items():
    print(f"{name:38s} {size:6.0f}  {size / original_bytes:13.0%}")

model_rate = len(blob) / original_bytes
payload_rate = payload_bytes / original_bytes
best_other = min(others, key=others.get)
best_other_rate = others[best_other] / original_bytes
xz_primed_rate = xz_primed / original_bytes

# %% model_size
# The fine print: to decompress, you need the model. Count it, as Deletang et al. (2023)
# do.
n_params = model.num_params()
model_bytes = 4 * n_params  # 32-bit floats
test_bytes = len(test_text.encode("utf-8"))
# every test character scored, right after the training text: the characters gzip and
# xz squeeze below
test_bits_per_char = training.evaluate(model, test_ids, context=train_ids) / math.log(2)
test_compressed = test_bits_per_char * len(test_text) / 8  # not coded
raw_rate = test_compressed / test_bytes
counted_rate = (test_compressed + model_bytes) / test_bytes
gzip_test_rate = len(gzip.compress(test_text.encode(), 9)) / test_bytes
xz_test = lzma.compress(test_text.encode(), preset=9 | lzma.PRESET_EXTREME)
xz_test_rate = len(xz_test) / test_bytes
print(f"the model: {n_params:,} parameters x 4 bytes = {model_bytes / 1e6:.1f} MB")
print(f"all {test_bytes:,} bytes of the test text, as a fraction of their size:")
raw = f"tiny GPT, raw ({test_bits_per_char:.2f} bits per character):"
print(f"  {raw:44s}{raw_rate:7.1%}")
print(f"  tiny GPT, counting its own size:            {counted_rate:7.0%}")
print(f"  gzip -9:                                    {gzip_test_rate:7.1%}")
print(f"  xz -9e:                                     {xz_test_rate:7.1%}")

# Language Modeling Is Compression (Deletang et al., 2023), on enwik9 (1 GB of
# Wikipedia):
# Chinchilla 70B (raw) and gzip, as fractions of the original
paper_model_raw, paper_gzip = 0.083, 0.323
paper_model_gb = 70e9 * 2 / 1e9  # 70 billion parameters at 2 bytes each
print(
    f"Chinchilla 70B on enwik9: raw {paper_model_raw:.1%}, gzip {paper_gzip:.1%}; "
    f"its weights alone are about {paper_model_gb:.0f} GB, "
    f"{paper_model_gb:.0f}x enwik9"
)

# %% damage
# A damaged file: try every one-bit change of a short compressed text, one at a time.
sentence = "A list keeps its items in order."
blob, _ = arithmetic_coding.compress(model, tokenizer, sentence)
refused, wrong_text, harmless_bits = 0, 0, []
for bit in range(8 * len(blob)):
    damaged = bytearray(blob)
    damaged[bit // 8] ^= 1 << (bit % 8)
    try:
        back = arithmetic_coding.decompress(model, tokenizer, bytes(damaged))
    except arithmetic_coding.CorruptData:
        refused += 1
    else:
        if back == sentence:
            harmless_bits.append(bit)
        else:
            wrong_text += 1

flips, same_text = 8 * len(blob), len(harmless_bits)
print(f"{sentence!r}: {len(blob)} bytes compressed, so {flips} one-bit changes")
print(f"  refused, in one line:    {refused:4d}")
print(
    f"  gave back the original:  {same_text:4d}   (bits {harmless_bits} of "
    f"0 to {flips - 1})"
)
print(f"  gave back a wrong text:  {wrong_text:4d}")
