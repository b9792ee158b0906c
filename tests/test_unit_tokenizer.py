"""snippets/tokenizer.py: our byte-level BPE (any text round-trips, merges never cross words, a
leading space belongs to its word) and the helpers the token demos print and draw with."""

import pytest

import tiny  # noqa: F401  (puts snippets/ on the path)

# isort: split
from tokenizers import Tokenizer

import tokenizer

TEXT = "the strawberry is red. strawberries are sweet. a straw in the berry. " * 30


@pytest.fixture(scope="module")
def ours():
    return tokenizer.train_bpe(TEXT, vocab_size=300)


def test_vocabulary_is_every_byte_plus_merges_up_to_the_size_asked(ours):
    assert 256 < ours.get_vocab_size() <= 300
    assert tokenizer.vocabulary_size(ours) == ours.get_vocab_size()
    full = tokenizer.train_bpe(TEXT * 3 + "".join(chr(c) for c in range(0x4E00, 0x4E80)), 270)
    assert full.get_vocab_size() == 270  # enough pairs: exactly the size asked


@pytest.mark.parametrize("text", ["strawberry", "Fraises à la crème, 苺 🍓\n\tok", "x" * 50])
def test_any_text_round_trips(ours, text):
    ids = tokenizer.encode(ours, text)
    assert ours.decode(ids) == text
    assert "".join(tokenizer.pieces(ours, ids)) == text or "�" in "".join(
        tokenizer.pieces(ours, ids)
    )


def test_merges_never_cross_words_and_a_word_keeps_its_leading_space(ours):
    pieces = tokenizer.pieces(ours, tokenizer.encode(ours, "the strawberry is red"))
    assert all(" " not in p[1:] for p in pieces)  # a space only ever starts a piece
    assert pieces[0] == "the"  # no space added in front of the text
    assert tokenizer.pieces(ours, tokenizer.encode(ours, " strawberry")) == [" strawberry"]
    assert len(tokenizer.encode(ours, "strawberry")) > 1  # without its space: never seen whole


def test_training_again_gives_the_same_tokenizer():
    a, b = tokenizer.train_bpe(TEXT, 300), tokenizer.train_bpe(TEXT, 300)
    assert a.to_str() == b.to_str()


def test_save_and_load_round_trip(ours, tmp_path):
    path = tmp_path / "sub" / "tok.json"
    tokenizer.save(ours, path)
    assert [p.name for p in path.parent.iterdir()] == ["tok.json"]  # no partial file left
    again = tokenizer.load(path)
    assert isinstance(again, Tokenizer) and again.to_str() == ours.to_str()


class Table:
    """A tokenizer shaped like bpe_openai's: encode(text) -> ids, a table of byte pieces."""

    def encode(self, text):
        return [ord(c) for c in text]

    def token_byte_values(self):
        return [b"a", b"", b"bc", b"", b"d"]


def test_openai_shaped_tokenizers_go_through_the_same_helpers():
    assert tokenizer.encode(Table(), "hi") == [104, 105]
    assert tokenizer.vocabulary_size(Table()) == 3  # unused ids are not tokens


def test_visible_shows_spaces_and_line_breaks():
    assert tokenizer.visible(" straw") == "·straw"
    assert tokenizer.visible("a b\n\tc") == "a·b\\n\\tc"


def test_aligned_pads_each_column_to_its_widest_cell():
    text = tokenizer.aligned([["a", "bbb", "c"], ["dddd", "e", "ffff  "]])
    assert text.split("\n") == ["a     bbb  c", "dddd  e    ffff"]
    assert (
        tokenizer.aligned([["", "x"], ["", "yy"]]) == "  x\n  yy"
    )  # an empty column takes no room


def test_draw_pieces_gives_each_piece_a_box_as_wide_as_its_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    splits = {"ours": ["st", "raw", "berry"], "theirs": [" straw", "berry"]}
    tokenizer.draw_pieces(ax, splits)
    boxes = ax.patches
    assert len(boxes) == 5
    widths = [round(b.get_width() + 0.1, 6) for b in boxes]
    assert widths == [2, 3, 5, 6, 5]
    lefts = [round(b.get_x() - 0.05, 6) for b in boxes]
    assert lefts == [0, 2, 5, 0, 6]  # side by side, in order
    assert [round(b.get_y()) for b in boxes] == [1, 1, 1, 0, 0]  # first row on top
    for b in boxes:  # inside its row, most of its height
        assert 0.5 < b.get_height() and b.get_y() + b.get_height() <= round(b.get_y()) + 1
    for row in (boxes[:3], boxes[3:]):  # neighbours in different colours
        colours = [tuple(b.get_facecolor()) for b in row]
        assert len(set(colours)) == len(colours)
    centres = [b.get_x() + b.get_width() / 2 for b in boxes]
    texts = [t for t in ax.texts if "tokens" not in t.get_text()]
    assert [t.get_position()[0] for t in texts] == pytest.approx(centres)  # each piece on its box
    names = [t for t in ax.texts if "tokens" in t.get_text()]
    assert [t.get_text() for t in names] == ["ours: 3 tokens", "theirs: 2 tokens"]
    for t, row in zip(names, (boxes[:3], boxes[3:])):  # above its own row, from its left edge
        x, y = t.get_position()
        assert t.get_ha() == "left" and t.get_va() == "bottom"
        assert x == pytest.approx(row[0].get_x()) and row[0].get_y() + row[0].get_height() < y
        assert y < round(row[0].get_y()) + 1  # still inside its row: no overlap with the next
    labels = [t.get_text() for t in ax.texts]
    assert "·straw" in labels
    assert ax.get_xlim() == pytest.approx((-0.2, 11.2))
    assert ax.get_ylim() == pytest.approx((0, 2))  # one row per tokenizer, nothing cut off
    plt.close(fig)
