"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by pre-commit itself.

A user repository is made in ``tmp_path``; its ``.pre-commit-config.yaml``
points at this checkout at its committed HEAD, so pre-commit clones it and
pip-installs contractgen from it into its own environment, exactly as it does
for a user. Uncommitted changes of the checkout are therefore not under test.

Installing the hook environment took about 8 s here (pip, wheels cached), so PRE_COMMIT_HOME is a
fresh directory per test module rather than a cache shared between runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .support import FIXTURE_SPECS, REPO_ROOT, make_project, run, stat_tree, tree

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Workflow Test",
    "GIT_AUTHOR_EMAIL": "workflow@example.com",
    "GIT_COMMITTER_NAME": "Workflow Test",
    "GIT_COMMITTER_EMAIL": "workflow@example.com",
}
REFUND = "shop/shop.order.refund.yaml"
OLD_TEXT = "Give a customer their money back for an order."
NEW_TEXT = "Give a customer their money back, in full, for an order."


def git(*args: str, cwd: Path) -> str:
    result = run(["git", "-c", "commit.gpgsign=false", *args], cwd, env=GIT_ENV)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def head() -> str:
    sha = git("rev-parse", "HEAD", cwd=REPO_ROOT).strip()
    shown = run(["git", "cat-file", "-e", f"{sha}:.pre-commit-hooks.yaml"], REPO_ROOT)
    assert shown.returncode == 0, ".pre-commit-hooks.yaml is not committed at HEAD"
    return sha


def _user_repo(root: Path, head: str) -> Path:
    # docs renders templates: they must be found inside the installed package.
    project = make_project(root, ["ir", "schema", "docs"], FIXTURE_SPECS)
    config = {
        "repos": [
            {
                "repo": str(REPO_ROOT),
                "rev": head,
                "hooks": [{"id": "contractgen"}, {"id": "contractgen-check"}],
            }
        ]
    }
    # JSON is YAML.
    (project / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2) + "\n")
    git("init", "--quiet", cwd=project)
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "specs", cwd=project)
    return project


def pre_commit(hook: str, project: Path, home: Path) -> tuple[int, str]:
    result = run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"],
        project,
        env={"PRE_COMMIT_HOME": str(home)},
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def _edit_refund(project: Path) -> None:
    spec = project / "specs" / REFUND
    text = spec.read_text()
    assert OLD_TEXT in text
    spec.write_text(text.replace(OLD_TEXT, NEW_TEXT))


def test_contractgen_hook_regenerates(tmp_path: Path, head: str, pre_commit_home: Path) -> None:
    project = _user_repo(tmp_path / "user", head)
    out = project / "generated"

    # First run: the output appears. pre-commit reports a hook as failed only
    # when it changes *tracked* files, so brand-new untracked files pass.
    code, output = pre_commit("contractgen", project, pre_commit_home)
    assert code == 0, output
    assert "contractgen build" in output and "Passed" in output
    assert (out / "ir" / "contracts.json").is_file()
    assert (out / "schema" / "contract-spec.json").is_file()
    assert (out / ".contractgen-manifest.json").is_file()
    assert any((out / "docs").rglob("*.md"))
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "generated", cwd=project)

    # A spec changes: the hook rewrites tracked files, so pre-commit fails the run.
    _edit_refund(project)
    git("commit", "--quiet", "--all", "-m", "edit spec", cwd=project)
    code, output = pre_commit("contractgen", project, pre_commit_home)
    assert code == 1, output
    assert "files were modified by this hook" in output
    assert NEW_TEXT in (out / "ir" / "contracts.json").read_text()
    changed = git("status", "--porcelain", cwd=project).splitlines()
    assert " M generated/ir/contracts.json" in changed, changed
    assert " M generated/.contractgen-manifest.json" in changed, changed
    assert any(line.startswith(" M generated/docs/") for line in changed), changed
    assert all(line.startswith(" M generated/") for line in changed), changed

    # Nothing left to regenerate: the second run passes and touches nothing.
    before = stat_tree(out)
    code, output = pre_commit("contractgen", project, pre_commit_home)
    assert code == 0, output
    assert "Passed" in output
    assert stat_tree(out) == before


def test_contractgen_check_hook_fails_when_stale(
    tmp_path: Path, head: str, pre_commit_home: Path
) -> None:
    project = _user_repo(tmp_path / "user", head)
    out = project / "generated"
    code, output = pre_commit("contractgen", project, pre_commit_home)
    assert code == 0, output
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "generated", cwd=project)

    code, output = pre_commit("contractgen-check", project, pre_commit_home)
    assert code == 0, output
    assert "Passed" in output

    _edit_refund(project)
    before, before_stat = tree(out), stat_tree(out)
    code, output = pre_commit("contractgen-check", project, pre_commit_home)
    assert code == 1, output
    assert "Failed" in output and "stale" in output
    lines = output.splitlines()
    assert any(line.startswith("+") and NEW_TEXT in line for line in lines), output
    assert any(line.startswith("-") and OLD_TEXT in line for line in lines), output
    assert "files were modified by this hook" not in output
    assert tree(out) == before and stat_tree(out) == before_stat, "the check hook wrote files"
    assert git("status", "--porcelain", "--", "generated", cwd=project) == ""
