"""External checks of the generated docs: mkdocs --strict, markdownlint, hostile text.

The checkers come from the project's own dependencies: mkdocs-material from
the dev group (uv.lock), markdownlint-cli2 from package.json (``npm ci``). A
missing checker fails the test; nothing here is skipped.
"""

from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tools import node_bin, run

from .conftest import REPO, SPEC_SETS, RenderedDocs

pytestmark = pytest.mark.external

ALL = sorted(SPEC_SETS)


@pytest.fixture(scope="session")
def sites(rendered: dict[str, RenderedDocs]) -> dict[str, tuple[Path, str]]:
    """Each page set built by ``mkdocs build --strict`` (no -q: it hides warnings)."""
    out: dict[str, tuple[Path, str]] = {}
    for name, docs in rendered.items():
        site = docs.root.parent / f"{docs.root.name}-site"
        result = run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "-f",
                docs.root / "mkdocs.yml",
                "-d",
                site,
            ],
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            timeout=120,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        out[name] = (site, output)
    return out


@pytest.mark.parametrize("name", ALL)
def test_mkdocs_strict_build_has_no_warning(
    name: str, sites: dict[str, tuple[Path, str]], rendered: dict[str, RenderedDocs]
) -> None:
    site, output = sites[name]
    assert not re.search(r"\b(WARNING|ERROR)\b", output), output
    for stem in rendered[name].pages():
        built = site / ("index.html" if stem == "index" else f"{stem}/index.html")
        assert built.is_file(), stem


@pytest.mark.parametrize("name", ALL)
def test_markdownlint_passes(name: str, rendered: dict[str, RenderedDocs]) -> None:
    result = run(
        [
            node_bin("markdownlint-cli2"),
            "--config",
            REPO / ".markdownlint-cli2.yaml",
            "docs/**/*.md",
        ],
        cwd=rendered[name].root,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Summary: 0 error(s)" in output, output
    assert f"Linting: {len(rendered[name].pages())} file(s)" in output, output


class _Elements(HTMLParser):
    """Elements, attributes, script bodies and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text: list[str] = []
        self.h1: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag == "script":
            self.scripts.append((values, ""))
        if tag == "br":
            self.text.append("\n")
            return
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
            return
        self.text.append(data)
        if "h1" in self._open:
            self.h1.append(data)


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(doc: _Elements, where: str) -> None:
    """No script, handler or dangerous URL that came from spec text."""
    for tag, attrs in doc.elements:
        assert tag not in ("iframe", "object", "embed", "img", "base"), (where, tag)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), (where, value)
    for attrs, body in doc.scripts:
        # mkdocs-material's own scripts: its bundle, its JSON config, its inline helpers.
        assert "alert" not in body, (where, body)
        if "src" in attrs:
            assert re.fullmatch(r"/?(\.\./)*assets/javascripts/[\w./-]+\.js", attrs["src"]), where


HOSTILE_TITLE = "<script>alert(1)</script> {{ 7*7 }} | pipe `tick`"


def test_hostile_text_is_shown_as_text_in_the_built_site(
    sites: dict[str, tuple[Path, str]], rendered: dict[str, RenderedDocs]
) -> None:
    site, _ = sites["hostile"]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(rendered["hostile"].pages())  # each page, and mkdocs' 404 page
    for page in pages:
        assert_inert(parse(page.read_text("utf-8")), str(page.relative_to(site)))

    op = parse((site / "operations/evil.thing.do/index.html").read_text("utf-8"))
    assert "".join(op.h1).removesuffix("¶") == HOSTILE_TITLE  # ¶: the permalink
    text = " ".join("".join(op.text).split())
    for shown in (
        '<img src=x onerror=alert(2)> and [click](javascript:alert(3)) and <a href="javascript:alert(4)">a</a>',
        "{% raw %}{{ 7*7 }}{% endraw %} | a | table | row",
        "# not a heading - not a list 1. not a list either === > not a quote <!-- not a comment -->",
        "~~not struck~~ *not em* __not strong__ \\escaped\\ &amp; &lt;b&gt;",
        '{: onclick="alert(6)" }',
        "javascript:alert(7) and data:text/html,<script>alert(8)</script>",
        "Goal with <svg onload=alert(9)> and `` double `` ticks",
        "Context {{ config }} {% if true %}yes{% endif %}",
        "<script>alert(10)</script> | cell | `x`",
        "line one line two | <iframe src=javascript:alert(11)>",
        "<script>alert(12)</script> | `err`",
        "{{ 7*7 }} <b onmouseover=alert(13)>x</b>",
        "Scenario: <script>alert(15)</script>",
        "Given <img src=x onerror=alert(16)>",
        "When {{ 7*7 }}",
        "Then | x | y |",
    ):
        assert shown in text, shown
    # The only link spec text makes is the description's https URL (the other is the theme's).
    links = {a["href"] for tag, a in op.elements if tag == "a" and "://" in a.get("href", "")}
    assert links == {
        "https://example.com/ok_(page)",
        "https://squidfunk.github.io/mkdocs-material/",
    }


def test_hostile_text_is_inert_in_the_search_index(sites: dict[str, tuple[Path, str]]) -> None:
    site, _ = sites["hostile"]
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    titles = [doc["title"] for doc in index["docs"]]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} | pipe `tick`" in titles
    for doc in index["docs"]:
        assert_inert(parse(doc["title"] + doc["text"]), f"search index: {doc['location']}")
        assert "<script" not in doc["title"] + doc["text"]


def test_hostile_domain_name_is_escaped_in_the_nav(sites: dict[str, tuple[Path, str]]) -> None:
    """mkdocs writes nav titles into HTML unescaped; the target escapes them first."""
    site, _ = sites["hostile"]
    html = (site / "index.html").read_text("utf-8")
    assert "evil <b>domain</b>" not in html
    assert "evil &lt;b&gt;domain&lt;/b&gt;" in html
