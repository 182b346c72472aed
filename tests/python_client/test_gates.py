"""Quality gates on the generated packages: ruff, mypy --strict, pyright strict, pip install.

Both generated packages (harness and kitchen) are checked. The checkers run
at the same time (started once per module, each test waits for its own), and
every one must report zero errors. A missing tool fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tools import TOOL_ENV, node_bin

from .conftest import Generated


@dataclass
class Job:
    name: str
    proc: subprocess.Popen[str]
    _result: tuple[int, str] | None = None

    def result(self, timeout: float = 240) -> tuple[int, str]:
        if self._result is None:
            out, _ = self.proc.communicate(timeout=timeout)
            self._result = (self.proc.returncode, out)
        return self._result


def _start(name: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Job:
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **TOOL_ENV, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Job(name, proc)


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def _uv() -> str:
    from shutil import which

    uv = which("uv")
    if uv is None:
        raise RuntimeError("uv is not on PATH (the install gate needs it)")
    return uv


INSTALL_SCRIPT = """
set -e
"$UV" venv --quiet --python "$PYTHON" "$VENV"
for project in "$@"; do
  "$UV" pip install --quiet --offline --python "$VENV/bin/python" "$project" \
    || "$UV" pip install --quiet --python "$VENV/bin/python" "$project"
done
"$VENV/bin/python" - <<'PY'
import importlib, importlib.resources, sys
for name in ("harness_client", "kitchen_client"):
    pkg = importlib.import_module(name)
    assert "site-packages" in pkg.__file__, pkg.__file__
    assert importlib.resources.files(name).joinpath("py.typed").is_file(), name
    client = pkg.Client("https://example.com", token="t")
    client.close()
    importlib.import_module(name + ".events")
print("installed and imported:", sys.prefix)
PY
"""


@pytest.fixture(scope="module")
def gates(
    harness: Generated, kitchen: Generated, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Job]]:
    work = tmp_path_factory.mktemp("gates")
    gens = (harness, kitchen)
    jobs: dict[str, Job] = {}
    for gen in gens:
        # The generated project's own [tool.ruff] settings (rules E, F, W, I, B, UP, ...).
        jobs[f"ruff-{gen.name}"] = _start(
            f"ruff-{gen.name}", [_ruff(), "check", "--no-cache", "."], gen.root
        )
    jobs["mypy"] = _start(
        "mypy",
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(work / "mypy-cache"),
            *[a for gen in gens for a in ("-p", gen.package)],
        ],
        work,
        env={"MYPYPATH": os.pathsep.join(str(gen.root) for gen in gens)},
    )
    # pyright reads only paths relative to its configuration file.
    config = {
        "include": [os.path.relpath(gen.package_dir, work) for gen in gens],
        "extraPaths": [os.path.relpath(gen.root, work) for gen in gens],
        "typeCheckingMode": "strict",
        "pythonVersion": "3.11",
        "reportMissingModuleSource": "error",
    }
    (work / "pyrightconfig.json").write_text(json.dumps(config), "utf-8")
    jobs["pyright"] = _start(
        "pyright",
        [str(node_bin("pyright")), "--outputjson", "--pythonpath", sys.executable, "-p", str(work)],
        work,
    )
    jobs["install"] = _start(
        "install",
        ["bash", "-c", INSTALL_SCRIPT, "install", *(str(gen.root) for gen in gens)],
        work,
        env={"UV": _uv(), "PYTHON": sys.executable, "VENV": str(work / "venv")},
    )
    yield jobs
    for job in jobs.values():
        if job.proc.poll() is None:
            job.proc.kill()
            job.proc.wait()


@pytest.mark.external
@pytest.mark.parametrize("which", ["harness", "kitchen"])
def test_ruff_check_passes(gates: dict[str, Job], which: str) -> None:
    code, out = gates[f"ruff-{which}"].result()
    assert code == 0, out


@pytest.mark.external
def test_mypy_strict_passes(gates: dict[str, Job]) -> None:
    code, out = gates["mypy"].result()
    assert code == 0, out
    assert "Success: no issues found" in out


@pytest.mark.external
def test_pyright_strict_passes(
    gates: dict[str, Job], harness: Generated, kitchen: Generated
) -> None:
    code, out = gates["pyright"].result()
    report = json.loads(out[out.index("{") :])
    problems = [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] in ("error", "warning")
    ]
    assert problems == [] and code == 0, "\n".join(problems) or out
    assert report["summary"]["filesAnalyzed"] >= len(list(harness.package_dir.rglob("*.py")))


@pytest.mark.external
def test_installs_into_a_fresh_venv(gates: dict[str, Job]) -> None:
    code, out = gates["install"].result()
    assert code == 0, out
    assert "installed and imported" in out
