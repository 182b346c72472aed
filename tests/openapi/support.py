"""Helpers of the OpenAPI target tests: build a spec set and render its document in memory."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contractgen.config import OpenApiSettings, Server, Settings, load_settings
from contractgen.diagnostics import Diagnostics
from contractgen.ir.models import ContractSet
from contractgen.pipeline import GENERATOR, load_contracts
from contractgen.targets.base import RenderContext
from contractgen.targets.openapi import OpenApiTarget

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SPECS = HERE / "specs"

FIXTURE_OPENAPI = OpenApiSettings(
    title="Fixture API",
    version="0.1.0",
    description="Purpose-built specs for the OpenAPI target tests.",
    servers=(Server(url="https://api.fixture.test", description="Fixture"),),
)


def fixture_settings(name: str, openapi: OpenApiSettings = FIXTURE_OPENAPI) -> Settings:
    return Settings(root=HERE, specs=Path("specs") / name, openapi=openapi)


def harness_settings() -> Settings:
    """The repository's own configuration: what `contractgen build` uses."""
    return load_settings(REPO_ROOT)


def contracts(settings: Settings) -> ContractSet:
    return load_contracts(settings, Diagnostics())


@cache
def harness_contracts() -> ContractSet:
    return contracts(harness_settings())


@cache
def fixture_contracts(name: str) -> ContractSet:
    return contracts(fixture_settings(name))


def render(settings: Settings) -> tuple[str, str]:
    """The text of openapi.yaml and openapi.json."""
    files = OpenApiTarget().render(
        contracts(settings), RenderContext(settings=settings, generator=GENERATOR)
    )
    assert sorted(files) == ["openapi.json", "openapi.yaml"]
    return files.files["openapi.yaml"].decode(), files.files["openapi.json"].decode()


def document(settings: Settings) -> dict[str, Any]:
    """The rendered document, read back from both files (which must agree)."""
    yaml_text, json_text = render(settings)
    doc = yaml.safe_load(yaml_text)
    assert doc == json.loads(json_text)
    assert isinstance(doc, dict)
    return doc


def operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """operationId -> operation object (with ``_path`` and ``_method`` added)."""
    out: dict[str, dict[str, Any]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            out[op["operationId"]] = {**op, "_path": path, "_method": method}
    return out
