"""Every snippet that runs as a command: its --help, and what it says when it gets bad input."""
import os
import subprocess
import sys
from pathlib import Path

COMMANDS = ["tokens.py"]


def run(*args):
    # A fixed terminal width keeps --help's line wrapping (and so this output) the same everywhere.
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)


# %% help
for name in COMMANDS:
    print(f"$ python snippets/{name} --help")
    print(run(f"snippets/{name}", "--help").stdout)

# %% bad-input
scratch = Path("out/bad-input")
scratch.mkdir(parents=True, exist_ok=True)
(scratch / "empty.txt").write_text("")
(scratch / "latin-1.txt").write_bytes("café crème brûlée".encode("latin-1"))
attempts = [
    ["snippets/tokens.py", "--text", "no-such-file.txt"],
    ["snippets/tokens.py", "--text", "out/bad-input/empty.txt"],
    ["snippets/tokens.py", "--text", "out/bad-input/latin-1.txt"],
    ["snippets/tokens.py", "--txet", "typo.txt"],
]
for args in attempts:
    result = run(*args)
    print(f"$ python {' '.join(args)}")
    print(result.stderr.strip())
    print(f"(exit status {result.returncode})\n")
