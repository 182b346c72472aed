"""The hostile spec set: every payload in every text slot, read exactly (cases 2, 3, 9, 10).

The fixture files are written by ``make_specs.py`` from ``payloads.py``; the
loader must deliver each payload unchanged to every slot of the IR, and the
``ir`` target (``ir/contracts.json``) must carry it verbatim.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from contractgen.diagnostics import Diagnostics
from contractgen.ir import naming
from contractgen.pipeline import load_contracts

from .make_specs import enum_name, model_name, render
from .payloads import PAYLOADS
from .support import HOSTILE, Built, pick, settings_for

NAMES = sorted(PAYLOADS)

# Slots of each spec, as paths into its IR (``model_dump(mode="json")``, which is
# also the shape of ir/contracts.json). Each holds the spec's payload.
OPERATION_SLOTS = [
    "title",
    "description",
    "goal",
    "context",
    "owners[*]",
    "tags[*]",
    "errors[*].description",
    "errors[*].when",
    "policy.roles[*]",
    "policy.permissions[*]",
    "policy.flags[*]",
    "emits[*].when",
    "analytics[*]",
    "audit[*]",
    "scenarios[*].key",
    "scenarios[*].given[*]",
    "scenarios[*].when[*]",
    "scenarios[*].then[*]",
    "examples[0].key",
    "examples[*].description",
    "examples[0].input.runId",
    "examples[0].input.text",
    "examples[0].input.mode",
    "examples[0].input.note.text",
    "examples[0].output.runId",
    "examples[0].output.text",
    "examples[1].input.runId",
]
META_SLOTS = ["title", "description", "owners[*]", "tags[*]"]
CAPABILITY_SLOTS = [*META_SLOTS, "requires[*].reason"]
ENUM_SLOTS = ["description", "values[0].value", "values[*].description"]
FIELD_SLOTS = ["description"]
TEXT_FIELD_SLOTS = ["description", "default", "examples[*]"]
ITEMS_FIELD_SLOTS = ["description", "default[*]", "examples[0][*]"]


def by(items: list[dict[str, Any]], attr: str, value: str) -> dict[str, Any]:
    found = [i for i in items if i[attr] == value]
    assert len(found) == 1, (attr, value)
    return found[0]


def slot_values(ir: dict[str, Any], name: str) -> list[tuple[str, Any]]:
    """(slot, value) of every slot of the specs made from payload ``name``."""
    out: list[tuple[str, Any]] = []

    def take(prefix: str, spec: dict[str, Any], paths: list[str]) -> None:
        for path in paths:
            values = pick(spec, path)
            assert values, f"{prefix}.{path} is empty"
            out.extend((f"{prefix}.{path}", v) for v in values)

    key = f"hostile.{name}"
    take("operation", by(ir["operations"], "key", f"{key}.run"), OPERATION_SLOTS)
    take("event", by(ir["events"], "key", f"{key}.done"), META_SLOTS)
    take("capability", by(ir["capabilities"], "key", f"{key}.cap"), CAPABILITY_SLOTS)
    take("feature", by(ir["features"], "key", f"{key}.feature"), META_SLOTS)
    take("enum", by(ir["enums"], "name", enum_name(name)), ENUM_SLOTS)
    base = naming.pascal_case(f"{key}")
    for model in (model_name(name), f"{base}RunInput", f"{base}RunOutput", f"{base}DonePayload"):
        m = by(ir["models"], "name", model)
        if model == model_name(name):
            take(f"model {model}", m, ["description"])
        for f in m["fields"]:
            slots = {"text": TEXT_FIELD_SLOTS, "items": ITEMS_FIELD_SLOTS}.get(
                f["name"], FIELD_SLOTS
            )
            if model.endswith("Output") and f["name"] == "text":
                slots = FIELD_SLOTS
            take(f"model {model}.{f['name']}", f, slots)
    return out


def test_fixture_is_fresh() -> None:
    """The committed spec files are exactly what make_specs.py writes."""
    wanted = render()
    assert sorted(p.name for p in HOSTILE.glob("*.yaml")) == sorted(wanted)
    for file, text in wanted.items():
        assert (HOSTILE / file).read_text("utf-8") == text, (
            f"run tests/hardening/make_specs.py ({file})"
        )


@pytest.fixture(scope="module")
def loaded_ir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = settings_for(HOSTILE, tmp_path_factory.mktemp("unused"), ("ir",))
    d = Diagnostics()
    contracts = load_contracts(settings, d)
    assert not d.has_errors
    return contracts.model_dump(mode="json")


@pytest.mark.parametrize("name", NAMES)
def test_loader_delivers_every_payload_to_every_slot(name: str, loaded_ir: dict[str, Any]) -> None:
    values = slot_values(loaded_ir, name)
    assert len(values) > 60
    for slot, value in values:
        assert value == PAYLOADS[name], slot


@pytest.mark.parametrize("name", NAMES)
def test_ir_dump_carries_every_payload_verbatim(name: str, hostile: Built) -> None:
    ir = json.loads(hostile.read("ir/contracts.json"))
    for slot, value in slot_values(ir, name):
        assert value == PAYLOADS[name], slot


def test_ir_dump_is_data_only(hostile: Built) -> None:
    """contracts.json is one JSON document; a payload never adds a key or a document."""
    text = hostile.read("ir/contracts.json")
    ir = json.loads(text)
    assert sorted(ir) == sorted(
        [
            "$comment",
            "irVersion",
            "domains",
            "operations",
            "events",
            "models",
            "enums",
            "capabilities",
            "features",
        ]
    )
    assert len(ir["operations"]) == len(PAYLOADS) and len(ir["enums"]) == len(PAYLOADS)
    # Only JSON escapes: no raw control character, so no line of the file can be misread.
    assert not any(ch < " " and ch != "\n" for ch in text)
    assert set(ir["domains"]) == {"hostile \"dom\" <b>{x}</b> 'q'"}
