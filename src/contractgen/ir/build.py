"""Build the IR from loaded specs: resolve references, apply defaults, decide names.

Problems found while resolving are reported with the position of the YAML
node they concern; building continues so one run reports them all. Checks
that need the whole IR (capability agreement, route and name collisions) live
in :mod:`contractgen.ir.checks`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contractgen.diagnostics import Diagnostics, Position, SpecError
from contractgen.ir import naming
from contractgen.ir.checks import check_contract_set
from contractgen.ir.models import (
    CapabilityIR,
    Constraints,
    ContractSet,
    EmitIR,
    EnumIR,
    EnumValueIR,
    ErrorIR,
    EventIR,
    EventNames,
    ExampleIR,
    FeatureIR,
    FieldIR,
    ModelIR,
    ModelRole,
    NamingDecision,
    OperationIR,
    OperationNames,
    PolicyIR,
    RateLimitIR,
    RequirementIR,
    RestIR,
    ScenarioIR,
    Source,
    SpecId,
    TypeRef,
)
from contractgen.ir.scalars import SCALARS
from contractgen.ir.values import check_object, check_value
from contractgen.spec.load import LoadedSpec
from contractgen.spec.models import (
    CapabilitySpec,
    EnumSpec,
    EventSpec,
    FeatureSpec,
    FieldSpec,
    MetaSpec,
    ModelSpec,
    OperationSpec,
)

_TYPE_EXPR = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(\[\])?(\?)?$")
ERROR_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_PATH_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~-]+|\{([A-Za-z_][A-Za-z0-9_]*)\})$")
# Keys, versions, type names and domains become file names (docs pages,
# Python modules): longer ones could not be written on common file systems.
MAX_NAME_LENGTH = 150
MAX_VERSION_LENGTH = 50


SemverKey = tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]


def semver_key(version: str) -> SemverKey:
    """Sort key with semver precedence: a pre-release sorts before its release,
    numeric identifiers compare as numbers and before alphanumeric ones."""
    core, _, pre = version.partition("-")
    major, minor, patch = (int(x) for x in core.split("."))
    parts = (
        tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    )
    return (major, minor, patch, 0 if pre else 1, parts)


_Interned = TypeVar("_Interned", Constraints, TypeRef)


def _interned_key(value: Any) -> tuple[Any, Any]:
    """One field value's part of an interning key (see :func:`_interned`)."""
    return (type(value), repr(value) if type(value) is float else value)


def _interned(value: _Interned) -> _Interned:
    """One instance per distinct value (memory: a large set has a few hundred
    distinct types and constraints among hundreds of thousands of fields).

    The IR is frozen, so sharing is safe; the key holds each value's type and a
    float's repr, so ``1``, ``1.0``, ``0.0`` and ``-0.0`` (equal in Python, not
    in the output) stay apart.
    """
    key = (type(value), *(_interned_key(v) for v in value.__dict__.values()))
    shared: _Interned = _INTERNED.setdefault(key, value)
    return shared


_INTERNED: dict[tuple[Any, ...], Any] = {}


def _type_ref(kind: str, name: str) -> TypeRef:
    """The interned TypeRef (found before a new one is built: fields ask thousands of times)."""
    key = (TypeRef, _interned_key(kind), _interned_key(name))
    found: TypeRef | None = _INTERNED.get(key)
    return (
        found
        if found is not None
        else _interned(TypeRef.model_validate({"kind": kind, "name": name}))
    )


def _constraints(**values: Any) -> Constraints:
    """The interned Constraints of these values (found before a new one is built)."""
    key = (Constraints, *(_interned_key(v) for v in values.values()))
    found: Constraints | None = _INTERNED.get(key)
    return found if found is not None else _interned(Constraints(**values))


def _type_position(loaded: LoadedSpec, path: tuple[str | int, ...]) -> Position:
    """Where a field's type is written: its ``type`` key, else the field."""
    position = loaded.at(*path, "type")
    return position if position.line else loaded.at(*path)


def _source(position: Position) -> Source:
    return Source(file=position.file, line=max(position.line, 1), col=max(position.col, 1))


@dataclass
class _Builder:
    diagnostics: Diagnostics
    naming_decisions: list[NamingDecision] = field(default_factory=list)
    # key -> sorted versions, per keyed kind
    versions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    type_names: dict[str, tuple[str, Position]] = field(default_factory=dict)  # name -> (kind, pos)
    folded_names: dict[str, str] = field(default_factory=dict)  # lower-cased name -> name
    shared_models: list[tuple[LoadedSpec, ModelSpec]] = field(default_factory=list)
    enums_raw: list[tuple[LoadedSpec, EnumSpec]] = field(default_factory=list)
    models: list[ModelIR] = field(default_factory=list)
    # docs page stem of a domain, case-folded -> (domain, where it was first seen)
    domain_pages: dict[str, tuple[str, Position]] = field(default_factory=dict)

    def error(self, position: Position, code: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.add(position, code, message, hint=hint)

    # -- references -----------------------------------------------------------

    def resolve(
        self, ref: str, kind: str, position: Position, *, required: bool = True
    ) -> SpecId | None:
        key, _, version = ref.partition("@")
        known = self.versions.get(kind, {})
        if key not in known:
            if required:
                close = difflib.get_close_matches(key, list(known), n=1)
                self.error(
                    position,
                    "CG104",
                    f"unknown {kind} '{key}'",
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else f"define a {kind} with key {key}",
                )
            return None
        if not version:
            return SpecId(key=key, version=known[key][-1])
        if version not in known[key]:
            self.error(
                position,
                "CG104",
                f"{kind} '{key}' has no version {version}",
                hint="known versions: " + ", ".join(known[key]),
            )
            return None
        return SpecId(key=key, version=version)

    # -- types and fields -----------------------------------------------------

    def field_ir(
        self, wire: str, spec: FieldSpec, loaded: LoadedSpec, path: tuple[str | int, ...]
    ) -> FieldIR | None:
        match = _TYPE_EXPR.fullmatch(spec.type)
        if match is None:  # the raw model's pattern already rejects this
            return None
        name, list_suffix, optional_suffix = match.groups()
        # (positions are looked up only for a diagnostic: most fields have none)
        type_ref = self.type_ref(name, lambda: _type_position(loaded, path))
        if spec.optional is False and optional_suffix:
            self.error(
                loaded.at(*path),
                "CG130",
                f"field '{wire}' is marked both optional ('?') and optional: false",
            )
        has_default = "default" in spec.model_fields_set
        required = not (optional_suffix or spec.optional or has_default)
        py_name, reason = naming.field_name(wire)
        if reason:
            self.naming_decisions.append(
                NamingDecision(
                    source=_source(loaded.key_at(*path)),
                    wire=wire,
                    chosen=py_name,
                    reason=f"'{wire}' {reason}",
                )
            )
        constraints = _constraints(
            min_length=spec.min_length,
            max_length=spec.max_length,
            minimum=spec.minimum,
            maximum=spec.maximum,
            pattern=spec.pattern,
            min_items=spec.min_items,
            max_items=spec.max_items,
        )
        for bound in ("minimum", "maximum"):
            value = getattr(spec, bound)
            if isinstance(value, float) and not math.isfinite(value):
                self.error(
                    loaded.at(*path, bound),
                    "CG134",
                    f"{bound} of '{wire}' is not a finite number ({value})",
                    hint="JSON Schema and OpenAPI cannot hold .inf or .nan; leave the bound out",
                )
        if spec.pattern is not None:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                self.error(
                    loaded.at(*path, "pattern"), "CG131", f"invalid regular expression: {exc}"
                )
        if type_ref is None:
            return None
        return FieldIR(
            name=wire,
            py_name=py_name,
            type=type_ref,
            is_list=bool(list_suffix),
            required=required,
            nullable=spec.nullable,
            description=spec.description,
            has_default=has_default,
            default=spec.default,
            deprecated=spec.deprecated,
            constraints=constraints,
            examples=tuple(spec.examples or ()),
            source=_source(loaded.key_at(*path)),
        )

    def type_ref(self, name: str, where: Callable[[], Position]) -> TypeRef | None:
        """The reference to type ``name``; ``where`` gives the position to report
        an unknown name at (looked up only then)."""
        if name in SCALARS:
            return _type_ref("scalar", name)
        if name in self.type_names:
            kind = self.type_names[name][0]
            return _type_ref("enum" if kind == "enum" else "model", name)
        candidates = list(SCALARS) + [
            n for n, (k, _) in self.type_names.items() if k in ("model", "enum")
        ]
        close = difflib.get_close_matches(name, candidates, n=1)
        self.error(
            where(),
            "CG103",
            f"unknown type '{name}'",
            hint=f"did you mean '{close[0]}'?" if close else "scalars: " + ", ".join(SCALARS),
        )
        return None

    def fields(
        self, raw: dict[str, FieldSpec], loaded: LoadedSpec, path: tuple[str | int, ...]
    ) -> tuple[FieldIR, ...]:
        out: list[FieldIR] = []
        seen: dict[str, str] = {}
        for wire, spec in raw.items():
            f = self.field_ir(wire, spec, loaded, (*path, wire))
            if f is None:
                continue
            clash = seen.get(f.py_name.lower())
            if clash is not None:
                self.error(
                    loaded.key_at(*path, wire),
                    "CG111",
                    f"field '{wire}' and field '{clash}' both become the Python name '{f.py_name}'",
                    hint="rename one of them",
                )
                continue
            seen[f.py_name.lower()] = wire
            out.append(f)
        return tuple(out)

    def check_file_names(self, s: LoadedSpec) -> None:
        """Keys, versions, names and domains that cannot become file names are errors."""
        spec = s.spec
        parts: list[tuple[str, str, int]] = []
        if isinstance(spec, (ModelSpec, EnumSpec)):
            parts.append(("name", spec.name, MAX_NAME_LENGTH))
            domain, domain_at = spec.domain or "common", "domain" if spec.domain else "name"
        else:
            assert isinstance(spec, MetaSpec)
            parts += [("key", spec.key, MAX_NAME_LENGTH)]
            parts += [("version", spec.version, MAX_VERSION_LENGTH)]
            domain = spec.domain or spec.key.split(".", 1)[0]
            domain_at = "domain" if spec.domain else "key"
        for attr, value, limit in parts:
            if len(value) > limit:
                self.error(
                    s.at(attr),
                    "CG125",
                    f"{attr} is {len(value)} characters long; it names files, so at most "
                    f"{limit} are allowed",
                )
        stem = naming.file_stem(domain)
        if max(len(stem), len(naming.module_name(domain))) > MAX_NAME_LENGTH:
            self.error(
                s.at(domain_at),
                "CG125",
                f"domain '{domain[:40]}...' is too long to name a file (at most "
                f"{MAX_NAME_LENGTH} characters once made a file name)",
            )
            return
        first = self.domain_pages.setdefault(stem.lower(), (domain, s.at(domain_at)))
        if first[0] != domain:
            self.error(
                s.at(domain_at),
                "CG124",
                f"domain '{domain}' and domain '{first[0]}' ({first[1]}) would share the docs "
                f"page domains/{stem}.md",
                hint="spell the domain the same way everywhere",
            )

    def register_type(self, name: str, kind: str, position: Position) -> bool:
        existing = self.folded_names.get(name.lower())
        if existing is not None and existing in self.type_names:
            other_kind, other_pos = self.type_names[existing]
            same = (
                "the same name"
                if existing == name
                else f"a name that differs only in case ('{existing}')"
            )
            self.error(
                position,
                "CG102",
                f"{kind} '{name}' has {same} as the {other_kind} at {other_pos}",
                hint="type names must be unique, case-insensitively (they become class and file names)",
            )
            return False
        self.type_names[name] = (kind, position)
        self.folded_names[name.lower()] = name
        return True

    def inline_model(
        self,
        value: str | dict[str, FieldSpec] | None,
        name: str,
        role: ModelRole,
        owner: SpecId,
        loaded: LoadedSpec,
        attr: str,
        domain: str,
        stability: Any,
        description: str,
    ) -> str | None:
        """An operation's input/output or an event's payload: a model name."""
        if value is None:
            return None
        if isinstance(value, str):
            if self.type_names.get(value, ("",))[0] == "model":
                return value
            if value in SCALARS or value in self.type_names:
                what = "a scalar" if value in SCALARS else "an enum"
                self.error(
                    loaded.at(attr),
                    "CG132",
                    f"{attr} '{value}' is {what}; {attr} must be a model or a mapping of fields",
                    hint=f"write `{attr}: {{ value: {value} }}` to wrap it in a field",
                )
            else:
                self.type_ref(value, lambda: loaded.at(attr))
            return None
        if not self.register_type(name, f"{role} model", loaded.at(attr)):
            return None
        self.models.append(
            ModelIR(
                name=name,
                role=role,
                owner=owner,
                description=description,
                domain=domain,
                module=naming.module_name(domain),
                page=f"models/{naming.file_stem(name)}",
                stability=stability,
                fields=self.fields(value, loaded, (attr,)),
                source=_source(loaded.at(attr)),
            )
        )
        return name


def build_ir(loaded: Iterable[LoadedSpec], diagnostics: Diagnostics) -> ContractSet:
    """Resolve loaded specs into a :class:`ContractSet`; raise SpecError on any error."""
    b = _Builder(diagnostics)
    specs = sorted(loaded, key=lambda s: (s.file, s.position.line))
    keyed: dict[str, list[LoadedSpec]] = defaultdict(list)
    first_at: dict[tuple[str, str, str], Position] = {}
    for s in specs:
        spec = s.spec
        b.check_file_names(s)
        if isinstance(spec, ModelSpec):
            if b.register_type(spec.name, "model", s.at("name")):
                b.shared_models.append((s, spec))
            continue
        if isinstance(spec, EnumSpec):
            if b.register_type(spec.name, "enum", s.at("name")):
                b.enums_raw.append((s, spec))
            continue
        assert isinstance(spec, MetaSpec)
        kind = _family(spec)
        ident = (kind, spec.key, spec.version)
        if ident in first_at:
            b.error(
                s.at("key"),
                "CG101",
                f"{kind} {spec.key}@{spec.version} is defined twice (first at {first_at[ident]})",
                hint="bump the version of one of them",
            )
            continue
        first_at[ident] = s.at("key")
        keyed[kind].append(s)
    for kind, items in keyed.items():
        table: dict[str, list[str]] = defaultdict(list)
        folded: dict[tuple[str, str], tuple[str, Position]] = {}
        for s in items:
            assert isinstance(s.spec, MetaSpec)
            other = folded.setdefault(
                (s.spec.key, s.spec.version.lower()), (s.spec.version, s.at("version"))
            )
            if other[0] != s.spec.version:
                b.error(
                    s.at("version"),
                    "CG101",
                    f"{kind} {s.spec.key} has versions {s.spec.version} and {other[0]} "
                    f"({other[1]}), which differ only in case",
                    hint="their pages, class names and ids would collide; bump one of them",
                )
                continue
            table[s.spec.key].append(s.spec.version)
        b.versions[kind] = {k: sorted(v, key=semver_key) for k, v in table.items()}
    # Keys are unique across kinds too: pages, ids and client paths derive from them.
    owner_kind: dict[str, str] = {}
    for kind in sorted(keyed):
        for key in b.versions[kind]:
            if key in owner_kind:
                b.error(
                    keyed[kind][0].at("key"),
                    "CG101",
                    f"key '{key}' is used by both a {owner_kind[key]} and a {kind}",
                )
            owner_kind[key] = kind
    # Inline model names must be registered before any field resolves types.
    for s in keyed.get("operation", []):
        spec = s.spec
        assert isinstance(spec, OperationSpec)
        base = _type_base(spec, b)
        for attr, suffix in (("input", "Input"), ("output", "Output")):
            if isinstance(getattr(spec, attr), dict):
                b.register_type(base + suffix, f"{attr} model", s.at(attr))
    for s in keyed.get("event", []):
        spec = s.spec
        assert isinstance(spec, EventSpec)
        if isinstance(spec.payload, dict):
            b.register_type(_type_base(spec, b) + "Payload", "payload model", s.at("payload"))
    # Registered above; inline_model must not register them again.
    preregistered = dict(b.type_names)

    enums = [_enum(b, s, spec) for s, spec in b.enums_raw]
    for s, spec in b.shared_models:
        domain = spec.domain or "common"
        b.models.append(
            ModelIR(
                name=spec.name,
                role="shared",
                description=spec.description,
                domain=domain,
                module=naming.module_name(domain),
                page=f"models/{naming.file_stem(spec.name)}",
                stability=spec.stability,
                fields=b.fields(spec.fields, s, ("fields",)),
                source=_source(s.at("name")),
                source_yaml=s.source,
            )
        )
    b.type_names = {k: v for k, v in b.type_names.items() if v[0] in ("model", "enum")}
    operations = [_operation(b, s, preregistered) for s in keyed.get("operation", [])]
    events = [_event(b, s, preregistered) for s in keyed.get("event", [])]
    capabilities = [_capability(b, s) for s in keyed.get("capability", [])]
    features = [_feature(b, s) for s in keyed.get("feature", [])]

    models = sorted(b.models, key=lambda m: m.name)
    _check_values(b, [o for o in operations if o], models, enums, keyed.get("operation", []))
    if diagnostics.has_errors:
        raise SpecError(diagnostics)
    domains = sorted(
        {o.domain for o in operations if o}
        | {e.domain for e in events if e}
        | {m.domain for m in models}
        | {e.domain for e in enums}
    )
    contract_set = ContractSet(
        domains=tuple(domains),
        operations=tuple(sorted((o for o in operations if o), key=_spec_order)),
        events=tuple(sorted((e for e in events if e), key=_spec_order)),
        models=tuple(models),
        enums=tuple(sorted(enums, key=lambda e: e.name)),
        capabilities=tuple(sorted((c for c in capabilities if c), key=_spec_order)),
        features=tuple(sorted((f for f in features if f), key=_spec_order)),
        naming=tuple(
            sorted(b.naming_decisions, key=lambda d: (d.source.file, d.source.line, d.source.col))
        ),
    )
    check_contract_set(contract_set, diagnostics)
    if diagnostics.has_errors:
        raise SpecError(diagnostics)
    return contract_set


def _spec_order(spec: Any) -> tuple[str, SemverKey]:
    return (spec.key, semver_key(spec.version))


def _family(spec: MetaSpec) -> str:
    if isinstance(spec, OperationSpec):
        return "operation"
    if isinstance(spec, EventSpec):
        return "event"
    if isinstance(spec, CapabilitySpec):
        return "capability"
    return "feature"


def _is_latest(b: _Builder, kind: str, spec: MetaSpec) -> bool:
    return b.versions[kind][spec.key][-1] == spec.version


def _type_base(spec: MetaSpec, b: _Builder) -> str:
    """Class-name stem of a keyed spec: the latest version keeps the plain name."""
    base = naming.pascal_case(spec.key)
    if not _is_latest(b, _family(spec), spec):
        base += naming.version_suffix(spec.version)
    return base


def _meta(b: _Builder, s: LoadedSpec, spec: MetaSpec, kind: str) -> dict[str, Any]:
    return {
        "key": spec.key,
        "version": spec.version,
        "title": spec.title or spec.key,
        "description": spec.description,
        "domain": spec.domain or spec.key.split(".", 1)[0],
        "owners": tuple(spec.owners),
        "tags": tuple(dict.fromkeys(spec.tags)),
        "stability": spec.stability,
        "is_latest": _is_latest(b, kind, spec),
        "file": s.file,
        "source": _source(s.position),
        "source_yaml": s.source,
    }


def _enum(b: _Builder, s: LoadedSpec, spec: EnumSpec) -> EnumIR:
    values: list[EnumValueIR] = []
    seen_values: set[str] = set()
    seen_members: dict[str, str] = {}
    for i, v in enumerate(spec.values):
        position = s.at("values", i)
        if v.value in seen_values:
            b.error(position, "CG120", f"enum value '{v.value}' appears twice")
            continue
        seen_values.add(v.value)
        member = naming.enum_member(v.value)
        if member in seen_members:
            b.error(
                position,
                "CG121",
                f"enum values '{v.value}' and '{seen_members[member]}' both become the member name {member}",
                hint="rename one of the values",
            )
            continue
        seen_members[member] = v.value
        values.append(
            EnumValueIR(
                value=v.value, py_name=member, description=v.description, deprecated=v.deprecated
            )
        )
    domain = spec.domain or "common"
    return EnumIR(
        name=spec.name,
        description=spec.description,
        domain=domain,
        module=naming.module_name(domain),
        page=f"models/{naming.file_stem(spec.name)}",
        stability=spec.stability,
        values=tuple(values),
        source=_source(s.at("name")),
        source_yaml=s.source,
    )


def _operation(b: _Builder, s: LoadedSpec, preregistered: dict[str, Any]) -> OperationIR | None:
    spec = s.spec
    assert isinstance(spec, OperationSpec)
    meta = _meta(b, s, spec, "operation")
    sid = SpecId(key=spec.key, version=spec.version)
    base = _type_base(spec, b)
    models_before = len(b.models)
    io: dict[str, str | None] = {}
    roles: tuple[tuple[str, str, ModelRole], ...] = (
        ("input", "Input", "input"),
        ("output", "Output", "output"),
    )
    for attr, suffix, role in roles:
        name = base + suffix
        value = getattr(spec, attr)
        if isinstance(value, dict) and name not in preregistered:
            io[attr] = None  # its registration failed and was reported
            continue
        if isinstance(value, dict):
            b.type_names.pop(name, None)  # inline_model registers it for real
        io[attr] = b.inline_model(
            value,
            name,
            role,
            sid,
            s,
            attr,
            meta["domain"],
            spec.stability,
            f"{'Input' if attr == 'input' else 'Output'} of {spec.key}.",
        )
    input_model = b.models[models_before] if io["input"] and isinstance(spec.input, dict) else None
    if input_model is None and io["input"]:
        input_model = next((m for m in b.models if m.name == io["input"]), None)

    capability = (
        b.resolve(spec.capability, "capability", s.at("capability")) if spec.capability else None
    )
    errors: list[ErrorIR] = []
    for code, err in spec.errors.items():
        position = s.key_at("errors", code)
        if not ERROR_CODE.fullmatch(code):  # fullmatch: '$' would allow a final line break
            b.error(
                position,
                "CG110",
                f"error code '{code}' is not UPPER_SNAKE_CASE",
                hint="error codes look like RUN_NOT_FOUND",
            )
            continue
        if not 400 <= err.http <= 599:
            b.error(
                s.at("errors", code, "http"),
                "CG109",
                f"HTTP status {err.http} of error {code} is not an error status (400-599)",
            )
            continue
        errors.append(
            ErrorIR(
                code=code,
                http=err.http,
                description=err.description,
                when=err.when,
                py_class=naming.error_class(code),
                source=_source(position),
            )
        )
    emits: list[EmitIR] = []
    for i, emit in enumerate(spec.side_effects.emits):
        ref = b.resolve(emit.event, "event", s.at("sideEffects", "emits", i, "event"))
        if ref is not None:
            emits.append(EmitIR(event=ref, when=emit.when))
    rest = _rest(b, s, spec, input_model)
    policy = spec.policy
    idempotent = True if spec.kind == "query" else bool(policy.idempotent)
    if spec.kind == "query" and policy.idempotent is False:
        b.error(
            s.at("policy", "idempotent"),
            "CG133",
            "a query is always idempotent",
            hint="remove idempotent: false, or make it a command",
        )
    client_path = naming.client_path(spec.key)
    page = f"operations/{naming.file_stem(spec.key)}"
    operation_id = naming.camel_case(spec.key)
    if not meta["is_latest"]:
        client_path = (
            *client_path[:-1],
            f"{client_path[-1]}_{naming.version_suffix(spec.version).lower()}",
        )
        page += f"-{naming.file_stem(spec.version)}"
        operation_id += naming.version_suffix(spec.version)
    if rest is None:
        return None
    return OperationIR(
        **meta,
        kind=spec.kind,
        goal=spec.goal,
        context=spec.context,
        capability=capability,
        input=io["input"],
        output=io["output"],
        errors=tuple(errors),
        policy=PolicyIR(
            auth=policy.auth,
            pii=tuple(policy.pii),
            idempotent=idempotent,
            idempotent_inferred=policy.idempotent is None,
            rate_limit=RateLimitIR(rpm=policy.rate_limit.rpm, key=policy.rate_limit.key)
            if policy.rate_limit
            else None,
            escalation=policy.escalation,
            roles=tuple(policy.roles),
            permissions=tuple(policy.permissions),
            flags=tuple(policy.flags),
        ),
        emits=tuple(emits),
        analytics=tuple(spec.side_effects.analytics),
        audit=tuple(spec.side_effects.audit),
        rest=rest,
        scenarios=tuple(
            ScenarioIR(key=sc.key, given=tuple(sc.given), when=tuple(sc.when), then=tuple(sc.then))
            for sc in spec.acceptance.scenarios
        ),
        examples=tuple(
            ExampleIR(
                key=ex.key,
                description=ex.description,
                input=ex.input,
                output=ex.output,
                error=ex.error,
            )
            for ex in spec.acceptance.examples
        ),
        names=OperationNames(
            operation_id=operation_id,
            client_path=client_path,
            module=naming.module_name(meta["domain"]),
            page=page,
        ),
    )


def _rest(
    b: _Builder, s: LoadedSpec, spec: OperationSpec, input_model: ModelIR | None
) -> RestIR | None:
    rest = spec.transport.rest
    method = (rest.method if rest else None) or ("GET" if spec.kind == "query" else "POST")
    major = spec.version.split(".", 1)[0]
    default_path = f"/v{major}/" + "/".join(spec.key.split("."))
    path = (rest.path if rest else None) or default_path
    position = s.at("transport", "rest", "path")
    fields = {f.name: f for f in input_model.fields} if input_model else {}
    params: list[str] = []
    ok = True
    if not path.startswith("/"):
        b.error(position, "CG108", f"REST path '{path}' must start with '/'")
        ok = False
    else:
        for segment in path.split("/")[1:]:
            if path == "/":
                break
            m = _PATH_SEGMENT.fullmatch(segment)
            if m is None or segment in (".", ".."):
                b.error(
                    position,
                    "CG108",
                    f"REST path '{path}' has an invalid segment '{segment}'",
                    hint="segments are letters, digits, '-', '_', '.', '~' or a whole-segment {field}",
                )
                ok = False
                continue
            param = m.group(1)
            if param is None:
                continue
            if param in params:
                b.error(position, "CG107", f"path parameter '{{{param}}}' appears twice")
                ok = False
                continue
            params.append(param)
            f = fields.get(param)
            if f is None:
                close = difflib.get_close_matches(param, list(fields), n=1)
                b.error(
                    position,
                    "CG107",
                    f"path parameter '{{{param}}}' is not an input field",
                    hint=f"did you mean '{{{close[0]}}}'?"
                    if close
                    else "add it to the input, or remove it from the path",
                )
                ok = False
            elif not f.required or f.is_list or f.type.kind == "model" or f.nullable:
                b.error(
                    position,
                    "CG107",
                    f"path parameter '{{{param}}}' must be a required, non-null scalar or enum field",
                )
                ok = False
    rest_fields = [name for name in fields if name not in params]
    query: list[str] = []
    body: list[str] = []
    if method in ("GET", "DELETE"):
        for name in rest_fields:
            f = fields[name]
            if f.type.kind == "model" or (
                f.type.kind == "scalar" and SCALARS[f.type.name].kind in ("object", "any")
            ):
                b.error(
                    s.key_at("input", name) if isinstance(spec.input, dict) else s.at("input"),
                    "CG113",
                    f"input field '{name}' of a {method} operation cannot be sent as a query parameter "
                    f"({f.type.name} is not a scalar)",
                    hint="use POST for structured input, or flatten the field",
                )
                ok = False
            query.append(name)
    else:
        body = rest_fields
    if not ok:
        return None
    return RestIR(
        method=method,
        path=path,
        path_params=tuple(params),
        query_params=tuple(query),
        body_fields=tuple(body),
        method_inferred=not (rest and rest.method),
        path_inferred=not (rest and rest.path),
    )


def _event(b: _Builder, s: LoadedSpec, preregistered: dict[str, Any]) -> EventIR | None:
    spec = s.spec
    assert isinstance(spec, EventSpec)
    meta = _meta(b, s, spec, "event")
    name = _type_base(spec, b) + "Payload"
    if isinstance(spec.payload, dict):
        if name not in preregistered:
            return None
        b.type_names.pop(name, None)
    payload = b.inline_model(
        spec.payload,
        name,
        "payload",
        SpecId(key=spec.key, version=spec.version),
        s,
        "payload",
        meta["domain"],
        spec.stability,
        f"Payload of the {spec.key} event.",
    )
    if payload is None:
        return None
    page = f"events/{naming.file_stem(spec.key)}"
    webhook = spec.key
    if not meta["is_latest"]:
        page += f"-{naming.file_stem(spec.version)}"
        webhook += f"@{spec.version}"
    return EventIR(
        **meta,
        payload=payload,
        names=EventNames(
            py_class=payload, webhook=webhook, module=naming.module_name(meta["domain"]), page=page
        ),
    )


def _capability(b: _Builder, s: LoadedSpec) -> CapabilityIR:
    spec = s.spec
    assert isinstance(spec, CapabilitySpec)
    ops = [
        b.resolve(r, "operation", s.at("provides", "operations", i))
        for i, r in enumerate(spec.provides.operations)
    ]
    evs = [
        b.resolve(r, "event", s.at("provides", "events", i))
        for i, r in enumerate(spec.provides.events)
    ]
    requires: list[RequirementIR] = []
    for i, req in enumerate(spec.requires):
        ref = b.resolve(
            req.capability,
            "capability",
            s.at("requires", i, "capability"),
            required=not req.optional,
        )
        if ref is None and req.optional:
            key, _, version = req.capability.partition("@")
            requires.append(
                RequirementIR(
                    capability=SpecId(key=key, version=version or "latest"),
                    optional=True,
                    reason=req.reason,
                    in_set=False,
                )
            )
        elif ref is not None:
            requires.append(
                RequirementIR(capability=ref, optional=req.optional, reason=req.reason, in_set=True)
            )
    return CapabilityIR(
        **_meta(b, s, spec, "capability"),
        type=spec.type,
        operations=tuple(r for r in ops if r),
        events=tuple(r for r in evs if r),
        requires=tuple(requires),
        page=f"capabilities/{naming.file_stem(spec.key)}"
        + ("" if _is_latest(b, "capability", spec) else f"-{spec.version}"),
    )


def _feature(b: _Builder, s: LoadedSpec) -> FeatureIR:
    spec = s.spec
    assert isinstance(spec, FeatureSpec)

    def refs(attr: str, kind: str) -> tuple[SpecId, ...]:
        out = [b.resolve(r, kind, s.at(attr, i)) for i, r in enumerate(getattr(spec, attr))]
        return tuple(r for r in out if r)

    return FeatureIR(
        **_meta(b, s, spec, "feature"),
        operations=refs("operations", "operation"),
        events=refs("events", "event"),
        capabilities=refs("capabilities", "capability"),
        page=f"features/{naming.file_stem(spec.key)}"
        + ("" if _is_latest(b, "feature", spec) else f"-{spec.version}"),
    )


def _check_values(
    b: _Builder,
    operations: list[OperationIR],
    models: list[ModelIR],
    enums: list[EnumIR],
    loaded_ops: list[LoadedSpec],
) -> None:
    """Defaults, examples and PII paths must fit the types they belong to."""
    model_map = {m.name: m for m in models}
    enum_map = {e.name: e for e in enums}
    sources = {
        (s.spec.key, s.spec.version): s for s in loaded_ops if isinstance(s.spec, OperationSpec)
    }
    for m in models:
        for f in m.fields:
            if f.has_default:
                problem = check_value(f.default, f, model_map, enum_map, allow_null=f.nullable)
                if problem:
                    b.error(
                        Position(f.source.file, f.source.line, f.source.col),
                        "CG114",
                        f"default of '{f.name}' {problem}",
                    )
            for i, example in enumerate(f.examples):
                problem = check_value(example, f, model_map, enum_map)
                if problem:
                    b.error(
                        Position(f.source.file, f.source.line, f.source.col),
                        "CG115",
                        f"example {i + 1} of '{f.name}' {problem}",
                    )
    for op in operations:
        s = sources[(op.key, op.version)]
        codes = {e.code for e in op.errors}
        for i, ex in enumerate(op.examples):
            for attr in ("input", "output"):
                value = getattr(ex, attr)
                model_name = getattr(op, attr)
                if value is None:
                    continue
                position = s.at("acceptance", "examples", i, attr)
                if model_name is None:
                    b.error(
                        position,
                        "CG115",
                        f"example '{ex.key}' has an {attr}, but the operation has none",
                    )
                    continue
                problem = check_object(value, model_map[model_name], model_map, enum_map)
                if problem:
                    b.error(position, "CG115", f"example '{ex.key}' {attr} {problem}")
            if ex.error is not None and ex.error not in codes:
                b.error(
                    s.at("acceptance", "examples", i, "error"),
                    "CG117",
                    f"example '{ex.key}' answers with undeclared error '{ex.error}'",
                    hint="declared errors: " + (", ".join(sorted(codes)) or "none"),
                )
            if ex.error is not None and ex.output is not None:
                b.error(
                    s.at("acceptance", "examples", i),
                    "CG117",
                    f"example '{ex.key}' has both an output and an error",
                )
        for i, pii in enumerate(op.policy.pii):
            if not _pii_resolves(pii, op, model_map):
                b.error(
                    s.at("policy", "pii", i),
                    "CG116",
                    f"PII path '{pii}' does not name a field",
                    hint="write input.field or output.field.subfield",
                )


def _pii_resolves(path: str, op: OperationIR, models: dict[str, ModelIR]) -> bool:
    parts = path.split(".")
    root = parts[0]
    if root in ("input", "output"):
        model_name = getattr(op, root)
        parts = parts[1:]
    else:
        model_name = op.input
    if model_name is None or not parts:
        return False
    model: ModelIR | None = models.get(model_name)
    for i, part in enumerate(parts):
        if model is None:
            return False
        f = next((x for x in model.fields if x.name == part), None)
        if f is None:
            return False
        if i < len(parts) - 1:
            model = models.get(f.type.name) if f.type.kind == "model" else None
    return True
