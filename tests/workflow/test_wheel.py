"""The wheel works on its own: built from the checkout, installed into a fresh venv
outside the repository, its console script builds every target from the
repository's specs with the templates it carries inside."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .support import REPO_ROOT, pyproject, run, run_cli, tree

pytestmark = pytest.mark.slow


def _uv() -> str:
    uv = shutil.which("uv")
    assert uv, "uv is not on PATH; the wheel test needs it"
    return uv


def _isolated_env(venv: Path) -> dict[str, str]:
    """PATH with the venv first; nothing that points Python at the checkout or the dev venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    result = run([_uv(), "build", "--wheel", "--out-dir", dist], REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("contractgen-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "venv"
    uv = _uv()
    made = run([uv, "venv", "--quiet", root], root.parent, timeout=120)
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    install: list[str | os.PathLike[str]] = [
        uv,
        "pip",
        "install",
        "--quiet",
        "--python",
        python,
        wheel,
    ]
    # From uv's cache when it has every dependency; from the index otherwise.
    result = run([*install, "--offline"], root.parent, timeout=300)
    if result.returncode != 0:
        result = run(install, root.parent, timeout=300)
    assert result.returncode == 0, result.stderr
    return root


def test_wheel_contains_templates_and_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = zf.read(entry_points).decode()
    templates = {n for n in names if n.startswith("contractgen/templates/") and not n.endswith("/")}
    assert templates, "the wheel carries no contractgen/templates/ files"
    in_checkout = {
        "contractgen/templates/" + p.relative_to(REPO_ROOT / "templates").as_posix()
        for p in (REPO_ROOT / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert in_checkout <= templates, sorted(in_checkout - templates)
    assert "contractgen/cli.py" in names
    assert "contractgen = contractgen.cli:run" in scripts
    assert not any(n.startswith(("tests/", "generated/", "specs/")) for n in names)


def test_console_script_version_and_help(venv: Path, tmp_path: Path) -> None:
    script = venv / "bin" / "contractgen"
    env = _isolated_env(venv)
    version = subprocess.run(
        [script, "--version"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("contractgen ")
    helped = subprocess.run(
        [script, "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert helped.returncode == 0, helped.stderr
    for command in ("build", "validate", "schema", "new"):
        assert command in helped.stdout


def test_installed_package_is_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    code = (
        "import json, contractgen; from contractgen.render import templates_dir;"
        "from contractgen.targets.registry import TARGETS, available;"
        "print(json.dumps([contractgen.__file__, str(templates_dir()), list(TARGETS), available()]))"
    )
    result = subprocess.run(
        [venv / "bin" / "python", "-c", code],
        cwd=tmp_path,
        env=_isolated_env(venv),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    module, templates, known, available = json.loads(result.stdout)
    site = (venv / "lib").resolve()
    assert Path(module).resolve().is_relative_to(site), module
    assert Path(templates).resolve().is_relative_to(site), templates
    assert Path(templates).name == "templates" and any(Path(templates).iterdir())
    assert available == known, "the wheel lacks targets"


def test_wheel_builds_every_target_from_the_repo_specs(venv: Path, tmp_path: Path) -> None:
    from contractgen.targets.registry import TARGETS

    targets = list(TARGETS)
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "specs", project / "specs")
    (project / "pyproject.toml").write_text(pyproject(targets), encoding="utf-8")
    env = _isolated_env(venv)
    script = venv / "bin" / "contractgen"

    result = subprocess.run(
        [script, "build"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    out = project / "generated"
    assert (out / ".contractgen-manifest.json").is_file()
    for target in targets:
        files = [p for p in (out / target).rglob("*") if p.is_file()]
        assert files, f"target {target} generated nothing"

    check = subprocess.run(
        [script, "build", "--check"], cwd=project, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "up to date" in check.stderr

    # The installed wheel and the checkout generate the same bytes.
    twin = tmp_path / "twin"
    shutil.copytree(project / "specs", twin / "specs")
    shutil.copy2(project / "pyproject.toml", twin / "pyproject.toml")
    mine = run_cli("build", cwd=twin)
    assert mine.returncode == 0, mine.stderr
    assert tree(twin / "generated") == tree(out)
