"""snippets/arithmetic_coding.py: the coder is exact, and costs what the model's own (unquantised)
probabilities say, within a few bits; the file format refuses what is damaged or not ours. A tiny
model and a few dozen characters: seconds."""

import math
import zlib

import pytest
import torch

import arithmetic_coding as ac
import tiny
from tiny import one_thread  # noqa: F401  (autouse: one thread)
from training import CharTokenizer

TEXT = "the cat sat on the mat.\nthe dog sat on the log.\n"


def coded(sharpness, n=2000, vocab=50, seed=0):
    """n tokens, each drawn from its own random distribution (peaked by `sharpness`), as a model's
    text is: (payload, the tables, the tokens, the ideal bits from the unquantised probabilities)."""
    g = torch.Generator().manual_seed(seed)
    encoder, tables, tokens, ideal_bits = ac.Encoder(), [], [], 0.0
    for _ in range(n):
        probs = torch.softmax(sharpness * torch.randn(vocab, generator=g, dtype=torch.float64), 0)
        token = int(torch.multinomial(probs, 1, generator=g))
        cum = ac.quantise(probs)
        encoder.encode(cum, token)
        ideal_bits -= math.log2(probs[token].item())
        tables.append(cum)
        tokens.append(token)
    return encoder.finish(), tables, tokens, ideal_bits


@pytest.mark.parametrize("sharpness", [0.1, 3.0, 40.0])  # nearly uniform, peaked, almost certain
def test_the_coder_is_exact_and_costs_what_the_probabilities_say(sharpness):
    payload, tables, tokens, ideal_bits = coded(sharpness)
    decoder = ac.Decoder(payload)
    assert [decoder.decode(cum) for cum in tables] == tokens
    # what the probabilities say, plus the two closing bits and the padding to a whole byte; a
    # coarser quantisation (counts out of 2^12, say) costs dozens of bits more here
    overhead = 8 * len(payload) - ideal_bits
    assert -1 < overhead < 2 + 8


def test_quantised_counts_are_the_probabilities_and_never_zero():
    probs = torch.softmax(5 * torch.randn(300, generator=torch.Generator().manual_seed(1)), 0)
    probs[7] = 0.0  # even a token the model rules out
    cum = ac.quantise(probs)
    assert cum[0] == 0 and len(cum) == 301
    counts = torch.tensor([b - a for a, b in zip(cum, cum[1:])], dtype=torch.float64)
    assert counts.min() >= 1 and cum[-1] <= ac.FREQ_TOTAL
    assert (
        counts / cum[-1] - probs.double()
    ).abs().max() < 1e-5  # counts out of 2^12 would be 2.4e-4 off
    certain = ac.quantise(torch.tensor([1.0] + [0.0] * 99))
    assert all(b > a for a, b in zip(certain, certain[1:]))


@pytest.mark.parametrize("n", [396, 397, 398, 399, 400])
def test_the_payload_is_the_bits_plus_two_closing_bits_padded_to_a_byte(n):
    cum = ac.quantise(torch.full((4,), 0.25))  # 2 bits a token, exactly
    encoder = ac.Encoder()
    for i in range(n):
        encoder.encode(cum, i % 4)
    assert len(encoder.finish()) == math.ceil((2 * n + 2) / 8)


def test_the_first_and_last_tokens_of_a_table_round_trip():
    probs = torch.full((4,), 0.25)
    cum = ac.quantise(probs)
    tokens = [0, 3, 3, 0, 1, 2, 3, 0] * 50
    encoder = ac.Encoder()
    for t in tokens:
        encoder.encode(cum, t)
    payload = encoder.finish()
    assert len(payload) == 100 + 1  # 2 bits each, then the closing bits
    decoder = ac.Decoder(payload)
    assert [decoder.decode(cum) for _ in tokens] == tokens


# With a model.


@pytest.fixture(scope="module")
def small():
    tok = CharTokenizer.from_text(TEXT)
    model = tiny.model(vocab_size=tok.vocab_size, block_size=16, n_layer=1, spread=0.7, seed=3)
    return model, tok


def test_encode_ids_measures_the_models_own_bits_and_round_trips(small):
    model, tok = small
    start, ids = tok.encode("\n"), tok.encode(TEXT)
    payload, bits = ac.encode_ids(model, start, ids)
    expected = 0.0
    for i, token in enumerate(ids):
        with torch.no_grad():
            logits = model(torch.tensor([(start + ids[:i])[-16:]]))[0][0, -1].double()
        expected -= torch.log_softmax(logits, 0)[token].item() / math.log(2)
    assert bits == pytest.approx(expected, rel=1e-5)
    assert 0 <= 8 * len(payload) - bits < 10
    assert ac.decode_ids(model, start, payload, len(ids)) == ids


def test_compress_then_decompress_gives_the_text_back(small):
    model, tok = small
    blob, bits = ac.compress(model, tok, TEXT)
    assert (
        len(blob) == ac.HEADER.size + math.ceil((bits + 2) / 8)
        or abs(len(blob) - ac.HEADER.size - bits / 8) < 2
    )
    assert ac.decompress(model, tok, blob) == TEXT
    mid, n_chars, n_bytes, crc = ac.read_header(blob)
    assert mid == ac.model_id(model) and n_chars == len(TEXT)
    assert n_bytes == len(TEXT.encode()) and crc == zlib.crc32(TEXT.encode())


def test_the_model_id_changes_with_any_weight(small):
    model, tok = small
    other = tiny.model(vocab_size=tok.vocab_size, block_size=16, n_layer=1, spread=0.7, seed=3)
    assert ac.model_id(other) == ac.model_id(model) and len(ac.model_id(model)) == 8
    with torch.no_grad():
        other.blocks[0].ln_2.bias[0] += 1e-3
    assert ac.model_id(other) != ac.model_id(model)
    blob, _ = ac.compress(model, tok, TEXT)
    with pytest.raises(ac.CorruptData, match="different model"):
        ac.decompress(other, tok, blob)


def header_fields(blob):
    return list(ac.HEADER.unpack_from(blob))


def repacked(blob, **changes):
    """The blob with some header fields changed and the header checksum made right again."""
    fields = header_fields(blob)
    names = ["magic", "version", "model", "chars", "bytes", "crc", "payload", "header_crc"]
    for name, value in changes.items():
        fields[names.index(name)] = value
    fields[-1] = zlib.crc32(ac.HEADER.pack(*fields[:-1], 0))
    return ac.HEADER.pack(*fields) + blob[ac.HEADER.size :]


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda b: b[:20], "too short"),
        (lambda b: b"XXXX" + b[4:], "wrong magic"),
        (lambda b: repacked(b, version=2), "version 2"),
        (lambda b: b[:12] + bytes([b[12] ^ 1]) + b[13:], "checksum"),
        (lambda b: b[:-1], "truncated"),
        (lambda b: b + b"\0", "extra bytes"),
    ],
)
def test_a_damaged_header_is_refused_before_any_decoding(small, damage, words):
    model, tok = small
    blob, _ = ac.compress(model, tok, TEXT)
    with pytest.raises(ac.CorruptData, match=words):
        ac.read_header(damage(blob))


def test_a_header_that_lies_about_the_text_is_caught_by_its_checksum(small):
    model, tok = small
    blob, _ = ac.compress(model, tok, TEXT)
    _, n_chars, n_bytes, crc = ac.read_header(blob)
    for changes in (dict(crc=crc ^ 1), dict(bytes=n_bytes + 1), dict(chars=n_chars - 1)):
        with pytest.raises(ac.CorruptData, match="length and checksum"):
            ac.decompress(model, tok, repacked(blob, **changes))


def test_every_payload_bit_flip_is_refused_or_harmless(small):
    model, tok = small
    text = TEXT[:12]
    blob, _ = ac.compress(model, tok, text)
    for bit in range(8 * ac.HEADER.size, 8 * len(blob)):
        damaged = bytearray(blob)
        damaged[bit // 8] ^= 1 << (7 - bit % 8)
        try:
            assert ac.decompress(model, tok, bytes(damaged)) == text  # never a wrong text
        except ac.CorruptData:
            pass
