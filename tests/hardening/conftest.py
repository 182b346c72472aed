"""Fixtures of the hardening tests: the hostile spec set, built once per session.

The non-Python targets (``ir``, ``schema``, ``openapi``, ``docs``) and the
``python`` target are built separately, by the real pipeline (one ruff pass,
the atomic writer), so a failure of one surface does not hide the others.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from tools import run

from .support import HOSTILE, Built, build_into


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """ir, schema, openapi and docs of the hostile spec set."""
    out = tmp_path_factory.mktemp("hostile") / "generated"
    return build_into(HOSTILE, out, ("ir", "schema", "openapi", "docs"))


@pytest.fixture(scope="session")
def hostile_python(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The Python client of the hostile spec set."""
    out = tmp_path_factory.mktemp("hostile-python") / "generated"
    return build_into(HOSTILE, out, ("python",))


@pytest.fixture(scope="session")
def hostile_site(hostile: Built) -> Path:
    """The docs of the hostile spec set, built by ``mkdocs build --strict``."""
    site = hostile.out.parent / "site"
    result = run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            hostile.out / "docs" / "mkdocs.yml",
            "-d",
            site,
        ],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "ERROR" not in output, output
    return site
