"""Arithmetic coding driven by a language model: its predictions turned into actual
bytes, and back.

A character the model expected (probability p) costs about -log2(p) bits; one it did not
expect costs many. The coder narrows an interval of numbers by each character's share of
the probability, and the bits of a number inside the final interval are the compressed
text.

The model's probabilities are floats; the coder needs integers that the encoder and the
decoder compute identically, so each probability becomes an integer count out of about
2^24 (never zero: anything can happen). Both sides ask the same model the same question
in the same order.

Also a command:

    python snippets/arithmetic_coding.py compress FILE OUT
    python snippets/arithmetic_coding.py decompress OUT FILE

It uses the trained model from training.py (out/tiny-gpt.pt; trained first if it is
missing).
"""

import cli  # first: it pins how PyTorch adds numbers up (see cli.py)

import bisect
import hashlib
import itertools
import math
import struct
import zlib
from pathlib import Path

import torch

from sampling import next_token_probs

STATE_BITS = 32  # the coder's interval ends are 32-bit integers
FULL = 1 << STATE_BITS
HALF = FULL >> 1
QUARTER = FULL >> 2
# probabilities become counts out of (at most) this many
FREQ_TOTAL = 1 << 24
# the context before the first character: "a paragraph begins"
START = "\n"

# magic, version, model id, characters, bytes of UTF-8, CRC-32 of the text, payload
# bytes, CRC-32 of all that
HEADER = struct.Struct(">4sB8sIIIII")
MAGIC, VERSION = b"LMAC", 1


class CorruptData(ValueError):
    """The compressed bytes are damaged, truncated, or not ours."""


def quantise(probs):
    """Cumulative integer counts from the model's probabilities: token i owns [cum[i],
    cum[i+1]).

    Every token gets at least 1, so even a "100% sure" model can code a surprise
    (expensively).
    """
    counts = (probs.double() * (FREQ_TOTAL - len(probs))).floor().long() + 1
    return list(itertools.accumulate(counts.tolist(), initial=0))


class Encoder:
    def __init__(self):
        self.low, self.high = 0, FULL - 1
        # bits we owe but cannot decide yet (the interval straddles the middle)
        self.pending = 0
        self.bits = []

    def _emit(self, bit):
        self.bits.append(bit)
        self.bits.extend([1 - bit] * self.pending)
        self.pending = 0

    def encode(self, cum, token):
        width = self.high - self.low + 1
        self.high = self.low + width * cum[token + 1] // cum[-1] - 1
        self.low = self.low + width * cum[token] // cum[-1]
        while True:
            # both ends in the lower half: a 0
            if self.high < HALF:
                self._emit(0)
            # both in the upper half: a 1
            elif self.low >= HALF:
                self._emit(1)
                self.low, self.high = self.low - HALF, self.high - HALF
            # squeezed around the middle
            elif self.low >= QUARTER and self.high < 3 * QUARTER:
                self.pending += 1
                self.low, self.high = self.low - QUARTER, self.high - QUARTER
            else:
                break
            # zoom in: double the interval
            self.low, self.high = 2 * self.low, 2 * self.high + 1

    def finish(self):
        """Two more bits pick a number inside the final interval; then pad to whole
        bytes."""
        self.pending += 1
        self._emit(0 if self.low < QUARTER else 1)
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(
            int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)
        )


class Decoder:
    def __init__(self, payload):
        bits = (b >> (7 - i) & 1 for b in payload for i in range(8))
        self.bits = itertools.chain(bits, itertools.repeat(0))
        self.low, self.high = 0, FULL - 1
        self.value = 0
        for _ in range(STATE_BITS):
            self.value = 2 * self.value + next(self.bits)

    def decode(self, cum):
        width = self.high - self.low + 1
        target = ((self.value - self.low + 1) * cum[-1] - 1) // width
        token = bisect.bisect_right(cum, target) - 1
        self.high = self.low + width * cum[token + 1] // cum[-1] - 1
        self.low = self.low + width * cum[token] // cum[-1]
        while True:
            if self.high < HALF:
                pass
            elif self.low >= HALF:
                self.low, self.high = self.low - HALF, self.high - HALF
                self.value -= HALF
            elif self.low >= QUARTER and self.high < 3 * QUARTER:
                self.low, self.high = self.low - QUARTER, self.high - QUARTER
                self.value -= QUARTER
            else:
                break
            self.low, self.high = 2 * self.low, 2 * self.high + 1
            self.value = 2 * self.value + next(self.bits)
        return token


def encode_ids(model, start_ids, ids):
    """Arithmetic-code ids with the model's predictions. Returns (payload bytes, bits
    the model measured).

    The bits measured are sum(-log2 p) over the model's own (unquantised) probabilities:
    what an ideal coder would need. The payload is what ours actually needs.
    """
    encoder, bits = Encoder(), 0.0
    for i, token in enumerate(ids):
        probs = next_token_probs(model, start_ids + ids[:i])
        bits -= math.log2(probs[token].item())
        encoder.encode(quantise(probs), token)
    return encoder.finish(), bits


def decode_ids(model, start_ids, payload, n):
    decoder, ids = Decoder(payload), []
    for _ in range(n):
        ids.append(decoder.decode(quantise(next_token_probs(model, start_ids + ids))))
    return ids


def model_id(model):
    """8 bytes that change whenever any weight changes: decompressing needs the very
    same model."""
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.digest()[:8]


def compress(model, tokenizer, text):
    """Header + payload. Returns (compressed bytes, bits the model measured)."""
    ids = tokenizer.encode(text)
    payload, bits = encode_ids(model, tokenizer.encode(START), ids)
    return pack(MAGIC, model, text, len(ids), payload), bits


def pack(magic, model, text, n_ids, payload):
    """The header (see HEADER), then the payload."""
    data = text.encode("utf-8")
    fields = (
        magic,
        VERSION,
        model_id(model),
        n_ids,
        len(data),
        zlib.crc32(data),
        len(payload),
    )
    return HEADER.pack(*fields, zlib.crc32(HEADER.pack(*fields, 0))) + payload


def read_header(blob, magic=MAGIC):
    """The header's fields, after every check that needs no model: magic, version,
    checksum, lengths."""
    if len(blob) < HEADER.size:
        raise CorruptData(
            f"too short to be compressed data ({len(blob)} bytes, "
            f"the header alone is {HEADER.size})"
        )
    fields = HEADER.unpack_from(blob)
    _, version, mid, n_chars, n_bytes, crc, n_payload, header_crc = fields
    if fields[0] != magic:
        raise CorruptData("not compressed by this program (wrong magic bytes)")
    if version != VERSION:
        raise CorruptData(
            f"written by format version {version}, this program reads version {VERSION}"
        )
    if zlib.crc32(HEADER.pack(*fields[:-1], 0)) != header_crc:
        raise CorruptData("the header is corrupt (checksum mismatch)")
    if len(blob) - HEADER.size != n_payload:
        found = len(blob) - HEADER.size
        what = "truncated" if found < n_payload else "has extra bytes at the end"
        raise CorruptData(
            f"{what}: expected {n_payload} bytes after the header, found {found}"
        )
    return mid, n_chars, n_bytes, crc


def decompress(model, tokenizer, blob):
    """The original text, or CorruptData if anything does not add up. Never a wrong
    text."""
    mid, n_chars, n_bytes, crc = read_header(blob)
    if mid != model_id(model):
        raise CorruptData(
            "compressed with a different model (retrained since?): it "
            "cannot be decoded with this one"
        )
    ids = decode_ids(model, tokenizer.encode(START), blob[HEADER.size :], n_chars)
    data = tokenizer.decode(ids).encode("utf-8")
    if len(data) != n_bytes or zlib.crc32(data) != crc:
        raise CorruptData(
            "the data is corrupt: the decoded text fails its length and checksum test"
        )
    return data.decode("utf-8")


def check_output(path):
    """Fail now, before any slow work, if path cannot be a file we write."""
    path = Path(path)
    if path.is_dir():
        cli.fail(f"{path} is a folder, not a file name")
    if not path.parent.is_dir():
        cli.fail(f"no such folder: {path.parent}")


def write_atomically(path, data):
    """Write via a temporary file renamed into place: path is either the whole data or
    untouched."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        cli.fail(f"cannot write {path}: {e.strerror or e}")


def main():
    parser = cli.Parser(
        prog="arithmetic_coding.py",
        description="Compress UTF-8 text with the trained tiny GPT and "
        "arithmetic coding, and back.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{compress,decompress}"
    )
    c = commands.add_parser("compress", help="compress FILE (UTF-8 text) into OUT")
    c.add_argument("file")
    c.add_argument("out")
    d = commands.add_parser(
        "decompress", help="decompress OUT (made by compress) back into FILE"
    )
    d.add_argument("compressed")
    d.add_argument("file")
    args = cli.parse_args(parser)

    if args.command == "compress":
        text = cli.read_text(args.file)
        check_output(args.out)
    else:
        source = Path(args.compressed)
        if not source.is_file():
            cli.fail(f"no such file: {source}")
        try:
            blob = source.read_bytes()
        except OSError as e:
            cli.fail(f"cannot read {source}: {e.strerror or e}")
        try:
            # damaged or foreign input fails here, before loading a model
            read_header(blob)
        except CorruptData as e:
            cli.fail(f"{source}: {e}")
        check_output(args.file)

    from training import load_or_train

    model, tokenizer = load_or_train()
    torch.set_grad_enabled(False)
    # one short sequence at a time: a second thread only adds waiting
    torch.set_num_threads(1)

    if args.command == "compress":
        blob, _ = compress(model, tokenizer, text)
        try:
            verified = decompress(model, tokenizer, blob) == text
        except CorruptData:
            verified = False
        if not verified:
            cli.fail(
                "the compressed data did not decompress to the input, so nothing "
                "was written"
            )
        write_atomically(args.out, blob)
        size = len(text.encode("utf-8"))
        print(f"{args.file}: {size:,} bytes -> {args.out}: {len(blob):,} bytes")
    else:
        try:
            text = decompress(model, tokenizer, blob)
        except CorruptData as e:
            cli.fail(f"{source}: {e}")
        write_atomically(args.file, text.encode("utf-8"))
        size = len(text.encode("utf-8"))
        print(f"{source}: {len(blob):,} bytes -> {args.file}: {size:,} bytes")


if __name__ == "__main__":
    main()
