"""The claims of chapters 1 and 2 (the strawberry problem, text becomes numbers), checked against the run the pages show."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bpe_openai
import pytest

from claims import claim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

from tokenizer import QUESTION, train_bpe  # noqa: E402

TOKENIZERS = ["ours", "cl100k_base", "o200k_base"]
OPENAI = ["cl100k_base", "o200k_base"]
SPACED = "s t r a w b e r r y"


@pytest.fixture(scope="module")
def tokens(snippet_run):
    return snippet_run("tokens.py")


@pytest.fixture(scope="module")
def fresh_ours(tokens):
    """Our tokenizer trained again, in this process (half a second), to check the recorded run against."""
    return train_bpe(cli.default_corpus(), vocab_size=tokens.variables["vocab_size"])


@pytest.fixture(scope="module")
def strawberry(snippet_run):
    return snippet_run("strawberry.py")


@claim(
    "glossary.md",
    "a plain English letter is one byte and an accented letter or an emoji takes two to four.",
)
def test_utf8_takes_one_byte_for_a_plain_letter_and_two_to_four_otherwise():
    assert {len(c.encode()) for c in "abcXYZ"} == {1}
    assert len("é".encode()) == 2 and len("\N{GRINNING FACE}".encode()) == 4
    every = {len(chr(c).encode()) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000}
    assert every == {2, 3, 4}


@claim(
    "text-becomes-numbers.md",
    "The first merges glue runs of spaces and dashes (a programming manual is full of indentation) and",
    "the commonest pieces of English",
)
def test_the_first_merges_shown_are_the_first_pieces_it_glued(tokens, fresh_ours):
    """The vocabulary's ids 0-255 are the single bytes; the first merges are the next twelve, each a
    piece of two or more characters (runs of spaces and dashes, pieces of English)."""
    v = tokens.variables
    glued = [fresh_ours.decode([i]) for i in range(256, 256 + len(v["first_learned"]))]
    assert [piece.replace(" ", "\u00b7") for piece in glued] == v["first_learned"]
    assert all(len(piece) >= 2 for piece in glued)
    assert sum(set(piece) <= {" ", "-"} for piece in glued) >= 3
    assert sum(piece.strip(" ").isalpha() for piece in glued) >= 3


@claim(
    "text-becomes-numbers.md",
    'Not one tokeniser cuts "strawberry" into its ten letters.',
    "They don't even agree on where the cuts go.",
)
def test_no_tokenizer_spells_strawberry_letter_by_letter(tokens):
    splits = tokens.variables["splits"]
    for name in TOKENIZERS:
        pieces = splits[name]["strawberry"]
        assert "".join(pieces) == "strawberry"
        assert 1 < len(pieces) < len("strawberry"), (name, pieces)
    # where the cuts go: no two of the three cut it alike
    assert len({tuple(splits[name]["strawberry"]) for name in TOKENIZERS}) == len(TOKENIZERS)


@claim(
    "text-becomes-numbers.md",
    'With a space in front, "&nbsp;strawberry" is a single token for both OpenAI tokenisers',
    "Ours cuts it into {= tokens.py:strawberry_tokens_ours =} pieces (`{= tokens.py:strawberry_split.ours =}`), sounding out a word it has never met.",
    "and the number of strawberries in the manual is {= tokens.py:strawberry_in_corpus =}.",
)
def test_leading_space_strawberry_is_one_token_for_openai_but_not_for_ours(tokens):
    splits = tokens.variables["splits"]
    for name in OPENAI:
        assert splits[name][" strawberry"] == [" strawberry"]
        assert len(splits[name]["strawberry"]) > 1  # without the space it is in pieces
    # ours never read the word, so it has to sound it out
    assert tokens.variables["strawberry_in_corpus"] == 0
    assert len(splits["ours"][" strawberry"]) > 1


@claim(
    "text-becomes-numbers.md",
    "Tidy, but count the tokenisers here that cut it that way, with or without a space in front:",
    "{= tokens.py:straw_berry_count =} of {= tokens.py:n_tokenisers =}.",
)
def test_no_tokenizer_here_cuts_strawberry_into_straw_and_berry(tokens):
    # the page answers the popular "straw + berry" story with this count, and the cell's output
    straw_berry = tokens.variables["straw_berry"]
    assert set(straw_berry) == set(TOKENIZERS)
    assert not any(straw_berry.values())
    assert tokens.variables["straw_berry_count"] == 0
    assert tokens.variables["n_tokenisers"] == len(TOKENIZERS)
    for name in TOKENIZERS:
        for word in ["strawberry", " strawberry"]:
            assert [p.strip() for p in tokens.variables["splits"][name][word]] != ["straw", "berry"]
    assert "  ours: no\n" in tokens.cells["straw"]["stdout"]


@claim(
    "text-becomes-numbers.md",
    'Capital S, leading space, plural: each gets different pieces, so to the model "strawberry" is a little family of number sequences that share a piece here and there.',
)
def test_capital_and_plural_are_cut_differently(tokens):
    splits = tokens.variables["splits"]
    for name in TOKENIZERS:
        variants = [
            tuple(splits[name][text])
            for text in ["strawberry", "Strawberry", " strawberry", "strawberries"]
        ]
        assert len(set(variants)) == len(variants), name


@claim(
    "text-becomes-numbers.md",
    "\"strawberry\" and a few of its cousins, given to two real tokenisers from OpenAI, **GPT-4's** and **GPT-4o's**",
    "Here's the question from the first chapter again, each piece above the id it becomes:",
)
def test_ids_on_the_page_are_the_ids_the_real_tokenizers_give(tokens):
    question_ids = tokens.variables["question_ids"]
    for name in OPENAI:
        assert question_ids[name] == bpe_openai.get_encoding(name).encode(QUESTION)
    assert tokens.variables["strawberry_id_cl100k"] in question_ids["cl100k_base"]
    assert tokens.variables["strawberry_id_o200k"] in question_ids["o200k_base"]
    assert len(question_ids["ours"]) > len(
        question_ids["cl100k_base"]
    )  # small vocabulary, more pieces


@claim(
    "strawberry.md",
    "Here is the exact question, run through the *tokeniser* of OpenAI's GPT-4o",
    "{= strawberry.py:question_chars =} characters went in; {= strawberry.py:question_tokens =} numbers came out.",
    'One of those numbers, {= strawberry.py:strawberry_id =}, stands for the whole of "&nbsp;strawberry", space included, and a number has no r\'s in it.',
    "reaches the model as {= strawberry.py:question_tokens =} numbers; one of them stands for the whole word",
)
def test_chapter_one_shows_what_gpt4o_receives(strawberry, tokens):
    ids = strawberry.variables["question_ids"]
    assert ids == tokens.variables["question_ids"]["o200k_base"]
    # "one of those numbers stands for the whole of ' strawberry'"
    assert strawberry.variables["strawberry_id"] in ids
    assert strawberry.variables["strawberry_id"] == tokens.variables["strawberry_id_o200k"]
    assert (
        strawberry.variables["question_tokens"] == len(ids) < strawberry.variables["question_chars"]
    )
    assert str(ids) in strawberry.cells["question"]["stdout"]


@claim(
    "text-becomes-numbers.md",
    "Every word in that table is one number.",
    '"&nbsp;strawberry", with its three r\'s, is {= tokens.py:strawberry_id_cl100k =} for GPT-4; " banana", with none, is also just one number.',
)
def test_ids_carry_no_spelling(tokens):
    # Words with 0 to 3 r's: each is exactly one id, so the count cannot be read off the input's shape.
    words = tokens.variables["words"]
    assert len({word.count("r") for word in words}) >= 3
    for name in OPENAI:
        encoding = bpe_openai.get_encoding(name)
        assert all(len(encoding.encode(word)) == 1 for word in words), name
    stdout = tokens.cells["count"]["stdout"]
    assert (
        f"decode([{tokens.variables['strawberry_id_cl100k']}]) = ' strawberry', which has 3 r's"
        in stdout
    )


@claim(
    "text-becomes-numbers.md",
    "Now each letter sits in a token of its own (at most with a space or a dash attached), and three of those are an r.",
)
def test_spelling_out_gives_one_token_per_letter_and_three_rs(tokens):
    for name in TOKENIZERS:
        assert tokens.variables["spelled_tokens"][name][SPACED] == len("strawberry")
        for spelling, r_count in tokens.variables["spelled_r_count"][name].items():
            assert r_count == 3, (name, spelling)


@claim(
    "text-becomes-numbers.md",
    "Now each letter sits in a token of its own (at most with a space or a dash attached), and three of those are an r.",
)
def test_spelled_pieces_counted_independently(fresh_ours):
    ours = fresh_ours
    for encoding in [
        ours,
        bpe_openai.get_encoding("cl100k_base"),
        bpe_openai.get_encoding("o200k_base"),
    ]:
        ids = ours.encode(SPACED).ids if encoding is ours else encoding.encode(SPACED)
        letters = [encoding.decode([i]).strip() for i in ids]
        assert letters == list("strawberry")
        assert letters.count("r") == 3


@claim(
    "text-becomes-numbers.md",
    "BPE has no dice in it, so the same text and the same version of `tokenizers` (the one the project pins) give the same tokeniser, and your fingerprint matches the one above.",
)
def test_training_is_deterministic(tokens, fresh_ours):
    assert tokens.variables["same_vocab"] is True
    assert tokens.variables["same_ids"] is True
    assert tokens.variables["same_after_reload"] is True
    # and across processes: training again here gives the tokenizer the page shows
    ours = fresh_ours
    assert (
        hashlib.sha256(ours.to_str().encode()).hexdigest()[:16] == tokens.variables["fingerprint"]
    )
    assert ours.encode(QUESTION).ids == tokens.variables["question_ids"]["ours"]


def test_page_shows_no_wall_time(tokens):
    for cell in tokens.cells.values():
        assert not re.search(r"\d\s*(s|ms|sec|seconds)\b", cell["stdout"]), cell["stdout"]


def test_figure_has_alt_text_from_the_run(tokens):
    figures = tokens.cells["figure"]["figures"]
    assert len(figures) == 1
    alt = figures[0]["alt"]
    assert QUESTION in alt
    for name in TOKENIZERS:  # each row named as the page names it ("GPT-4's", not cl100k_base)
        label = tokens.variables["label"][name]
        assert f"{label}: {len(tokens.variables['splits'][name][QUESTION])} tokens" in alt


# Bad input: one line on stderr, a non-zero exit, never a traceback.


def run_tokens(*args, script="tokens.py", cwd=ROOT, snippets=ROOT / "snippets"):
    return subprocess.run(
        [sys.executable, str(snippets / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, MPLBACKEND="Agg"),
        timeout=120,
    )


def assert_one_line_error(proc, expected):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0]
    assert proc.stdout == ""


def test_missing_file(tmp_path):
    assert_one_line_error(run_tokens("--text", str(tmp_path / "nope.txt")), "no such file")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert_one_line_error(run_tokens("--text", str(empty)), "is empty")


def test_file_that_is_not_utf8(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Fraises à la crème".encode("latin-1"))
    assert_one_line_error(run_tokens("--text", str(latin1)), "not UTF-8")


def test_directory_instead_of_file(tmp_path):
    assert_one_line_error(run_tokens("--text", str(tmp_path)), "not a file")


def test_unknown_flag():
    assert_one_line_error(run_tokens("--words", "straw"), "unrecognized arguments")
    assert_one_line_error(run_tokens("--colour", script="strawberry.py"), "unrecognized arguments")


@pytest.mark.parametrize("size", ["10", "lots"])
def test_bad_vocab_size(size):
    assert_one_line_error(run_tokens("--vocab-size", size), "--vocab-size")


def test_help():
    proc = run_tokens("--help")
    assert proc.returncode == 0
    assert "--text" in proc.stdout and "--vocab-size" in proc.stdout


@claim(
    "text-becomes-numbers.md",
    "Train one on something you wrote instead (any UTF-8 text file",
    "`python snippets/tokens.py --text your_file.txt`.",
)
def test_readers_own_text(tmp_path):
    own = tmp_path / "mine.txt"
    own.write_text("Strawberries and cream, fraises à la crème, 苺 🍓. " * 200, encoding="utf-8")
    # a copy of snippets/ writes its out/ beside it, not into the repository's out/, where a fresh
    # run of tokens.py may be exporting its own tokeniser at this moment
    shutil.copytree(ROOT / "snippets", tmp_path / "snippets", ignore=shutil.ignore_patterns("data"))
    proc = run_tokens(
        "--text", own, "--vocab-size", "300", cwd=tmp_path, snippets=tmp_path / "snippets"
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "tokenizer.json").is_file()
    assert f"corpus:      {len(own.read_text(encoding='utf-8')):,} characters" in proc.stdout
    # a short, repetitive text runs out of pairs to merge before 300 tokens, and the output says so
    learned = int(re.search(r"vocabulary:  (\d+) tokens", proc.stdout)[1])
    assert 256 < learned < 300
    assert "asked for 300" in proc.stdout
