"""Docs of the hostile spec set: shown as text, never run (cases 2, 9).

The site is built by ``mkdocs build --strict`` (no warning allowed). Every
page and the search index must be inert: no element, event handler, script
or ``javascript:``/``data:`` URL that came from spec text. Every slot a page
shows must show its payload as text, per the escaping contract of
``escape.md_*`` (:func:`support.shown`: control and bidi characters as
U+FFFD, whitespace runs as one space). tests/docs/test_docs_checks.py holds
the same checks for the docs target's own hostile fixture (tables, nav,
mermaid labels).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractgen.ir import naming

from .make_specs import enum_name, error_code, model_name
from .payloads import PAYLOADS
from .support import Built, Html, assert_inert, parse_html, shown

NAMES = sorted(PAYLOADS)


def article(site: Path, page: str) -> Html:
    """The page's own content (mkdocs-material's <article>), parsed."""
    html = (site / page / "index.html").read_text("utf-8")
    return parse_html(html[html.index("<article") : html.index("</article>")])


def prose_after(blocks: list[tuple[str, str]], marker: tuple[str, str]) -> str:
    """The text of the paragraphs that follow ``marker``, up to the next heading."""
    start = blocks.index(marker) + 1
    parts: list[str] = []
    for tag, text in blocks[start:]:
        if tag != "p":
            break
        parts.append(text)
    return " ".join(parts)


def has_row(blocks: list[tuple[str, str]], cells: list[str]) -> bool:
    tds = [text for tag, text in blocks if tag == "td"]
    return any(tds[i : i + len(cells)] == cells for i in range(len(tds)))


def test_every_page_and_the_search_index_are_inert(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 6 * len(PAYLOADS)
    for page in pages:
        html = page.read_text("utf-8")
        where = str(page.relative_to(hostile_site))
        doc = parse_html(html)
        assert_inert(doc, where)
        if "<article" in html:
            body = html[html.index("<article") : html.index("</article>")]
            assert_inert(parse_html(body), where, content=True)
        # The only absolute links spec text makes are http(s) URLs in prose.
        for tag, attrs in doc.elements:
            href = attrs.get("href", "")
            if tag == "a" and ":" in href.split("/")[0]:
                assert href.startswith(
                    ("https://example.com/ok_(x)", "https://squidfunk.github.io/")
                ), (
                    where,
                    href,
                )
    index = json.loads((hostile_site / "search" / "search_index.json").read_text("utf-8"))
    for entry in index["docs"]:
        text = entry["title"] + entry["text"]
        assert "<script" not in text.lower()
        assert_inert(parse_html(text), f"search index: {entry['location']}")


@pytest.mark.parametrize("name", NAMES)
def test_operation_page_shows_every_slot_as_text(
    name: str, hostile: Built, hostile_site: Path
) -> None:
    p = shown(PAYLOADS[name])
    key = f"hostile.{name}"
    blocks = article(hostile_site, f"operations/{key}.run").blocks
    assert blocks[0] == ("h1", p)
    assert (
        prose_after(blocks, ("p", "This operation is in beta: small changes may still happen."))
        == p
    )
    assert prose_after(blocks, ("h2", "Goal")) == p
    assert prose_after(blocks, ("h2", "Context")) == p
    for label in ("Owners", "Tags", "Roles", "Permissions", "Feature flags", "Analytics", "Audit"):
        assert ("li", f"{label}: {p}") in blocks, label
    code = error_code(name)
    error_class = naming.error_class(code)
    assert has_row(blocks, [code, "409", error_class, p, p])
    assert has_row(blocks, ["runId", "run_id", "ID", "yes", p, "—", "—"])
    assert has_row(blocks, ["mode", "mode", enum_name(name), "no", p, "—", "—"])
    assert has_row(blocks, ["note", "note", model_name(name), "no", p, "—", "—"])
    assert has_row(blocks, [f"{key}.done", p, p])
    for block in [
        ("h3", f"Scenario: {p}"),
        ("li", f"Given {p}"),
        ("li", f"When {p}"),
        ("li", f"And {p}"),
    ]:
        assert block in blocks, block
    assert ("li", f"Then {p}") in blocks
    assert prose_after(blocks, ("h3", f"Example: {p}")).startswith(f"{p} Input:")
    assert prose_after(blocks, ("h3", "Example: error case")).startswith(f"{p} Input:")
    assert ("p", f"Answers with error {code} (HTTP 409): {p}") in blocks


@pytest.mark.parametrize("name", NAMES)
def test_event_capability_feature_pages(name: str, hostile_site: Path) -> None:
    p = shown(PAYLOADS[name])
    key = f"hostile.{name}"
    note = "This {} is experimental: it may change or go away without a new major version."
    event = article(hostile_site, f"events/{key}.done").blocks
    assert event[0] == ("h1", p)
    assert prose_after(event, ("p", note.format("event"))) == p
    assert ("li", f"Owners: {p}") in event and ("li", f"Tags: {p}") in event
    assert has_row(event, ["runId", "run_id", "ID", "yes", p, "—", "—"])
    assert has_row(event, [f"{key}.run", p, p])  # emitted by: title, when
    cap = article(hostile_site, f"capabilities/{key}.cap").blocks
    assert cap[0] == ("h1", p)
    assert prose_after(cap, ("p", note.format("capability"))) == p
    assert has_row(cap, ["hostile.elsewhere 1.0.0 (not in this spec set)", "optional", p])
    feature = article(hostile_site, f"features/{key}.feature").blocks
    assert feature[0] == ("h1", p)
    assert prose_after(feature, ("p", note.format("feature"))) == p


@pytest.mark.parametrize("name", NAMES)
def test_model_and_enum_pages(name: str, hostile: Built, hostile_site: Path) -> None:
    p = shown(PAYLOADS[name])
    note = "This {} is experimental: it may change or go away without a new major version."
    model = article(hostile_site, f"models/{model_name(name)}").blocks
    assert model[0] == ("h1", model_name(name))
    assert prose_after(model, ("p", note.format("model"))) == p
    assert has_row(
        model, ["children", "children", f"list of {model_name(name)}", "no", p, "—", "—"]
    )
    enum = article(hostile_site, f"models/{enum_name(name)}").blocks
    assert prose_after(enum, ("p", note.format("enum"))) == p
    member = hostile.contracts.enum(enum_name(name)).values[0].py_name
    assert has_row(enum, [p, member, p])
    assert has_row(enum, ["plain", "PLAIN", f"Deprecated. {p}"])
