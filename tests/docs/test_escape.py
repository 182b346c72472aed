"""The md_* escapes and mermaid_label: spec text renders as exactly itself.

Each escape is rendered by the two parsers a page meets: Python-Markdown with
the extensions of the generated mkdocs.yml, and a CommonMark parser with GFM
tables (how a code host shows a page). The text a reader sees must equal the
spec's text, and no element may come from it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from contractgen.escape import (
    md_cell,
    md_code,
    md_fence,
    md_paragraph,
    md_text,
    mermaid_label,
    safe_url,
)

MKDOCS_EXTENSIONS = ["tables", "admonition", "md_in_html", "toc", "pymdownx.superfences"]
COMMONMARK = MarkdownIt("commonmark").enable("table")

# Text heavy in what Markdown, HTML and templates treat specially.
SPECIALS = [
    *"\\`*_{}[]()#+-.!|~<>&=:\"' \n\t%$^@/0123456789aZ",
    "{{",
    "}}",
    "{%",
    "<script>",
    "</script>",
    "javascript:",
    "https://example.com/a_b?c=1&d=(2)",
    "&amp;",
    "&#124;",
    "&#65",
    "&copy;",
    "&copy",
    "R&D",
    "snake_case",
    "_",
    "ab",
    "ü",
    "![x](y)",
    "<https://example.com>",
    "```",
    "1.",
    "é",
    "\u202e",
    "\x00",
]
hostile_text = st.lists(st.sampled_from(SPECIALS), max_size=14).map("".join)


class _Reader(HTMLParser):
    """The text of an HTML fragment and the elements in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.code: list[str] = []  # text inside <code> elements
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_code += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._in_code -= tag == "code"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.code.append(data)


def read(fragment: str) -> _Reader:
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader


def both(source: str) -> list[_Reader]:
    """The source rendered by both parsers; a ``<br>`` reads as a line break."""
    rendered = (markdown.markdown(source, extensions=MKDOCS_EXTENSIONS), COMMONMARK.render(source))
    return [read(re.sub(r"<br\s*/?>", "<br>\n", html)) for html in rendered]


def shown(text: str) -> str:
    """What a reader sees of inline text: whitespace collapsed, controls replaced."""
    visible = "".join(
        "\ufffd" if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\u202e" else ch for ch in text
    )
    return " ".join(visible.split())


def words(reader: _Reader) -> str:
    return " ".join("".join(reader.text).split())


def same(seen: str, expected: str) -> bool:
    """Equal, or equal once percent-escapes are decoded: markdown-it shows an
    autolink's text with its %XX escapes decoded (cmark and Python-Markdown do not)."""
    return seen == expected or unquote(seen) == unquote(expected)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_md_text_shows_the_text_and_no_element(text: str) -> None:
    for source in (md_text(text), f"# {md_text(text)}", f"- {md_text(text)}"):
        for reader in both(source):
            assert same(words(reader), shown(text)), source
            assert {tag for tag, _ in reader.tags} <= {"p", "h1", "ul", "li", "a"}, source
            for tag, attrs in reader.tags:
                if tag == "a":
                    assert str(attrs["href"]).startswith(("https://", "http://")), source


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_md_paragraph_keeps_paragraphs(text: str) -> None:
    source = md_paragraph(text)
    for reader in both(source):
        assert same(words(reader), shown(text))
        assert {tag for tag, _ in reader.tags} <= {"p", "a"}
    expected = len([p for p in re.split(r"\n\s*\n", text) if shown(p)])
    assert source.count("\n\n") + 1 == max(expected, 1) or not shown(text)


def _table(cell: str) -> str:
    return f"| a | b |\n| --- | --- |\n| {cell} | x |\n"


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_md_cell_stays_in_one_cell(text: str) -> None:
    for reader in both(_table(md_cell(text))):
        cells = [t for t, _ in reader.tags if t == "td"]
        assert len(cells) == 2
        body = "".join(reader.text)
        assert " ".join(body.split()).endswith("x")
        lines = [shown(line) for line in text.splitlines() if shown(line)]
        assert same(
            " ".join(" ".join(body.split()).removeprefix("a b").split()), " ".join([*lines, "x"])
        )
        assert {t for t, _ in reader.tags} <= {
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "br",
            "a",
        }


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_md_code_is_verbatim_inline_and_in_tables(text: str) -> None:
    expected = "".join(
        "\ufffd" if (ord(ch) < 32 and ch != "\t") or ch == "\u202e" else ch
        for ch in " ".join(text.splitlines())
    )
    for source in (md_code(text), _table(md_code(text))):
        for reader in both(source):
            assert [t for t, _ in reader.tags if t == "code"] == ["code"], source
            code = "".join(reader.code)
            # A backtick span may lose the one space padding it; nothing else changes.
            assert code in (expected, expected.strip(" ")), source
            if source.startswith("|"):
                assert [t for t, _ in reader.tags].count("td") == 2, source


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_md_fence_is_verbatim(text: str) -> None:
    source = md_fence(text, "yaml")

    def lines(block: str) -> list[str]:
        # Renderers may drop blank edges and trailing spaces of a block, and
        # Python-Markdown expands tabs; nothing else changes.
        kept = "\n".join(line.expandtabs(4).rstrip() for line in block.splitlines())
        return kept.strip("\n").split("\n")

    for reader in both(source):
        assert [t for t, _ in reader.tags if t not in ("pre", "code", "div", "span")] == []
        visible = "".join(
            "\ufffd" if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\u202e" else ch
            for ch in text
        )
        assert lines("".join(reader.text)) == lines(visible), source


def test_md_fence_refuses_an_unsafe_language() -> None:
    try:
        md_fence("x", "yaml onload=1")
    except ValueError:
        return
    raise AssertionError("md_fence accepted an info string with a space")


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_mermaid_label_is_quoted_plain_text(text: str) -> None:
    label = mermaid_label(text)
    assert re.fullmatch(r'"[A-Za-z0-9 .,\-_/@:#;]*"', label)
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label[1:-1])
    assert decoded == shown(text)


def test_safe_url_allows_only_http_and_https() -> None:
    assert safe_url("https://example.com/x") == "https://example.com/x"
    assert safe_url(" http://example.com ") == "http://example.com"
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "//example.com",
        "/relative",
        "https://exa mple.com",
        'https://example.com/"onmouseover=x',
        "https://example.com/<script>",
        "https://example.com/a|b",
    ):
        assert safe_url(bad) is None, bad


def test_only_http_urls_in_prose_become_links() -> None:
    text = "see https://example.com/a_(b). not javascript:alert(1) nor data:text/html,x"
    for reader in both(md_text(text)):
        hrefs = [attrs["href"] for tag, attrs in reader.tags if tag == "a"]
        assert hrefs == ["https://example.com/a_(b)"]
        assert words(reader) == text


def test_visible_replaces_exactly_the_control_and_bidi_characters() -> None:
    import unicodedata

    from contractgen import escape

    for cp in range(0x110000):
        ch = chr(cp)
        hidden = ch in escape._BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
        assert escape._visible(ch) == ("\ufffd" if hidden else ch), hex(cp)
