"""The one place where user text becomes text of a generated language.

Spec content is untrusted. Every string from a spec reaches generated output
through a function in this module (registered as a Jinja filter of the same
name), never by pasting it into a template. Each function's result, read
back by the target language, is exactly the input text, or (for comments and
one-line summaries) a flattened form that cannot leave the comment.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

# -- Python -------------------------------------------------------------------


def py_str(text: str) -> str:
    """A Python string literal whose value is exactly ``text``.

    ``repr`` escapes quotes, backslashes and every non-printable character
    (NUL, lone CR, U+2028, ...), so the literal is one line and exact.
    """
    return repr(text)


def py_literal(value: Any) -> str:
    """A Python literal for a JSON value (defaults, examples): never code."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f"float({py_str(repr(value))})"
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_str(str(k))}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


_DOC_ESCAPES = {"\\": "\\\\", '"': '\\"'}


def py_docstring(text: str) -> str:
    """A triple-quoted docstring literal (quotes included) whose value is ``text``.

    Backslashes and quotes are escaped, and every character that is not
    printable (NUL, a lone CR, U+2028, ...) is written as an escape, so the
    literal can neither end early nor hide a line break from a reader.
    """
    out = []
    for ch in text:
        if ch in _DOC_ESCAPES:
            out.append(_DOC_ESCAPES[ch])
        elif ch == "\n" or ch == "\t":
            out.append(ch)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"""' + "".join(out) + '"""'


def py_comment(text: str) -> str:
    """One line of comment text: line breaks and control characters become spaces."""
    return re.sub(r"\s+", " ", "".join(ch if ch.isprintable() else " " for ch in text)).strip()


# -- Markdown / HTML ----------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_text(text: str) -> str:
    """Inline Markdown text: HTML is escaped, Markdown syntax is neutralised."""
    flat = " ".join(text.split("\n"))
    escaped = html.escape(flat, quote=True)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("{{", "{\u200b{").replace("{%", "{\u200b%")


def md_paragraph(text: str) -> str:
    """A block of text that keeps its paragraphs; each line is escaped."""
    return "\n".join(md_text(line) if line.strip() else "" for line in text.split("\n"))


def md_cell(text: str) -> str:
    """Text inside a Markdown table cell: no pipes, no line breaks."""
    return "<br>".join(md_text(line) for line in text.split("\n") if line.strip()) or ""


def md_code(text: str) -> str:
    """Inline code span that shows ``text`` verbatim whatever backticks it holds."""
    flat = " ".join(text.split("\n")).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def md_fence(text: str, lang: str = "") -> str:
    """A fenced code block that shows ``text`` verbatim."""
    longest = max((len(m) for m in re.findall(r"^`{3,}", text, flags=re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{lang}\n{body}{fence}"


def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (never a javascript: link)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"[\s<>\"']", url):
        return url.strip()
    return None


FILTERS = {
    "py_str": py_str,
    "py_literal": py_literal,
    "py_docstring": py_docstring,
    "py_comment": py_comment,
    "md_text": md_text,
    "md_paragraph": md_paragraph,
    "md_cell": md_cell,
    "md_code": md_code,
    "md_fence": md_fence,
    "safe_url": safe_url,
}
