"""Serialize JSON-shaped data as YAML: deterministic, safe, and fast.

Emits only block mappings, block sequences and scalars; every string goes
through :func:`contractgen.escape.yaml_str` (or a literal block where that is
exact), so no spec text can add structure, anchors or tags. Keys keep their
insertion order. The result reads the same under YAML 1.1 and 1.2 readers and
equals the data ``json.dumps`` writes (tested).
"""

from __future__ import annotations

import io
import math
from typing import Any

from contractgen.escape import yaml_block, yaml_str

INDENT = "  "


def dump(data: Any) -> str:
    out = _lines(data)
    out.append("")  # the final line break, without copying the text again
    return "\n".join(out)


def dump_utf8(data: Any) -> bytes:
    """``dump(data).encode()``, without holding the text and its encoding at once."""
    buffer = io.BytesIO()

    def flush(out: list[str]) -> None:
        for line in out:
            buffer.write(line.encode())
            buffer.write(b"\n")

    if isinstance(data, dict) and data:
        # One second-level entry at a time: its lines, then their encoding.
        _QUOTED.clear()
        for key, value in data.items():
            if isinstance(value, dict) and value:
                flush([f"{_quoted(str(key))}:"])
                for sub, item in value.items():
                    out: list[str] = []
                    _mapping({sub: item}, INDENT, out)
                    flush(out)
            else:
                out = []
                _mapping({key: value}, "", out)
                flush(out)
        _QUOTED.clear()
        return buffer.getvalue()
    return dump(data).encode()


class Raw(str):
    """A mapping entry already written (key, value and its indentation): kept as it is.

    Made by :func:`entry` for the place it goes, so a large document can be put
    together from parts written before (the OpenAPI target's build cache).
    """


def entry(key: str, value: Any, depth: int) -> Raw:
    """The text of the mapping entry ``key: value`` at nesting ``depth`` (0 = top level)."""
    out: list[str] = []
    _mapping({key: value}, INDENT * depth, out)
    return Raw("\n".join(out))


def _lines(data: Any) -> list[str]:
    """The document's lines; what a top-level or second-level entry spans is
    joined into one string as soon as it is written (so a large document is a
    few thousand strings, not a few million)."""
    _QUOTED.clear()
    out: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, "", out)
    elif isinstance(data, list) and data:
        _sequence(data, "", out)
    else:
        out.append(_scalar(data, ""))
    _QUOTED.clear()
    return out


def _scalar(value: Any, indent: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("YAML output cannot hold a non-finite number")
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        # YAML 1.1 readers need a dot in the mantissa to see a float.
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text
    if isinstance(value, str):
        if "\n" in value:
            block = yaml_block(value, indent + INDENT)
            if block is not None:
                return block
        return _quoted(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    raise TypeError(f"cannot serialize {type(value).__name__} as YAML")


# Documents repeat the same keys and values thousands of times ("type",
# "string", a $ref): each distinct string is quoted once per document.
_QUOTED: dict[str, str] = {}


def _quoted(text: str) -> str:
    quoted = _QUOTED.get(text)
    if quoted is None:
        quoted = _QUOTED[text] = yaml_str(text)
    return quoted


def _is_collection(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _mapping(
    data: dict[str, Any], indent: str, out: list[str], first_prefix: str | None = None
) -> None:
    collapse = len(indent) <= len(INDENT)
    for i, (key, value) in enumerate(data.items()):
        prefix = first_prefix if (i == 0 and first_prefix is not None) else indent
        if type(value) is Raw:
            out.append(value)
            continue
        k = _quoted(str(key))
        if isinstance(value, dict) and value:
            mark = len(out)
            out.append(f"{prefix}{k}:")
            _mapping(value, indent + INDENT, out)
            if collapse:
                out[mark:] = ["\n".join(out[mark:])]
        elif isinstance(value, list) and value:
            mark = len(out)
            out.append(f"{prefix}{k}:")
            _sequence(value, indent + INDENT, out)
            if collapse:
                out[mark:] = ["\n".join(out[mark:])]
        else:
            out.append(f"{prefix}{k}: {_scalar(value, indent)}")


def _sequence(data: list[Any], indent: str, out: list[str]) -> None:
    for item in data:
        if isinstance(item, dict) and item:
            _mapping(item, indent + INDENT, out, first_prefix=f"{indent}- ")
        elif isinstance(item, list) and item:
            out.append(f"{indent}-")
            _sequence(item, indent + INDENT, out)
        else:
            out.append(f"{indent}- {_scalar(item, indent)}")
