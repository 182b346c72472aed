"""The generated harness package pinned by snapshots, one per file.

A change to the python target, its templates or the harness specs shows up
here as a reviewable diff; after an intended change run
``uv run pytest tests/python_client --snapshot-update``. The ``_runtime/``
modules are left out: they are contractgen/runtime/*.py, copied verbatim (see
test_runtime_is_copied_verbatim), and pinned by that package's own tests.
"""

from __future__ import annotations

import pytest

from .conftest import Generated

PINNED = [
    "README.md",
    "pyproject.toml",
    "harness_client/__init__.py",
    "harness_client/_client.py",
    "harness_client/_operations/__init__.py",
    "harness_client/_operations/_base.py",
    "harness_client/_operations/harness.py",
    "harness_client/errors.py",
    "harness_client/events.py",
    "harness_client/models/__init__.py",
    "harness_client/models/harness.py",
]


def test_every_generated_file_is_pinned(harness: Generated) -> None:
    files = {p for p in harness.files() if "/_runtime/" not in p and p != "harness_client/py.typed"}
    assert files == set(PINNED)


@pytest.mark.parametrize("path", PINNED)
def test_harness_file(harness: Generated, path: str, snapshot: object) -> None:
    assert harness.files()[path] == snapshot
