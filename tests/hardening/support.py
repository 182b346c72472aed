"""Helpers of the hardening tests: builds, the escaping contracts, HTML checks, fuzz profiles."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from contractgen.config import OpenApiSettings, PythonSettings, Settings
from contractgen.ir.models import ContractSet
from contractgen.pipeline import build

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"
HOSTILE = SPECS / "hostile"
PACKAGE = "hostile_client"

# -- fuzzing profiles ---------------------------------------------------------------------
#
# ``ci`` keeps the whole folder well under a minute; ``long`` is for manual runs:
#     HYPOTHESIS_PROFILE=long uv run pytest tests/hardening -k fuzz --hypothesis-show-statistics
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# Applied per test (``@FUZZ``), so loading this module changes no other test's settings.
FUZZ = settings(settings.get_profile(PROFILE if PROFILE in ("ci", "long") else "ci"))


# -- building -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    contracts: ContractSet
    out: Path  # the output directory

    def read(self, rel: str) -> str:
        return (self.out / rel).read_text("utf-8")


def settings_for(
    specs: Path, out: Path, targets: tuple[str, ...], package: str = PACKAGE
) -> Settings:
    return Settings(
        root=HERE,
        specs=specs,
        out=out,
        targets=targets,
        python=PythonSettings(package=package),
        openapi=OpenApiSettings(title="Hostile API", version="1.0.0"),
    )


def build_into(specs: Path, out: Path, targets: tuple[str, ...], package: str = PACKAGE) -> Built:
    """Run the real pipeline (formatting and writer included) into ``out``.

    Without the build cache, as untrusted specs should be built (SECURITY.md);
    the settings' root is this folder, which must not collect a cache either.
    """
    settings = settings_for(specs, out, targets, package)
    result = build(settings, list(targets), force=True, use_cache=False)
    assert result.contracts is not None
    return Built(result.contracts, out)


# -- the escaping contracts ---------------------------------------------------------------

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def shown(text: str) -> str:
    """What a docs page shows for spec text (escape.md_text's contract).

    Control characters other than tab and line breaks, and bidi controls, show as
    U+FFFD (so a page holds nothing invisible that reorders text); runs of
    whitespace show as one space, as HTML renders them.
    """
    visible = "".join(
        "\ufffd" if ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r") else ch
        for ch in text
    )
    return " ".join(visible.split())


def normalized(text: str) -> str:
    """HTML text as a reader sees it: whitespace runs are one space."""
    return " ".join(text.split())


def undent(raw: str, indent: int) -> str:
    """The text a docstring written by ``escape.py_docstring(text, indent)`` holds.

    The contract: the first line is the text's first line; every later line
    that is not empty starts with exactly ``indent`` spaces, which are not part
    of the text (the last line is padded even when empty: it holds the closing
    quotes). So this is exact for any text, including tabs, trailing spaces
    and lines that start with spaces, where ``inspect.cleandoc`` is not.
    """
    lines = raw.split("\n")
    pad = " " * indent
    out = [lines[0]]
    for line in lines[1:]:
        if line.startswith(pad):
            out.append(line[indent:])
        else:
            assert line == "", f"docstring line not indented by {indent}: {line!r}"
            out.append(line)
    return "\n".join(out)


# -- picking values out of JSON-shaped data -----------------------------------------------

_PART = re.compile(r"[^.\[\]]+|\[\*\]|\[\d+\]")


def pick(data: Any, path: str) -> list[Any]:
    """Values at ``path`` (``a.b[*].c``, ``x[0]``); every step must exist."""
    current = [data]
    for part in _PART.findall(path):
        step: list[Any] = []
        for value in current:
            if part == "[*]":
                step.extend(value)
            elif part.startswith("["):
                step.append(value[int(part[1:-1])])
            else:
                step.append(value[part])
        current = step
    return current


# -- HTML ---------------------------------------------------------------------------------


class Html(HTMLParser):
    """Elements, attributes, script bodies and visible text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text: list[str] = []
        self.blocks: list[tuple[str, str]] = []  # (tag, text) of h1-h3, p, li, td
        self._open: list[str] = []
        self._block: list[tuple[str, list[str]]] = []
        self._permalink = False  # inside the ¶ link of a heading (not page text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag == "a" and "headerlink" in values.get("class", "").split():
            self._permalink = True
        if tag == "script":
            self.scripts.append((values, ""))
        if tag == "br":
            self._data("\n")
            return
        if tag in ("h1", "h2", "h3", "p", "li", "td", "th"):
            self._block.append((tag, []))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._permalink = False
        if tag in ("h1", "h2", "h3", "p", "li", "td", "th") and self._block:
            btag, parts = self._block.pop()
            self.blocks.append((btag, normalized("".join(parts))))
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def _data(self, data: str) -> None:
        self.text.append(data)
        for _, parts in self._block:
            parts.append(data)

    def handle_data(self, data: str) -> None:
        if self._permalink:
            return
        if self._open and self._open[-1] == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
            return
        self._data(data)

    def visible(self) -> str:
        return normalized("".join(self.text))


def parse_html(html: str) -> Html:
    parser = Html()
    parser.feed(html)
    parser.close()
    return parser


DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


# Elements that only the theme may use: spec text never makes one.
ACTIVE_ELEMENTS = (
    "script",
    "iframe",
    "object",
    "embed",
    "img",
    "base",
    "svg",
    "style",
    "form",
    "a",
)


def assert_inert(doc: Html, where: str, *, content: bool = False) -> None:
    """No element, handler, script or URL that spec text could have made live.

    With ``content`` (a page's own content, without the theme's frame), no
    active element at all, apart from links to other pages of the site and
    the http(s) links md_text makes.
    """
    for tag, attrs in doc.elements:
        if content and tag in ACTIVE_ELEMENTS:
            href = attrs.get("href", "")
            assert tag == "a" and (
                href.startswith(("http://", "https://")) or ":" not in href.split("/")[0]
            ), (where, tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not scheme.startswith(DANGEROUS_SCHEMES), (where, tag, name, value)
    for attrs, body in doc.scripts:
        # Only mkdocs-material's own scripts: its bundle, its JSON config, its helpers.
        assert "alert(" not in body and "CANARY" not in body, (where, body[:200])
        if "src" in attrs:
            assert re.fullmatch(r"/?(\.\./)*assets/javascripts/[\w./-]+\.js", attrs["src"]), (
                where,
                attrs,
            )
