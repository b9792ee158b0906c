# The trained tiny GPT squeezes the test text twice: as a model that stopped learning,
# and as one that keeps learning as it reads (predict, pay, nudge), written as a real
# file and decoded back; next to gzip, bz2 and xz, each given the training text first.
#
#     python snippets/learn_as_it_reads.py
#
# A few minutes: every character is coded, then decoded, one at a time.

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import math

import torch

import adaptive_coding
import arithmetic_coding
import training

parser = cli.Parser(
    description="Compress the test text with the trained model, as it "
    "stopped learning and learning as it reads."
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
text = cli.default_corpus()
train_ids, _, test_ids = training.split_three(text, tokenizer)
train_text = tokenizer.decode(train_ids.tolist())
test_text = tokenizer.decode(test_ids.tolist())
n_test = len(test_text)

# %% stopped
# Every character of the test text, after the training text, the weights left as they
# were: the loss is what an ideal coder would pay (train.py prints the same number).
stopped_bpc = training.evaluate(model, test_ids, context=train_ids) / math.log(2)
print(f"test text: {n_test:,} characters")
print(f"the model as it stopped learning:  {stopped_bpc:.3f} bits per character")

# %% learning
# Predict a character, pay for it, and every few characters nudge the weights towards
# the text just read. The decoder starts from the same model and makes the same nudges.
context = train_text[-2 * model.config.block_size :]  # the training text's end
with cli.stopwatch("coded"):
    blob, model_bits = adaptive_coding.compress(model, tokenizer, context, test_text)

with cli.stopwatch("decoded"):
    back = adaptive_coding.decompress(model, tokenizer, context, blob)

round_trip_exact = back == test_text
file_bytes = len(blob)
header_bytes = arithmetic_coding.HEADER.size
learning_bpc = 8 * file_bytes / n_test  # the whole file, header included
print(
    f"the model learning as it reads:    {learning_bpc:.3f} bits per character "
    f"(a file of {file_bytes:,} bytes, {header_bytes} of them header)"
)
print(f"decoded, character for character the same: {round_trip_exact}")

# %% versus
# The compressors read the training text too: what adding the test text costs them.
baselines = training.compressed_bits_per_char(train_text, test_text)
scores = {
    "tiny GPT, stopped learning": stopped_bpc,
    "tiny GPT, learning as it reads": learning_bpc,
    **baselines,
}
for name, bpc in sorted(scores.items(), key=lambda item: item[1]):
    print(f"  {name:32s} {bpc:.3f}")

gzip_bpc, bz2_bpc, xz_bpc = baselines["gzip"], baselines["bz2"], baselines["xz"]
nudge_gain = stopped_bpc - learning_bpc
