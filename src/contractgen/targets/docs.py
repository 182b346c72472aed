"""The ``docs`` target: Markdown reference pages and a ready mkdocs site.

Layout under ``generated/docs/``::

    mkdocs.yml                   material theme, mermaid fences, generated nav
    docs/index.md                site index
    docs/scalars.md              the scalar types fields use
    docs/domains/<domain>.md     one index per domain
    docs/features/<key>.md       one page (and index) per feature
    docs/capabilities/<key>.md
    docs/operations/<key>.md
    docs/events/<key>.md
    docs/models/<Name>.md        models and enums (an inline input, output or payload
                                 model only when something besides its owner uses it;
                                 else its owner's page shows it, and links go there)

Pages use only Markdown that reads the same in mkdocs and on a code host:
relative ``.md`` links, GFM tables, fenced code, mermaid fences, and the few
HTML elements ``.markdownlint-cli2.yaml`` allows. Spec text reaches a page
only through the ``md_*`` filters; it is a value, never part of a template.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from contractgen.escape import FILTERS, yaml_quoted
from contractgen.ir.models import (
    ContractSet,
    EnumIR,
    FieldIR,
    ModelIR,
)
from contractgen.ir.scalars import SCALARS
from contractgen.output.fileset import FileSet
from contractgen.render import environment
from contractgen.targets import digests, docs_examples
from contractgen.targets.base import RenderContext
from contractgen.targets.docs_site import (
    INDEX_PAGE,
    SCALARS_PAGE,
    NavItem,
    Site,
    clear_links,
    domain_page,
    family,
    flow,
    href,
    label,
    page_of,
)

DOCS_DIR = "docs"

STABILITY_NOTES = {
    "idea": ("info", "Idea", "This {what} is an idea: it is not built yet."),
    "in_creation": (
        "warning",
        "In creation",
        "This {what} is being built: do not depend on it yet.",
    ),
    "experimental": (
        "warning",
        "Experimental",
        "This {what} is experimental: it may change or go away without a new major version.",
    ),
    "beta": ("note", "Beta", "This {what} is in beta: small changes may still happen."),
    "deprecated": (
        "danger",
        "Deprecated",
        "This {what} is deprecated: do not use it in new code.",
    ),
}


def json_text(value: Any) -> str:
    """A JSON value on one line, as the spec gave it (keys in their order)."""
    return json.dumps(value, ensure_ascii=False)


def json_block(value: Any) -> str:
    """A JSON value laid out for a code block."""
    return json.dumps(value, ensure_ascii=False, indent=2)


class DocsTarget:
    name = "docs"
    description = "Markdown reference pages and a ready mkdocs site (mkdocs.yml + docs/)"

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet:
        settings = ctx.settings
        title = settings.docs.site_name or settings.openapi.title
        site = Site(contracts, title)
        override = settings.root / settings.templates if settings.templates else None
        env = _environment(override)
        _clear_memo()
        url_base = docs_examples.base_url(settings)
        shared = {
            "site": site,
            "contracts": contracts,
            "generator": ctx.generator,
            "package": settings.python.package,
            "scalars": SCALARS,
            "stability_notes": STABILITY_NOTES,
            "family": family,
            "label": label,
            "page_of": page_of,
            "domain_page": domain_page,
            "scalars_page": SCALARS_PAGE,
            "index_page": INDEX_PAGE,
            "flow": flow,
            "json_text": json_text,
            "json_texts": lambda values: [json_text(v) for v in values],
            "json_block": json_block,
            "field_row": FieldRows(site, env).row,
        }

        files = FileSet()
        pages: list[_Page] = []

        def page(
            stem: str, template: str, group: str | None, *extra: object, **context: Any
        ) -> None:
            pages.append(_Page(stem, template, group, extra, context))

        page(INDEX_PAGE, "index.md.jinja", None)
        page(SCALARS_PAGE, "scalars.md.jinja", "")
        for domain in site.domains:
            page(
                domain_page(domain),
                "domain.md.jinja",
                domain,
                domain=domain,
                parts=site.in_domain(domain),
            )
        for feature in contracts.features:
            page(feature.page, "feature.md.jinja", feature.domain, spec=feature)
        for capability in contracts.capabilities:
            page(capability.page, "capability.md.jinja", capability.domain, spec=capability)
        for op in contracts.operations:
            examples = [
                {
                    "example": ex,
                    "python": docs_examples.python_example(
                        contracts, op, ex, settings.python.package, url_base
                    ),
                    "curl": docs_examples.curl_command(op, ex.input, url_base),
                }
                for ex in op.examples
            ]
            page(
                op.names.page,
                "operation.md.jinja",
                op.domain,
                # What the page shows of other domains beyond the summary:
                # its input and output models whole, and the examples' code.
                *(contracts.model(m) for m in (op.input, op.output) if m),
                *((e["python"], e["curl"]) for e in examples),
                spec=op,
                examples=examples,
            )
        for event in contracts.events:
            page(
                event.names.page,
                "event.md.jinja",
                event.domain,
                contracts.model(event.payload),
                spec=event,
            )
        for item in (*contracts.models, *contracts.enums):
            if isinstance(item, ModelIR):
                if site.has_page(item):  # (else its owner's page shows it)
                    page(
                        item.page,
                        "model.md.jinja",
                        item.domain,
                        model=item,
                        owner=site.owner_of(item),
                    )
            else:
                assert isinstance(item, EnumIR)
                page(item.page, "enum.md.jinja", item.domain, enum=item)

        keys = _PageKeys.of(contracts, ctx, override) if ctx.cache.enabled else None
        found: dict[str, bytes] = {}
        if keys is not None:
            with _stage(ctx, "docs: reuse pages"):
                wanted = [keys.key(p) for p in pages]
                found = ctx.cache.get_many("docs", [k for k in wanted if k is not None])
        else:
            wanted = [None] * len(pages)
        with _stage(ctx, "docs: render pages"):
            for p, key in zip(pages, wanted, strict=True):
                data = found.get(key) if key is not None else None
                if data is None:

                    def link(to_page: str, anchor: str | None = None, stem: str = p.stem) -> str:
                        return href(stem, to_page, anchor)

                    text = env.get_template(f"docs/{p.template}").render(
                        **shared, page=p.stem, link=link, **p.context
                    )
                    data = _tidy(text).encode()
                    if key is not None:
                        ctx.cache.put("docs", key, data)
                files.add(f"{DOCS_DIR}/{p.stem}.md", data)

        mkdocs = env.get_template("docs/mkdocs.yml.jinja").render(
            site_name=yaml_quoted(html.escape(title)),
            docs_dir=DOCS_DIR,
            nav=_nav_lines(site.nav()),
            generator=ctx.generator,
        )
        files.add("mkdocs.yml", mkdocs)
        _clear_memo()  # (memory: the memos of a large site are tens of megabytes)
        return files


# -- reusing pages from the build cache ------------------------------------------------


@dataclass(frozen=True)
class _Page:
    stem: str
    template: str
    domain: str | None  # None: the page shows the whole set (never reused)
    extra: tuple[object, ...]  # IR objects (whole) and text the page also depends on
    context: dict[str, Any]


def _stage(ctx: RenderContext, name: str) -> contextlib.AbstractContextManager[None]:
    return ctx.timings.stage(name) if ctx.timings is not None else contextlib.nullcontext()


class _PageKeys:
    """Cache keys of the docs pages.

    A page's key hashes: the docs templates and contractgen (the cache's
    salt), the settings pages show, the page's path and template, every spec,
    model and enum of its domain whole, the summary of the whole set
    (targets/digests.py: all but descriptive text, which shows only on its own
    domain's pages), and what the page lists as extra (an operation's input
    and output models, an event's payload, the examples' code). Which inline
    models have a page of their own (docs_site.Site.inline: field types and
    inputs, outputs, payloads) and the anchors links to the others use (the
    owner's section, numbered after a title with the same id) follow from the
    summary. A page whose key was seen before is the text made then. The site index shows the whole set: never reused.
    Template overrides could show anything: with them, no page is reused.
    """

    def __init__(self, contracts: ContractSet, ctx: RenderContext) -> None:
        settings = ctx.settings
        self.salt = json.dumps(
            [
                ctx.generator,
                settings.python.package,
                settings.docs.site_name or settings.openapi.title,
                docs_examples.base_url(settings),
            ]
        )
        self.whole = digests.whole(contracts, ctx)
        domains: dict[str, Any] = {}
        for item in digests.items(contracts):
            digest = self.whole[id(item)]
            domains.setdefault(item.domain, hashlib.sha256()).update(digest.encode())
        self.domains = {d: h.hexdigest() for d, h in domains.items()}
        self.summary = digests.summary(contracts, ctx)

    @classmethod
    def of(
        cls, contracts: ContractSet, ctx: RenderContext, override: Path | None
    ) -> _PageKeys | None:
        if override is not None and (override / "docs").exists():
            return None
        with _stage(ctx, "docs: page keys"):
            return cls(contracts, ctx)

    def key(self, page: _Page) -> str | None:
        if page.domain is None:
            return None
        h = hashlib.sha256()
        parts: list[str] = [
            self.salt,
            page.stem,
            page.template,
            self.domains.get(page.domain, ""),
            self.summary,
        ]
        for extra in page.extra:
            if isinstance(extra, BaseModel):
                parts.append(self.whole[id(extra)])
            else:
                parts.append(json.dumps(extra))
        for part in parts:
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()


# -- field tables ----------------------------------------------------------------------


class FieldRows:
    """The rows of the field tables (``field_table`` in ``_macros.md.jinja``).

    Pages show tens of thousands of rows, the same field on several pages: in
    Python, with every cell but the type link (relative to the page) worked
    out once per field, a row costs a fraction of the template macros it
    replaces. The cells are the macros' exactly:

    * Type: ``list of`` when a list, the type's name linked to its page (a
      model, an enum, or the scalars page; an inline model without a page of
      its own: its section on its owner's page), ``or null`` when nullable;
    * Description: ``**Deprecated.**``, the description (``md_cell``), the
      examples (``Example:`` and each as JSON in ``md_code``), joined by ``<br>``;
    * Constraints: ``length ≥ n``, ``length ≤ n``, ``≥ n``, ``≤ n``, ``items ≥ n``,
      ``items ≤ n``, ``pattern`` and the pattern in ``md_code``, joined by ``<br>``;
    * Default: the default as JSON in ``md_code``;

    and an empty cell shows ``—``.
    """

    def __init__(self, site: Site, env: jinja2.Environment) -> None:
        self.site = site
        self.md_code = env.filters["md_code"]
        self.md_cell = env.filters["md_cell"]
        self.cells: dict[int, tuple[FieldIR, str, str]] = {}

    def row(self, f: FieldIR, link: Callable[[str, str | None], str]) -> str:
        cached = self.cells.get(id(f))
        if cached is None or cached[0] is not f:
            cached = self.cells[id(f)] = (f, *self._cells(f))
        _, head, tail = cached
        type_cell = f"[{self.md_code(f.type.name)}]({link(*self.site.type_target(f))})"
        if f.is_list:
            type_cell = "list of " + type_cell
        if f.nullable:
            type_cell += " or null"
        return f"{head}{type_cell}{tail}"

    def _cells(self, f: FieldIR) -> tuple[str, str]:
        md_code = self.md_code
        head = f"| {md_code(f.name)} | {md_code(f.py_name)} | "
        description = "<br>".join(
            part
            for part in (
                "**Deprecated.**" if f.deprecated else "",
                self.md_cell(f.description) if f.description else "",
                "Example: " + ", ".join(md_code(json_text(v)) for v in f.examples)
                if f.examples
                else "",
            )
            if part
        )
        c = f.constraints
        constraints = "<br>".join(
            part
            for part in (
                f"length ≥ {c.min_length}" if c.min_length is not None else "",
                f"length ≤ {c.max_length}" if c.max_length is not None else "",
                f"≥ {c.minimum}" if c.minimum is not None else "",
                f"≤ {c.maximum}" if c.maximum is not None else "",
                f"items ≥ {c.min_items}" if c.min_items is not None else "",
                f"items ≤ {c.max_items}" if c.max_items is not None else "",
                "pattern " + md_code(c.pattern) if c.pattern is not None else "",
            )
            if part
        )
        default = md_code(json_text(f.default)) if f.has_default else ""
        tail = (
            f" | {'yes' if f.required else 'no'} | {description or '—'} "
            f"| {constraints or '—'} | {default or '—'} |"
        )
        return head, tail


# -- the docs environment: contractgen's, with memoised escaping filters -------------

# The escaping filters are pure functions of their text, and pages repeat the
# same keys, names and type names thousands of times: each distinct call is
# computed once per build. Only all-``str`` arguments are memoised (a cache
# keyed by ``1`` would also answer ``True``).
_MEMO: dict[str, dict[tuple[str, ...], Any]] = {}


def _memoised(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    memo = _MEMO.setdefault(name, {})

    def filter_(*args: Any, **kwargs: Any) -> Any:
        if kwargs or not all(type(a) is str for a in args):
            return fn(*args, **kwargs)
        try:
            return memo[args]
        except KeyError:
            result = memo[args] = fn(*args)
            return result

    return filter_


def _clear_memo() -> None:
    for memo in _MEMO.values():
        memo.clear()
    clear_links()


@functools.cache
def _environment_for(override: str | None) -> jinja2.Environment:
    base = environment(Path(override) if override is not None else None)
    # An overlay with its own template cache: templates compiled here bind
    # this environment's filters, not the base environment's.
    env = base.overlay(cache_size=400)
    env.filters = {
        **base.filters,
        **{name: _memoised(name, fn) for name, fn in FILTERS.items()},
    }
    return env


def _environment(override: Path | None) -> jinja2.Environment:
    return _environment_for(str(override) if override is not None else None)


def _nav_lines(items: tuple[NavItem, ...], depth: int = 0) -> list[str]:
    """The nav as YAML lines; page paths are IR-decided stems.

    mkdocs puts nav titles (and the site name) into its HTML unescaped, so a
    title (a domain name is spec text) is HTML-escaped first, then YAML-quoted.
    """
    lines: list[str] = []
    pad = "  " * depth
    for item in items:
        title = yaml_quoted(html.escape(item.title))
        if item.page is not None:
            lines.append(f"{pad}- {title}: {item.page}.md")
        else:
            lines.append(f"{pad}- {title}:")
            lines.extend(_nav_lines(item.children, depth + 1))
    return lines


_FENCE = re.compile(r"^ {0,3}(`{3,})(.*)$")


def _tidy(text: str) -> str:
    """One blank line at most between blocks, none at the end, no trailing spaces.

    Templates stay readable with generous blank lines; fenced code blocks are
    left exactly as they are.
    """
    out: list[str] = []
    fence = 0  # length of the open fence, 0 outside one
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence:
            out.append(line)
            if m and len(m.group(1)) >= fence and not m.group(2).strip():
                fence = 0
            continue
        if m:
            fence = len(m.group(1))
            out.append(line.rstrip())
            continue
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
