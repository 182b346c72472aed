"""What the docs pages know about each other: reverse links, versions, the nav.

The IR says what each spec points at (an operation's capability, the events
it emits, a field's type); readers also want the way back (which operations
emit this event, where this model is used). This module derives those
indexes once per build, decides the few page paths the IR has no name for
(site index, domain indexes, scalars), and lays out the mkdocs navigation.
Everything is sorted, so the pages are deterministic.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from contractgen.ir import naming
from contractgen.ir.models import (
    CapabilityIR,
    ContractSet,
    EnumIR,
    EventIR,
    FeatureIR,
    FieldIR,
    Meta,
    ModelIR,
    OperationIR,
    SpecId,
)

Keyed = OperationIR | EventIR | CapabilityIR | FeatureIR
Family = Literal["operation", "event", "capability", "feature"]

INDEX_PAGE = "index"
SCALARS_PAGE = "scalars"


def domain_page(domain: str) -> str:
    return f"domains/{naming.file_stem(domain)}"


def family(spec: Keyed) -> Family:
    if isinstance(spec, OperationIR):
        return "operation"
    if isinstance(spec, EventIR):
        return "event"
    if isinstance(spec, CapabilityIR):
        return "capability"
    return "feature"


def page_of(item: Keyed | ModelIR | EnumIR) -> str:
    """The page stem (relative to the docs root, without ``.md``) of a spec, model or enum."""
    if isinstance(item, (OperationIR, EventIR)):
        return item.names.page
    return item.page


# The heading of the section that shows an inline model on its owner's page
# (operation.md.jinja, event.md.jinja), by the model's role.
SECTIONS = {"input": "Input", "output": "Output", "payload": "Payload"}


def heading_id(text: str) -> str:
    """The id mkdocs (Python-Markdown's ``toc``, default slugify) gives a heading's text."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def section_anchor(owner: OperationIR | EventIR, role: str) -> str:
    """The anchor of an owner page's ``## Input``/``## Output``/``## Payload`` section.

    Only the page title comes before these headings and could take the same
    id (a spec titled "Input"): toc then numbers the section's id ``input_1``.
    """
    anchor = heading_id(SECTIONS[role])
    title = " ".join(owner.title.split()) if owner.title else owner.key
    return f"{anchor}_1" if heading_id(title) == anchor else anchor


def ident(ref: SpecId | Meta) -> tuple[str, str]:
    return (ref.key, ref.version)


def label(spec: Keyed) -> str:
    """A spec's short name in lists and diagrams: its key, plus the version when older."""
    return spec.key if spec.is_latest else f"{spec.key} {spec.version}"


@dataclass(frozen=True)
class Usage:
    """One place a model or enum is used, as a reverse link on its page."""

    page: str  # where the use is shown
    name: str  # the spec key or model name of that page
    kind: str  # "operation", "event" or "model"
    role: str  # "input", "output", "payload", "field"
    field: str | None = None  # the field's wire name, when the use is a field
    is_list: bool = False


@dataclass(frozen=True)
class DomainParts:
    """What one domain holds, as its index page and nav section list it."""

    features: list[FeatureIR]
    capabilities: list[CapabilityIR]
    operations: list[OperationIR]
    events: list[EventIR]
    models: list[ModelIR]  # shared models
    io_models: list[ModelIR]  # inline inputs, outputs and payloads
    enums: list[EnumIR]


@dataclass(frozen=True)
class FlowNode:
    id: str
    shape: Literal["capability", "operation", "event", "actor"]
    label: str


@dataclass(frozen=True)
class FlowEdge:
    source: str
    target: str
    label: str | None = None
    dotted: bool = False


@dataclass(frozen=True)
class Flow:
    """A left-to-right diagram: capabilities -> operations -> events."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]


def flow(
    caps: list[CapabilityIR], ops: list[OperationIR], evs: list[EventIR], caller: str | None = None
) -> Flow:
    """Capabilities provide operations (solid), operations emit events (solid, with
    ``when``), a capability provides an event no drawn operation emits (dotted).
    With ``caller``, an actor node calls every operation."""
    nodes: list[FlowNode] = []
    ids: dict[tuple[str, str, str], str] = {}
    for prefix, shape, items in (
        ("c", "capability", caps),
        ("o", "operation", ops),
        ("e", "event", evs),
    ):
        for i, item in enumerate(items):
            node_id = f"{prefix}{i}"
            ids[(shape, *ident(item))] = node_id
            nodes.append(FlowNode(node_id, shape, label(item)))  # type: ignore[arg-type]
    edges: list[FlowEdge] = []
    if caller is not None:
        nodes.insert(0, FlowNode("caller", "actor", caller))
        for op in ops:
            edges.append(
                FlowEdge(
                    "caller", ids[("operation", *ident(op))], f"{op.rest.method} {op.rest.path}"
                )
            )
    for op in ops:
        if op.capability and ("capability", *ident(op.capability)) in ids:
            edges.append(
                FlowEdge(ids[("capability", *ident(op.capability))], ids[("operation", *ident(op))])
            )
    emitted: set[str] = set()
    for op in ops:
        for emit in op.emits:
            target = ids.get(("event", *ident(emit.event)))
            if target:
                emitted.add(target)
                edges.append(FlowEdge(ids[("operation", *ident(op))], target, emit.when))
    for cap in caps:
        for ref in cap.events:
            target = ids.get(("event", *ident(ref)))
            if target and target not in emitted:
                edges.append(FlowEdge(ids[("capability", *ident(cap))], target, dotted=True))
    return Flow(tuple(nodes), tuple(edges))


@dataclass(frozen=True)
class NavItem:
    title: str
    page: str | None = None
    children: tuple[NavItem, ...] = ()


@dataclass
class Site:
    """The contract set plus every index the pages need."""

    contracts: ContractSet
    title: str
    models: dict[str, ModelIR] = field(init=False)
    enums: dict[str, EnumIR] = field(init=False)
    domains: tuple[str, ...] = field(init=False)
    emitted_by: dict[tuple[str, str], list[tuple[OperationIR, str | None]]] = field(init=False)
    provided_by: dict[tuple[str, str], list[CapabilityIR]] = field(init=False)
    required_by: dict[tuple[str, str], list[CapabilityIR]] = field(init=False)
    in_features: dict[tuple[str, str], list[FeatureIR]] = field(init=False)
    used_by: dict[str, list[Usage]] = field(init=False)
    versions: dict[tuple[str, str], list[Keyed]] = field(init=False)
    # Inline models shown only on their owner's page (nothing else uses them):
    # name -> (owner's page, anchor of the section that shows the model).
    inline: dict[str, tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        c = self.contracts
        self.models = c.models_by_name()
        self.enums = c.enums_by_name()
        self.domains = tuple(
            sorted(
                set(c.domains)
                | {s.domain for s in (*c.capabilities, *c.features)}
                | {s.domain for s in (*c.operations, *c.events)}
            )
        )
        self.emitted_by = defaultdict(list)
        for op in c.operations:
            for emit in op.emits:
                self.emitted_by[ident(emit.event)].append((op, emit.when))
        self.provided_by = defaultdict(list)
        self.required_by = defaultdict(list)
        for cap in c.capabilities:
            for ref in (*cap.operations, *cap.events):
                self.provided_by[ident(ref)].append(cap)
            for req in cap.requires:
                self.required_by[ident(req.capability)].append(cap)
        self.in_features = defaultdict(list)
        for feat in c.features:
            for ref in (*feat.operations, *feat.events, *feat.capabilities):
                self.in_features[ident(ref)].append(feat)
        self.versions = defaultdict(list)
        for spec in self.keyed():
            self.versions[(family(spec), spec.key)].append(spec)
        self.used_by = self._usages()
        self.inline = self._inline()

    # -- lookups ---------------------------------------------------------------

    def keyed(self) -> tuple[Keyed, ...]:
        c = self.contracts
        return (*c.operations, *c.events, *c.capabilities, *c.features)

    def operations(self, refs: Iterable[SpecId]) -> list[OperationIR]:
        return [self.contracts.operation(r) for r in refs]

    def events(self, refs: Iterable[SpecId]) -> list[EventIR]:
        return [self.contracts.event(r) for r in refs]

    def capabilities(self, refs: Iterable[SpecId]) -> list[CapabilityIR]:
        return [self.contracts.capability(r) for r in refs]

    def owner_of(self, model: ModelIR) -> OperationIR | EventIR | None:
        """The operation or event an inline model belongs to (None for a shared model)."""
        if model.owner is None:
            return None
        try:
            if model.role == "payload":
                return self.contracts.event(model.owner)
            return self.contracts.operation(model.owner)
        except KeyError:
            return None

    def has_page(self, model: ModelIR) -> bool:
        """Whether a model has a page of its own (all but inline models only their owner uses)."""
        return model.name not in self.inline

    def with_pages(self, models: Iterable[ModelIR]) -> list[ModelIR]:
        """The models that have a page of their own (for the nav and the domain pages)."""
        return [m for m in models if m.name not in self.inline]

    def type_target(self, f: FieldIR) -> tuple[str, str | None]:
        """Where a field's type links to: its model (page or section), enum, or the scalars page."""
        if f.type.kind == "model" and f.type.name in self.models:
            return self.inline.get(f.type.name) or (self.models[f.type.name].page, None)
        if f.type.kind == "enum" and f.type.name in self.enums:
            return (self.enums[f.type.name].page, None)
        return (SCALARS_PAGE, None)

    def other_versions(self, spec: Keyed) -> list[Keyed]:
        return [s for s in self.versions[(family(spec), spec.key)] if s.version != spec.version]

    def latest(self, spec: Keyed) -> Keyed:
        return self.versions[(family(spec), spec.key)][-1]

    def in_domain(self, domain: str) -> DomainParts:
        parts = self._by_domain.get(domain)
        if parts is None:
            return DomainParts([], [], [], [], [], [], [])
        return parts

    @cached_property
    def _by_domain(self) -> dict[str, DomainParts]:
        """Every domain's parts, in one pass over the set (in set order, as filtered)."""
        c = self.contracts
        out: dict[str, DomainParts] = {}

        def parts(domain: str) -> DomainParts:
            p = out.get(domain)
            if p is None:
                p = out[domain] = DomainParts([], [], [], [], [], [], [])
            return p

        for feat in c.features:
            parts(feat.domain).features.append(feat)
        for cap in c.capabilities:
            parts(cap.domain).capabilities.append(cap)
        for op in c.operations:
            parts(op.domain).operations.append(op)
        for ev in c.events:
            parts(ev.domain).events.append(ev)
        for m in c.models:
            p = parts(m.domain)
            (p.models if m.role == "shared" else p.io_models).append(m)
        for e in c.enums:
            parts(e.domain).enums.append(e)
        return out

    # -- reverse links ---------------------------------------------------------

    def _usages(self) -> dict[str, list[Usage]]:
        used: dict[str, list[Usage]] = defaultdict(list)
        c = self.contracts
        for op in c.operations:
            for role, name in (("input", op.input), ("output", op.output)):
                if name:
                    used[name].append(Usage(op.names.page, label(op), "operation", role))
        for ev in c.events:
            used[ev.payload].append(Usage(ev.names.page, label(ev), "event", "payload"))
        for m in c.models:
            owner = self.owner_of(m)
            for f in m.fields:
                if f.type.kind == "scalar":
                    continue
                if owner is not None:
                    use = Usage(
                        page_of(owner),
                        label(owner),
                        "operation" if isinstance(owner, OperationIR) else "event",
                        m.role,
                        field=f.name,
                        is_list=f.is_list,
                    )
                else:
                    use = Usage(m.page, m.name, "model", "field", field=f.name, is_list=f.is_list)
                used[f.type.name].append(use)
        return {
            name: sorted(set(uses), key=lambda u: (u.kind, u.name, u.role, u.field or ""))
            for name, uses in used.items()
        }

    def _inline(self) -> dict[str, tuple[str, str]]:
        """The inline models whose every use is on their owner's page.

        Such a page would repeat the owner page's Input, Output or Payload
        section: there is none, and links go to that section. An inline model
        another spec or model uses (a field of its type, another operation's
        input) keeps its page, where its used-by table lists those uses.
        """
        out: dict[str, tuple[str, str]] = {}
        for m in self.contracts.models:
            if m.role == "shared":
                continue
            owner = self.owner_of(m)
            if owner is None:
                continue
            home = page_of(owner)
            if all(u.page == home for u in self.used_by.get(m.name, ())):
                out[m.name] = (home, section_anchor(owner, m.role))
        return out

    # -- navigation ------------------------------------------------------------

    def nav(self) -> tuple[NavItem, ...]:
        """The mkdocs ``nav``: home, one section per domain, then the scalars."""
        items = [NavItem("Home", INDEX_PAGE)]
        for domain in self.domains:
            parts = self.in_domain(domain)
            section = [NavItem("Overview", domain_page(domain))]
            groups: tuple[tuple[str, Sequence[Keyed | ModelIR | EnumIR]], ...] = (
                ("Features", parts.features),
                ("Capabilities", parts.capabilities),
                ("Operations", parts.operations),
                ("Events", parts.events),
                ("Models", parts.models),
                ("Operation and event models", self.with_pages(parts.io_models)),
                ("Enums", parts.enums),
            )
            for title, members in groups:
                entries = tuple(NavItem(_nav_title(item), page_of(item)) for item in members)
                if entries:
                    section.append(NavItem(title, children=entries))
            items.append(NavItem(domain, children=tuple(section)))
        items.append(NavItem("Scalar types", SCALARS_PAGE))
        return tuple(items)

    def pages(self) -> list[str]:
        """Every page stem of the site, in nav order."""
        out: list[str] = []

        def walk(items: tuple[NavItem, ...]) -> None:
            for item in items:
                if item.page:
                    out.append(item.page)
                walk(item.children)

        walk(self.nav())
        return out


def _nav_title(item: Keyed | ModelIR | EnumIR) -> str:
    if isinstance(item, (ModelIR, EnumIR)):
        return item.name
    return label(item)


def href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative link from one page to another (``../models/Order.md``)."""
    target = _relative(posixpath.dirname(from_page) or ".", to_page)
    return f"{target}#{anchor}" if anchor else target


# Page stems are few directories deep and link to each other thousands of
# times per build: each (directory, page) pair is worked out once.
_RELATIVE: dict[tuple[str, str], str] = {}


def clear_links() -> None:
    """Forget the links worked out so far (memory, after a site is rendered)."""
    _RELATIVE.clear()


def _relative(from_dir: str, to_page: str) -> str:
    key = (from_dir, to_page)
    target = _RELATIVE.get(key)
    if target is None:
        if len(_RELATIVE) > 200_000:
            _RELATIVE.clear()
        target = _RELATIVE[key] = posixpath.relpath(f"{to_page}.md", from_dir)
    return target
