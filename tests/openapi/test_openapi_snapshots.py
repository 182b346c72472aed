"""openapi.yaml pinned by snapshots: the harness specs and the purpose-built fixtures.

After an intended change, review the diff and run
``uv run pytest tests/openapi --snapshot-update``.
"""

from __future__ import annotations

import pytest

from .support import fixture_settings, harness_settings, render


def test_harness_openapi_yaml(snapshot: object) -> None:
    yaml_text, _ = render(harness_settings())
    assert yaml_text == snapshot


@pytest.mark.parametrize("name", ["mapping", "text"])
def test_fixture_openapi_yaml(name: str, snapshot: object) -> None:
    yaml_text, _ = render(fixture_settings(name))
    assert yaml_text == snapshot
