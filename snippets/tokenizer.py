"""Our own byte-level BPE tokenizer, and the helpers the token demos share to compare it
with real ones.

A tokenizer cuts text into tokens (pieces from a fixed list, its vocabulary) and gives
each piece its number, its id. BPE (byte-pair encoding) builds that list from a corpus:
start from the 256 byte values, then keep gluing together the pair of neighbouring
pieces that occurs most often, until the list is long enough. "Byte-level" means any
text at all can be encoded: in the worst case, one byte per token.

Two kinds of tokenizer go through the same helpers here:
- ours, a `tokenizers.Tokenizer` trained by `train_bpe`;
- OpenAI's production ones, `bpe_openai.get_encoding("cl100k_base")` (GPT-4) and
  `"o200k_base"` (GPT-4o), shipped offline by the `bpe-openai` package.
Both have `.decode(ids)`; only encoding differs.
"""

import os
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

QUESTION = "How many r's are in strawberry?"
VISIBLE_SPACE = "·"


def train_bpe(text, vocab_size=4096):
    """Train a byte-level BPE tokenizer on `text` until its vocabulary holds
    `vocab_size` tokens."""
    tokenizer = Tokenizer(models.BPE())
    # Split on spaces and punctuation first (GPT-2's rule), so that merges never cross
    # words; a word keeps its leading space, which is why " strawberry" and "strawberry"
    # differ.
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        # all 256 bytes, seen in the corpus or not
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator([text], trainer=trainer)
    return tokenizer


def save(tokenizer, path):
    """Write the tokenizer as JSON; a crash halfway leaves the old file, never half a
    new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    tokenizer.save(str(partial))
    os.replace(partial, path)


def load(path):
    return Tokenizer.from_file(str(path))


def encode(tokenizer, text):
    """The ids the model receives for `text`, from our tokenizer or an OpenAI one."""
    if isinstance(tokenizer, Tokenizer):
        return tokenizer.encode(text).ids
    return tokenizer.encode(text)


def vocabulary_size(tokenizer):
    """How many different tokens the tokenizer has. OpenAI's tables leave a few ids
    unused (n_vocab is the highest id + 1), so those are counted token by token."""
    if isinstance(tokenizer, Tokenizer):
        return tokenizer.get_vocab_size()
    return sum(1 for piece in tokenizer.token_byte_values() if piece)


def pieces(tokenizer, ids):
    """The text behind each id, one piece per token (a piece that is part of a character
    shows as '�')."""
    return [tokenizer.decode([i]) for i in ids]


def visible(piece):
    """A token's text with its spaces and line breaks made visible: ' straw' ->
    '·straw'."""
    return piece.replace(" ", VISIBLE_SPACE).replace("\n", "\\n").replace("\t", "\\t")


def aligned(rows):
    """Lay out rows of cells as text columns, each column as wide as its widest cell."""
    widths = {}
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths.get(column, 0), len(str(cell)))
    lines = [
        "  ".join(str(cell).ljust(widths[col]) for col, cell in enumerate(row))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


COLORS = ["#cdb4f6", "#a7e0c9", "#ffd59e", "#f6b4c8", "#a9d2f5"]


def draw_pieces(ax, splits):
    """Each tokenizer's pieces of a text, as a row of boxes as wide as the pieces, with
    its name and token count above the row (not beside it: the row keeps the whole
    width, so its letters stay large on a phone)."""
    import matplotlib.pyplot as plt

    for row, (name, text_pieces) in enumerate(splits.items()):
        y, x = len(splits) - 1 - row, 0.0
        for k, piece in enumerate(text_pieces):
            width = len(piece)  # the x axis counts the characters of the text
            ax.add_patch(
                plt.Rectangle(
                    (x + 0.05, y + 0.05),
                    width - 0.1,
                    0.55,
                    facecolor=COLORS[k % 5],
                    edgecolor="white",
                )
            )
            ax.text(
                x + width / 2,
                y + 0.325,
                visible(piece),
                ha="center",
                va="center",
                family="monospace",
                fontsize=14,
            )
            x += width
        ax.text(
            0.05,
            y + 0.68,
            f"{name}: {len(text_pieces)} tokens",
            ha="left",
            va="bottom",
            fontsize=12,
        )
    ax.set_xlim(-0.2, max(len("".join(p)) for p in splits.values()) + 0.2)
    ax.set_ylim(0, len(splits))
    ax.axis("off")
