"""The publishing workflow (.github/workflows/pages.yml), checked offline: zizmor finds nothing in it,
it is a valid GitHub workflow, it builds from the frozen records with only the `site` group (no
torch), each job holds only the permissions it needs, and only main deploys. And mkdocs.yml takes
the site's address from SITE_URL, the way the workflow hands it over."""
import ast
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from mkdocs.config import load_config
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
BIN = Path(sysconfig.get_path("scripts"))
OFFLINE = {key: value for key, value in os.environ.items() if key not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_CONFIG")}


def workflow():
    # BaseLoader: every scalar a string, and `on:` stays "on" (YAML 1.1 reads it as True).
    return yaml.load(WORKFLOW.read_text(), Loader=yaml.BaseLoader)


def steps(job):
    return workflow()["jobs"][job]["steps"]


def step_using(job, action):
    [step] = [s for s in steps(job) if s.get("uses", "").startswith(f"{action}@")]
    return step


def tool(name, *args, path=WORKFLOW):
    return subprocess.run([str(BIN / name), *args, str(path)], capture_output=True, text=True, env=OFFLINE,
                          cwd=ROOT, timeout=120)


def with_text(tmp_path, old, new):
    """A copy of the workflow with one change, to show that a check can fail."""
    text = WORKFLOW.read_text()
    assert old in text
    changed = tmp_path / ".github" / "workflows" / "pages.yml"
    changed.parent.mkdir(parents=True)
    changed.write_text(text.replace(old, new, 1))
    return changed


# --- zizmor and the workflow schema, offline -----------------------------------------------------

def test_zizmor_finds_nothing():
    proc = tool("zizmor", "--offline")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr


def test_zizmor_finds_nothing_even_pedantic_and_with_no_ignore_comments():
    proc = tool("zizmor", "--offline", "--no-config", "--no-ignores", "--persona", "pedantic")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_would_flag_an_action_pinned_by_tag(tmp_path):
    uses = step_using("build", "actions/checkout")["uses"]
    proc = tool("zizmor", "--offline", "--no-config", path=with_text(tmp_path, uses, "actions/checkout@v7"))
    assert proc.returncode != 0 and "unpinned-uses" in proc.stdout, proc.stdout + proc.stderr


def test_workflow_is_valid_against_githubs_schema():
    """check-jsonschema's vendored copy of SchemaStore's github-workflow schema: nothing is downloaded."""
    proc = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_would_catch_a_misspelt_key(tmp_path):
    proc = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows",
                path=with_text(tmp_path, "    runs-on: ubuntu-latest", "    run-on: ubuntu-latest"))
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
    assert names.index("actions/checkout") < names.index("actions/configure-pages") < \
        names.index("actions/upload-pages-artifact")
    assert step_using("build", "actions/checkout")["with"]["persist-credentials"] == "false"
    [build] = [s for s in steps("build") if "mkdocs build" in s.get("run", "")]
    site_dir = re.search(r"--site-dir[ =](\S+)", build["run"])
    assert step_using("build", "actions/upload-pages-artifact")["with"]["path"].rstrip("/") == \
        (site_dir.group(1).rstrip("/") if site_dir else "site")


def test_build_runs_no_snippet_and_takes_the_address_from_pages():
    [build] = [s for s in steps("build") if "mkdocs build" in s.get("run", "")]
    assert "--strict" in build["run"]
    env = build["env"]
    assert env["LLMS101_FROZEN"] == "1", "a stale record must fail the publish, not run a snippet"
    assert step_using("build", "actions/configure-pages")["id"] == "pages"
    assert re.fullmatch(r"\$\{\{\s*steps\.pages\.outputs\.base_url\s*\}\}/", env["SITE_URL"]), env["SITE_URL"]


def test_install_is_the_pinned_site_group_and_nothing_else():
    runs = "\n".join(s.get("run", "") for j in workflow()["jobs"] for s in steps(j))
    installs = [line for line in runs.splitlines() if "pip install" in line]
    assert any("--group site" in line for line in installs), installs
    for line in installs:
        assert "-c constraints.txt" in line, f"unpinned install: {line}"
        assert re.fullmatch(r".*pip install (-q )?-c constraints\.txt (-U pip|--group site)", line), line
    assert not re.search(r"\b(torch|npm|npx|node|yarn)\b", runs), "the site build needs no torch and no node"
    assert not any(s.get("uses", "").startswith("actions/setup-node@") for j in workflow()["jobs"] for s in steps(j))


def test_actions_are_pinned_to_a_commit_with_its_release_in_a_comment():
    uses = re.findall(r"^\s*(?:- )?uses:\s*(.+)$", WORKFLOW.read_text(), re.M)
    assert len(uses) == 5
    for line in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line
    wanted = {"actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact",
              "actions/deploy-pages"}
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
    assert found["docs"] == found["site"] | found["snippets"]
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
                assert dists & provided, f"{hook.name} imports {module}, which the site group does not install"


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
