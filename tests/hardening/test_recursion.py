"""Recursive and mutually recursive models build on every surface (case 8).

``specs/recursive`` has a model that holds itself, and models in three
domains that hold each other in cycles. The IR builds, OpenAPI validates
(``$ref`` cycles are legal), the docs render, the Python models import (the
modules of a cycle share one module) and validate and dump deeply nested
data; examples are checked through the recursion.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from .support import SPECS, Built, build_into

RECURSIVE = SPECS / "recursive"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("recursive") / "generated"
    return build_into(RECURSIVE, out, ("ir", "openapi", "docs", "python"), package="tree_client")


def test_ir_and_openapi(built: Built) -> None:
    ir = json.loads(built.read("ir/contracts.json"))
    assert {m["name"] for m in ir["models"]} >= {"TreeNode", "Alpha", "Beta", "Gamma"}
    doc = json.loads(built.read("openapi/openapi.json"))
    validate(doc)
    tree = doc["components"]["schemas"]["TreeNode"]["properties"]
    assert tree["children"]["items"] == {"$ref": "#/components/schemas/TreeNode"}
    assert doc["components"]["schemas"]["Gamma"]["properties"]["alphas"]["items"] == {
        "$ref": "#/components/schemas/Alpha"
    }


def test_docs_link_the_cycle(built: Built) -> None:
    page = built.read("docs/docs/models/Alpha.md")
    assert "(Beta.md)" in page and "(Gamma.md)" in page  # used by Gamma, holds Beta


CHECK = """
import tree_client
from tree_client import models
deep = {"name": "0"}
for i in range(1, 200):
    deep = {"name": str(i), "children": [deep], "parent": None}
node = models.TreeNode.model_validate(deep)
assert node.model_dump(by_alias=True, exclude_unset=True) == deep
alpha = models.Alpha.model_validate({"beta": {"alpha": {"betas": [{"gamma": {"alphas": [{}]}}]}}})
assert alpha.beta.alpha.betas[0].gamma.alphas[0] == models.Alpha()
assert models.Alpha.__module__ == models.Beta.__module__ == models.Gamma.__module__
from tree_client import events
payload = events.parse_event({"key": "alpha.linked", "version": "1.0.0", "payload": {"beta": {"alpha": {}}}})
assert payload.beta.alpha == models.Alpha()
print("ok")
"""


def test_python_models_import_and_validate_nested_data(built: Built, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", CHECK],
        cwd=tmp_path,
        env={"PYTHONPATH": str(built.out / "python"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def test_examples_are_checked_through_the_recursion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from contractgen.cli import main

    spec = (RECURSIVE / "recursive.yaml").read_text("utf-8")
    bad = spec.replace("[{ name: a1 }]", "[{ name: a1, children: [{ nam: typo }] }]")
    assert bad != spec
    (tmp_path / "spec.yaml").write_text(bad, "utf-8")
    assert main(["validate", "--specs", str(tmp_path / "spec.yaml"), "--color", "never"]) == 1
    err = capsys.readouterr().err
    assert (
        "error[CG115]: example 'three-levels' input field 'children' item 0 field 'children'" in err
    )
    assert "has unknown field 'nam' (not in TreeNode)" in err
