"""The YAML serializer: whatever the text, every reader reads back exactly the data."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contractgen.diagnostics import Diagnostics
from contractgen.output.yaml_text import dump
from contractgen.spec.yaml_reader import read_yaml

TRICKY = [
    "",
    " ",
    "yes",
    "on",
    "No",
    "null",
    "~",
    "1.10",
    "0x1f",
    "1_000",
    "12:30",
    "2026-01-01",
    "a: b",
    "x #y",
    "end:",
    "- item",
    "? key",
    "&anchor",
    "*alias",
    "!!python/object:os.system",
    "{{ x }}",
    "{% if %}",
    "'q'",
    '"dq"',
    "\\",
    "\u2028",
    "\x85",
    "\x00",
    "\x7f",
    "\r",
    "a\r\nb",
    "multi\nline\n",
    "  lead",
    "trail ",
    "\ttab",
    "emoji 😀",
    "e\u0301",
    "%percent",
    "@at",
    "`tick",
    "[a]",
    "{b}",
    "|pipe",
    ">fold",
    "line\n\n\nblank",
    "ends\n\n",
    "\n",
    "#",
    "---",
    "...",
]

text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), text
)
json_data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
    ),
    max_leaves=20,
)


def ours(source: str) -> Any:
    d = Diagnostics()
    docs = read_yaml("x.yaml", source.encode(), d)
    assert not d.items, [x.plain() for x in d.items]
    return docs[0].data if docs else None


def test_tricky_strings_round_trip_through_both_readers() -> None:
    data = {s or "empty": s for s in TRICKY} | {"list": TRICKY}
    out = dump(data)
    assert yaml.safe_load(out) == data
    assert ours(out) == data


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(text, json_data, min_size=1, max_size=6))
def test_any_json_data_round_trips(data: dict[str, Any]) -> None:
    out = dump(data)
    assert yaml.safe_load(out) == data
    assert ours(out) == data


def test_no_anchors_aliases_or_tags_ever() -> None:
    shared = {"same": "object"}
    out = dump({"a": shared, "b": shared, "c": "!!str"})
    events = list(yaml.parse(out))
    assert all(
        getattr(e, "anchor", None) is None and getattr(e, "tag", None) is None for e in events
    )
