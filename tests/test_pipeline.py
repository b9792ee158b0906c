"""The plumbing that runs snippets and puts them on pages (hooks/), tested on small throwaway projects."""

import concurrent.futures
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import cells
import execute
from helpers import ROOT, records


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project with our hooks: write snippets into project / 'snippets'."""
    shutil.copytree(
        ROOT / "hooks", tmp_path / "hooks", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "snippets").mkdir()
    (tmp_path / "docs").mkdir()
    monkeypatch.setattr(records, "ROOT", tmp_path)
    monkeypatch.setattr(records, "SNIPPETS", tmp_path / "snippets")
    monkeypatch.setattr(records, "DATA", tmp_path / "snippets" / "data")
    monkeypatch.setattr(records, "FREEZE", tmp_path / "_freeze")
    monkeypatch.setattr(records, "CONSTRAINTS", tmp_path / "constraints.txt")
    return tmp_path


def write(path, text):
    path.write_text(textwrap.dedent(text).lstrip())


def made(name):
    """The snippet's record: the frozen one if up to date, else made now (as `mkdocs build` does)."""
    failed = execute.refresh([name])
    if failed:
        raise failed[name]
    return records.recorded(name)


def test_cells_are_split_at_named_markers():
    found = cells.split_cells("import os\n\n# %% first\nx = 1\nprint(x)\n\n# %% second\nprint(2)\n")
    assert [(c.name, c.code, c.first_line) for c in found] == [
        ("top", "import os", 1),
        ("first", "x = 1\nprint(x)", 4),
        ("second", "print(2)", 8),
    ]


@pytest.mark.parametrize(
    "source,message",
    [
        ("# %%\nx = 1\n", "needs a name"),
        ("# %% a\nx = 1\n# %% a\ny = 2\n", "two cells are named 'a'"),
    ],
)
def test_bad_markers_are_refused_with_a_clear_message(source, message, project):
    with pytest.raises(cells.SnippetError, match=message):
        cells.split_cells(source)
    # the build, record.py and the tests say which file (contributor trial 2026-12-04: they didn't)
    write(project / "snippets" / "demo.py", source)
    with pytest.raises(cells.SnippetError, match=f"^snippets/demo.py[,:] .*{message}"):
        execute.record("demo.py", project / "_freeze" / "demo")


def test_definitions_are_found_by_name():
    source = "X = {'a': 1}\n\n@decorator\ndef f():\n    return 1\n\nclass C:\n    pass\n"
    assert cells.definition(source, "X") == "X = {'a': 1}"
    assert cells.definition(source, "f") == "@decorator\ndef f():\n    return 1"
    assert cells.definition(source, "C") == "class C:\n    pass"
    assert cells.definition(source, "missing") is None


def test_a_run_records_each_cells_output_figures_and_variables(project):
    write(
        project / "snippets" / "demo.py",
        """
        import matplotlib.pyplot as plt
        import numpy as np

        # %% numbers
        total = int(np.arange(5).sum())
        print("total", total)

        # %% plot
        fig, ax = plt.subplots(num="A straight line going up")
        line = ax.plot([0, 1], [0, 1])
        plt.show()
    """,
    )
    run = made("demo.py")
    assert list(run.cells) == ["top", "numbers", "plot"]
    assert run.cells["numbers"]["stdout"] == "total 10\n"
    assert run.cells["plot"]["stdout"] == ""
    [figure] = run.cells["plot"]["figures"]
    assert figure["alt"] == "A straight line going up"
    assert (run.folder / figure["file"]).read_text().startswith("<?xml")
    assert run.variables["total"] == 10


def test_a_figure_without_alt_text_is_an_error(project):
    write(
        project / "snippets" / "demo.py",
        """
        import matplotlib.pyplot as plt
        # %% plot
        plt.plot([0, 1])
    """,
    )
    with pytest.raises(cells.SnippetError, match="without alt text"):
        made("demo.py")


def test_a_failing_cell_reports_the_snippets_own_line(project):
    write(
        project / "snippets" / "bad.py",
        """
        print("fine")
        # %% boom
        ratio = 1 / 0
    """,
    )
    with pytest.raises(cells.SnippetError) as error:
        made("bad.py")
    assert "ZeroDivisionError" in str(error.value)
    assert 'bad.py", line 3' in str(error.value)


def test_runs_are_cached_and_keyed_by_what_they_import(project):
    snippets = project / "snippets"
    write(snippets / "helper.py", "SCALE = 2\n")
    write(snippets / "unrelated.py", "X = 1\n")
    write(
        snippets / "demo.py",
        """
        from helper import SCALE
        with open("runs.log", "a") as log:
            log.write("ran\\n")
        # %% show
        print(21 * SCALE)
    """,
    )
    assert made("demo.py").cells["show"]["stdout"] == "42\n"
    key = records.record_key(snippets / "demo.py")
    made("demo.py")
    assert (project / "runs.log").read_text() == "ran\n", "a cached run was executed again"

    write(snippets / "unrelated.py", "X = 2\n")
    assert records.record_key(snippets / "demo.py") == key
    write(snippets / "helper.py", "SCALE = 3\n")
    assert records.record_key(snippets / "demo.py") != key
    assert made("demo.py").cells["show"]["stdout"] == "63\n"
    assert (project / "runs.log").read_text() == "ran\nran\n"


def build(project):
    env = dict(os.environ, LLMS101_FREEZE=str(project / "_freeze"), NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )


def test_a_snippet_that_raises_fails_the_strict_build(project):
    write(
        project / "mkdocs.yml",
        """
        site_name: t
        nav: [index.md]
        markdown_extensions: [admonition, md_in_html, attr_list, pymdownx.superfences, pymdownx.highlight]
        hooks: [hooks/snippets.py]
    """,
    )
    write(
        project / "docs" / "index.md",
        "# T\n\n{* demo.py:show *}\n\nIt printed {= demo.py:answer =}.\n",
    )
    write(project / "snippets" / "demo.py", "# %% show\nanswer = 6 * 7\nprint(answer)\n")
    ok = build(project)
    assert ok.returncode == 0, ok.stderr
    page = (project / "site" / "index.html").read_text()
    assert "It printed 42." in page
    assert 'data-snippet="demo.py:show"' in page

    write(project / "snippets" / "demo.py", "# %% show\nanswer = 6 * 7\nprint(answer / 0)\n")
    broken = build(project)
    assert broken.returncode != 0
    assert "ZeroDivisionError" in broken.stderr and "demo.py" in broken.stderr


def test_a_script_a_demo_runs_by_name_is_part_of_its_cache_key(project):
    snippets = project / "snippets"
    write(snippets / "tool.py", "print('v1')\n")
    write(
        snippets / "demo.py",
        """
        import subprocess, sys
        # %% show
        print(subprocess.run([sys.executable, "snippets/tool.py"], capture_output=True, text=True).stdout)
    """,
    )
    key = records.record_key(snippets / "demo.py")
    write(snippets / "tool.py", "print('v2')\n")
    assert records.record_key(snippets / "demo.py") != key


def test_a_record_says_where_it_ran_and_is_keyed_by_content_not_by_the_machine(project):
    write(
        project / "snippets" / "demo.py",
        "import torch\n# %% show\nprint(torch.ones(2).sum().item())\n",
    )
    write(project / "constraints.txt", "torch==2.13.0\nnumpy==2.4.6\n")
    run = made("demo.py")
    assert (project / "_freeze" / "demo" / "record.json").is_file()
    assert run.machine["cpu_capability"] and run.machine["python"] and run.machine["os"]
    key = records.record_key(project / "snippets" / "demo.py")
    write(project / "constraints.txt", "torch==2.13.1\nnumpy==2.4.6\n")  # another pinned torch
    assert records.record_key(project / "snippets" / "demo.py") != key
    write(
        project / "constraints.txt", "torch==2.13.0\nnumpy==2.4.6\nsix==1.0\n"
    )  # not a snippet dependency
    assert records.record_key(project / "snippets" / "demo.py") == key
    assert records.recorded("demo.py").cells["show"]["stdout"] == "2.0\n"


def test_a_stale_record_reruns_unless_frozen_and_says_which_file_changed(project, monkeypatch):
    write(project / "snippets" / "helper.py", "N = 1\n")
    write(project / "snippets" / "demo.py", "import helper\n# %% show\nprint(helper.N)\n")
    made("demo.py")
    write(project / "snippets" / "helper.py", "N = 2\n")
    assert records.recorded("demo.py") is None
    assert records.why_stale("demo.py") == "snippets/helper.py changed"
    monkeypatch.setenv("LLMS101_FROZEN", "1")
    assert execute.refresh(["demo.py"]) == {}  # runs nothing
    assert records.load("demo.py", project / "_freeze" / "demo").cells["show"]["stdout"] == "1\n"
    monkeypatch.delenv("LLMS101_FROZEN")
    assert made("demo.py").cells["show"]["stdout"] == "2\n"


def test_a_comment_or_a_docstring_no_output_shows_changes_no_key(project):
    snippets = project / "snippets"
    write(
        snippets / "helper.py", '"""Helps."""\n\n\ndef f():\n    """Two."""\n    return 2  # two\n'
    )
    write(snippets / "demo.py", "import helper\n# %% show\nprint(helper.f())\n")
    key = records.record_key(snippets / "demo.py")
    write(
        snippets / "helper.py",
        '"""Helps a lot."""\n# a new comment\n\ndef f():\n    """2."""\n\n    return 2\n',
    )
    write(
        snippets / "demo.py",
        "import helper  # the helper\n\n# %% show\n# says 2\nprint(helper.f())\n",
    )
    assert records.record_key(snippets / "demo.py") == key
    for changed in (
        "import helper\n# %% shown\nprint(helper.f())\n",  # a cell renamed
        "import helper\nprint(1)\n# %% show\nprint(helper.f())\n",  # code moved
        "import helper\n# %% show\nprint(helper.f(), 1)\n",
        '"""A demo."""\nimport helper\n# %% show\nprint(helper.f())\n',  # echoed when pasted
    ):
        write(snippets / "demo.py", changed)
        assert records.record_key(snippets / "demo.py") != key, changed


def test_a_files_meaning_is_written_the_same_on_every_python():
    """Keys are committed, and the tests compare them on every Python they run on (3.11 and 3.14
    in CI): ast.dump's text changes with the version (3.12 added fields, 3.13 leaves empty ones
    out, f-strings' parts changed in 3.12), the tree as keys read it does not."""
    meant = records.meaning('def f(x, y=None):\n    """Doc."""\n    return f"{x:.2f}" + y\n', False)
    assert meant == (
        '["Module", ["body", [["FunctionDef", ["args", ["arguments", ["args", [["arg", ["arg", '
        '"\'x\'"]], ["arg", ["arg", "\'y\'"]]]], ["defaults", [["Constant"]]]]], ["body", '
        '[["Return", ["value", ["BinOp", ["left", ["f", "f\\"{x:.2f}\\""]], ["op", ["Add"]], '
        '["right", ["Name", ["ctx", ["Load"]], ["id", "\'y\'"]]]]]]]], ["name", "\'f\'"]]]]]'
    )


@pytest.mark.parametrize(
    "reader",
    [
        "import argparse\nargparse.ArgumentParser(description=__doc__).print_help()",
        "import helper\nprint(helper.__doc__)",
        "import inspect\nimport helper\nprint(inspect.getsource(helper))",
    ],
)
def test_a_docstring_or_comment_that_output_can_show_is_part_of_the_key(project, reader):
    snippets = project / "snippets"
    write(snippets / "helper.py", '"""Helps."""\nX = 1  # one\n')
    write(snippets / "demo.py", f'"""A demo."""\n{reader}\n# %% show\nprint(1)\n')
    key = records.record_key(snippets / "demo.py")
    if "argparse" in reader:
        write(snippets / "demo.py", f'"""The demo."""\n{reader}\n# %% show\nprint(1)\n')
    else:
        write(snippets / "helper.py", '"""Helps a lot."""\nX = 1  # one\n')
    assert records.record_key(snippets / "demo.py") != key


def test_record_py_follows_a_library_module_to_its_demos_and_says_what_is_stale(project):
    snippets = project / "snippets"
    write(snippets / "helper.py", "N = 1\n")
    write(snippets / "demo.py", "import helper\n# %% show\nprint(helper.N)\n")
    write(snippets / "other.py", "# %% show\nprint(0)\n")
    env = dict(os.environ, LLMS101_FREEZE=str(project / "_freeze"))

    def record_py(*args):
        return subprocess.run(
            [sys.executable, "hooks/record.py", *args],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
        )

    assert record_py("--dry-run").stdout.splitlines() == [
        "demo.py: has no record",
        "other.py: has no record",
    ]
    made = record_py("helper.py")
    assert made.returncode == 0, made.stderr
    assert "helper.py is a library module: the demos that use it are demo.py" in made.stdout
    assert "snippets/demo.py: cell 'show' (2 of 2)" in made.stdout  # progress, as it goes
    assert (
        not (project / "_freeze" / "helper").exists()
        and not (project / "_freeze" / "other").exists()
    )
    write(snippets / "helper.py", "N = 2\n")
    assert record_py("--dry-run", "helper.py").stdout.splitlines()[1:] == [
        "demo.py: snippets/helper.py changed"
    ]
    into = record_py("--into", str(project / "fresh"), "demo.py")
    assert into.returncode == 0, into.stderr
    assert records.load("demo.py", project / "fresh" / "demo").cells["show"]["stdout"] == "2\n"
    assert records.why_stale("demo.py") == "snippets/helper.py changed"  # _freeze/ untouched
    # --into runs the demos named, not also the demos that run them (the tests' fresh runs)
    write(snippets / "runs_other.py", "# %% show\nprint('snippets/other.py')\n")
    assert record_py("--into", str(project / "fresh"), "other.py").returncode == 0
    assert (project / "fresh" / "other").is_dir() and not (
        project / "fresh" / "runs_other"
    ).exists()


def test_a_fresh_run_only_a_tests_code_asks_for_is_made_when_asked(tmp_path):
    """Fresh.run for a demo no selected test names runs `record.py --into` then and there (it held
    the record's lock around that run, which record.py then waited for: a deadlock)."""
    import conftest

    fresh = conftest.Fresh(tmp_path, lambda: None, [], set())
    made = []
    job = threading.Thread(target=lambda: made.append(fresh.run("strawberry.py")), daemon=True)
    job.start()
    job.join(timeout=120)
    assert not job.is_alive(), "the fresh run of strawberry.py never came back"
    assert made and made[0].cells == records.recorded("strawberry.py").cells


def test_a_fresh_run_that_failed_in_the_background_fails_its_tests_with_its_own_lines(tmp_path):
    """helpers.wait: a test waits for its run while the background job lives (it holds its log's lock,
    as conftest.py starts it), whatever the log says meanwhile; once the job has ended, or was killed,
    without the run, the test fails at once, with the job's lines about that snippet, not another's."""
    import conftest
    from helpers import running, wait

    script = tmp_path / "job.py"
    script.write_text(
        "import pathlib, sys, time\n"
        "print('snippets/b.py: Traceback (most recent call last):', flush=True)\n"
        "print(\"snippets/a.py: cell 'x' raised ValueError: boom\", flush=True)\n"
        "while not pathlib.Path(sys.argv[1]).exists():\n"
        "    time.sleep(0.1)\n"
    )
    log, stop = tmp_path / "record.log", tmp_path / "stop"

    def start():
        with open(log, "w") as out:
            job = subprocess.Popen(
                [sys.executable, "-c", conftest.HOLDING, f"{log}.lock", script, stop], stdout=out
            )
        while not running(f"{log}.lock"):
            time.sleep(0.05)
        return job

    job = start()
    answers = iter([None, None, "the run"])
    assert wait(lambda: next(answers), log, "snippets/a.py") == "the run"
    stop.touch()
    job.wait()
    with pytest.raises(pytest.fail.Exception) as failed:
        wait(lambda: None, log, "snippets/a.py")
    assert "ValueError: boom" in str(failed.value) and "snippets/b.py" not in str(failed.value)
    stop.unlink()
    start().kill()  # killed without a word: the test does not wait for ever
    with pytest.raises(pytest.fail.Exception):
        wait(lambda: None, log, "snippets/a.py")


def test_a_failed_run_leaves_the_old_record_in_place(project):
    write(project / "snippets" / "demo.py", "# %% show\nprint(1)\n")
    made("demo.py")
    write(project / "snippets" / "demo.py", "# %% show\nprint(1 / 0)\n")
    with pytest.raises(cells.SnippetError):
        made("demo.py")
    assert records.load("demo.py", project / "_freeze" / "demo").cells["show"]["stdout"] == "1\n"


def test_side_by_side_runs_parse_no_python_in_their_threads(project, monkeypatch):
    # Python 3.11's ast.parse can fail when two threads parse at once (CPython gh-106905), and pytest
    # parses test files on the main thread: runs are keyed where they are queued, not in the pool.
    parse, threads = records.ast.parse, set()

    def parse_and_note(*args, **kwargs):
        threads.add(threading.current_thread())
        return parse(*args, **kwargs)

    monkeypatch.setattr(records.ast, "parse", parse_and_note)
    monkeypatch.setattr(cells.ast, "parse", parse_and_note)
    write(project / "snippets" / "helper.py", "WORD = 'hi'\n")
    write(project / "snippets" / "demo.py", "import helper\n\n# %% show\nprint(helper.WORD)\n")
    write(project / "snippets" / "two.py", "import helper\n\n# %% show\nprint(helper.WORD * 2)\n")
    assert execute.refresh(["demo.py", "two.py"], into=project / "runs") == {}
    assert records.load("two.py", project / "runs" / "two").cells["show"]["stdout"] == "hihi\n"
    assert execute.refresh(["demo.py"]) == {}
    assert made("demo.py").cells["show"]["stdout"] == "hi\n"
    assert threads == {threading.main_thread()}


def test_runs_take_the_pinned_kernel_path_whatever_the_snippet_imports_first(project):
    shutil.copy(ROOT / "snippets" / "cli.py", project / "snippets" / "cli.py")
    write(
        project / "snippets" / "demo.py",
        "import os\n# %% show\nprint(os.environ.get('ATEN_CPU_CAPABILITY'))\n",
    )
    pinned = records.numeric_path().get("ATEN_CPU_CAPABILITY")
    assert made("demo.py").cells["show"]["stdout"] == f"{pinned}\n"


def test_records_diff_line_by_line(project):
    write(project / "snippets" / "demo.py", "# %% show\nfor i in range(3):\n    print(i)\n")
    made("demo.py")
    text = (project / "_freeze" / "demo" / "record.json").read_text()
    assert '    "0\\n",\n    "1\\n",\n    "2\\n"' in text  # one printed line per line of the file
    execute.record("demo.py", project / "_freeze" / "demo", force=True)
    assert (
        project / "_freeze" / "demo" / "record.json"
    ).read_text() == text  # same run, same bytes


def test_two_recorders_of_one_snippet_take_turns_and_run_it_once(project):
    """`mkdocs serve` re-records a snippet while `record.py` records it too (contributor trial
    2026-12-04): they shared one .partial folder, and one of them deleted the other's record."""
    write(
        project / "snippets" / "demo.py",
        """
        import pathlib
        import time

        # %% show
        runs = pathlib.Path("runs.txt")
        _ = runs.write_text((runs.read_text() if runs.exists() else "") + "x")
        time.sleep(1)
        print("done")
        """,
    )
    folder = project / "_freeze" / "demo"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        both = [pool.submit(execute.record, "demo.py", folder) for _ in range(2)]
        runs = [job.result() for job in both]
    assert [run.cells["show"]["stdout"] for run in runs] == ["done\n", "done\n"]
    assert (project / "runs.txt").read_text() == "x", "the second recorder ran it again"
    assert records.recorded("demo.py") is not None
    assert not list(project.glob("_freeze/*.partial")), "a partial folder was left behind"


def site(project, page, snippet):
    write(
        project / "mkdocs.yml",
        """
        site_name: t
        nav: [index.md]
        markdown_extensions: [admonition, md_in_html, attr_list, pymdownx.details, pymdownx.superfences, pymdownx.highlight]
        hooks: [hooks/snippets.py]
    """,
    )
    write(project / "docs" / "index.md", page)
    write(project / "snippets" / "demo.py", snippet)
    return build(project)


DEMO = """
    import sys
    first = "one"
    # %% a
    print(first)
    # %% b
    print("two")
"""


def test_a_demos_setup_goes_in_folded_before_its_first_cell(project):
    ok = site(project, "# T\n\n{* demo.py:a *}\n\n{* demo.py:b *}\n", DEMO)
    assert ok.returncode == 0, ok.stderr
    html = (project / "site" / "index.html").read_text()
    assert html.count('class="snippet-code snippet-setup"') == 1 and "Setup for" in html
    assert html.index("first</span>") < html.index('data-snippet="demo.py:a"')


@pytest.mark.parametrize(
    "page",
    [
        "# T\n\n{* demo.py:b *}\n",
        "# T\n\n{* demo.py:b *}\n\n{* demo.py:a *}\n",
        "# T\n\n{* demo.py:a *}\n",
    ],
)
def test_a_page_that_skips_or_reorders_a_demos_cells_fails_the_strict_build(project, page):
    broken = site(project, page, DEMO)
    assert broken.returncode != 0
    assert "in file order, none skipped" in broken.stderr or "needs every cell" in broken.stderr


def test_a_whole_file_is_shown_to_read_and_left_out_of_the_copy_paste_session(project):
    """A class pasted into Python's interactive interpreter ends at its first blank line, and the
    formatter puts one between methods: a whole file is shown for reading (the demos import it)."""
    import copy_paste

    helper = "class Two:\n    x = 1\n\n    def y(self):\n        return 2\n"
    write(project / "snippets" / "helper.py", helper)
    ok = site(project, "# T\n\n{* helper.py *}\n\n{* demo.py:a *}\n\n{* demo.py:b *}\n", DEMO)
    assert ok.returncode == 0, ok.stderr
    html = (project / "site" / "index.html").read_text()
    shown = html[html.index('<div class="snippet-file">') :]
    assert shown.index("snippets/helper.py (the whole file: the demos import it)") < shown.index(
        "</div>"
    )
    page = (
        '<article><div class="snippet-file"><div class="language-python highlight"><pre><code>'
        "class Two: pass</code></pre></div></div><div class='language-python highlight'><pre>"
        "<code>print(1)</code></pre></div></article>"
    )
    assert [block["code"] for block in copy_paste.blocks(page)] == ["print(1)"]


def test_exports_and_the_snippets_download_reach_the_site(project):
    snippet = """
        from pathlib import Path
        # %% a
        Path("out").mkdir(exist_ok=True)
        Path("out/weights.bin").write_bytes(b"1234")
        exports = ["out/weights.bin"]
    """
    ok = site(project, "# T\n\n{* demo.py:a *}\n", snippet)
    assert ok.returncode == 0, ok.stderr
    assert (project / "site" / "exports" / "weights.bin").read_bytes() == b"1234"
    archive = project / "site" / "downloads" / "llms101-snippets.zip"
    import zipfile

    with zipfile.ZipFile(archive) as zipped:
        assert "llms101-snippets/snippets/demo.py" in zipped.namelist()
        assert "llms101-snippets/requirements.txt" in zipped.namelist()
    first = archive.read_bytes()
    assert build(project).returncode == 0
    assert archive.read_bytes() == first  # the same files give the same zip, byte for byte


def test_a_new_cell_that_rebinds_a_name_a_later_cell_reads_fails_the_strict_build(project):
    rebinding = DEMO.replace("# %% b", "# %% new\n    first = 'uno'\n    # %% b\n    print(first)")
    broken = site(
        project, "# T\n\n{* demo.py:a *}\n\n{* demo.py:new *}\n\n{* demo.py:b *}\n", rebinding
    )
    assert broken.returncode != 0
    [line] = [line for line in broken.stderr.splitlines() if "again" in line]
    assert "snippets/demo.py: cell 'new' binds 'first' again, and later cell 'b' reads it" in line


def test_names_local_to_loops_comprehensions_and_functions_are_not_rebindings():
    source = textwrap.dedent("""
        names = ["a", "b"]
        # %% one
        for name in names:
            print(name)
        # %% two
        sizes = {name: len(name) for name in names}
        def show(x):
            total = x
            return total
        # %% three
        for name in names:
            print(show(sizes[name]))
        total = 1
        print(total)
    """)
    assert cells.rebound_names(source) == []
    updated = source.replace("# %% two", "# %% two\nnames = [name.upper() for name in names]")
    assert cells.rebound_names(updated) == []  # read first: an update the cell makes on purpose
    assert cells.rebound_names(source.replace("# %% two", "# %% two\nnames = []")) == [
        "cell 'two' binds 'names' again, and later cell 'three' reads it: give the new value a name of its own"
    ]


def test_rerecording_on_another_kind_of_machine_says_so_in_one_line_before_it_runs(project):
    shutil.copy(ROOT / "snippets" / "cli.py", project / "snippets" / "cli.py")
    write(
        project / "snippets" / "demo.py",
        "import cli\nimport torch\n# %% show\nprint(torch.ones(2).sum().item())\n",
    )
    made("demo.py")
    record = project / "_freeze" / "demo" / "record.json"
    said = []
    write(
        project / "snippets" / "demo.py",
        "import cli\nimport torch\n# %% show\nprint(torch.ones(3).sum().item())\n",
    )
    assert execute.refresh(["demo.py"], log=said.append) == {}
    assert not any("not the kind" in line for line in said)  # records made here: nothing to say
    text = record.read_text()
    record.write_text(
        text.replace(
            f'"cpu_capability": "{records.local_machine()["cpu_capability"]}"',
            '"cpu_capability": "SVE256"',
        )
    )
    write(
        project / "snippets" / "demo.py",
        "import cli\nimport torch\n# %% show\nprint(torch.ones(4).sum().item())\n",
    )
    said.clear()
    assert execute.refresh(["demo.py"], log=said.append) == {}
    assert "is not the kind the records were made on" in said[0] and "SVE256" in said[0]
    assert "\n" not in said[0] and said[1].startswith("running snippets/demo.py")
    # the same kernel path on a processor that adds up otherwise (another arithmetic) is another kind
    here = records.local_machine()["arithmetic"]
    record.write_text(
        record.read_text().replace(f'"arithmetic": "{here}"', '"arithmetic": "0123456789ab"')
    )
    write(
        project / "snippets" / "demo.py",
        "import cli\nimport torch\n# %% show\nprint(torch.ones(5).sum().item())\n",
    )
    said.clear()
    assert execute.refresh(["demo.py"], log=said.append) == {}
    assert "is not the kind" in said[0] and "arithmetic 0123456789ab" in said[0], said[0]


def test_a_snippet_killed_by_a_signal_says_so_on_its_last_line(project):
    write(
        project / "snippets" / "demo.py",
        """
        import os, signal, sys
        # %% die
        print("training the model first (about a minute)", file=sys.stderr)
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    with pytest.raises(cells.SnippetError) as error:
        made("demo.py")
    assert str(error.value).splitlines()[-1] == "snippets/demo.py: killed by SIGKILL"


def test_a_failing_cell_names_its_error_on_the_last_line(project):
    write(project / "snippets" / "demo.py", "# %% boom\nraise ValueError('no such thing')\n")
    with pytest.raises(cells.SnippetError) as error:
        made("demo.py")
    assert str(error.value).splitlines()[-1] == (
        "snippets/demo.py: cell 'boom' raised ValueError: no such thing"
    )


def test_the_robustness_benchmark_reports_a_path_this_cpu_lacks_as_not_available():
    spec = importlib.util.spec_from_file_location(
        "robustness", ROOT / "benchmarks" / "robustness.py"
    )
    robustness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(robustness)
    assert robustness.kernel_path(dict(os.environ, ATEN_CPU_CAPABILITY="default")) == "DEFAULT"
    foreign = "avx512" if platform.machine().lower() in ("arm64", "aarch64") else "sve256"
    assert robustness.kernel_path(dict(os.environ, ATEN_CPU_CAPABILITY=foreign)) != foreign.upper()
    assert robustness.claim_tests(["facts.py"]) == ["tests/test_facts.py"]


def test_cells_pasted_into_the_interactive_interpreter_run_as_a_reader_sees_them(tmp_path):
    """Line by line, as in Python's interactive interpreter: a compound statement ends at a blank
    line, an expression statement's value is echoed, and code that the interpreter would not run
    (no blank line after a loop) stops with one line naming the cell and the file's line."""
    ok = "total = 0\nfor i in range(3):\n    total += i\n\ntotal\nprint('done')\nNone\n"
    namespace = {"__name__": "__main__"}
    out = execute.execute_cell("sum", ok, 5, "demo.py", namespace, tmp_path)
    assert out["stdout"] == "3\ndone\n" and namespace["total"] == 3
    unsafe = "for i in range(3):\n    print(i)\nprint('after')\n"
    with pytest.raises(execute.CellFailed) as failure:
        execute.execute_cell("loop", unsafe, 10, "demo.py", {}, tmp_path)
    assert str(failure.value).startswith("cell 'loop', line 12: invalid syntax")
    assert "\n" not in str(failure.value)
    broken = "x = 1\nraise ValueError('no')\n"
    with pytest.raises(execute.CellFailed) as failure:
        execute.execute_cell("boom", broken, 7, "demo.py", {}, tmp_path)
    assert 'demo.py", line 8' in failure.value.details


def test_a_stale_record_fails_the_frozen_build_with_one_line_naming_the_changed_file(project):
    write(project / "snippets" / "helper.py", "N = 1\n")
    demo = "import helper\n# %% a\nx = helper.N\nprint(x)\n# %% b\nprint(2)\n"
    page = "# T\n\n{* demo.py:a *}\n\n{* demo.py:b *}\n\n{= demo.py:x =}\n"
    assert site(project, page, demo).returncode == 0
    write(project / "snippets" / "helper.py", "N = 2  # a comment alone would change nothing\n")
    env = dict(os.environ, LLMS101_FREEZE=str(project / "_freeze"), NO_MKDOCS_2_WARNING="1")
    broken = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(env, LLMS101_FROZEN="1"),
    )
    assert broken.returncode != 0
    [line] = [line for line in broken.stderr.splitlines() if "WARNING" in line]
    assert "snippets/demo.py: snippets/helper.py changed" in line
    assert "python hooks/record.py demo.py" in line
    # quiet, the strict build shows no warning, and still fails, saying why
    quiet = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(env, LLMS101_FROZEN="1"),
    )
    assert quiet.returncode != 0
    assert "snippets/demo.py: snippets/helper.py changed" in quiet.stderr, quiet.stderr


def test_the_arithmetic_fingerprint_ignores_what_a_snippet_left_set():
    """A record's machine is fingerprinted after its snippet ran, in the same process: gradients
    switched off or a float64 default must neither change the fingerprint nor be undone by it."""
    import torch

    expected = records.local_machine()["arithmetic"]  # made in a fresh Python
    torch.set_grad_enabled(False)
    torch.set_default_dtype(torch.float64)
    try:
        assert records.arithmetic() == expected
        assert torch.get_default_dtype() == torch.float64 and not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
        torch.set_default_dtype(torch.float32)
