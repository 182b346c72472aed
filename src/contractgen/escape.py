"""The one place where user text becomes text of a generated language.

Spec content is untrusted. Every string from a spec reaches generated output
through a function in this module (registered as a Jinja filter of the same
name), never by pasting it into a template. Each function's result, read
back by the target language, is exactly the input text, or (for comments and
one-line summaries) a flattened form that cannot leave the comment.
"""

from __future__ import annotations

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


_NAMED_ESCAPES = {"\t": "\\t", "\r": "\\r"}


def _py_escape_char(ch: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def py_docstring(text: str, indent: int = 0) -> str:
    """A triple-quoted docstring literal (quotes included) whose value is ``text``.

    Backslashes are escaped, and so is every quote that another quote, the
    opening or the closing quotes touch (no ``\"\"\"`` can form). Every character that is
    not printable (NUL, a lone CR, U+2028, ...) and every tab is written as an
    escape, and so is whitespace at the end of a line, a space that starts
    the first line, and a space that starts each later line when all of them
    start with one, so the literal can neither end early nor hide a line break
    from a reader, and a formatter that strips trailing whitespace, strips
    the first line, re-indents the docstring (removes the later lines' common
    indentation) or expands tabs cannot change the value.

    With ``indent``, every non-empty line after the first starts with that
    many spaces: the literal then sits in a body indented that deep, and
    removing exactly ``indent`` spaces from each later line gives back
    ``text`` (``inspect.cleandoc``, what ``help()`` and editors show, does so
    for any text whose later lines have no common indentation).
    """
    lines = text.split("\n")
    out_lines: list[str] = []
    pad = " " * indent
    # A formatter strips the first line's leading spaces, and removes the
    # indentation that all later lines share: a line's leading space is
    # escaped exactly where one of these would take it (so structured text,
    # such as an indented ``Args:`` section, stays readable).
    later = [line for line in lines[1:] if line]
    shared = bool(later) and all(line[:1] == " " and line.strip(" \t") for line in later)
    for i, line in enumerate(lines):
        lead = line[:1] == " " and (i == 0 or shared)
        if (
            line.isprintable()
            and '"' not in line
            and "\\" not in line
            and not line.endswith(" ")
            and not lead
        ):
            # Nothing to escape (the common case): no quote, backslash, tab,
            # control character, leading or trailing space.
            out_lines.append(pad + line if i and indent and (line or i == len(lines) - 1) else line)
            continue
        body = line.rstrip(" \t")
        tail = line[len(body) :]
        chars: list[str] = []
        for j, ch in enumerate(body):
            if ch == "\\":
                chars.append("\\\\")
            elif ch == '"':
                edge = (i == j == 0) or (j == len(body) - 1 and not tail and i == len(lines) - 1)
                nxt = body[j + 1] if j + 1 < len(body) else ""
                chars.append('\\"' if edge or nxt == '"' else '"')
            elif ch == "\t" or not ch.isprintable() or (j == 0 and lead):
                chars.append(_py_escape_char(ch))
            else:
                chars.append(ch)
        chars.extend(_py_escape_char(ch) for ch in tail)
        escaped = "".join(chars)
        if i and indent and (escaped or i == len(lines) - 1):
            # The last line is padded even when empty: it holds the closing quotes.
            escaped = " " * indent + escaped
        out_lines.append(escaped)
    if len(out_lines) > 1 and not any(lines[1:]):
        # One line and line breaks after it: a formatter would strip the breaks
        # and close the quotes on the first line. Written as escapes, they stay.
        return '"""' + out_lines[0] + "\\n" * (len(lines) - 1) + '"""'
    return '"""' + "\n".join(out_lines) + '"""'


def py_comment(text: str) -> str:
    """One line of comment text: line breaks and control characters become spaces."""
    return re.sub(r"\s+", " ", "".join(ch if ch.isprintable() else " " for ch in text)).strip()


# -- Markdown / HTML ----------------------------------------------------------
#
# A page must read the same in mkdocs (Python-Markdown) and on a code host
# (CommonMark + GFM tables), so every escape below is one both understand:
# a backslash before punctuation both treat as escapable, or an HTML
# character reference where one of them has no backslash escape (``~``, a
# line-leading ``=``). ``<`` always becomes ``&lt;``, so spec text never opens
# a tag. Characters that are syntax only in some places (``-`` and ``>`` at
# the start of a line, ``_`` at the edge of a word, ``&`` before a reference)
# are escaped only there, so the Markdown stays readable as plain text.
# tests/docs/test_escape.py renders with both parsers.

# Always escaped with a backslash (CommonMark and Python-Markdown both accept
# these; Python-Markdown's tables extension adds ``|``).
_MD_ALWAYS = frozenset("\\`*{}[]#|")
# Escaped when they begin the text (list, quote and setext markers).
_MD_LEADING = {"-": "\\-", "+": "\\+", ">": "\\>", "=": "&#61;"}
# An ordered-list marker at the start of a line: ``1.`` or ``1)``.
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")
# http(s) URLs in prose become autolinks; the characters excluded here cannot
# appear inside an autolink (or would end a table cell).
_URL = re.compile(r"https?://[^\s<>\"'`|\\{}^\[\]]+", re.IGNORECASE)
# What a parser may read as a character reference after ``&`` (Python-Markdown
# takes ``&#65`` without the semicolon). Inside an autolink Python-Markdown
# decodes one and CommonMark does not: such a URL stays text.
_ENTITY = re.compile(r"&(#|[a-z0-9]+;)", re.IGNORECASE)
# Invisible characters that reorder or hide text (bidi controls).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


# What _visible replaces: the bidi controls and every character of category
# Cc (U+0000-U+001F, U+007F-U+009F) but tab, line feed and carriage return
# (tests/docs/test_escape.py checks this against unicodedata, code point by
# code point). One regex pass: docs pages send megabytes of text through it.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(_BIDI)) + "]")


def _visible(text: str) -> str:
    """Control and bidi characters become U+FFFD: a page shows what it holds."""
    return _INVISIBLE.sub("\ufffd", text)


def _escape_inline(text: str) -> str:
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _MD_ALWAYS:
            out.append("\\" + ch)
        elif ch == "<":
            out.append("&lt;")
        elif ch == "&":
            out.append("&amp;" if _ENTITY.match(text, i) else ch)
        elif ch == "~":  # GFM strikethrough; Python-Markdown has no \~
            out.append("&#126;")
        elif ch == "_" and not (0 < i < last and text[i - 1].isalnum() and text[i + 1].isalnum()):
            out.append("\\_")  # emphasis can start or end here; inside a word it cannot
        else:
            out.append(ch)
    return "".join(out)


def _trim_url(url: str) -> str:
    """A URL found in prose, less the sentence punctuation that follows it."""
    while url and url[-1] in ".,;:!?)":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def md_text(text: str) -> str:
    """Inline Markdown text that renders as exactly ``text`` (whitespace collapsed).

    HTML is escaped, Markdown syntax is neutralised wherever it could start
    (emphasis, links, code, list and heading markers, tables, attribute
    lists, ``{{ }}``), and absolute http(s) URLs become links; nothing else
    ever becomes a link.
    """
    flat = " ".join(_visible(text).split())
    parts: list[str] = []
    pos = 0
    for m in _URL.finditer(flat):
        url = _trim_url(m.group(0))
        if safe_url(url) is None or _ENTITY.search(url):
            continue
        parts.append(_escape_inline(flat[pos : m.start()]))
        parts.append(f"<{url}>")
        pos = m.start() + len(url)
    parts.append(_escape_inline(flat[pos:]))
    out = _LIST_NUMBER.sub(r"\1\\\2", "".join(parts))
    if out[:1] in _MD_LEADING:
        out = _MD_LEADING[out[0]] + out[1:]
    return out


def md_paragraph(text: str) -> str:
    """Block text that keeps its paragraphs: each line escaped, blank lines kept (once)."""
    lines: list[str] = []
    # Control characters that str.splitlines() would take for line breaks
    # (VT, FF, NEL, ...) show as U+FFFD, as md_text shows them.
    for line in _visible(text).splitlines():
        escaped = md_text(line)
        if escaped:
            lines.append(escaped)
        elif lines and lines[-1]:
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def md_cell(text: str) -> str:
    """Text inside a Markdown table cell: pipes escaped, line breaks become ``<br>``."""
    return "<br>".join(e for e in (md_text(line) for line in _visible(text).splitlines()) if e)


def md_code(text: str) -> str:
    """Inline code that shows ``text`` verbatim, in prose and in table cells alike.

    A backtick code span where that is exact; otherwise (a pipe, which GFM
    tables split on even inside code spans; ``&#``, which Python-Markdown
    completes to a reference inside code spans; edge spaces; an empty or
    invisible text) a ``<code>`` element whose every punctuation character is
    a character reference.
    """
    flat = " ".join(_visible(text).splitlines())
    if (
        flat
        and "|" not in flat
        and "&#" not in flat
        and flat == flat.strip()
        and flat.isprintable()
    ):
        longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
        fence = "`" * (longest + 1)
        pad = " " if flat.startswith("`") or flat.endswith("`") else ""
        return f"{fence}{pad}{flat}{pad}{fence}"
    body = "".join(ch if ch.isalnum() and ch.isprintable() else f"&#{ord(ch)};" for ch in flat)
    return f"<code>{body}</code>"


def md_fence(text: str, lang: str = "") -> str:
    """A fenced code block that shows ``text`` verbatim.

    The fence is longer than any backtick run that could close it (a line of
    up to three spaces and backticks), and the info string is a plain word.
    Control and bidi characters show as U+FFFD, as in :func:`md_text`.
    """
    if not re.fullmatch(r"[A-Za-z0-9_+-]*", lang):
        raise ValueError(f"unsafe code block language {lang!r}")
    body = "\n".join(_visible(text).splitlines())
    longest = max((len(m) for m in re.findall(r"^ {0,3}(`{3,})", body, flags=re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (never a javascript: link)."""
    parts = urlsplit(url.strip())
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.netloc
        and not re.search(r"[\s<>\"'`|\\{}^\[\]]", url.strip())
        and url.strip().isprintable()
    ):
        return url.strip()
    return None


# -- terminal -----------------------------------------------------------------


def terminal_text(text: str) -> str:
    """One line of text for a terminal or a CI log, shown as it is written.

    Every character that is not printable (line breaks, tabs, ANSI escape
    sequences, BEL, bidi controls, U+2028, ...) becomes a Python-style
    escape, so spec text in a diagnostic can neither fake another diagnostic
    line nor drive the terminal.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _py_escape_char(ch) for ch in text)


# -- Mermaid ------------------------------------------------------------------

_MERMAID_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_/@:")


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label (node or edge text) that shows ``text``.

    Everything but letters, digits and a few plain punctuation marks becomes
    a Mermaid entity code (``#60;``), so a label can neither close its quotes
    or brackets nor carry HTML or Markdown into the diagram.
    """
    flat = " ".join(_visible(text).split())
    return '"' + "".join(ch if ch in _MERMAID_PLAIN else f"#{ord(ch)};" for ch in flat) + '"'


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
    "mermaid_label": mermaid_label,
}


# -- YAML ---------------------------------------------------------------------

# Plain scalars that some YAML reader (1.1 or 1.2) takes for something other
# than a string: these must be quoted.
_YAML_NOT_STR = re.compile(
    r"""(?x)^(?:
        ~|null|Null|NULL|true|True|TRUE|false|False|FALSE
      | y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF
      | [-+]?[0-9][0-9_]* | 0o[0-7]+ | 0x[0-9a-fA-F]+ | 0b[01]+
      | [-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
      | [0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
    )$"""
)
# Safe as a plain scalar: starts with a letter, digit, '/' or '_', and holds no
# indicator that could end or retype it.
_YAML_PLAIN = re.compile(r"^[A-Za-z0-9_/$][A-Za-z0-9 _./@()+$=,;'`:{}\[\]*&!%?<>|~^-]*$")
_YAML_PLAIN_BREAKERS = re.compile(r": | #|:\Z")
_YAML_BLOCK_UNSAFE = re.compile(r"[^\S\n]\n|[^\S\n]$|^\s|\r")


def _yaml_char(ch: str) -> str:
    code = ord(ch)
    if ch == '"':
        return '\\"'
    if ch == "\\":
        return "\\\\"
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    # Control characters, DEL, C1 controls and the characters YAML 1.1 reads
    # as line breaks (NEL, U+2028, U+2029) are escaped; so is anything
    # Python does not consider printable (unassigned, surrogates).
    if code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029" or not ch.isprintable():
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return ch


def yaml_quoted(text: str) -> str:
    """A double-quoted YAML scalar that every reader (1.1 or 1.2) reads as ``text``.

    Quotes, backslashes, line breaks, tabs and every character a reader could
    take for a line break or refuse (controls, NEL, U+2028, U+2029, anything
    not printable) are escapes: the scalar is one line and ends where it ends.
    """
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # nothing to escape (the common case)
    return '"' + "".join(_yaml_char(ch) for ch in text) + '"'


def yaml_str(text: str) -> str:
    """A YAML flow scalar (plain or double-quoted) that every reader reads as ``text``."""
    if (
        text
        and _YAML_PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and not _YAML_PLAIN_BREAKERS.search(text)
        and not _YAML_NOT_STR.fullmatch(text)
    ):
        return text
    return yaml_quoted(text)


def yaml_block(text: str, indent: str) -> str | None:
    """A literal block scalar for multi-line ``text``, or None where only quoting is exact."""
    if "\n" not in text or _YAML_BLOCK_UNSAFE.search(text):
        return None
    if any(_yaml_char(ch) != ch for ch in text if ch not in "\n\t") or "\t" in text:
        return None
    body = text[:-1] if text.endswith("\n") else text
    if body.endswith("\n"):
        return None  # trailing blank lines need "keep" chomping; quoting is simpler
    chomp = "" if text.endswith("\n") else "-"
    lines = [f"{indent}{line}" if line else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines)
