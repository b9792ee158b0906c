"""snippets/cli.py, the edge between the snippets and whoever runs them: library code
raises cli.InputError (a ValueError) for bad input, and a script that lets one through
ends with one line and exit status 1; results kept in files by cli.cached."""

import sys

from helpers import ROOT, one_line_error, run_script

sys.path.insert(0, str(ROOT / "snippets"))
import cli  # noqa: E402


def script(tmp_path, body):
    path = tmp_path / "demo.py"
    path.write_text(f"import sys\nsys.path.insert(0, {str(ROOT / 'snippets')!r})\n{body}")
    return path


def test_an_input_error_nothing_catches_is_one_line_and_exit_status_1(tmp_path):
    proc = run_script(script(tmp_path, "import cli\nraise cli.InputError('no such file: x')\n"))
    assert proc.returncode == 1
    assert one_line_error(proc) == "demo.py: error: no such file: x"


def test_cli_fail_raises_an_input_error_a_caller_can_catch(tmp_path):
    body = (
        "import cli\ntry:\n    cli.fail('bad')\nexcept ValueError as e:\n    print('caught', e)\n"
    )
    proc = run_script(script(tmp_path, body))
    assert proc.returncode == 0 and proc.stdout == "caught bad\n", proc.stderr


def test_any_other_exception_keeps_its_traceback(tmp_path):
    """Only bad input is one line: a bug shows where it is."""
    proc = run_script(script(tmp_path, "import cli\nraise ValueError('a bug')\n"))
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "ValueError: a bug" in proc.stderr


def test_read_text_raises_for_each_kind_of_bad_file(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "latin-1.txt").write_bytes("café".encode("latin-1"))
    for path, said in [
        (tmp_path / "missing.txt", "no such file"),
        (tmp_path, "not a file"),
        (tmp_path / "empty.txt", "is empty"),
        (tmp_path / "latin-1.txt", "is not UTF-8 text (bad byte at offset 3)"),
    ]:
        try:
            cli.read_text(path)
        except cli.InputError as e:
            assert said in str(e)
        else:
            raise AssertionError(f"{path}: no error")


def test_cached_makes_once_then_loads_what_it_kept(tmp_path):
    import torch

    made = []

    def make():
        made.append(1)
        return {"weights": torch.arange(3.0), "history": {"loss": [2.5, 1.25]}}

    path = tmp_path / "kept.pt"
    first = cli.cached(path, "key-1", make)
    again = cli.cached(path, "key-1", make)
    assert len(made) == 1
    assert torch.equal(again["weights"], first["weights"])
    assert again["history"] == {"loss": [2.5, 1.25]}
    cli.cached(path, "key-2", make)  # other code, settings or data: made again
    assert len(made) == 2
    path.write_bytes(path.read_bytes()[:20])  # a file cut short by a crash
    cli.cached(path, "key-2", make)
    assert len(made) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.pt"]  # no lock, no temp


WAIT_AND_MAKE = """
import sys, time
sys.path.insert(0, {snippets!r})
import cli

def make():
    with open({log!r}, "a") as log:
        log.write("made\\n")
    time.sleep(2)
    return {{"answer": 42}}

print(cli.cached({path!r}, "k", make)["answer"])
"""


def test_two_runs_at_once_make_it_once(tmp_path):
    import subprocess

    code = WAIT_AND_MAKE.format(
        snippets=str(ROOT / "snippets"),
        log=str(tmp_path / "log.txt"),
        path=str(tmp_path / "kept.pt"),
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    printed = [run.communicate(timeout=120)[0] for run in runs]
    assert printed == ["42\n", "42\n"]
    assert (tmp_path / "log.txt").read_text() == "made\n"


def test_a_lock_left_by_a_run_that_was_killed_does_not_block(tmp_path):
    import subprocess

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / "kept.pt.lock").write_text(gone.stdout.strip())
    assert cli.cached(tmp_path / "kept.pt", "k", lambda: {"answer": 42})["answer"] == 42


def test_what_is_kept_is_the_same_bytes_whoever_writes_it(tmp_path):
    """Two runs keep the same model as the same bytes (torch.save names the archive inside
    a file after the file, which carried the writer's pid)."""
    import subprocess

    import torch

    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'snippets')!r}); import cli, torch\n"
        f"cli.store(sys.argv[1], 'k', {{'w': torch.arange(4.0), 'history': [1.5]}})"
    )
    for name in ("a.pt", "b.pt"):
        subprocess.run([sys.executable, "-c", code, tmp_path / name], check=True)
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()
    assert torch.equal(cli.stored(tmp_path / "a.pt", "k")["w"], torch.arange(4.0))


def test_a_comment_or_a_docstring_keeps_a_kept_model_but_code_does_not(tmp_path):
    """cli.code_key, what a kept model's key is made from, reads a file's syntax tree."""
    versions = {
        "code": 'def f(x):\n    """Twice x."""\n    return 2 * x\n',
        "comment": 'def f(x):\n    """Twice x."""\n\n    return 2 * x  # doubled\n',
        "docstring": 'def f(x):\n    """Twice x, always."""\n    return 2 * x\n',
        "changed": 'def f(x):\n    """Twice x."""\n    return 3 * x\n',
    }
    keys = {}
    for name, text in versions.items():
        (tmp_path / f"{name}.py").write_text(text)
        keys[name] = cli.code_key(tmp_path / f"{name}.py")
    assert keys["code"] == keys["comment"] == keys["docstring"] != keys["changed"]


def test_a_figure_is_saved_when_its_block_ends_and_echoes_nothing_inside(
    tmp_path, monkeypatch, capsys
):
    """`with cli.figure(...)`: pasted into Python's interpreter, the drawing calls inside
    (which return Line2D lists, Text objects...) print nothing."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setattr(cli, "OUT", tmp_path)
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    echo = sys.displayhook
    with cli.figure("a-line", "A line going up", figsize=(3, 2)) as (fig, ax):
        assert sys.displayhook is not echo
        sys.displayhook(ax.plot([1, 2]))  # what the interpreter does with a bare call
        assert fig.get_label() == "A line going up"  # the alt text
        assert not (tmp_path / "figures" / "a-line.png").exists()
    assert sys.displayhook is echo
    assert (tmp_path / "figures" / "a-line.png").stat().st_size > 0
    assert capsys.readouterr().out == "(figure saved to figures/a-line.png)\n"


def test_parser_add_argument_returns_nothing_for_the_interpreter_to_print():
    parser = cli.Parser()
    assert parser.add_argument("--seed", type=int, default=1) is None
    assert parser.parse_args(["--seed", "7"]).seed == 7
