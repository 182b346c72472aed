"""The docs target's pages: which exist, how they link, what they say, and snapshots."""

from __future__ import annotations

import json
import os
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from markdown_it import MarkdownIt

from contractgen.config import load_settings
from contractgen.diagnostics import Diagnostics
from contractgen.ir.models import ContractSet
from contractgen.pipeline import GENERATOR, load_contracts
from contractgen.targets.base import RenderContext
from contractgen.targets.docs import DocsTarget
from contractgen.targets.docs_site import domain_page, page_of

from .conftest import HERE, REPO, SPEC_SETS, RenderedDocs, render

ALL = sorted(SPEC_SETS)
SNAPSHOTTED = ["harness", "shop", "hostile"]


class _MkdocsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what ``!!python/name`` tags name."""


_MkdocsLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: f"python/name:{suffix}"
)


def mkdocs_config(docs: RenderedDocs) -> dict[str, Any]:
    config: dict[str, Any] = yaml.load(docs.files["mkdocs.yml"], Loader=_MkdocsLoader)
    return config


def nav_pages(nav: list[Any]) -> list[str]:
    out: list[str] = []
    for entry in nav:
        ((_, value),) = entry.items()
        if isinstance(value, list):
            out.extend(nav_pages(value))
        else:
            out.append(value.removesuffix(".md"))
    return out


def used_beyond_owner(c: ContractSet) -> set[str]:
    """Inline models that a spec or model other than their owner (or its inline models) uses."""
    owner_of = {m.name: (m.owner.key, m.owner.version) for m in c.models if m.owner}
    uses: list[tuple[str, Any]] = []  # (model name, who uses it: a SpecId or a model name)
    for op in c.operations:
        sid = (op.key, op.version)
        uses += [(name, sid) for name in (op.input, op.output) if name]
    uses += [(ev.payload, (ev.key, ev.version)) for ev in c.events]
    for m in c.models:
        who = (m.owner.key, m.owner.version) if m.owner else m.name
        uses += [(f.type.name, who) for f in m.fields if f.type.kind == "model"]
    return {name for name, who in uses if name in owner_of and who != owner_of[name]}


def expected_pages(docs: RenderedDocs) -> set[str]:
    c = docs.contracts
    keyed = (*c.operations, *c.events, *c.capabilities, *c.features)
    domains = {s.domain for s in (*keyed, *c.models, *c.enums)}
    shared = used_beyond_owner(c)
    models = [m for m in c.models if m.role == "shared" or m.name in shared]
    return (
        {"index", "scalars"}
        | {domain_page(d) for d in domains}
        | {page_of(s) for s in (*keyed, *models, *c.enums)}
    )


@pytest.mark.parametrize("name", ALL)
def test_one_page_per_spec_model_enum_domain(name: str, rendered: dict[str, RenderedDocs]) -> None:
    docs = rendered[name]
    assert set(docs.pages()) == expected_pages(docs)
    assert set(docs.files) == {f"docs/{p}.md" for p in docs.pages()} | {"mkdocs.yml"}


@pytest.mark.parametrize("name", ALL)
def test_nav_lists_every_page_once(name: str, rendered: dict[str, RenderedDocs]) -> None:
    docs = rendered[name]
    config = mkdocs_config(docs)
    listed = nav_pages(config["nav"])
    assert sorted(listed) == sorted(docs.pages())
    assert len(listed) == len(set(listed))
    assert listed[0] == "index"
    assert config["docs_dir"] == "docs"
    fences = config["markdown_extensions"][-1]["pymdownx.superfences"]["custom_fences"]
    assert fences == [
        {
            "name": "mermaid",
            "class": "mermaid",
            "format": "python/name:pymdownx.superfences.fence_code_format",
        }
    ]


_COMMONMARK = MarkdownIt("commonmark").enable("table")


def links(text: str) -> list[str]:
    """Every link target of a page, as a CommonMark + GFM-tables parser sees it."""
    out: list[str] = []
    stack = list(_COMMONMARK.parse(text))
    while stack:
        token = stack.pop()
        if token.type == "link_open":
            out.append(str(token.attrs["href"]))
        stack.extend(token.children or ())
    return out


def anchors(text: str) -> set[str]:
    """Heading ids of a page, as mkdocs (Python-Markdown's toc) makes them."""
    md = markdown.Markdown(extensions=["toc", "tables", "md_in_html"])
    md.convert(text)
    ids: set[str] = set()
    stack = list(md.toc_tokens)  # type: ignore[attr-defined]
    while stack:
        token = stack.pop()
        ids.add(token["id"])
        stack.extend(token["children"])
    return ids


@pytest.mark.parametrize("name", ALL)
def test_every_internal_link_finds_its_target(name: str, rendered: dict[str, RenderedDocs]) -> None:
    pages = rendered[name].pages()
    checked = 0
    for stem, text in pages.items():
        for target in links(text):
            if target.startswith(("https://", "http://")):
                continue
            path, _, fragment = target.partition("#")
            assert path.endswith(".md") and not path.startswith("/"), (stem, target)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(stem), path))
            assert resolved.removesuffix(".md") in pages, f"{stem}.md links to missing {target}"
            if fragment:
                assert fragment in anchors(pages[resolved.removesuffix(".md")]), (stem, target)
            checked += 1
    assert checked > len(pages)  # every page links somewhere, most several times


@pytest.mark.parametrize("name", ALL)
def test_pages_are_deterministic(name: str) -> None:
    assert render(name)[1] == render(name)[1]


def test_pages_do_not_depend_on_hash_seed(rendered: dict[str, RenderedDocs]) -> None:
    """Another interpreter with another hash seed renders the same bytes (no set order leaks)."""
    code = (
        "import json\n"
        "from tests.docs.conftest import render\n"
        "print(json.dumps(render('shop')[1]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == rendered["shop"].files


@pytest.mark.parametrize("name", SNAPSHOTTED)
def test_pages_match_snapshots(name: str, rendered: dict[str, RenderedDocs], snapshot: Any) -> None:
    for path, text in rendered[name].files.items():
        assert text == snapshot(name=path)


# -- what an operation page says (the shop fixture) -----------------------------


@pytest.fixture
def shop(rendered: dict[str, RenderedDocs]) -> dict[str, str]:
    return rendered["shop"].pages()


def test_operation_page_has_every_section(shop: dict[str, str]) -> None:
    page = shop["operations/shop.order.place"]
    for heading in (
        "# Place Order",
        "## Goal",
        "## Context",
        "## Overview",
        "## Diagram",
        "## HTTP request",
        "## Input",
        "## Output",
        "## Errors",
        "## Policy",
        "## Events and side effects",
        "## Acceptance scenarios",
        "## Examples",
        "## Source",
    ):
        assert f"\n{heading}\n" in f"\n{page}", heading
    # What the original system printed: type, version, tags, file, goal, context, source.
    for line in (
        "- **Kind:** command (changes state)",
        "- **Version:** 1\\.0.0",
        "- **Tags:** `orders`, `checkout`",
        "- **Owners:** `team.checkout`",
        "- **Spec file:** `specs/orders.yaml`",
        "- **Capability:** [`shop.ordering`](../capabilities/shop.ordering.md) (Ordering)",
        "- **Rate limit:** 60 requests per minute per user",
        "- **Escalation:** human review",
        "- **Personal data (PII):** `input.email`",
        "| `CART_NOT_FOUND` | 404 | `CartNotFoundError` | No cart has this id. | The cartId does not match a cart. |",
        "| [`shop.order.placed`](../events/shop.order.placed.md) | Order Placed | The order was stored. |",
        "| `lines` | `lines` | list of [`OrderLine`](../models/OrderLine.md) | yes | — | items ≥ 1 | — |",
        "- **Given** A cart with two items",
        "- **And** Both items in stock",
    ):
        assert line in page, line
    assert "```yaml\nkind: command\nkey: shop.order.place\n" in page


def test_operation_examples_show_client_call_and_curl(shop: dict[str, str]) -> None:
    page = shop["operations/shop.order.place"]
    assert (
        "import os\n\n"
        "from shop_client import Client\n"
        "from shop_client.models import Money, OrderLine\n\n"
        "with Client(base_url='https://shop.example.com/api', token=os.environ['API_TOKEN']) as client:\n"
        "    result = client.shop.order.place(\n"
        "        cart_id='cart_1',\n"
        "        email='ann@example.com',\n"
        "        lines=[OrderLine(sku='BOOK-1', quantity=2, price=Money(amount=1200, currency='EUR'))],\n"
        "    )\n"
    ) in page
    assert (
        "curl -X POST https://shop.example.com/api/carts/cart_1/order \\\n"
        '  -H "Authorization: Bearer $API_TOKEN" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        '  -d \'{"email": "ann@example.com", "lines": [' in page
    )
    assert "from shop_client.errors import CartNotFoundError\n" in page
    assert "    except CartNotFoundError as error:  # HTTP 404\n" in page
    listing = shop["operations/shop.order.list"]
    assert "curl 'https://shop.example.com/api/v1/shop/order/list?status=paid&limit=10'" in listing
    assert "    result = client.shop.order.list(status=OrderStatus.PAID, limit=10)\n" in listing
    # An anonymous operation: no token; path parameters percent-encoded.
    track = shop["operations/shop.order.track"]
    assert "curl https://shop.example.com/api/orders/ord%201%2F2/tracking\n" in track
    assert "with Client(base_url='https://shop.example.com/api') as client:\n" in track
    assert "Authorization" not in track.split("## HTTP request")[1].split("## Input")[0]


def test_stability_markers_and_versions(shop: dict[str, str]) -> None:
    old = shop["operations/shop.order.track-1.0.0"]
    assert (
        '<div class="admonition danger" markdown="1">\n<p class="admonition-title">Deprecated</p>'
        in old
    )
    assert "(an older version; the latest is [`shop.order.track`](shop.order.track.md))" in old
    new = shop["operations/shop.order.track"]
    assert '<p class="admonition-title">Experimental</p>' in new
    assert "(latest; older: [`shop.order.track` 1\\.0.0](shop.order.track-1.0.0.md))" in new
    assert "admonition" not in shop["operations/shop.order.place"]  # stable


def test_reverse_links(shop: dict[str, str]) -> None:
    order = shop["models/Order"]
    assert "| [`Order`](Order.md) (model) | field `parent` |" in order
    assert (
        "| [`shop.order.list`](../operations/shop.order.list.md) (operation) | output field `orders` (a list) |"
        in order
    )
    assert (
        "| [`shop.order.place`](../operations/shop.order.place.md) (operation) | output |" in order
    )
    status = shop["models/OrderStatus"]
    assert "| `lost` | `LOST` | **Deprecated.**<br>Kept for old orders only. |" in status
    assert "input field `status`" in status
    event = shop["events/shop.order.placed"]
    assert (
        "## Emitted by" in event
        and "[`shop.order.place`](../operations/shop.order.place.md)" in event
    )
    assert (
        "## Provided by" in event and "[`shop.ordering`](../capabilities/shop.ordering.md)" in event
    )
    capability = shop["capabilities/shop.ordering"]
    assert (
        "| `shop.payments` 1\\.0.0 (not in this spec set) | optional | Card payments, when the shop takes them. |"
        in capability
    )


def test_diagrams(shop: dict[str, str]) -> None:
    assert (
        "```mermaid\nflowchart LR\n"
        '    caller(["Caller #40;user#41;"])\n'
        '    o0("shop.order.place")\n'
        '    e0>"shop.order.placed"]\n'
        '    caller -->|"POST /carts/#123;cartId#125;/order"| o0\n'
        '    o0 -->|"The order was stored."| e0\n'
        "```"
    ) in shop["operations/shop.order.place"]
    feature = shop["features/shop.checkout"]
    assert '    c0[["shop.ordering"]]\n' in feature
    assert "    c0 --> o0\n" in feature and '    o0 -->|"The order was stored."| e0\n' in feature


def test_constraints_defaults_and_examples_in_field_tables(shop: dict[str, str]) -> None:
    line = shop["models/OrderLine"]
    assert (
        "| `quantity` | `quantity` | [`Int`](../scalars.md) | no | — | ≥ 1<br>≤ 999 | `1` |" in line
    )
    # A pattern holding `|` is a <code> element: a GFM table would split a code span.
    assert "pattern <code>&#94;&#91;A" in line
    money = shop["models/Money"]
    assert 'Example: `"EUR"`' in money
    order = shop["models/Order"]
    assert "see <https://example.com/orders> for the policy." in order


# -- inline models: shown on their owner's page, a page of their own only when shared --


def nav_of(docs: RenderedDocs) -> list[str]:
    return nav_pages(mkdocs_config(docs)["nav"])


def test_inline_model_only_its_owner_uses_has_no_page(rendered: dict[str, RenderedDocs]) -> None:
    shop = rendered["shop"]
    pages = shop.pages()
    for name in ("ShopOrderTrackInput", "ShopOrderPlaceInput", "ShopOrderPlacedPayload"):
        assert f"models/{name}" not in pages, name
        assert f"models/{name}" not in nav_of(shop), name
        assert all(f"models/{name}.md" not in text for text in pages.values()), name
    track = pages["operations/shop.order.track"]
    # The output's `query` field is of the input's type: it links to the Input section,
    # and that section's heading has this id (as mkdocs makes it).
    assert (
        "| `query` | `query` | [`ShopOrderTrackInput`](shop.order.track.md#input) | yes |" in track
    )
    assert "input" in anchors(track) and "output" in anchors(track)
    # The section names the Python class instead of linking a page.
    assert "## Input\n\nPython class `ShopOrderTrackInput`.\n" in track
    assert (
        "## Input\n\nPython class `ShopOrderPlaceInput`.\n" in pages["operations/shop.order.place"]
    )
    event = pages["events/shop.order.placed"]
    assert "## Payload\n\nPython class `ShopOrderPlacedPayload`.\n" in event
    assert "payload" in anchors(event)
    domain = pages["domains/shop"]
    assert "ShopOrderTrackInput" not in domain and "ShopOrderPlacedPayload" not in domain


def test_inline_model_used_elsewhere_keeps_its_page(rendered: dict[str, RenderedDocs]) -> None:
    shop = rendered["shop"]
    pages = shop.pages()
    # The shared model Order has a field of the type ShopOrderTrackOutput.
    output = pages["models/ShopOrderTrackOutput"]
    assert "models/ShopOrderTrackOutput" in nav_of(shop)
    assert "| [`Order`](Order.md) (model) | field `tracking` |" in output
    assert (
        "| [`shop.order.track`](../operations/shop.order.track.md) (operation) | output |" in output
    )
    # Its own field of the (page-less) input type links to the operation's Input section.
    assert "[`ShopOrderTrackInput`](../operations/shop.order.track.md#input)" in output
    assert (
        "| `tracking` | `tracking` | [`ShopOrderTrackOutput`](ShopOrderTrackOutput.md) | no |"
        in pages["models/Order"]
    )
    track = pages["operations/shop.order.track"]
    assert (
        "## Output\n\nModel: [`ShopOrderTrackOutput`](../models/ShopOrderTrackOutput.md)\n" in track
    )
    assert "[`ShopOrderTrackOutput`](../models/ShopOrderTrackOutput.md)" in pages["domains/shop"]


SECTION_TITLES = """\
kind: command
key: clash.thing.make
version: 1.0.0
title: "Input!"
domain: clash
input:
  name: String
  again: { type: ClashThingMakeInput, optional: true }
output:
  made: ClashThingMakeInput
---
kind: event
key: clash.thing.made
version: 1.0.0
title: Payload
domain: clash
payload:
  name: String
  previous: { type: ClashThingMadePayload, optional: true }
"""


def test_section_anchor_when_the_title_takes_the_sections_id(tmp_path: Path) -> None:
    """A spec titled like the section: toc numbers the section's id, and links follow it."""
    (tmp_path / "clash.yaml").write_text(SECTION_TITLES)
    settings = load_settings(HERE).model_copy(update={"specs": tmp_path})
    contracts = load_contracts(settings, Diagnostics())
    files = DocsTarget().render(contracts, RenderContext(settings=settings, generator=GENERATOR))
    pages = {
        path.removeprefix("docs/").removesuffix(".md"): data.decode()
        for path, data in files.files.items()
        if path.endswith(".md")
    }
    assert not [p for p in pages if p.startswith("models/")]
    op = pages["operations/clash.thing.make"]
    assert {"input", "input_1"} <= anchors(op)
    assert "[`ClashThingMakeInput`](clash.thing.make.md#input_1)" in op
    event = pages["events/clash.thing.made"]
    assert {"payload", "payload_1"} <= anchors(event)
    assert "[`ClashThingMadePayload`](clash.thing.made.md#payload_1)" in event
