"""The same specs give byte-identical output, whatever the hash seed or the files' order on disk.

Every build runs in its own project directory (so no absolute path may leak
into the output), in a fresh interpreter with its own ``PYTHONHASHSEED``, with
the spec files copied in a different order (directory listings follow
creation order on many file systems) and, in one variant, with every document
in a file of its own.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path

import pytest

from .support import FIXTURE_SPECS, REPO_ROOT, available_targets, pyproject, run_cli, tree

SPEC_SETS = {"fixture": FIXTURE_SPECS, "repo": REPO_ROOT / "specs"}


def _spec_files(specs: Path) -> list[Path]:
    return sorted(p for p in specs.rglob("*") if p.is_file())


def _copy(specs: Path, dest: Path, *, reverse: bool) -> None:
    """Copy the spec tree file by file, creating directories and files in the given order."""
    files = _spec_files(specs)
    for src in reversed(files) if reverse else files:
        target = dest / src.relative_to(specs)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)


def _split(specs: Path, dest: Path) -> int:
    """Every YAML document in a file of its own, under new names, written in reverse order."""
    documents: list[str] = []
    for src in _spec_files(specs):
        text = src.read_text("utf-8")
        documents += [d for d in re.split(r"^---[ \t]*\n", text, flags=re.M) if d.strip()]
    dest.mkdir(parents=True)
    for index in reversed(range(len(documents))):
        # The names sort in the opposite order of the original documents.
        (dest / f"doc-{len(documents) - index:03d}.yaml").write_text(documents[index], "utf-8")
    return len(documents)


def _build(project: Path, targets: list[str], seed: str) -> dict[str, bytes]:
    (project / "pyproject.toml").write_text(pyproject(targets), encoding="utf-8")
    result = run_cli("build", cwd=project, env={"PYTHONHASHSEED": seed})
    assert result.returncode == 0, result.stderr
    files = tree(project / "generated")
    assert files, "nothing was generated"
    return files


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    lines = []
    for name in sorted(set(a) ^ set(b)):
        lines.append(f"only in {'first' if name in a else 'second'}: {name}")
    for name in sorted(set(a) & set(b)):
        if a[name] != b[name]:
            diff = difflib.unified_diff(
                a[name].decode("utf-8", "replace").splitlines(),
                b[name].decode("utf-8", "replace").splitlines(),
                name,
                name,
                lineterm="",
                n=1,
            )
            lines += list(diff)[:30]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def targets() -> list[str]:
    found = available_targets()
    assert {"ir", "schema"} <= set(found)
    return found


@pytest.mark.parametrize("spec_set", sorted(SPEC_SETS))
def test_hash_seed_and_file_order_do_not_change_the_output(
    spec_set: str, targets: list[str], tmp_path: Path
) -> None:
    specs = SPEC_SETS[spec_set]
    assert len(_spec_files(specs)) >= 2, f"{specs} has too few spec files"
    builds = {}
    for seed, reverse in (("0", False), ("1", True), ("12345", True)):
        project = tmp_path / f"seed-{seed}-{'reversed' if reverse else 'sorted'}"
        _copy(specs, project / "specs", reverse=reverse)
        builds[project.name] = _build(project, targets, seed)
    (first_name, first), *others = builds.items()
    for name, files in others:
        assert files == first, f"{first_name} vs {name}:\n{_differences(first, files)}"


# Where a spec comes from (file, line) legitimately follows the file split.
SPEC_PATH = re.compile(rb"specs/[\w./-]+\.ya?ml(`?, line \d+)?")


def _without_source_positions(files: dict[str, bytes]) -> dict[str, bytes]:
    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("file", "source")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    out = {}
    for name, content in files.items():
        if name == ".contractgen-manifest.json":
            # Input hashes cover file names; the list of generated files must not change.
            out[name] = "\n".join(sorted(json.loads(content)["files"])).encode()
        elif name == "ir/contracts.json":
            out[name] = json.dumps(strip(json.loads(content)), indent=1, sort_keys=True).encode()
        else:
            out[name] = SPEC_PATH.sub(b"<spec file>", content)
    return out


def test_splitting_files_changes_nothing_but_source_positions(
    targets: list[str], tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    _copy(FIXTURE_SPECS, whole / "specs", reverse=False)
    split = tmp_path / "split"
    assert _split(FIXTURE_SPECS, split / "specs") > len(_spec_files(FIXTURE_SPECS))
    a = _without_source_positions(_build(whole, targets, "0"))
    b = _without_source_positions(_build(split, targets, "1"))
    assert a == b, _differences(a, b)
