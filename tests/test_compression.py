"""Chapter 6: prediction is compression. The recorded demo (compress_paragraph.py), and the
compress/decompress command on real files, good and damaged. The coder itself: test_unit_arithmetic_coding.py."""

import sys
from pathlib import Path

import pytest
import torch

from conftest import ROOT, run_script

sys.path.insert(0, str(ROOT / "snippets"))
from arithmetic_coding import HEADER, quantise  # noqa: E402

SCRIPT = "snippets/arithmetic_coding.py"
TEXT = (
    "Lists are mutable sequences, typically used to store collections of\n"
    "homogeneous items (where the precise degree of similarity will vary by application).\n"
)


def test_quantised_probabilities_never_give_a_token_zero_room():
    cum = quantise(torch.tensor([1.0] + [0.0] * 99))
    assert all(b > a for a, b in zip(cum, cum[1:]))


def test_demo_round_trip_is_exact_and_its_size_is_the_models_measured_bits(snippet_run):
    v = snippet_run("compress_paragraph.py").variables
    assert v["round_trip_exact"] is True
    # "within a byte or two" of what the model measured, and never below it by more than rounding
    assert -0.5 <= v["payload_bytes"] - v["model_bits"] / 8 <= 2
    assert v["model_rate"] < v["best_other_rate"]  # beats gzip, bz2 and xz on the same paragraph
    assert (
        abs(v["xz_primed_rate"] - v["payload_rate"]) < 0.05
    )  # xz with the same head start: neck and neck
    assert v["raw_rate"] < min(
        v["gzip_test_rate"], v["xz_test_rate"]
    )  # ahead over all the test text
    assert v["counted_rate"] > 1  # but not once the model's own size is counted


def test_every_one_bit_change_of_a_compressed_file_is_refused_or_harmless(snippet_run):
    v = snippet_run("compress_paragraph.py").variables
    assert v["refused"] + v["same_text"] + v["wrong_text"] == v["flips"] > 8 * HEADER.size
    assert v["wrong_text"] == 0  # never a wrong text
    assert v["refused"] > 0.9 * v["flips"]  # nearly every change is refused...
    # ...the rest sit in the last two bytes, bits the decoder never needs
    assert (
        len(v["harmless_bits"]) == v["same_text"]
        and min(v["harmless_bits"], default=v["flips"]) >= v["flips"] - 16
    )


@pytest.fixture(scope="module")
def trained_model():
    """The command uses the saved model; make sure it exists (trained once, deterministically, if not)."""
    from training import load_or_train

    load_or_train()


def assert_one_line_error(proc, *words):
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "error" in lines[0] and "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture(scope="module")
def compressed(trained_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compress")
    (folder / "in.txt").write_text(TEXT, encoding="utf-8")
    proc = run_script(SCRIPT, "compress", folder / "in.txt", folder / "in.lmac")
    assert proc.returncode == 0, proc.stderr
    return folder / "in.lmac"


def test_command_round_trip(compressed, tmp_path):
    assert (
        compressed.stat().st_size - HEADER.size < len(TEXT.encode()) / 2
    )  # the bits, header aside
    proc = run_script(SCRIPT, "decompress", compressed, tmp_path / "back.txt")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "back.txt").read_bytes() == TEXT.encode()


def damaged(compressed, tmp_path, change):
    data = bytearray(compressed.read_bytes())
    change(data)
    path = tmp_path / "damaged.lmac"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "name, change, word",
    [
        (
            "payload bit flipped",
            lambda d: d.__setitem__(HEADER.size + 10, d[HEADER.size + 10] ^ 0x10),
            "corrupt",
        ),
        ("header byte changed", lambda d: d.__setitem__(12, d[12] ^ 0x01), "header"),
        ("truncated", lambda d: d.__delitem__(slice(-5, None)), "truncated"),
        ("cut inside the header", lambda d: d.__delitem__(slice(20, None)), "too short"),
    ],
)
def test_damaged_input_gives_one_line_and_writes_nothing(compressed, tmp_path, name, change, word):
    out = tmp_path / "out.txt"
    proc = run_script(SCRIPT, "decompress", damaged(compressed, tmp_path, change), out)
    assert_one_line_error(proc, word)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [
        "damaged.lmac"
    ]  # no temporary file left behind either


def test_decompressing_a_file_that_is_not_ours_fails_cleanly(tmp_path):
    (tmp_path / "plain.txt").write_text("just some text, not compressed at all\n")
    proc = run_script(SCRIPT, "decompress", tmp_path / "plain.txt", tmp_path / "out.txt")
    assert_one_line_error(proc, "not compressed by this program")
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize(
    "args, word",
    [
        (["compress", "no/such/file.txt", "out.lmac"], "no such file"),
        (["compress"], "required"),
        (["squash", "a", "b"], "invalid choice"),
    ],
)
def test_bad_command_lines_give_one_line(tmp_path, args, word):
    proc = run_script(SCRIPT, *args, cwd=ROOT)
    assert_one_line_error(proc, word)


def test_compress_refuses_text_the_model_cannot_read(trained_model, tmp_path):
    (tmp_path / "in.txt").write_text("snow \u2603 man\n", encoding="utf-8")
    proc = run_script(SCRIPT, "compress", tmp_path / "in.txt", tmp_path / "out.lmac")
    assert_one_line_error(proc)
    assert not (tmp_path / "out.lmac").exists()
