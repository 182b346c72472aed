"""Spec text reaches the document as data: verbatim, and never as YAML structure.

`specs/text` is full of characters that mean something to YAML, JSON or
Markdown (``: #``, ``{``, newlines, ``&anchor``, ``*alias``,
``!!python/object``, ``---``, strings a YAML 1.2 reader takes for numbers,
U+2028). Both files must read back as exactly the document built in memory,
with a YAML 1.1 reader (PyYAML) and a YAML 1.2 one (contractgen's own spec
reader), and the YAML must hold no anchors, aliases or tags.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from contractgen.diagnostics import Diagnostics
from contractgen.spec.yaml_reader import read_yaml
from contractgen.targets.openapi import build_document, to_json, to_yaml

from .support import contracts, fixture_settings, operations, render

NOTE_DESCRIPTION = (
    "First line: with colon # and hash\n"
    '{ "json": "looking" } and [brackets]\n'
    "&anchor *alias !!python/object:os.system\n"
    "---\n"
    "...\n"
    "%YAML 1.2\n"
)


@pytest.fixture(scope="module")
def texts() -> tuple[str, str]:
    return render(fixture_settings("text"))


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    settings = fixture_settings("text")
    return build_document(contracts(settings), settings.openapi)


def test_both_files_read_back_as_the_document(texts: tuple[str, str], doc: dict[str, Any]) -> None:
    yaml_text, json_text = texts
    assert yaml.safe_load(yaml_text) == doc
    assert json.loads(json_text) == doc


def test_a_yaml_12_reader_reads_the_same_document(
    texts: tuple[str, str], doc: dict[str, Any]
) -> None:
    # contractgen's spec reader types plain scalars by YAML 1.2 core rules
    # (like the JavaScript tools) and refuses anchors, aliases and tags.
    d = Diagnostics()
    docs = read_yaml("openapi.yaml", texts[0].encode(), d)
    assert not d.has_errors, [x.plain() for x in d.items]
    assert [x.data for x in docs] == [doc]


def test_no_anchors_aliases_or_tags(texts: tuple[str, str]) -> None:
    for event in yaml.parse(texts[0]):
        assert getattr(event, "anchor", None) is None, event
        assert getattr(event, "tag", None) is None, event
        assert not isinstance(event, yaml.AliasEvent)


def test_shared_objects_are_not_written_as_aliases() -> None:
    shared = {"a": 1}
    text = to_yaml({"x": shared, "y": shared})
    assert "&" not in text and "*" not in text
    assert yaml.safe_load(text) == {"x": {"a": 1}, "y": {"a": 1}}


def test_text_is_carried_verbatim(doc: dict[str, Any]) -> None:
    note = doc["components"]["schemas"]["Note"]
    assert note["description"] == NOTE_DESCRIPTION
    props = note["properties"]
    assert props["text"]["description"] == "key: value # not a comment"
    assert props["text"]["default"] == "!!python/object/apply:os.system ['echo hi']"
    assert props["odd key: #1"]["description"] == "{not: a mapping}"
    assert props["multi"]["default"] == "line one\nline two\n  indented: yes\n"
    assert props["multi"]["examples"] == ["&a [*a]", "- not a list", "{x: 1}"]
    assert props["trailing"]["description"] == "ends with spaces   \nand a tab\t"
    assert doc["components"]["schemas"]["Tricky"]["enum"] == [
        "yes",
        "no",
        "null",
        "on",
        "1.0",
        "a: b #c",
        "&anchor",
        "*alias",
        "!!python/object:os.system",
        "- item",
        "1e3",
        "0o17",
        "0x1F",
        ".inf",
    ]
    op = operations(doc)["textNoteSave"]
    assert op["summary"] == "Save: a note # with {braces}"
    assert op["description"] == (
        "Multi-line description.\n"
        "With `code`, *emphasis*, <b>html</b> and a | pipe.\n\n"
        "&anchor: !!python/object:__main__.X\n"
    )
    assert op["x-goal"] == "'single' and \"double\" quotes"
    assert op["x-context"] == "Unicode: é ü ✓ 日本語 — and a line\u2028separator"
    assert op["x-owners"] == ["team: #1"]
    body = op["requestBody"]["content"]["application/json"]["examples"]
    assert body["tricky: #1"] == {
        "summary": "{example}: yes",
        "value": {"text": "a: b", "kind": "a: b #c"},
    }
    assert body["rejected &x"]["value"] == {"text": "*alias", "multi": "1e3", "trailing": "0o17"}
    out = op["responses"]["200"]["content"]["application/json"]["examples"]["tricky: #1"]
    assert out["value"] == {"text": "!!binary AAAA", "kind": "&anchor", "multi": "x\ny"}
    problem = op["responses"]["422"]["content"]["application/problem+json"]
    assert problem["examples"]["rejected &x"]["value"]["detail"] == (
        "Text rejected: {reason} # see docs"
    )
    assert op["responses"]["422"]["description"] == (
        "`BAD_TEXT`: Text rejected: {reason} # see docs (when: Contains &anchor or *alias\n"
        "or a newline)"
    )


def test_the_document_has_only_the_structure_the_ir_gives(doc: dict[str, Any]) -> None:
    assert list(doc) == ["openapi", "info", "servers", "tags", "x-tagGroups", "paths", "components"]
    assert list(doc["paths"]) == ["/v1/text/note/save"]
    assert list(doc["components"]["schemas"]) == ["ErrorBody", "Note", "Tricky"]
    assert list(doc["components"]["schemas"]["Note"]["properties"]) == [
        "text",
        "odd key: #1",
        "multi",
        "trailing",
        "kind",
    ]


def test_yaml_12_lookalikes_are_quoted() -> None:
    values = ["1e3", "0o17", "0x1F", ".inf", "-.5", "+12", "null", "~", "True", "yes", "1.0"]
    text = to_yaml({"v": values})
    d = Diagnostics()
    assert read_yaml("t.yaml", text.encode(), d)[0].data == {"v": values}
    assert yaml.safe_load(text) == {"v": values}


def test_yaml_11_line_breaks_are_escaped() -> None:
    value = "a\u2028b\u2029c\x85d\ne"
    text = to_yaml({"v": value})
    assert "\u2028" not in text and "\u2029" not in text and "\x85" not in text
    d = Diagnostics()
    assert read_yaml("t.yaml", text.encode(), d)[0].data == {"v": value}
    assert yaml.safe_load(text) == {"v": value}


def test_serialization_is_deterministic_and_formatted(texts: tuple[str, str]) -> None:
    assert render(fixture_settings("text")) == texts
    yaml_text, json_text = texts
    assert json_text.endswith("}\n") and json_text.startswith('{\n  "openapi": "3.1.0",')
    assert yaml_text.startswith("openapi: 3.1.0\ninfo:\n")
    assert "\\u00e9" not in json_text and "é" in json_text  # unicode kept as is
    # No line is wrapped, however long.
    long = "word " * 200
    assert len(to_yaml({"d": long}).splitlines()) == 1
    assert to_json({"d": long}).count("\n") == 3


def test_non_finite_numbers_are_refused() -> None:
    cs = contracts(fixture_settings("mapping"))
    node = next(m for m in cs.models if m.name == "Node")
    weight = next(f for f in node.fields if f.name == "weight")
    bad = node.model_copy(
        update={
            "fields": tuple(
                f.model_copy(update={"default": float("inf")}) if f is weight else f
                for f in node.fields
            )
        }
    )
    cs = cs.model_copy(update={"models": tuple(bad if m is node else m for m in cs.models)})
    with pytest.raises(ValueError, match=r"default of 'weight': inf has no JSON form"):
        build_document(cs, fixture_settings("mapping").openapi)
