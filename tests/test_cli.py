"""snippets/cli.py, the edge between the snippets and whoever runs them: library code
raises cli.InputError (a ValueError) for bad input, and a script that lets one through
ends with one line and exit status 1; results kept in files by cli.cached."""

import sys

from conftest import ROOT, one_line_error, run_script

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
