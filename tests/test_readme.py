"""The set-up commands, for Linux, macOS and Windows: the README's two commands are the whole set-up
on Linux and macOS (CI runs the test one exactly as written), and every other command in the README,
on "Run it yourself" and in the download's README.txt fits its system: pinned installs through
`python -m pip`, the venv's `bin/` or `Scripts\\`, PyTorch's CPU-only build on Linux, linked tabs."""

import re
import sys
import zipfile
from io import BytesIO

from helpers import ROOT

PAGE = ROOT / "docs" / "run-it-yourself.md"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SYSTEMS = ["Linux", "macOS", "Windows"]
FENCE = re.compile(r"^( *)```(\w+)\n(.*?)\n\1```$", re.S | re.M)


def blocks(text):
    """(language, code) of every fenced block, indentation removed (tabs and lists indent them)."""
    return [
        (lang, "\n".join(line[len(indent) :] for line in code.splitlines()))
        for indent, lang, code in FENCE.findall(text)
    ]


def readme_sections():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.S | re.M))


def commands():
    """The first sh block of each README section: its one command."""
    return {
        title: [code for lang, code in blocks(body) if lang == "sh"][:1]
        for title, body in readme_sections().items()
    }


def tabs(text):
    """[(labels, {label: body})] for each run of Material content tabs (=== "Label") in text."""
    sets, current = [], None
    for match in re.finditer(r'^=== "([^"]+)"\n(.*?)(?=^=== "|^\S|\Z)', text, re.S | re.M):
        label, body = match.groups()
        starts_new = (
            current is None
            or text[current["end"] : match.start()].strip()
            or label in current["tabs"]
        )
        if starts_new:
            current = {"tabs": {}, "end": match.end()}
            sets.append(current)
        current["tabs"][label], current["end"] = body, match.end()
    return [(list(found["tabs"]), found["tabs"]) for found in sets]


def zip_files():
    sys.path.insert(0, str(ROOT / "hooks"))
    import snippets

    return zipfile.ZipFile(BytesIO(snippets.snippets_zip()))


def all_commands():
    """(where, language, code) for every shell block of the README and the page, and the zip's README."""
    found = [
        ("README.md", lang, code)
        for lang, code in blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    ]
    found += [
        ("run-it-yourself.md", lang, code)
        for lang, code in blocks(PAGE.read_text(encoding="utf-8"))
    ]
    readme = zip_files().read("llms101-snippets/README.txt").decode("utf-8")
    indented = [line.strip() for line in readme.splitlines() if line.startswith("    ")]
    found += [
        ("README.txt", "powershell" if "Scripts" in line or line.startswith("py ") else "sh", line)
        for line in indented
        if line.startswith((".venv", "py ", "python3 "))
    ]
    return [(where, lang, code) for where, lang, code in found if lang in ("sh", "powershell")]


def test_readme_gives_one_command_to_serve_and_one_to_test():
    found = commands()
    [serve] = found["Read it locally"]
    [test] = found["Run the tests"]
    for command in (serve, test):
        assert "\n" not in command
        assert command.startswith("python3 -m venv .venv && ")
        assert "-c constraints.txt" in command, "installs must be pinned"
    assert serve.endswith("mkdocs serve")
    assert test.endswith(".venv/bin/pytest -n 2 --dist loadfile")  # every test, on two cores


def test_ci_runs_the_readmes_test_command_verbatim():
    [test] = commands()["Run the tests"]
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in lines


def test_constraints_pin_every_dependency_and_the_cpu_torch():
    pins = dict(
        line.lower().replace("_", "-").split("==")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert pins["torch"] == "2.13.0"
    for name in [
        "mkdocs",
        "mkdocs-material",
        "mkdocs-jupyter",
        "tokenizers",
        "bpe-openai",
        "pytest",
        "pytest-codeblocks",
        "matplotlib",
        "numpy",
        "playwright",
    ]:
        assert name in pins, f"{name} is not pinned in constraints.txt"
    assert pins["mkdocs"].startswith("1.")


def test_every_install_is_pinned_and_pip_runs_as_python_m_pip():
    """`python -m pip`, so that pip can upgrade itself on Windows; the README's two commands are the
    one exception, kept exactly as CI runs them."""
    verbatim = {command for found in commands().values() for command in found}
    installs = 0
    for where, _, code in all_commands():
        if code in verbatim:
            continue
        for line in code.splitlines():
            for command in re.split(r"&&|;", line):
                program = (command.split() or [""])[0]
                if re.fullmatch(r"(.*[/\\])?pip3?(\.exe)?", program):
                    raise AssertionError(
                        f"{where}: pip called as a command, not python -m pip: {line}"
                    )
            if "pip install" in line:
                installs += 1
                assert re.search(r"(^|[/\\])python(3\.\d+|\.exe)? -m pip install ", line), (
                    f"{where}: {line}"
                )
                assert "-c constraints.txt" in line, f"{where}: unpinned: {line}"
    assert installs >= 10


def test_each_system_gets_its_own_paths():
    for where, lang, code in all_commands():
        if lang == "powershell":
            assert "/bin/" not in code and "python3 " not in code and "&&" not in code, (
                f"{where}: {code}"
            )
            if "-m venv" in code:
                assert "py -m venv .venv" in code, where
            if ".venv" in code and "-m venv" not in code.splitlines()[-1]:
                assert ".venv\\Scripts\\python.exe" in code, f"{where}: {code}"
        else:
            assert "\\Scripts" not in code and "py -m" not in code, f"{where}: {code}"


def test_the_page_gives_each_step_for_linux_macos_and_windows_in_linked_tabs():
    """Tabs with the same labels switch together (content.tabs.link): every set has the same three."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "content.tabs.link" in config and "alternate_style: true" in config
    found = tabs(PAGE.read_text(encoding="utf-8"))
    assert len(found) >= 4, [labels for labels, _ in found]
    for labels, bodies in found:
        assert labels == SYSTEMS, labels
        shells = {label: [lang for lang, _ in blocks(body)] for label, body in bodies.items()}
        if any(shells.values()):
            assert shells["Linux"] == shells["macOS"] == ["sh"] and shells["Windows"] == [
                "powershell"
            ], shells


def joined_lines(text):
    """Lines of a shell text, with a long command broken by a backslash (sh) or a backtick (PowerShell) put back together."""
    return re.sub(r"[ \t]*[\\`]\n\s*", " ", text).splitlines()


def test_linux_installs_pytorchs_cpu_only_build_before_anything_pulls_in_pypis():
    """The README's two commands, the page's Linux and macOS lines, the zip's README and the test
    matrix: PyTorch's CPU-only index for torch alone (--no-deps), pinned, before the group install
    (which then keeps it) pulls in PyPI's."""
    page_unix = [
        body[system]
        for labels, body in tabs(PAGE.read_text(encoding="utf-8"))
        for system in ("Linux", "macOS")
    ]
    setups = [code for body in page_unix for lang, code in blocks(body) if "pip install" in code]
    setups += [*commands()["Read it locally"], *commands()["Run the tests"]]
    zip_readme = zip_files().read("llms101-snippets/README.txt").decode("utf-8")
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    for text in [*setups, zip_readme, workflow]:
        [line] = [
            step for line in joined_lines(text) for step in line.split(" && ") if CPU_INDEX in step
        ]
        assert "--no-deps torch" in line and "-c constraints.txt" in line, line
    for code in setups:
        steps = [step for line in joined_lines(code) for step in line.split(" && ")]
        cpu = next(i for i, step in enumerate(steps) if CPU_INDEX in step)
        rest = next(
            i for i, step in enumerate(steps) if re.search(r"--group|-r requirements", step)
        )
        assert cpu < rest, code


def test_the_readme_and_the_page_give_the_same_commands():
    """A newcomer meets one set-up: the page's Linux lines are the README's serve command, one step a
    line; its macOS lines the same, with the Python that macOS readers install."""
    [serve] = commands()["Read it locally"]
    page = PAGE.read_text(encoding="utf-8")
    first = next(bodies for labels, bodies in tabs(page) if "mkdocs serve" in bodies["Linux"])
    for system, python in [("Linux", "python3"), ("macOS", "python3.14")]:
        [(lang, code)] = blocks(first[system])
        assert " && ".join(joined_lines(code)) == serve.replace("python3 ", f"{python} ", 1), system


def test_a_newcomers_terminal_shows_no_mkdocs_2_warning_box():
    """Material for MkDocs prints a notice about MkDocs 2 unless NO_MKDOCS_2_WARNING is set: every
    command that serves the site sets it."""
    texts = [(ROOT / "README.md").read_text(encoding="utf-8"), PAGE.read_text(encoding="utf-8")]
    serving = 0
    for text in texts:
        for lang, code in blocks(text):
            for line in joined_lines(code):
                for step in line.split(" && "):
                    if "mkdocs serve" in step:
                        serving += 1
                        if lang == "powershell":
                            assert '$env:NO_MKDOCS_2_WARNING = "1"' in code, code
                        else:
                            assert step.startswith("NO_MKDOCS_2_WARNING=1 "), step
    assert serving >= 5


def test_the_downloads_commands_go_into_the_folder_it_unpacks_to():
    [top] = {name.split("/")[0] for name in zip_files().namelist()}
    readme = zip_files().read(f"{top}/README.txt").decode("utf-8")
    assert f"cd {top}" in readme
    zip_tabs = [
        bodies
        for labels, bodies in tabs(PAGE.read_text(encoding="utf-8"))
        if "unzip" in bodies["Linux"]
    ]
    [bodies] = zip_tabs
    for system, body in bodies.items():
        [(_, code)] = blocks(body)
        assert f"cd {top}" in code.splitlines()[1] + code.splitlines()[0], system
        assert code.splitlines()[-2] == "cd snippets", system


def test_the_readme_points_windows_readers_to_powershell_lines_for_both_commands():
    for title in ["Read it locally", "Run the tests"]:
        windows = [code for lang, code in blocks(readme_sections()[title]) if lang == "powershell"]
        [code] = windows
        [first] = commands()[title]
        group = re.search(r"--group (\w+)", first).group(1)
        assert f"--group {group}" in code and code.splitlines()[0] == "py -m venv .venv", code
        assert code.splitlines()[-1].startswith(
            ".venv\\Scripts\\python.exe -m " + ("mkdocs serve" if group == "docs" else "pytest")
        )


def test_the_built_page_renders_the_tabs_and_hides_the_test_markers(built_site):
    html = built_site.page("run-it-yourself/")
    assert html.count('class="tabbed-set') >= 4
    for system in SYSTEMS:
        assert f">{system}</label>" in html
    assert "pytest.mark" not in html.replace("<!--pytest.mark.skip-->", "")
    assert "=== &quot;" not in html and '=== "' not in html
