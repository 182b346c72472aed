"""Shared helpers of the workflow tests: they drive contractgen the way users do.

Every command runs in a subprocess with the working directory set to a
project made in ``tmp_path`` (or the checkout itself), so settings are found
exactly as a user's shell would find them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SPECS = Path(__file__).resolve().parent / "specs"

# contractgen has no ``__main__``; this runs the same entry point as the console script.
CLI = [sys.executable, "-c", "from contractgen.cli import run; run()"]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without settings that change contractgen's output."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run(
    cmd: Iterable[str | os.PathLike[str]],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_cli(
    *args: str | os.PathLike[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``contractgen ARGS`` in ``cwd``."""
    return run([*CLI, *args], cwd, env=env)


def pyproject(targets: Iterable[str], extra: str = "") -> str:
    listed = ", ".join(f'"{t}"' for t in targets)
    return (
        "[project]\n"
        'name = "workflow-fixture"\n'
        'version = "0.0.0"\n'
        "\n"
        "[tool.contractgen]\n"
        'specs = "specs"\n'
        'out = "generated"\n'
        f"targets = [{listed}]\n"
        "\n"
        "[tool.contractgen.python]\n"
        'package = "shop_client"\n'
        "\n"
        "[tool.contractgen.openapi]\n"
        'title = "Shop API"\n'
        'version = "1.0.0"\n' + extra
    )


def make_project(root: Path, targets: Iterable[str], specs: Path = FIXTURE_SPECS) -> Path:
    """A project directory: ``specs/`` copied from ``specs`` and a pyproject.toml."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(specs, root / "specs")
    (root / "pyproject.toml").write_text(pyproject(targets), encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes)."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def stat_tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (relative POSIX path -> (mtime_ns, inode))."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def age_tree(root: Path, when: int = 1_000_000_000) -> None:
    """Set every file's mtime to a fixed past moment, so any rewrite shows up."""
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (when, when))


def available_targets() -> list[str]:
    from contractgen.targets import registry

    return registry.available()
