"""Does the Python version change a snippet's record? Runs snippets under another Python and
under this one, each with hooks/execute.py's record() into a folder of its own, and compares
what they recorded: record.json without the "python" field, every figure and every export,
byte for byte. A benchmark, not a test: it needs a second environment, which it does not make.

The other Python needs the snippets' packages at the pinned versions, for instance:

    /usr/bin/python3.11 -m venv /tmp/other
    /tmp/other/bin/python -m pip install -c constraints.txt torch==2.13.0 tokenizers \\
        bpe-openai numpy matplotlib
    python benchmarks/python_versions.py --python /tmp/other/bin/python   # tokens.py, train.py
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402

RUN = "import sys; sys.path.insert(0, 'hooks'); import execute; execute.record(sys.argv[1], sys.argv[2])"


def record(python, name, folder):
    """Run snippets/NAME with `python`; return its Python version. The record is in folder."""
    done = subprocess.run(
        [python, "-c", RUN, name, str(folder)], cwd=ROOT, capture_output=True, encoding="utf-8"
    )
    if done.returncode != 0:
        cli.fail(f"{name} failed under {python}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads((folder / "record.json").read_text(encoding="utf-8"))["machine"]["python"]


def differences(a, b):
    """What differs between two record folders, beyond the Python version."""
    found = []
    records = [
        json.loads((folder / "record.json").read_text(encoding="utf-8")) for folder in (a, b)
    ]
    for data in records:
        data["machine"].pop("python")
    for part in ("key", "machine", "variables", "exports"):
        if records[0][part] != records[1][part]:
            found.append(part)
    for cell in records[0]["cells"].keys() | records[1]["cells"].keys():
        if records[0]["cells"].get(cell) != records[1]["cells"].get(cell):
            found.append(f"cell {cell}")
    files = [
        {
            path.relative_to(folder): path.read_bytes()
            for path in folder.rglob("*")
            if path.is_file() and path.name != "record.json"
        }
        for folder in (a, b)
    ]
    found += [
        f"file {name}"
        for name in sorted(files[0].keys() | files[1].keys())
        if files[0].get(name) != files[1].get(name)
    ]
    return found


def main():
    parser = cli.Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        required=True,
        metavar="PATH",
        help="the other Python (with the snippets' packages installed)",
    )
    parser.add_argument(
        "snippets",
        nargs="*",
        default=["tokens.py", "train.py"],
        help="snippets to compare (default: tokens.py train.py)",
    )
    args = cli.parse_args(parser)
    same = True
    with tempfile.TemporaryDirectory(prefix="llms101-pythons-") as scratch:
        for name in args.snippets:
            folders = [Path(scratch) / side / Path(name).stem for side in ("other", "this")]
            versions = [
                record(python, name, folder)
                for python, folder in zip((args.python, sys.executable), folders)
            ]
            found = differences(*folders)
            same = same and not found
            print(
                f"{name:20s} Python {versions[0]} vs {versions[1]}: "
                + ("byte-identical records" if not found else "differ in " + ", ".join(found))
            )
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
