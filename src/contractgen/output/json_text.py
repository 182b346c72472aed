"""Indented JSON, exactly as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes it.

The standard library encodes indented JSON in pure Python, one generator per
nesting level; this writer is one recursive function appending to a list
(about twice as fast on the IR and OpenAPI documents). Strings go through
the standard library's own C escaping. Data it does not know how to write
exactly (a key that is not a string, a type other than the JSON ones and
tuples) is handed to :func:`json.dumps`, so the output never differs; tests
compare the two on generated and random data.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_float_repr = float.__repr__
_int_repr = int.__repr__
_INF = float("inf")


# Containers this close to the top are written into their own list and
# joined: a large document never holds one string object per token at once.
_CHUNK_NL = len("\n" + "  " * 3)


class Unsupported(ValueError):
    """Data this writer leaves to :func:`json.dumps` (see :func:`dumps_strict`)."""


def dumps(data: Any, *, sort_keys: bool = False, allow_nan: bool = True, end: str = "") -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, sort_keys=..., allow_nan=...) + end``."""
    try:
        return dumps_strict(data, sort_keys=sort_keys, end=end)
    except (Unsupported, RecursionError):
        text = json.dumps(
            data, indent=2, ensure_ascii=False, sort_keys=sort_keys, allow_nan=allow_nan
        )
        return text + end


class Raw(str):
    """Text already encoded (and indented for where it goes): written as it is."""


def dumps_utf8(
    data: Any, *, sort_keys: bool = False, allow_nan: bool = True, end: str = ""
) -> bytes:
    """``dumps(...).encode()``, without holding the text and its encoding at once."""
    buffer = io.BytesIO()

    def emit(text: str) -> None:
        buffer.write(text.encode())

    try:
        _chunks(data, sort_keys=sort_keys, level=0, emit=emit)
    except (Unsupported, RecursionError):
        return dumps(data, sort_keys=sort_keys, allow_nan=allow_nan, end=end).encode()
    emit(end)
    return buffer.getvalue()


def dumps_strict(data: Any, *, sort_keys: bool = False, level: int = 0, end: str = "") -> str:
    """As :func:`dumps`, but raises :class:`Unsupported` where that would call ``json.dumps``
    (a type other than the JSON ones, a key that is not a string, a non-finite number).

    ``level`` is the nesting depth the text is for (its later lines are indented
    for it), so a document can be put together from parts (:class:`Raw`).
    """
    out = _chunks(data, sort_keys=sort_keys, level=level)
    out.append(end)  # (a large text is not copied to add a line break)
    return "".join(out)


def _chunks(
    data: Any, *, sort_keys: bool, level: int, emit: Callable[[str], object] | None = None
) -> list[str]:
    """The text of ``data`` in pieces (a few per container near the top).

    With ``emit``, each top-level piece goes there as it is made (and the list
    returned is empty): a large document is never all text at once.
    """
    out: list[str] = []
    append = emit or out.append
    enc = encode_basestring
    # The outermost container writes straight to ``out`` (with ``emit``, so do
    # the ones it holds): the ones inside, down to _CHUNK_NL, are each written
    # and joined on their own.
    top = 1 + 2 * level + (2 if emit is not None else 0)

    def write(o: Any, nl: str) -> None:
        nonlocal append
        t = type(o)
        if t is str:
            append(enc(o))
        elif t is Raw:
            append(o)
        elif t is dict:
            if not o:
                append("{}")
                return
            nl2 = nl + "  "
            sep = "{" + nl2
            keys = o.keys()
            if sort_keys:
                try:
                    keys = sorted(keys)
                except TypeError:
                    raise Unsupported from None
            parent = append if top < len(nl) <= _CHUNK_NL else None
            if parent is not None:
                buf: list[str] = []
                append = buf.append
            for k in keys:
                if type(k) is not str:
                    raise Unsupported
                append(sep)
                append(enc(k))
                append(": ")
                write(o[k], nl2)
                sep = "," + nl2
            append(nl + "}")
            if parent is not None:
                append = parent
                parent("".join(buf))
        elif t is list or t is tuple:
            if not o:
                append("[]")
                return
            nl2 = nl + "  "
            sep = "[" + nl2
            parent = append if top < len(nl) <= _CHUNK_NL else None
            if parent is not None:
                items: list[str] = []
                append = items.append
            for v in o:
                append(sep)
                write(v, nl2)
                sep = "," + nl2
            append(nl + "]")
            if parent is not None:
                append = parent
                parent("".join(items))
        elif o is None:
            append("null")
        elif o is True:
            append("true")
        elif o is False:
            append("false")
        elif t is int:
            append(_int_repr(o))
        elif t is float:
            if o != o or o == _INF or o == -_INF:
                raise Unsupported  # json.dumps writes (or, without allow_nan, refuses) it
            append(_float_repr(o))
        else:
            raise Unsupported

    write(data, "\n" + "  " * level)
    return out
