"""The YAML reader: YAML 1.2 typing, positions, and the traps it refuses."""

from __future__ import annotations

import pytest

from contractgen.diagnostics import Diagnostics
from contractgen.spec.yaml_reader import MAX_FILE_BYTES, read_yaml


def read(text: str | bytes) -> tuple[list[object], list[str]]:
    d = Diagnostics()
    raw = text.encode() if isinstance(text, str) else text
    docs = read_yaml("f.yaml", raw, d)
    return [doc.data for doc in docs], [x.plain() for x in d.sorted()]


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("no", "no"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("1.10", 1.1),
        ("10", 10),
        ("0x1f", 31),
        ("0o17", 15),
        ("1e3", 1000.0),
        ("1:20", "1:20"),
        ("2026-01-01", "2026-01-01"),
        ("'1.10'", "1.10"),
        ('"on"', "on"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(scalar: str, value: object) -> None:
    docs, errors = read(f"v: {scalar}\n")
    assert errors == []
    assert docs == [{"v": value}]


def test_positions_of_keys_and_values() -> None:
    d = Diagnostics()
    [doc] = read_yaml("f.yaml", b"a:\n  bb: [1, {c: x}]\n", d)
    assert str(doc.positions.key(("a", "bb"))) == "f.yaml:2:3"
    assert str(doc.positions.value(("a", "bb", 1, "c"))) == "f.yaml:2:15"
    assert str(doc.positions.value(("a", "missing"))) == "f.yaml:2:3"


def test_multiple_documents_keep_their_own_text() -> None:
    d = Diagnostics()
    docs = read_yaml("f.yaml", b"a: 1\n---\nb: 2\n", d)
    assert [x.text for x in docs] == ["a: 1\n", "b: 2\n"]
    assert [x.start_line for x in docs] == [1, 3]


def test_bom_is_accepted() -> None:
    docs, errors = read(b"\xef\xbb\xbfa: 1\n")
    assert docs == [{"a": 1}] and errors == []


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    )
    docs, errors = read(bomb)
    assert docs == []
    assert any("CG004" in e for e in errors)


def test_huge_file_is_refused() -> None:
    docs, errors = read(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    assert docs == [] and "CG001" in errors[0]


def test_control_characters_are_reported() -> None:
    docs, errors = read("a: \x00\n")
    assert docs == [] and "CG003" in errors[0]


def test_non_string_keys_are_kept_as_text() -> None:
    docs, _ = read("404: x\non: y\n")
    assert docs == [{404: "x", "on": "y"}]
