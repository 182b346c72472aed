"""Checks that need the whole resolved spec set.

Each check reports at the position of the spec element at fault, naming the
other party's position where there is one.
"""

from __future__ import annotations

import re
from collections import defaultdict

from contractgen.diagnostics import Diagnostics, Position
from contractgen.ir.models import ContractSet, Source

# Names the generated Python package defines itself; specs cannot reuse them
# for models, enums or error classes.
RUNTIME_NAMES = frozenset(
    {
        "Client",
        "AsyncClient",
        "BaseClient",
        "AsyncBaseClient",
        "ClientError",
        "ApiError",
        "ErrorBody",
        "UnexpectedStatusError",
        "TransportError",
        "RequestTimeoutError",
        "ResponseDecodeError",
        "UnknownEventError",
        "InvalidEventError",
        "RetryPolicy",
        "EventEnvelope",
        "Event",
    }
)


def _at(source: Source) -> Position:
    return Position(source.file, source.line, source.col)


def check_contract_set(cs: ContractSet, diagnostics: Diagnostics) -> None:
    _capabilities_agree(cs, diagnostics)
    _routes_unique(cs, diagnostics)
    _client_paths(cs, diagnostics)
    _error_codes(cs, diagnostics)
    _class_names(cs, diagnostics)


def _capabilities_agree(cs: ContractSet, diagnostics: Diagnostics) -> None:
    by_id = {(c.key, c.version): c for c in cs.capabilities}
    provider: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in cs.capabilities:
        for ref in c.operations:
            provider[(ref.key, ref.version)].append(c.ref)
    for op in cs.operations:
        providers = provider.get((op.key, op.version), [])
        if op.capability is None:
            if len(providers) > 1:
                diagnostics.add(
                    _at(op.source),
                    "CG105",
                    f"operation {op.ref} is provided by several capabilities: {', '.join(providers)}",
                    hint="an operation belongs to one capability; remove it from the others",
                )
            continue
        cap = by_id.get((op.capability.key, op.capability.version))
        if cap is None:
            continue
        if not any(r.key == op.key and r.version == op.version for r in cap.operations):
            diagnostics.add(
                _at(op.source),
                "CG105",
                f"operation {op.ref} names capability {cap.ref}, which does not provide it",
                hint=f"add {op.ref} to provides.operations of {cap.ref} ({cap.source})",
            )
        others = [p for p in providers if p != cap.ref]
        if others:
            diagnostics.add(
                _at(op.source),
                "CG105",
                f"operation {op.ref} names capability {cap.ref} but is provided by {', '.join(others)}",
            )
        for emit in op.emits:
            if not any(
                r.key == emit.event.key and r.version == emit.event.version for r in cap.events
            ):
                diagnostics.add(
                    _at(op.source),
                    "CG106",
                    f"operation {op.ref} emits {emit.event}, which its capability {cap.ref} does not provide",
                    hint=f"add {emit.event} to provides.events of {cap.ref} ({cap.source})",
                )


def _routes_unique(cs: ContractSet, diagnostics: Diagnostics) -> None:
    seen: dict[tuple[str, str], str] = {}
    for op in cs.operations:
        shape = re.sub(r"\{[^}]*\}", "{}", op.rest.path.rstrip("/") or "/").lower()
        route = (op.rest.method, shape)
        if route in seen:
            diagnostics.add(
                _at(op.source),
                "CG112",
                f"operation {op.ref} has the same route {op.rest.method} {op.rest.path} as {seen[route]}",
                hint="set transport.rest.path (or method) so every operation has its own route",
            )
        else:
            seen[route] = op.ref
    # OpenAPI treats /runs/{id} and /runs/{runId} as one path: the parameter
    # names must agree across methods, or validators reject the document.
    templates: dict[str, tuple[str, str]] = {}
    for op in cs.operations:
        shape = re.sub(r"\{[^}]*\}", "{}", op.rest.path)
        first = templates.setdefault(shape, (op.rest.path, op.ref))
        if first[0] != op.rest.path:
            diagnostics.add(
                _at(op.source),
                "CG112",
                f"path {op.rest.path} of {op.ref} differs from {first[0]} of {first[1]} only in "
                "parameter names",
                hint="use the same parameter names for the same path",
            )


def _client_paths(cs: ContractSet, diagnostics: Diagnostics) -> None:
    leaves: dict[tuple[str, ...], str] = {}
    ids: dict[str, str] = {}
    for op in cs.operations:
        path = op.names.client_path
        if path in leaves:
            diagnostics.add(
                _at(op.source),
                "CG119",
                f"operation {op.ref} and {leaves[path]} both become client.{'.'.join(path)}",
            )
        leaves[path] = op.ref
        lowered = op.names.operation_id.lower()
        if lowered in ids and ids[lowered] != op.ref:
            diagnostics.add(
                _at(op.source),
                "CG119",
                f"operation {op.ref} and {ids[lowered]} both get the operation id {op.names.operation_id}",
            )
        ids[lowered] = op.ref
    for op in cs.operations:
        path = op.names.client_path
        for end in range(1, len(path)):
            if path[:end] in leaves:
                diagnostics.add(
                    _at(op.source),
                    "CG119",
                    f"client.{'.'.join(path[:end])} would be both the operation {leaves[path[:end]]} "
                    f"and the namespace of {op.ref}",
                    hint="an operation key cannot be a prefix of another operation key",
                )


def _error_codes(cs: ContractSet, diagnostics: Diagnostics) -> None:
    first: dict[str, tuple[int, Source, str]] = {}
    classes: dict[str, tuple[str, Source]] = {}  # exception class -> (code, where)
    for op in cs.operations:
        for err in op.errors:
            other = classes.setdefault(err.py_class, (err.code, err.source))
            if other[0] != err.code:
                diagnostics.add(
                    _at(err.source),
                    "CG123",
                    f"error codes {err.code} and {other[0]} ({other[1]}) both become the "
                    f"exception class {err.py_class}",
                    hint="rename one of the codes",
                )
            if err.code in first and first[err.code][0] != err.http:
                http, source, ref = first[err.code]
                diagnostics.add(
                    _at(err.source),
                    "CG118",
                    f"error {err.code} is HTTP {err.http} here but HTTP {http} in {ref} ({source})",
                    hint="one code means one thing across the API; use a different code",
                )
            first.setdefault(err.code, (err.http, err.source, op.ref))


def _class_names(cs: ContractSet, diagnostics: Diagnostics) -> None:
    types = {m.name.lower(): (m.name, m.source) for m in cs.models}
    types |= {e.name.lower(): (e.name, e.source) for e in cs.enums}
    for _, (name, source) in sorted(types.items()):
        if name in RUNTIME_NAMES:
            diagnostics.add(
                _at(source),
                "CG122",
                f"type name '{name}' is reserved by the generated client",
                hint="choose another name",
            )
    for op in cs.operations:
        for err in op.errors:
            if err.py_class.lower() in types or err.py_class in RUNTIME_NAMES:
                diagnostics.add(
                    _at(err.source),
                    "CG122",
                    f"error {err.code} becomes the class {err.py_class}, which is already a type name",
                )
