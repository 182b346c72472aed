"""How the IR maps onto OpenAPI 3.1, rule by rule, on the purpose-built `specs/mapping` set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.config import OpenApiSettings
from contractgen.pipeline import build
from contractgen.targets.openapi import build_document

from .support import FIXTURE_OPENAPI, contracts, document, fixture_settings, operations

REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document(fixture_settings("mapping"))


@pytest.fixture(scope="module")
def ops(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return operations(doc)


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["components"]["schemas"]
    return result


def params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in op.get("parameters", [])}


# -- document -------------------------------------------------------------------


def test_header_comes_from_config(doc: dict[str, Any]) -> None:
    assert list(doc)[:3] == ["openapi", "info", "servers"]
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {
        "title": "Fixture API",
        "version": "0.1.0",
        "description": "Purpose-built specs for the OpenAPI target tests.",
    }
    assert doc["servers"] == [{"url": "https://api.fixture.test", "description": "Fixture"}]


def test_no_servers_configured_means_the_serving_host() -> None:
    settings = fixture_settings("mapping", OpenApiSettings())
    doc = build_document(contracts(settings), settings.openapi)
    assert doc["servers"] == [{"url": "/", "description": "The host that serves this document"}]
    assert doc["info"] == {"title": "API", "version": "1.0.0"}


def test_every_operation_is_one_path_method(doc: dict[str, Any], ops: dict[str, Any]) -> None:
    cs = contracts(fixture_settings("mapping"))
    assert len(ops) == len(cs.operations)
    for op in cs.operations:
        got = ops[op.names.operation_id]
        assert (got["_method"], got["_path"]) == (op.rest.method.lower(), op.rest.path)
        assert got["summary"] == op.title
    # Several methods share one path item, in a fixed method order.
    assert list(doc["paths"]["/nodes/{nodeId}"]) == ["get", "patch", "delete"]
    assert list(doc["paths"]) == sorted(doc["paths"])


def test_versions_side_by_side_get_distinct_paths_and_ids(ops: dict[str, Any]) -> None:
    old, new = ops["shopNodeRenameV1_0_0"], ops["shopNodeRename"]
    assert (old["_path"], new["_path"]) == ("/v1/shop/node/rename", "/v2/shop/node/rename")
    assert old["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "ShopNodeRenameV1_0_0Input"
    }
    assert new["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "ShopNodeRenameInput"
    }
    assert old["x-spec"] == "shop.node.rename@1.0.0" and new["x-spec"] == "shop.node.rename@2.0.0"


# -- parameters and bodies --------------------------------------------------------


def test_get_sends_path_and_query_parameters(ops: dict[str, Any]) -> None:
    op = ops["shopNodeGet"]
    assert "requestBody" not in op
    p = params(op)
    assert list(p) == ["nodeId", "expand", "depth", "status"]
    assert p["nodeId"] == {
        "name": "nodeId",
        "in": "path",
        "description": "The node to fetch.",
        "required": True,
        "schema": {"type": "string"},
        "examples": {
            "found": {"summary": "A leaf node.", "value": "n1"},
            "missing": {"summary": "Answers with NODE_NOT_FOUND", "value": "nope"},
        },
    }
    expand = p["expand"]
    assert (expand["in"], expand["required"], expand["style"], expand["explode"]) == (
        "query",
        False,
        "form",
        True,
    )
    assert expand["schema"] == {"type": "array", "items": {"type": "string"}}
    depth = p["depth"]
    assert depth["required"] is False
    assert depth["schema"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 0,
        "maximum": 5,
        "default": 1,
    }
    assert "style" not in depth
    assert p["status"]["schema"] == {"$ref": REF + "NodeStatus"}


def test_body_refs_the_input_model_when_every_field_is_in_the_body(ops: dict[str, Any]) -> None:
    body = ops["shopNodeCreate"]["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == ["application/json"]
    assert body["content"]["application/json"]["schema"] == {"$ref": REF + "Node"}


def test_partial_body_is_an_inline_object_of_the_body_fields(
    doc: dict[str, Any], ops: dict[str, Any]
) -> None:
    op = ops["shopNodeMove"]
    assert list(params(op)) == ["nodeId"]
    body = op["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "type": "object",
        "properties": {
            "parentId": {
                "type": ["string", "null"],
                "description": "The new parent; null makes it a root.",
            },
            "position": {"type": "integer", "format": "int64"},
        },
        "required": ["parentId"],
    }
    # The example body holds only body fields; the path value went to the parameter.
    assert body["content"]["application/json"]["examples"] == {
        "to-root": {"value": {"parentId": None}}
    }
    assert params(op)["nodeId"]["examples"] == {"to-root": {"value": "n2"}}
    # Parameters and the inline body say all of it: no component for the input model.
    assert "ShopNodeMoveInput" not in schemas(doc)
    assert "ShopNodeGetInput" not in schemas(doc)


# -- responses --------------------------------------------------------------------


def test_output_is_the_200_response(ops: dict[str, Any]) -> None:
    ok = ops["shopNodeGet"]["responses"]["200"]
    media = ok["content"]["application/json"]
    assert media["schema"] == {"$ref": REF + "Node"}
    assert media["examples"]["found"]["value"]["label"] == "Leaf"
    assert "missing" not in media["examples"]  # an error example is no 200 example


def test_no_output_is_204(ops: dict[str, Any]) -> None:
    responses = ops["shopNodeDelete"]["responses"]
    assert list(responses) == ["204"]
    assert "content" not in responses["204"]


def test_errors_are_problem_json_responses_per_status(ops: dict[str, Any]) -> None:
    responses = ops["shopNodeCreate"]["responses"]
    assert list(responses) == ["200", "400", "409"]
    conflict = responses["409"]
    assert conflict["description"] == (
        "- `NAME_TAKEN`: The label is taken. (when: Another node has this label.)\n"
        "- `PARENT_RETIRED`: The parent is retired."
    )
    assert list(conflict["content"]) == ["application/problem+json"]
    media = conflict["content"]["application/problem+json"]
    assert media["schema"] == {
        "allOf": [
            {"$ref": REF + "ErrorBody"},
            {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": ["NAME_TAKEN", "PARENT_RETIRED"]}
                },
            },
        ]
    }
    # The acceptance example answering NAME_TAKEN, and one example per other code.
    assert media["examples"] == {
        "taken": {
            "summary": "The label is already used.",
            "value": {
                "type": "about:blank",
                "title": "Conflict",
                "status": 409,
                "detail": "The label is already used.",
                "code": "NAME_TAKEN",
            },
        },
        "PARENT_RETIRED": {
            "summary": "The parent is retired.",
            "value": {
                "type": "about:blank",
                "title": "Conflict",
                "status": 409,
                "detail": "The parent is retired.",
                "code": "PARENT_RETIRED",
            },
        },
    }
    bad = responses["400"]["content"]["application/problem+json"]
    assert bad["schema"]["allOf"][1]["properties"]["code"]["enum"] == ["INVALID_NODE"]


def test_error_body_is_rfc9457_with_a_required_code(doc: dict[str, Any]) -> None:
    body = schemas(doc)["ErrorBody"]
    assert list(body["properties"]) == ["type", "title", "status", "detail", "instance", "code"]
    assert body["required"] == ["code"]
    assert body["properties"]["type"]["default"] == "about:blank"


def test_no_error_body_without_errors() -> None:
    settings = fixture_settings("text")
    doc = build_document(contracts(settings), settings.openapi)
    assert "ErrorBody" in doc["components"]["schemas"]
    cs = contracts(fixture_settings("mapping"))
    no_errors = cs.model_copy(
        update={"operations": tuple(o.model_copy(update={"errors": ()}) for o in cs.operations)}
    )
    assert "ErrorBody" not in build_document(no_errors, FIXTURE_OPENAPI)["components"]["schemas"]


# -- auth ---------------------------------------------------------------------------


def test_security_per_operation(doc: dict[str, Any], ops: dict[str, Any]) -> None:
    assert ops["shopNodeGet"]["security"] == []  # anonymous
    assert ops["shopNodeGet"]["x-auth"] == "anonymous"
    assert ops["shopNodeMove"]["security"] == [{"bearerAuth": []}]
    assert ops["shopNodeMove"]["x-auth"] == "user"
    assert ops["shopNodeCreate"]["security"] == [{"bearerAuth": []}]
    assert ops["shopNodeCreate"]["x-auth"] == "admin"
    assert doc["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A bearer token in the `Authorization` header.",
        }
    }
    assert "security" not in doc  # every operation says it itself


def test_api_key_is_an_alternative_when_configured() -> None:
    openapi = FIXTURE_OPENAPI.model_copy(
        update={"auth": ("bearer", "apiKey"), "api_key_header": "X-Shop-Key"}
    )
    doc = build_document(contracts(fixture_settings("mapping")), openapi)
    ops = operations(doc)
    assert ops["shopNodeMove"]["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert ops["shopNodeGet"]["security"] == []
    assert doc["components"]["securitySchemes"]["apiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Shop-Key",
        "description": "An API key in the `X-Shop-Key` header.",
    }


def test_unknown_auth_scheme_is_an_error() -> None:
    openapi = FIXTURE_OPENAPI.model_copy(update={"auth": ("oauth3",)})
    with pytest.raises(ValueError, match="unknown scheme 'oauth3'"):
        build_document(contracts(fixture_settings("mapping")), openapi)


def test_no_security_schemes_when_every_operation_is_anonymous() -> None:
    cs = contracts(fixture_settings("mapping"))
    anon = cs.model_copy(
        update={
            "operations": tuple(
                o.model_copy(update={"policy": o.policy.model_copy(update={"auth": "anonymous"})})
                for o in cs.operations
            )
        }
    )
    doc = build_document(anon, FIXTURE_OPENAPI)
    assert "securitySchemes" not in doc["components"]
    assert all(op["security"] == [] for op in operations(doc).values())


# -- components ----------------------------------------------------------------------


def test_models_and_enums_are_components_defined_once(doc: dict[str, Any]) -> None:
    assert list(schemas(doc)) == sorted(schemas(doc))
    assert set(schemas(doc)) == {
        "ErrorBody",
        "Node",
        "NodeStatus",
        "ShopNodeCreatedPayload",
        "ShopNodeCreatedV1_0_0Payload",
        "ShopNodeRenameInput",
        "ShopNodeRenameV1_0_0Input",
        "ShopNodeRenameV1_0_0Output",
    }


def test_self_reference_is_a_ref(doc: dict[str, Any]) -> None:
    node = schemas(doc)["Node"]
    assert node["properties"]["parent"] == {"$ref": REF + "Node"}
    assert node["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": REF + "Node"},
        "description": "Direct children, in order.",
    }


def test_required_optional_nullable_default(doc: dict[str, Any]) -> None:
    node = schemas(doc)["Node"]
    props = node["properties"]
    # Required = neither optional nor defaulted; nullable is separate.
    assert node["required"] == ["id", "label", "children", "status", "previousStatus"]
    assert props["previousStatus"] == {
        "anyOf": [{"$ref": REF + "NodeStatus"}, {"type": "null"}],
        "description": "Required, but null for a new node.",
    }
    assert props["note"] == {"type": ["string", "null"]}  # optional and nullable
    assert props["weight"] == {"type": "number", "format": "double", "minimum": 0, "default": 1.5}
    assert props["attributes"] == {"type": "object", "additionalProperties": True}


def test_scalars_and_field_constraints(doc: dict[str, Any]) -> None:
    props = schemas(doc)["Node"]["properties"]
    assert props["id"] == {"type": "string"}
    assert props["labels"] == {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "maxItems": 5,
    }
    # NonEmptyString's minLength 1 gives way to the stricter field minimum.
    assert props["code"] == {
        "type": "string",
        "minLength": 3,
        "maxLength": 8,
        "pattern": "^[A-Z]+$",
        "description": "A field example lets a mock server answer with a valid value.",
        "examples": ["ABCD"],
    }
    # Latitude keeps its maximum and takes the field's stricter minimum.
    assert props["latitude"] == {"type": "number", "minimum": 0, "maximum": 90}
    assert props["legacyRank"] == {"type": "integer", "format": "int64", "deprecated": True}


def test_enum_component(doc: dict[str, Any]) -> None:
    assert schemas(doc)["NodeStatus"] == {
        "type": "string",
        "description": "Lifecycle of a node.",
        "enum": ["active", "draft", "retired"],
        "x-enum-varnames": ["ACTIVE", "DRAFT", "RETIRED"],
        "x-enum-descriptions": ["In use.", "", "Kept for history only."],
        "x-enum-deprecated": ["retired"],
        "x-stability": "experimental",
    }


# -- tags and extensions ---------------------------------------------------------------


def test_tags_from_domain_capability_feature(doc: dict[str, Any], ops: dict[str, Any]) -> None:
    assert doc["tags"] == [
        {"name": "shop", "description": "Operations and events of the `shop` domain."},
        {
            "name": "shop.catalog",
            "description": "Browse and edit the node catalog.\n\nCapability `shop.catalog@1.0.0` (api).",
            "x-displayName": "Catalog",
        },
        {
            "name": "shop.browse",
            "description": "Everything a shopper needs to browse.\n\nFeature `shop.browse@1.0.0`.",
            "x-displayName": "Browse the shop",
        },
    ]
    assert doc["x-tagGroups"] == [
        {"name": "Domains", "tags": ["shop"]},
        {"name": "Capabilities", "tags": ["shop.catalog"]},
        {"name": "Features", "tags": ["shop.browse"]},
    ]
    assert ops["shopNodeGet"]["tags"] == ["shop", "shop.catalog", "shop.browse"]
    assert ops["shopNodeMove"]["tags"] == ["shop", "shop.catalog"]
    defined = {t["name"] for t in doc["tags"]}
    assert all(set(op["tags"]) <= defined for op in ops.values())


def test_policy_and_contract_extensions(ops: dict[str, Any]) -> None:
    op = ops["shopNodeCreate"]
    x = {k: v for k, v in op.items() if k.startswith("x-")}
    assert x == {
        "x-spec": "shop.node.create@1.0.0",
        "x-kind": "command",
        "x-stability": "experimental",
        "x-capability": "shop.catalog@1.0.0",
        "x-auth": "admin",
        "x-idempotent": True,
        "x-pii": ["input.label"],
        "x-rate-limit": {"rpm": 60, "key": "org"},
        "x-escalation": "human_review",
        "x-roles": ["catalog-editor"],
        "x-permissions": ["catalog.write"],
        "x-flags": ["new-catalog"],
        "x-emits": ["shop.node.created"],
        "x-analytics": ["node_created"],
        "x-audit": ["catalog.change"],
        "x-scenarios": [
            {
                "key": "create",
                "given": ["An empty catalog."],
                "when": ["An editor creates a node."],
                "then": ["The node exists.", "shop.node.created is emitted."],
            }
        ],
    }
    assert ops["shopNodeGet"]["x-idempotent"] is True


def test_deprecated_spec(ops: dict[str, Any]) -> None:
    assert ops["shopNodeDelete"]["deprecated"] is True
    assert ops["shopNodeDelete"]["x-stability"] == "deprecated"
    assert "deprecated" not in ops["shopNodeGet"]


# -- webhooks ---------------------------------------------------------------------------


def test_events_are_webhooks(doc: dict[str, Any]) -> None:
    hooks = doc["webhooks"]
    assert list(hooks) == ["shop.node.created@1.0.0", "shop.node.created"]
    new = hooks["shop.node.created"]["post"]
    assert new["operationId"] == "shopNodeCreated"
    assert new["requestBody"]["required"] is True
    envelope = new["requestBody"]["content"]["application/json"]["schema"]
    assert envelope["required"] == ["key", "version", "payload"]
    assert envelope["properties"]["key"] == {"type": "string", "const": "shop.node.created"}
    assert envelope["properties"]["version"] == {"type": "string", "const": "2.0.0"}
    assert envelope["properties"]["payload"] == {"$ref": REF + "ShopNodeCreatedPayload"}
    assert list(new["responses"]) == ["200"]
    assert new["security"] == []
    assert new["tags"] == ["shop", "shop.catalog"]
    assert new["x-event"] == {"key": "shop.node.created", "version": "2.0.0"}
    assert new["x-emitted-by"] == ["shopNodeCreate"]
    assert new["description"] == (
        "A node was added to the catalog.\n\nEmitted by:\n\n"
        "- `shopNodeCreate` (POST `/v1/shop/node/create`): The node is stored."
    )
    old = hooks["shop.node.created@1.0.0"]["post"]
    assert old["operationId"] == "shopNodeCreatedV1_0_0"
    assert old["requestBody"]["content"]["application/json"]["schema"]["properties"]["payload"] == {
        "$ref": REF + "ShopNodeCreatedV1_0_0Payload"
    }
    assert "x-emitted-by" not in old


def test_operations_link_the_webhooks_they_emit(doc: dict[str, Any], ops: dict[str, Any]) -> None:
    op = ops["shopNodeCreate"]
    assert op["x-emits"] == ["shop.node.created"]
    assert all(name in doc["webhooks"] for name in op["x-emits"])
    assert op["description"] == (
        "Create node\n\nEmits:\n\n- webhook `shop.node.created`: The node is stored."
    )
    assert "x-emits" not in ops["shopNodeGet"]


def test_operation_ids_are_unique_across_paths_and_webhooks(doc: dict[str, Any]) -> None:
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    ids += [op["operationId"] for item in doc["webhooks"].values() for op in item.values()]
    assert len(ids) == len({i.lower() for i in ids})


def test_a_webhook_id_that_would_clash_is_left_out() -> None:
    cs = contracts(fixture_settings("mapping"))
    # An operation whose id is what the latest shop.node.created webhook would get.
    ops = tuple(
        o.model_copy(
            update={"names": o.names.model_copy(update={"operation_id": "shopNodeCreated"})}
        )
        if o.key == "shop.node.get"
        else o
        for o in cs.operations
    )
    doc = build_document(cs.model_copy(update={"operations": ops}), FIXTURE_OPENAPI)
    assert "operationId" not in doc["webhooks"]["shop.node.created"]["post"]
    assert doc["webhooks"]["shop.node.created@1.0.0"]["post"]["operationId"] == (
        "shopNodeCreatedV1_0_0"
    )
    assert operations(doc)["shopNodeCreated"]["_path"] == "/nodes/{nodeId}"


def test_build_writes_both_files_under_openapi(tmp_path: Path) -> None:
    settings = fixture_settings("mapping").model_copy(update={"out": tmp_path / "generated"})
    result = build(settings, ["openapi"])
    assert result.written == ["openapi/openapi.json", "openapi/openapi.yaml"]
    out = tmp_path / "generated" / "openapi"
    data = yaml.safe_load((out / "openapi.yaml").read_text("utf-8"))
    assert data == json.loads((out / "openapi.json").read_text("utf-8"))
    assert data["info"]["title"] == "Fixture API"
