"""Our models next to the compressors people use, on the test text. A benchmark, not a test: minutes.

Everyone reads the training text first, then pays for every character of the test text (46,279
characters, training.split_three; no setting was chosen on it):

- a compressor pays the bytes the test text adds: compressed(train + test) - compressed(train);
- a model that stopped learning pays its loss on each character (training.evaluate, what train.py
  prints): the ideal size of a coded file, not a file;
- a model that keeps learning as it reads writes a real file (snippets/adaptive_coding.py: predict a
  character, pay for it, nudge), header included; it is decoded again, with the same nudges, and
  checked character for character. Its weights are not in the file: the decoder makes them again by
  training on the same training text with the same seed, as the compressors make their tables again
  from the same head start. What the weights would add, sent as 32-bit numbers, is printed too.

Seconds are this process's CPU seconds (one thread; other work on the machine inflates wall time,
not these) and wall seconds. The published figures of the best neural and context-mixing compressors
on Wikipedia (enwik8/enwik9) are printed for scale: another text, a thousand times more of it.

    python benchmarks/compressors.py                          # default and long runs, seed 1337
    python benchmarks/compressors.py --runs default --seeds 1337 1 2
"""

import argparse
import bz2
import gzip
import lzma
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "snippets"))
import cli  # noqa: E402  (first among the snippets' modules: it pins the arithmetic)

import pyppmd  # noqa: E402
import torch  # noqa: E402
import zstandard  # noqa: E402

import adaptive_coding  # noqa: E402
import training  # noqa: E402

# the default run; the same model trained three and five times as long (about 3 and 5 minutes in
# all, with the coding); train.py --long
RUNS = {
    "default": training.DEFAULT,
    "default x3": dict(training.DEFAULT, steps=3 * training.DEFAULT["steps"]),
    "default x5": dict(training.DEFAULT, steps=5 * training.DEFAULT["steps"]),
    "long": training.LONG,
}
# The Large Text Compression Benchmark (Mahoney, mattmahoney.net/dc/text.html), as listed there:
# compressed bytes of enwik8 (10^8 bytes of Wikipedia) and enwik9 (10^9), without the program.
PUBLISHED = {
    "cmix v18 (context mixing)": (14_838_332, 115_714_367),
    "nncp 2019-11-16 (neural, learns as it reads)": (16_292_774, 119_167_224),
}


class Timer:
    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.cpu
        self.wall = time.perf_counter() - self.wall


def compressors(train_text, test_text):
    """{name: (bits per test character, CPU seconds)}: what the test text adds after the
    training text."""
    zstd = zstandard.ZstdCompressor(level=22)
    tools = {
        "gzip -9": lambda b: gzip.compress(b, 9),
        "bz2 -9": lambda b: bz2.compress(b, 9),
        "xz -9e": lambda b: lzma.compress(b, preset=9 | lzma.PRESET_EXTREME),
        "zstd -22": zstd.compress,
    }
    # variant I (as in ZIP files) at every order; variant H (7-Zip's .7z) at its best order
    for order in range(4, 17):
        tools[f"PPMd order {order}"] = lambda b, o=order: pyppmd.compress(
            b, max_order=o, mem_size=256 << 20, variant="I"
        )
    tools["PPMd (7-Zip's variant H) order 16"] = lambda b: pyppmd.compress(
        b, max_order=16, mem_size=256 << 20, variant="H"
    )
    both, seen = (train_text + test_text).encode(), train_text.encode()
    results = {}
    for name, squeeze in tools.items():
        with Timer() as t:
            size = len(squeeze(both)) - len(squeeze(seen))
        results[name] = (8 * size / len(test_text), t.cpu)
    return results


def model_rows(run, seed, steps, tokenizer, train_ids, val_ids, test_ids, test_text, train_text):
    settings = dict(RUNS[run], seed=seed)
    settings["steps"] = steps or settings["steps"]
    model = training.build(settings, tokenizer)
    with Timer() as trained:
        training.train(model, train_ids, val_ids, settings, eval_every=settings["steps"])
    with Timer() as scored:
        static = training.evaluate(model, test_ids, context=train_ids) / math.log(2)
    # the decoder starts from the same training text: its last window is what both read first
    context = train_text[-2 * settings["block_size"] :]
    with Timer() as coded:
        blob, _ = adaptive_coding.compress(model, tokenizer, context, test_text)
    with Timer() as decoded:
        back = adaptive_coding.decompress(model, tokenizer, context, blob)
    exact = back == test_text
    name = f"{run}, seed {seed}"
    weights_bits = 32 * model.num_params() / len(test_text)
    return [
        (f"{name}: stopped learning (loss, not a file)", static, trained.cpu, trained.wall),
        (
            f"{name}: learning as it reads (file, round trip {'exact' if exact else 'FAILED'})",
            8 * len(blob) / len(test_text),
            trained.cpu + coded.cpu,
            trained.wall + coded.wall,
        ),
    ], dict(
        exact=exact,
        decode_cpu=decoded.cpu,
        code_cpu=coded.cpu,
        score_cpu=scored.cpu,
        weights_bits=weights_bits,
        file_bytes=len(blob),
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=["default", "default x3"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[training.DEFAULT["seed"]])
    parser.add_argument("--steps", type=int, help="train this many steps instead (a quick look)")
    parser.add_argument("--chars", type=int, help="only the test text's first CHARS (a quick look)")
    args = parser.parse_args()
    torch.set_num_threads(training.THREADS)

    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"kernel path: {torch.backends.cpu.get_cpu_capability()}, {training.THREADS} thread")
    text = cli.default_corpus()
    tokenizer = training.CharTokenizer.from_text(text)
    train_ids, val_ids, test_ids = training.split_three(text, tokenizer)
    train_text = tokenizer.decode(train_ids.tolist())
    if args.chars:
        test_ids = test_ids[: args.chars]
    test_text = tokenizer.decode(test_ids.tolist())
    print(f"test text: {len(test_text):,} characters, after {len(train_text):,} of training text")

    rows = [
        (name, bpc, cpu, None) for name, (bpc, cpu) in compressors(train_text, test_text).items()
    ]
    ppmd = {name: bpc for name, bpc, _, _ in rows if name.startswith("PPMd")}
    best_ppmd = min(ppmd, key=ppmd.get)
    notes = []
    for run in args.runs:
        for seed in args.seeds:
            got, info = model_rows(
                run,
                seed,
                args.steps,
                tokenizer,
                train_ids,
                val_ids,
                test_ids,
                test_text,
                train_text,
            )
            rows += got
            notes.append(
                f"{run}, seed {seed}: file {info['file_bytes']:,} bytes (header included), "
                f"coded in {info['code_cpu']:.0f} s CPU, decoded in {info['decode_cpu']:.0f} s "
                f"CPU, round trip {'exact' if info['exact'] else 'FAILED'}; its weights as 32-bit "
                f"numbers would add {info['weights_bits']:.0f} bits per character"
            )
    print(f"\n{'bits per character on the test text':64s}{'bits':>7s}{'CPU s':>8s}{'wall s':>8s}")
    for name, bpc, cpu, wall in sorted(rows, key=lambda row: row[1]):
        mark = "  <- best PPMd" if name == best_ppmd else ""
        wall = f"{wall:8.1f}" if wall is not None else f"{'':8s}"
        print(f"{name:64s}{bpc:7.3f}{cpu:8.1f}{wall}{mark}")
    print("(a model's seconds: training, plus coding where it writes a file)")
    print()
    for note in notes:
        print(note)
    print("\nfor scale, published (Large Text Compression Benchmark), bits per byte of Wikipedia:")
    for name, (enwik8, enwik9) in PUBLISHED.items():
        print(f"  {name:46s} enwik8 {8 * enwik8 / 1e8:.3f}, enwik9 {8 * enwik9 / 1e9:.3f}")
    if not all(row[0].endswith("exact)") for row in rows if "file, round trip" in row[0]):
        sys.exit("compressors.py: a round trip failed")


if __name__ == "__main__":
    main()
