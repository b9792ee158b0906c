"""The workflows, checked offline. The publishing one (.github/workflows/pages.yml): zizmor finds
nothing in it, it is a valid GitHub workflow, it builds from the frozen records with only the `site`
group (no torch), each job holds only the permissions it needs, and only main deploys. And mkdocs.yml
takes the site's address from SITE_URL, the way the workflow hands it over. The test matrix
(.github/workflows/tests.yml): the same checks, and it runs the snippet and claim tests on Linux,
macOS and Windows with the oldest and newest supported Python, read-only, installs pinned, PyTorch's
CPU-only build on Linux (the build the records were made with)."""

import ast
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from mkdocs.config import load_config
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
TESTS = ROOT / ".github" / "workflows" / "tests.yml"
RECORDS = ROOT / ".github" / "workflows" / "records.yml"
WORKFLOWS = [WORKFLOW, TESTS, RECORDS]
BIN = Path(sysconfig.get_path("scripts"))
OFFLINE = {
    key: value
    for key, value in os.environ.items()
    if key not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_CONFIG")
}


def workflow(path=WORKFLOW):
    # BaseLoader: every scalar a string, and `on:` stays "on" (YAML 1.1 reads it as True).
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps(job):
    return workflow()["jobs"][job]["steps"]


def step_using(job, action):
    [step] = [s for s in steps(job) if s.get("uses", "").startswith(f"{action}@")]
    return step


def tool(name, *args, path=WORKFLOW):
    return subprocess.run(
        [str(BIN / name), *args, str(path)],
        capture_output=True,
        text=True,
        env=OFFLINE,
        cwd=ROOT,
        timeout=120,
    )


def with_text(tmp_path, old, new, path=WORKFLOW):
    """A copy of a workflow with one change, to show that a check can fail."""
    text = Path(path).read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / ".github" / "workflows" / Path(path).name
    changed.parent.mkdir(parents=True, exist_ok=True)
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    return changed


# --- zizmor and the workflow schema, offline -----------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_zizmor_finds_nothing(path):
    proc = tool("zizmor", "--offline", path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_zizmor_finds_nothing_even_pedantic_and_with_no_ignore_comments(path):
    proc = tool(
        "zizmor", "--offline", "--no-config", "--no-ignores", "--persona", "pedantic", path=path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_would_flag_an_action_pinned_by_tag(tmp_path):
    uses = step_using("build", "actions/checkout")["uses"]
    proc = tool(
        "zizmor", "--offline", "--no-config", path=with_text(tmp_path, uses, "actions/checkout@v7")
    )
    assert proc.returncode != 0 and "unpinned-uses" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_is_valid_against_githubs_schema(path):
    """check-jsonschema's vendored copy of SchemaStore's github-workflow schema: nothing is downloaded."""
    proc = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "path, runs_on",
    [(WORKFLOW, "runs-on: ubuntu-latest"), (TESTS, "runs-on: ${{ matrix.os }}")],
    ids=["pages.yml", "tests.yml"],
)
def test_the_schema_check_would_catch_a_misspelt_key(tmp_path, path, runs_on):
    proc = tool(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        path=with_text(
            tmp_path, f"    {runs_on}", f"    {runs_on.replace('runs-on', 'run-on')}", path
        ),
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr


# --- what the workflow does -----------------------------------------------------------------------


def test_triggers_are_pushes_to_main_pull_requests_and_by_hand():
    on = workflow()["on"]
    assert set(on) == {"push", "pull_request", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]


def test_each_job_holds_only_the_permissions_it_needs():
    flow = workflow()
    assert flow["permissions"] == {}, "nothing by default"
    jobs = flow["jobs"]
    assert set(jobs) == {"build", "deploy"}
    # configure-pages reads the Pages site (GET /repos/{owner}/{repo}/pages): pages: read, no more.
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_only_main_deploys_after_the_build():
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "steps.deployment.outputs.page_url" in deploy["environment"]["url"]


def test_runs_queue_per_branch():
    concurrency = workflow()["concurrency"]
    assert concurrency["group"].startswith("pages-")
    # Never cancel a run on main halfway through a deployment.
    assert "pull_request" in concurrency["cancel-in-progress"]


def test_build_uploads_what_mkdocs_built():
    names = [s.get("uses", "").split("@")[0] for s in steps("build")]
    assert (
        names.index("actions/checkout")
        < names.index("actions/configure-pages")
        < names.index("actions/upload-pages-artifact")
    )
    assert step_using("build", "actions/checkout")["with"]["persist-credentials"] == "false"
    [build] = [s for s in steps("build") if "mkdocs build" in s.get("run", "")]
    site_dir = re.search(r"--site-dir[ =](\S+)", build["run"])
    assert step_using("build", "actions/upload-pages-artifact")["with"]["path"].rstrip("/") == (
        site_dir.group(1).rstrip("/") if site_dir else "site"
    )


def test_build_runs_no_snippet_and_takes_the_address_from_pages():
    [build] = [s for s in steps("build") if "mkdocs build" in s.get("run", "")]
    assert "--strict" in build["run"]
    env = build["env"]
    assert env["LLMS101_FROZEN"] == "1", "a stale record must fail the publish, not run a snippet"
    assert step_using("build", "actions/configure-pages")["id"] == "pages"
    assert re.fullmatch(r"\$\{\{\s*steps\.pages\.outputs\.base_url\s*\}\}/", env["SITE_URL"]), env[
        "SITE_URL"
    ]


def test_install_is_the_pinned_site_group_and_nothing_else():
    runs = "\n".join(s.get("run", "") for j in workflow()["jobs"] for s in steps(j))
    installs = [line for line in runs.splitlines() if "pip install" in line]
    assert any("--group site" in line for line in installs), installs
    for line in installs:
        assert "-c constraints.txt" in line, f"unpinned install: {line}"
        assert re.fullmatch(
            r".*pip install (-q )?-c constraints\.txt (-U pip|--group site)", line
        ), line
    assert not re.search(r"\b(torch|npm|npx|node|yarn)\b", runs), (
        "the site build needs no torch and no node"
    )
    assert not any(
        s.get("uses", "").startswith("actions/setup-node@")
        for j in workflow()["jobs"]
        for s in steps(j)
    )


def test_actions_are_pinned_to_a_commit_with_its_release_in_a_comment():
    uses = re.findall(r"^\s*(?:- )?uses:\s*(.+)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert len(uses) == 5
    for line in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line
    wanted = {
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    assert {line.split("@")[0] for line in uses} == wanted


# --- the `site` dependency group ------------------------------------------------------------------


def groups():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]

    def resolve(name):
        out = []
        for item in found[name]:
            out += resolve(item["include-group"]) if isinstance(item, dict) else [Requirement(item)]
        return out

    return {name: {canonicalize_name(r.name) for r in resolve(name)} for name in found}


def test_site_group_is_the_site_build_without_the_snippets():
    found = groups()
    assert "torch" not in found["site"]
    # and the docs group records too: two recorders of a snippet take turns (filelock)
    assert found["docs"] == found["site"] | found["snippets"] | {"filelock"}
    assert found["site"] <= found["test"]
    assert {"mkdocs", "mkdocs-material", "mkdocs-jupyter", "nbformat"} <= found["site"]


def closure(names):
    """The installed distributions that names need, following their requirements (extras aside)."""
    seen, todo = set(), list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def test_site_group_covers_every_package_the_hooks_import():
    """What hooks/*.py import when MkDocs loads them comes with the site group (a snippet's own imports,
    such as matplotlib, load only in the child process that runs it, which a frozen build never starts)."""
    provided = closure(groups()["site"])
    providers = metadata.packages_distributions()
    for hook in sorted((ROOT / "hooks").glob("*.py")):
        for node in ast.parse(hook.read_text()).body:
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or (ROOT / "hooks" / f"{top}.py").is_file():
                    continue
                dists = {canonicalize_name(d) for d in providers.get(top, [])}
                assert dists & provided, (
                    f"{hook.name} imports {module}, which the site group does not install"
                )


# --- site_url from the environment ---------------------------------------------------------------


def test_site_url_follows_SITE_URL(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://someone.github.io/llms101/")
    assert load_config(str(ROOT / "mkdocs.yml"))["site_url"] == "https://someone.github.io/llms101/"


def test_site_url_is_where_mkdocs_serve_puts_the_site_without_SITE_URL(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert load_config(str(ROOT / "mkdocs.yml"))["site_url"] == "http://127.0.0.1:8000/"


def test_readme_says_how_to_publish_a_fork():
    text = (ROOT / "README.md").read_text()
    [section] = re.findall(r"^## Publish your fork\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    for needed in ["GitHub Actions", "main", "_freeze/", "mkdocs build"]:
        assert needed in section, needed


# --- the test matrix (.github/workflows/tests.yml) ------------------------------------------------

CPU_INDEX = "https://download.pytorch.org/whl/cpu"  # PyTorch's own index of its CPU-only builds


def matrix_problems(flow):
    """Everything wrong with a test-matrix workflow, in words: [] for a good one."""
    found = []
    on = flow.get("on", {})
    if set(on) != {"push", "pull_request"} or any(on[event] for event in on):
        found.append(f"should run on every push and pull request, unfiltered: {on}")
    if flow.get("permissions") != {}:
        found.append("workflow-wide permissions should be none")
    jobs = flow.get("jobs", {})
    if set(jobs) != {"test"}:
        return found + [f"one job, 'test', expected: {sorted(jobs)}"]
    job = jobs["test"]
    if job.get("permissions") != {"contents": "read"}:
        found.append(f"the job should only read the repository: {job.get('permissions')}")
    matrix = job.get("strategy", {}).get("matrix", {})
    if sorted(matrix.get("os", [])) != ["macos-latest", "ubuntu-latest", "windows-latest"]:
        found.append(f"Linux, macOS and Windows expected: {matrix.get('os')}")
    oldest = re.search(
        r">=\s*(3\.\d+)",
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "requires-python"
        ],
    ).group(1)
    if matrix.get("python") != [oldest, "3.14"]:
        found.append(
            f"the oldest supported Python ({oldest}) and 3.14 expected: {matrix.get('python')}"
        )
    if job.get("strategy", {}).get("fail-fast") != "false":
        found.append("fail-fast should be off: one system's failure says nothing of the others")
    if job.get("runs-on") != "${{ matrix.os }}":
        found.append("runs-on should be the matrix's os")
    steps = job.get("steps", [])
    checkout = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    if len(checkout) != 1 or checkout[0].get("with", {}).get("persist-credentials") != "false":
        found.append("checkout must not keep the token (persist-credentials: false)")
    setup = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    if len(setup) != 1 or setup[0].get("with", {}).get("python-version") != "${{ matrix.python }}":
        found.append("setup-python should install the matrix's Python")
    for step in steps:
        if "${{" in step.get("run", ""):
            found.append(
                f"an expression inside a script invites template injection: {step['run']!r}"
            )
    installs = [
        (s, line) for s in steps for line in s.get("run", "").splitlines() if "pip install" in line
    ]
    for _, line in installs:
        if not line.startswith("python -m pip install") or "-c constraints.txt" not in line:
            found.append(f"installs go through python -m pip, pinned by constraints.txt: {line}")
    torch = [(s, line) for s, line in installs if CPU_INDEX in line]
    if not torch or any(
        s.get("if") != "runner.os == 'Linux'" or "--no-deps torch" not in line for s, line in torch
    ):
        found.append(
            "on Linux, PyTorch's CPU-only build (--no-deps torch from its own index) expected"
        )
    groups = [line for _, line in installs if "--group" in line]
    if groups != ["python -m pip install -q -c constraints.txt --group test"]:
        found.append(f"the pinned test group, once, expected: {groups}")
    if (
        torch
        and groups
        and steps.index(torch[0][0])
        > min(steps.index(s) for s, line in installs if "--group" in line)
    ):
        found.append("the CPU-only PyTorch must come before the group, or pip fetches PyPI's")
    tests = [s for s in steps if "pytest" in s.get("run", "")]
    if len(tests) != 1 or tests[0]["run"].strip() != 'python -m pytest -m "not browser" --long':
        found.append(
            "one test run, of everything but the browser tests, long demos included, expected"
        )
    return found


def test_the_matrix_has_no_problems():
    assert matrix_problems(workflow(TESTS)) == []


def test_every_system_runs_every_test():
    """Windows too runs the torchrun test (a strict xfail there), so the day PyTorch's
    torchrun starts on Windows, the run says so."""
    [step] = [s for s in workflow(TESTS)["jobs"]["test"]["steps"] if "pytest" in s.get("run", "")]
    assert "PYTEST_ADDOPTS" not in step.get("env", {}), step["env"]


@pytest.mark.parametrize(
    "old, new",
    [
        ("os: [ubuntu-latest, macos-latest, windows-latest]", "os: [ubuntu-latest, macos-latest]"),
        ('python: ["3.11", "3.14"]', 'python: ["3.12", "3.14"]'),
        ("fail-fast: false", "fail-fast: true"),
        ("contents: read  # check out", "contents: write  # check out"),
        ("persist-credentials: false", "persist-credentials: true"),
        ("  push:\n", "  push:\n    branches: [main]\n"),
        (f" --index-url {CPU_INDEX}", ""),
        ("if: runner.os == 'Linux'", "if: runner.os == 'Windows'"),
        ("--group test", "--group docs"),
        ('python -m pytest -m "not browser"', "python -m pytest"),
        ('"not browser" --long', '"not browser"'),
        ("python-version: ${{ matrix.python }}", 'python-version: "3.11"'),
        (
            'run: python -m pytest -m "not browser" --long',
            'run: python -m pytest -m "not browser" --long -k "${{ github.head_ref }}"',
        ),
    ],
)
def test_a_broken_copy_of_the_matrix_has_problems(old, new):
    text = TESTS.read_text(encoding="utf-8")
    assert old in text
    broken = yaml.load(text.replace(old, new, 1), Loader=yaml.BaseLoader)
    assert matrix_problems(broken), f"{old!r} -> {new!r} went unnoticed"


def test_zizmor_would_flag_a_script_that_expands_an_attackers_text(tmp_path):
    path = with_text(
        tmp_path,
        'run: python -m pytest -m "not browser" --long',
        'run: python -m pytest -m "not browser" --long -k "${{ github.event.pull_request.title }}"',
        TESTS,
    )
    proc = tool("zizmor", "--offline", "--no-config", path=path)
    assert proc.returncode != 0 and "template-injection" in proc.stdout, proc.stdout + proc.stderr


def test_both_workflows_pin_each_action_to_the_same_commit():
    """One release of each action across the workflows, pinned to a commit; the tag is in the comment."""
    pins = {}
    for path in WORKFLOWS:
        for line in re.findall(r"^\s*(?:- )?uses:\s*(.+)$", path.read_text(encoding="utf-8"), re.M):
            assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), (
                f"{path.name}: {line}"
            )
            pins.setdefault(line.split("@")[0], set()).add(line)
    assert {name for name, lines in pins.items() if len(lines) > 1} == set(), pins
    assert {
        line.split("@")[0]
        for line in re.findall(r"uses:\s*(\S+)", TESTS.read_text(encoding="utf-8"))
    } == {"actions/checkout", "actions/setup-python"}
    assert {
        line.split("@")[0]
        for line in re.findall(r"uses:\s*(\S+)", RECORDS.read_text(encoding="utf-8"))
    } == {"actions/checkout", "actions/setup-python", "actions/upload-artifact"}


def test_the_matrix_leaves_out_exactly_the_tests_that_drive_a_browser():
    """-m "not browser" must catch every module that uses the browser fixture (GitHub's runners have no
    Debian Chromium, and with CI set a missing browser fails instead of skipping)."""
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]["markers"]
    assert any(marker.startswith("browser:") for marker in markers)
    for module in sorted((ROOT / "tests").glob("test_*.py")):
        source = module.read_text(encoding="utf-8")
        drives_a_browser = (
            "from test_browser import browser" in source or module.name == "test_browser.py"
        )
        marked = "pytestmark = pytest.mark.browser" in source
        assert drives_a_browser == marked, (
            f"{module.name}: drives a browser {drives_a_browser}, marked {marked}"
        )


def test_the_matrix_linux_jobs_are_the_recording_kind_and_the_others_are_not():
    """Off the recording platform the tests check the claims; on it, the digits. The matrix's Linux jobs
    (x86-64, PyTorch's CPU-only build, the pinned AVX2 path, any Python) are the records' kind when
    their processor adds up as the records' did; macOS on Apple Silicon and Windows are not."""
    sys.path.insert(0, str(ROOT / "hooks"))
    import records

    recorded = records.load("train.py", records.record_folder("train.py")).machine
    assert (recorded["os"], recorded["machine"], recorded["cpu_capability"]) == (
        "Linux",
        "x86_64",
        "AVX2",
    )
    assert recorded["torch"].endswith("+cpu"), "the records come from PyTorch's CPU-only build"
    pins = records.pinned_versions()
    linux = dict(
        recorded, python="3.14.0", torch=f"{pins['torch']}+cpu"
    )  # torch from the CPU index
    mac = dict(
        recorded, os="Darwin", machine="arm64", cpu_capability="DEFAULT", torch=pins["torch"]
    )
    windows = dict(recorded, os="Windows", machine="AMD64", torch=pins["torch"])
    assert records.same_kind(recorded, linux)
    assert not records.same_kind(recorded, mac)
    assert not records.same_kind(recorded, windows)
    assert not records.same_kind(recorded, dict(linux, torch=pins["torch"])), (
        "PyPI's GPU build is another kind"
    )
    # an Intel Xeon with AVX-512, pinned to AVX2 all the same, sums some products in another order
    assert not records.same_kind(recorded, dict(linux, arithmetic="f7ae7bb66b75"))


# --- the records workflow (.github/workflows/records.yml) -----------------------------------------


def records_problems(path=RECORDS):
    """What would make the records workflow fail a contributor on another kind of machine."""
    flow, text = workflow(path), Path(path).read_text(encoding="utf-8")
    problems = []
    if flow.get("permissions") != {} or flow["jobs"]["records"].get("permissions") != {
        "contents": "read"
    }:
        problems.append("permissions: none for the workflow, contents: read for the job")
    if flow["jobs"]["records"]["runs-on"] != "ubuntu-latest":
        problems.append("records are made on x86-64 Linux")
    if "--index-url https://download.pytorch.org/whl/cpu" not in text:
        problems.append("PyTorch's CPU-only build, as the records were made with")
    run = [
        step
        for step in flow["jobs"]["records"]["steps"]
        if "hooks/record.py" in step.get("run", "")
    ]
    if [step["run"].strip() for step in run] != ["python hooks/record.py"]:
        problems.append("one step re-records every stale snippet")
    upload = [
        step
        for step in flow["jobs"]["records"]["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    if (
        len(upload) != 1
        or upload[0]["with"].get("name") != "records"
        or upload[0]["with"].get("path") != "_freeze/"
    ):
        problems.append("the new records go back as the artifact 'records'")
    if "exit 1" not in text or "steps.compare.outputs.stale == 'true'" not in text:
        problems.append("the run fails while the commit's records are stale")
    return problems


def test_the_records_workflow_has_no_problems():
    assert records_problems() == []


@pytest.mark.parametrize(
    "old, new",
    [
        ("runs-on: ubuntu-latest", "runs-on: macos-latest"),
        (" --index-url https://download.pytorch.org/whl/cpu", ""),
        ("name: records\n", "name: freeze\n"),
        ("      contents: read  # check out", "      contents: write  # check out"),
        ("          exit 1\n", "\n"),
    ],
)
def test_a_broken_copy_of_the_records_workflow_has_problems(tmp_path, old, new):
    assert records_problems(with_text(tmp_path, old, new, path=RECORDS))


def test_contributing_says_what_to_do_with_the_records_artifact():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "Records and your machine" in text and "records.yml" in text and "--name records" in text
