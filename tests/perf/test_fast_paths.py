"""The fast paths write exactly what the slow ones did."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contractgen import pipeline, render
from contractgen.cli import _Progress
from contractgen.output import json_text

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(json_data, st.booleans())
def test_json_text_writes_what_json_dumps_writes(data: Any, sort_keys: bool) -> None:
    expected = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys)
    assert json_text.dumps(data, sort_keys=sort_keys) == expected


def test_json_text_leaves_the_rest_to_json_dumps() -> None:
    for data in ({1: "a", 2: "b"}, [float("nan")], {"x": float("inf")}):
        assert json_text.dumps(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_json_text_parts_nest() -> None:
    inner = {"b": [1, {"c": None}], "a": "x"}
    part = json_text.Raw(json_text.dumps_strict(inner, sort_keys=True, level=2))
    whole = json_text.dumps_strict({"k": [part]}, sort_keys=True)
    assert whole == json.dumps({"k": [inner]}, indent=2, sort_keys=True)


def test_the_no_op_build_finds_the_templates_where_render_does() -> None:
    assert pipeline._templates_dir() == render.templates_dir()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_on_a_terminal(monkeypatch: Any) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _Progress.for_terminal(io.StringIO()) is None
    monkeypatch.setenv("TERM", "dumb")
    assert _Progress.for_terminal(_Terminal()) is None
    monkeypatch.setenv("TERM", "xterm")
    stream = _Terminal()
    progress = _Progress.for_terminal(stream)
    assert progress is not None
    progress.DELAY = 0.0
    progress("load")
    progress.close()
    text = stream.getvalue()
    # Whatever was drawn is erased at the end.
    assert text == "" or text.endswith("\r\x1b[K")


@settings(max_examples=200, deadline=None)
@given(json_data)
def test_the_utf8_writers_encode_the_text(data: Any) -> None:
    from contractgen.output import yaml_text

    assert json_text.dumps_utf8(data, end="\n") == json_text.dumps(data, end="\n").encode()
    if not isinstance(data, tuple):
        try:
            text = yaml_text.dump(data)
        except (TypeError, ValueError):
            return
        assert yaml_text.dump_utf8(data) == text.encode()
