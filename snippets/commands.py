# Every snippet that runs as a command: its --help, and what it says when it gets bad
# input.

import cli

import os
import shlex
import subprocess
import sys

import training

COMMANDS = [
    "tokens.py",
    "train.py",
    "sample.py",
    "facts.py",
    "autocomplete.py",
    "arithmetic_coding.py",
]


def run(*args):
    """`python ARGS` from the repository root, wherever this session started."""
    env = dict(os.environ, COLUMNS="88")  # a fixed width: --help wraps the same way
    # the scripts write UTF-8 to a pipe on every system (see cli.py)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        encoding="utf-8",
        env=env,
        cwd=cli.ROOT,
    )


def write(path, data):
    """Write bytes to a file, relative to the repository root: a file of bad input."""
    path = cli.ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# %% help
for name in COMMANDS:
    print(f"$ python snippets/{name} --help")
    print(run(f"snippets/{name}", "--help").stdout)

# %% bad-input
# sample.py needs the trained model to know its characters
model, tokenizer = training.load_or_train()
write("out/bad-input/empty.txt", b"")
write("out/bad-input/latin-1.txt", "café crème brûlée".encode("latin-1"))
attempts = [
    ["snippets/tokens.py", "--text", "no-such-file.txt"],
    ["snippets/tokens.py", "--text", "out/bad-input/empty.txt"],
    ["snippets/train.py", "--text", "out/bad-input/latin-1.txt"],
    ["snippets/train.py", "--setps", "100"],
    ["snippets/sample.py", "--temperature", "0"],
    ["snippets/sample.py", "--top-k", "0"],
    ["snippets/sample.py", "--prompt", ""],
    ["snippets/sample.py", "--prompt", "I ♥ strawberries"],
    ["snippets/sample.py", "--checkpoint", "out/bad-input/no-model.pt"],
    [
        "snippets/arithmetic_coding.py",
        "decompress",
        "out/bad-input/latin-1.txt",
        "out/bad-input/back.txt",
    ],
]
for args in attempts:
    result = run(*args)
    print(f"$ python {shlex.join(args)}")
    print(result.stderr.strip())
    print(f"(exit status {result.returncode})\n")
