"""OpenAPI of the hostile spec set: valid, verbatim, and never more structure (cases 2, 3, 10).

Every payload reaches the document only as a string value: both files read
back (YAML 1.1 and 1.2 readers, JSON) as one document, that document passes
openapi-spec-validator, holds no anchor, alias or tag, and every slot holds
its payload exactly. See also tests/openapi/test_openapi_text.py (YAML
look-alikes) and tests/openapi/test_openapi_external.py (Redocly, Spectral).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from contractgen.diagnostics import Diagnostics
from contractgen.ir import naming
from contractgen.spec.yaml_reader import read_yaml

from .make_specs import DOMAIN, enum_name, error_code, model_name
from .payloads import PAYLOADS
from .support import Built

NAMES = sorted(PAYLOADS)


@pytest.fixture(scope="module")
def doc(hostile: Built) -> dict[str, Any]:
    data = json.loads(hostile.read("openapi/openapi.json"))
    assert isinstance(data, dict)
    return data


def test_both_files_are_one_valid_document(hostile: Built, doc: dict[str, Any]) -> None:
    text = hostile.read("openapi/openapi.yaml")
    assert yaml.safe_load(text) == doc  # a YAML 1.1 reader
    d = Diagnostics()
    docs = read_yaml("openapi.yaml", text.encode("utf-8"), d)  # a strict YAML 1.2 reader
    assert not d.items, [x.plain() for x in d.items]
    assert [x.data for x in docs] == [doc]
    validate(doc)


def test_no_yaml_structure_from_text(hostile: Built, doc: dict[str, Any]) -> None:
    text = hostile.read("openapi/openapi.yaml")
    for event in yaml.parse(text):
        assert not isinstance(event, yaml.AliasEvent), event
        assert getattr(event, "anchor", None) is None, event
        assert getattr(event, "tag", None) is None, event
    assert sum(isinstance(e, yaml.DocumentStartEvent) for e in yaml.parse(text)) == 1
    # The structure is the IR's: one path per operation, one webhook per event.
    assert len(doc["paths"]) == len(PAYLOADS)
    assert len(doc["webhooks"]) == len(PAYLOADS)
    assert sorted(doc["paths"]) == sorted(f"/hostile/{n}/{{runId}}" for n in PAYLOADS)


def _operation(doc: dict[str, Any], name: str) -> dict[str, Any]:
    op = doc["paths"][f"/hostile/{name}/{{runId}}"]["post"]
    assert op["operationId"] == naming.camel_case(f"hostile.{name}.run")
    assert isinstance(op, dict)
    return op


@pytest.mark.parametrize("name", NAMES)
def test_operation_text_is_verbatim(name: str, doc: dict[str, Any]) -> None:
    p = PAYLOADS[name]
    op = _operation(doc, name)
    assert op["summary"] == p
    assert op["description"] == f"{p}\n\nEmits:\n\n- webhook `hostile.{name}.done`: {p}"
    for ext in ("x-goal", "x-context"):
        assert op[ext] == p, ext
    for ext in (
        "x-owners",
        "x-labels",
        "x-roles",
        "x-permissions",
        "x-flags",
        "x-analytics",
        "x-audit",
    ):
        assert op[ext] == [p], ext
    assert op["x-scenarios"] == [{"key": p, "given": [p], "when": [p, p], "then": [p]}]
    [param] = op["parameters"]
    assert param["name"] == "runId" and param["in"] == "path"
    assert param["description"] == p
    assert param["examples"] == {
        p: {"summary": p, "value": p},
        "error case": {"summary": p, "value": p},
    }
    body = op["requestBody"]["content"]["application/json"]
    props = body["schema"]["properties"]
    assert [props[f]["description"] for f in ("text", "mode", "note")] == [p, p, p]
    assert props["text"]["default"] == p and props["text"]["examples"] == [p]
    assert body["examples"][p] == {
        "summary": p,
        "value": {"text": p, "mode": p, "note": {"text": p}},
    }
    ok = op["responses"]["200"]["content"]["application/json"]["examples"]
    assert ok == {p: {"summary": p, "value": {"runId": p, "text": p}}}
    conflict = op["responses"]["409"]
    assert conflict["description"] == f"`{error_code(name)}`: {p} (when: {p})"
    problem = conflict["content"]["application/problem+json"]["examples"]["error case"]
    assert problem["summary"] == p and problem["value"]["detail"] == p
    assert problem["value"]["code"] == error_code(name)


@pytest.mark.parametrize("name", NAMES)
def test_event_capability_feature_and_types_are_verbatim(name: str, doc: dict[str, Any]) -> None:
    p = PAYLOADS[name]
    key = f"hostile.{name}"
    hook = doc["webhooks"][f"{key}.done"]["post"]
    assert hook["summary"] == p
    assert hook["description"] == (
        f"{p}\n\nEmitted by:\n\n- `{naming.camel_case(key + '.run')}` (POST `/hostile/{name}/{{runId}}`): {p}"
    )
    assert hook["x-owners"] == [p] and hook["x-labels"] == [p]
    tags = {t["name"]: t for t in doc["tags"]}
    assert tags[f"{key}.cap"]["description"] == f"{p}\n\nCapability `{key}.cap@1.0.0` (api)."
    assert tags[f"{key}.feature"]["description"] == f"{p}\n\nFeature `{key}.feature@1.0.0`."
    assert tags[f"{key}.cap"]["x-displayName"] == p == tags[f"{key}.feature"]["x-displayName"]
    schemas = doc["components"]["schemas"]
    model = schemas[model_name(name)]
    assert model["description"] == p
    assert model["properties"]["text"] == {
        "type": "string",
        "description": p,
        "default": p,
        "examples": [p],
    }
    assert model["properties"]["items"]["default"] == [p, p]
    assert model["properties"]["items"]["examples"] == [[p]]
    assert model["properties"]["children"]["description"] == p
    enum = schemas[enum_name(name)]
    assert enum["description"] == p
    assert enum["enum"] == [p, "plain"]
    assert enum["x-enum-descriptions"] == [p, p]
    payload = schemas[naming.pascal_case(key) + "DonePayload"]["properties"]
    assert payload["runId"]["description"] == p and payload["text"]["default"] == p
    output = schemas[naming.pascal_case(key) + "RunOutput"]["properties"]
    assert output["runId"]["description"] == p == output["text"]["description"]


def test_the_domain_is_a_tag_name_and_nothing_more(doc: dict[str, Any]) -> None:
    tags = {t["name"]: t for t in doc["tags"]}
    assert tags[DOMAIN]["description"] == f"Operations and events of the `{DOMAIN}` domain."
    for op in (item["post"] for item in doc["paths"].values()):
        assert op["tags"][0] == DOMAIN
