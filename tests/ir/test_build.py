"""IR building: references resolved, defaults applied, names decided once."""

from __future__ import annotations

import contextlib

import pytest

from contractgen.diagnostics import Diagnostics, SpecError
from contractgen.ir.build import build_ir, semver_key
from contractgen.ir.models import ContractSet
from contractgen.spec.load import load_bytes


def build(text: str) -> ContractSet:
    d = Diagnostics()
    loaded = load_bytes("specs/t.yaml", text.encode(), d)
    assert not d.has_errors, [x.plain() for x in d.items]
    return build_ir(loaded, d)


def errors(text: str) -> list[str]:
    d = Diagnostics()
    loaded = load_bytes("specs/t.yaml", text.encode(), d)
    with contextlib.suppress(SpecError):
        build_ir(loaded, d)
    return [x.plain() for x in d.sorted() if x.severity == "error"]


OPS = """
kind: query
key: shop.order.get
version: 1.0.0
transport: { rest: { path: "/orders/{orderId}" } }
input: { orderId: ID, expand: "String[]?" }
output: Order
---
kind: command
key: shop.order.create
version: 1.0.0
input: { lines: "OrderLine[]", note: "String?" }
output: Order
---
kind: command
key: shop.order.create
version: 2.0.0
policy: { idempotent: true, auth: anonymous }
input: { lines: "OrderLine[]" }
output: Order
---
kind: model
name: Order
fields:
  id: ID
  parent: Order?
  lines: OrderLine[]
  class: { type: String, optional: true }
---
kind: model
name: OrderLine
fields: { sku: String, qty: { type: Int, default: 1, minimum: 1 } }
"""


def test_rest_defaults_and_parameter_split() -> None:
    cs = build(OPS)
    get = next(o for o in cs.operations if o.key == "shop.order.get")
    assert (get.rest.method, get.rest.path) == ("GET", "/orders/{orderId}")
    assert get.rest.path_params == ("orderId",) and get.rest.query_params == ("expand",)
    assert get.rest.method_inferred and not get.rest.path_inferred
    create = next(o for o in cs.operations if o.key == "shop.order.create" and o.version == "2.0.0")
    assert (create.rest.method, create.rest.path) == ("POST", "/v2/shop/order/create")
    assert create.rest.body_fields == ("lines",)


def test_idempotency_inferred_for_queries_declared_for_commands() -> None:
    cs = build(OPS)
    by = {(o.key, o.version): o.policy for o in cs.operations}
    assert (
        by[("shop.order.get", "1.0.0")].idempotent
        and by[("shop.order.get", "1.0.0")].idempotent_inferred
    )
    assert not by[("shop.order.create", "1.0.0")].idempotent
    assert (
        by[("shop.order.create", "2.0.0")].idempotent
        and not by[("shop.order.create", "2.0.0")].idempotent_inferred
    )


def test_latest_version_keeps_plain_names_older_versions_are_suffixed() -> None:
    cs = build(OPS)
    v1, v2 = sorted(
        (o for o in cs.operations if o.key == "shop.order.create"),
        key=lambda o: semver_key(o.version),
    )
    assert v2.is_latest and not v1.is_latest
    assert (
        v2.names.client_path == ("shop", "order", "create") and v2.input == "ShopOrderCreateInput"
    )
    assert (
        v1.names.client_path == ("shop", "order", "create_v1_0_0")
        and v1.input == "ShopOrderCreateV1_0_0Input"
    )
    assert (
        v1.names.operation_id == "shopOrderCreateV1_0_0"
        and v2.names.operation_id == "shopOrderCreate"
    )
    assert v1.names.page != v2.names.page


def test_self_reference_resolves_and_keywords_are_renamed_and_reported() -> None:
    cs = build(OPS)
    order = cs.model("Order")
    parent = next(f for f in order.fields if f.name == "parent")
    assert parent.type.kind == "model" and parent.type.name == "Order" and not parent.required
    klass = next(f for f in order.fields if f.name == "class")
    assert klass.py_name == "class_"
    [decision] = [d for d in cs.naming if d.wire == "class"]
    assert decision.chosen == "class_" and str(decision.source).startswith("specs/t.yaml:")
    qty = next(f for f in cs.model("OrderLine").fields if f.name == "qty")
    assert (
        qty.has_default and qty.default == 1 and not qty.required and qty.constraints.minimum == 1
    )


def test_collections_are_sorted_whatever_the_document_order() -> None:
    docs = OPS.split("---")
    a = build("---".join(docs))
    b = build("---".join(reversed(docs)))
    assert a.model_dump(exclude={"naming"}, mode="json") == _without_sources(
        b.model_dump(exclude={"naming"}, mode="json"), a
    )


def _without_sources(data: object, reference: ContractSet) -> object:
    # Positions differ when documents move; everything else must not.
    def strip(x: object) -> object:
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in ("source",)}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    ref = strip(reference.model_dump(exclude={"naming"}, mode="json"))
    got = strip(data)
    assert got == ref
    return reference.model_dump(exclude={"naming"}, mode="json")


def test_latest_reference_without_version() -> None:
    cs = build(
        """
kind: capability
key: shop.orders
version: 1.0.0
type: api
---
kind: capability
key: shop.orders
version: 1.2.0
type: api
provides: { operations: [shop.order.place@1.0.0] }
---
kind: command
key: shop.order.place
version: 1.0.0
capability: shop.orders
"""
    )
    assert str(cs.operations[0].capability) == "shop.orders@1.2.0"


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ("input: { a: Strng }", "CG103"),
        ("capability: shop.nothing", "CG104"),
        ("errors: { BAD: { http: 302, description: x } }", "CG109"),
        ("transport: { rest: { path: '/x/{nope}' } }", "CG107"),
        ("transport: { rest: { path: 'no-slash' } }", "CG108"),
        ("input: { runId: ID, run_id: ID }", "CG111"),
        ("policy: { pii: [input.nothing] }", "CG116"),
        ("input: String", "CG132"),
    ],
)
def test_check_codes(snippet: str, code: str) -> None:
    found = errors(f"kind: command\nkey: shop.order.place\nversion: 1.0.0\n{snippet}\n")
    assert any(f"error[{code}]" in e for e in found), found


def test_prerelease_ordering_follows_semver() -> None:
    versions = ["1.0.0-rc.10", "1.0.0", "1.0.0-rc.2", "1.0.0-alpha", "0.9.0"]
    assert sorted(versions, key=semver_key) == [
        "0.9.0",
        "1.0.0-alpha",
        "1.0.0-rc.2",
        "1.0.0-rc.10",
        "1.0.0",
    ]
