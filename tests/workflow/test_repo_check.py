"""``contractgen build --check`` on this repository: the committed output must be fresh.

The first test fails whenever someone changes specs, templates or generator
code without running ``contractgen build``: that is its purpose.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .support import REPO_ROOT, run_cli, stat_tree, tree


def test_repo_generated_is_fresh() -> None:
    out = REPO_ROOT / "generated"
    before, before_stat = tree(out), stat_tree(out)
    result = run_cli("build", "--check", cwd=REPO_ROOT)
    assert result.returncode == 0, (
        "generated/ is stale; run `uv run contractgen build` and commit the result\n"
        + result.stdout[-4000:]
        + result.stderr
    )
    assert "up to date" in result.stderr
    assert result.stdout == ""
    assert tree(out) == before and stat_tree(out) == before_stat, "--check wrote files"


DESCRIPTION = re.compile(r"^description: (?P<text>[A-Z][^\n]*[a-z])\.?$", re.M)


def test_check_on_an_edited_copy_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "specs", project / "specs")
    shutil.copy2(REPO_ROOT / "pyproject.toml", project / "pyproject.toml")
    if (REPO_ROOT / "generated").exists():
        shutil.copytree(REPO_ROOT / "generated", project / "generated", symlinks=True)
    else:
        (project / "generated").mkdir()

    # Edit the first top-level description of the first spec file that has one.
    for spec in sorted((project / "specs").rglob("*.yaml")):
        text = spec.read_text("utf-8")
        match = DESCRIPTION.search(text)
        if match:
            break
    else:
        raise AssertionError("no spec with a one-line top-level description in specs/")
    edited = "Edited by the freshness check test"
    spec.write_text(
        text[: match.start("text")] + edited + text[match.end("text") :], encoding="utf-8"
    )

    out = project / "generated"
    before, before_stat = tree(out), stat_tree(out)
    result = run_cli("build", "--check", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    assert "stale" in result.stderr
    diff = result.stdout
    assert re.search(r"^--- (/dev/null|(a/)?generated/\S+)", diff, re.M), diff[:2000]
    assert re.search(r"^\+\+\+ (b/)?generated/\S+", diff, re.M), diff[:2000]
    assert re.search(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", diff, re.M), diff[:2000]
    added = [line for line in diff.splitlines() if line.startswith("+") and edited in line]
    assert added, f"the diff does not show the edited text:\n{diff[:4000]}"
    if any(match["text"].encode() in content for content in before.values()):
        removed = [x for x in diff.splitlines() if x.startswith("-") and match["text"] in x]
        assert removed, f"the diff does not show the old text:\n{diff[:4000]}"
    assert tree(out) == before, "--check changed the output tree"
    assert stat_tree(out) == before_stat, "--check touched files"
