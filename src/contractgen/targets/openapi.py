"""The ``openapi`` target: ``openapi/openapi.yaml`` and ``openapi/openapi.json``.

One OpenAPI 3.1 document for the whole spec set, built from the IR as data
and serialized twice (YAML and JSON) from the same dict. Nothing is
templated: spec text only ever becomes a string value, so no description,
example or default can add structure to the document.

Mapping (see also tests/openapi/):

* every operation is one method of one path item (``rest.method`` /
  ``rest.path``); path and query parameters and the JSON body follow
  ``rest.path_params`` / ``query_params`` / ``body_fields``. When every input
  field travels in the body, the body ``$ref``-s the input model; otherwise
  the body is an inline object schema of just the body fields, and the input
  model is not a component (parameters and body describe all of it);
* the output is the ``200`` response (``204`` when the operation has none);
  each HTTP status of the declared errors is one ``application/problem+json``
  response whose schema is the shared ``ErrorBody`` with ``code`` narrowed to
  the codes declared for that status;
* models and enums are ``components/schemas``; events are ``webhooks``;
* what OpenAPI has no field for is an ``x-`` extension.
"""

from __future__ import annotations

import hashlib
import http
import marshal
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from contractgen.config import OpenApiSettings
from contractgen.ir import naming
from contractgen.ir.models import (
    CapabilityIR,
    ContractSet,
    ErrorIR,
    EventIR,
    ExampleIR,
    FeatureIR,
    FieldIR,
    Meta,
    ModelIR,
    OperationIR,
    SpecId,
)
from contractgen.output import json_text, yaml_text
from contractgen.output.fileset import FileSet
from contractgen.targets.base import RenderContext
from contractgen.targets.openapi_schemas import (
    ERROR_BODY,
    enum_schema,
    error_body_schema,
    field_schema,
    json_value,
    model_schema,
    object_schema,
    ref,
)

if TYPE_CHECKING:
    from contractgen.output.cache import BuildCache

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
METHOD_ORDER = ("get", "put", "post", "patch", "delete")
# [tool.contractgen.openapi] auth value -> (security scheme name, scheme).
AUTH_SCHEMES = ("bearer", "apiKey")


class OpenApiTarget:
    name = "openapi"
    description = (
        "OpenAPI 3.1 document (YAML and JSON): errors, auth, webhooks for events, examples"
    )

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet:
        doc = build_document(contracts, ctx.settings.openapi)
        yaml_doc, json_doc = _with_cached_parts(doc, ctx.cache) if ctx.cache.enabled else (doc, doc)
        files = FileSet()
        files.add("openapi.yaml", yaml_text.dump_utf8(yaml_doc))
        files.add("openapi.json", json_text.dumps_utf8(json_doc, allow_nan=False, end="\n"))
        return files


# -- reusing serialized parts from the build cache ------------------------------------

# Where the document's many parts are: each entry of these mappings is
# serialized on its own and kept in the build cache (``openapi``), keyed by
# its content. A build after a small edit re-serializes the few path items,
# webhooks and schemas that changed and copies the rest.
_PART_PARENTS: tuple[tuple[str, ...], ...] = (("paths",), ("webhooks",), ("components", "schemas"))


def _with_cached_parts(
    doc: dict[str, Any], cache: BuildCache
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two copies of ``doc`` whose parts are text already written (for YAML, for JSON).

    The text is what the serializers would write in that place (tests compare
    with an uncached build). A part's key is the ``marshal`` image of its data
    (which determines the data: equal keys, equal text) and where it goes.
    """
    yaml_doc, json_doc = _copy_parents(doc), _copy_parents(doc)
    # (where it goes, its name, its data, and the mappings that hold it in each copy)
    parts: list[tuple[tuple[str, ...], str, Any, dict[str, Any], dict[str, Any]]] = []
    for parent in _PART_PARENTS:
        node, in_yaml, in_json = (_mapping_at(d, parent) for d in (doc, yaml_doc, json_doc))
        if node is not None and in_yaml is not None and in_json is not None:
            parts += [(parent, name, value, in_yaml, in_json) for name, value in node.items()]
    if not parts:
        return doc, doc
    try:
        keys = [
            hashlib.sha256(marshal.dumps((parent, name, value), 2)).hexdigest()
            for parent, name, value, _, _ in parts
        ]
    except ValueError:  # not plain data: nothing to reuse
        return doc, doc
    found = cache.get_many("openapi", keys)
    for (parent, name, value, in_yaml, in_json), key in zip(parts, keys, strict=True):
        stored = found.get(key)
        if stored is None:
            try:
                y = yaml_text.entry(name, value, len(parent)).encode()
                j = json_text.dumps_strict(value, level=len(parent) + 1).encode()
            except (json_text.Unsupported, RecursionError):
                return doc, doc  # (the serializers' fallbacks handle the whole document)
            stored = b"%d\0%s%s" % (len(y), y, j)
            cache.put("openapi", key, stored)
        size, _, rest = stored.partition(b"\0")
        cut = int(size)
        in_yaml[name] = yaml_text.Raw(rest[:cut].decode())
        in_json[name] = json_text.Raw(rest[cut:].decode())
    return yaml_doc, json_doc


def _copy_parents(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with fresh copies of the mappings on the way to the parts (the rest shared)."""
    copy = dict(doc)
    for parent in _PART_PARENTS:
        node = copy
        for name in parent:
            if not isinstance(node.get(name), dict):
                break
            node[name] = dict(node[name])
            node = node[name]
    return copy


def _mapping_at(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = doc
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


# -- serialization -------------------------------------------------------------


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml_text.dump(doc)


def to_json(doc: dict[str, Any]) -> str:
    return json_text.dumps(doc, allow_nan=False, end="\n")


# -- the document --------------------------------------------------------------


def build_document(cs: ContractSet, settings: OpenApiSettings) -> dict[str, Any]:
    return _Builder(cs, settings).document()


def _spec_tag(meta: Meta) -> str:
    """Tag name of a capability or feature: its key (and version, for an older one)."""
    return meta.key if meta.is_latest else f"{meta.key}@{meta.version}"


def _same(a: SpecId, meta: Meta) -> bool:
    return a.key == meta.key and a.version == meta.version


def _status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _Builder:
    def __init__(self, cs: ContractSet, settings: OpenApiSettings) -> None:
        self.cs = cs
        self.settings = settings
        # Own lookup tables, from the collections themselves.
        self.models = {m.name: m for m in cs.models}
        self.events = {(e.key, e.version): e for e in cs.events}
        capabilities = {(c.key, c.version): c for c in cs.capabilities}
        self.schemes = self._security_schemes()
        self.used_tags: set[str] = set()
        self.body_refs: set[str] = set()
        # Operation -> capability providing it; event -> capabilities; features.
        self.op_capability: dict[tuple[str, str], CapabilityIR] = {}
        self.event_capabilities: dict[tuple[str, str], list[CapabilityIR]] = defaultdict(list)
        for cap in cs.capabilities:
            for r in cap.operations:
                self.op_capability.setdefault((r.key, r.version), cap)
            for r in cap.events:
                self.event_capabilities[(r.key, r.version)].append(cap)
        for op in cs.operations:
            if op.capability is not None:
                self.op_capability[(op.key, op.version)] = capabilities[
                    (op.capability.key, op.capability.version)
                ]
        self.op_features: dict[tuple[str, str], list[FeatureIR]] = defaultdict(list)
        self.event_features: dict[tuple[str, str], list[FeatureIR]] = defaultdict(list)
        for feat in cs.features:
            for r in feat.operations:
                self.op_features[(r.key, r.version)].append(feat)
            for r in feat.events:
                self.event_features[(r.key, r.version)].append(feat)
        self.emitted_by: dict[tuple[str, str], list[tuple[OperationIR, str | None]]] = defaultdict(
            list
        )
        for op in cs.operations:
            for emit in op.emits:
                self.emitted_by[(emit.event.key, emit.event.version)].append((op, emit.when))

    # -- top level -------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        s = self.settings
        info: dict[str, Any] = {"title": s.title, "version": s.version}
        if s.description:
            info["description"] = s.description
        if s.contact is not None:
            info["contact"] = s.contact.model_dump(exclude_none=True)
        if s.license is not None:
            info["license"] = s.license.model_dump(exclude_none=True)
        servers: list[dict[str, Any]] = []
        for server in s.servers:
            entry: dict[str, Any] = {"url": server.url}
            if server.description:
                entry["description"] = server.description
            servers.append(entry)
        if not servers:
            # What a document without servers means anyway, said explicitly:
            # some linters reject a document that has none.
            servers = [{"url": "/", "description": "The host that serves this document"}]

        paths = self._paths()
        webhooks = self._webhooks()
        doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info, "servers": servers}
        tags, groups = self._tags()
        if tags:
            doc["tags"] = tags
            doc["x-tagGroups"] = groups
        doc["paths"] = paths
        if webhooks:
            doc["webhooks"] = webhooks
        components: dict[str, Any] = {"schemas": self._schemas()}
        if self._schemes_used():
            components["securitySchemes"] = self.schemes
        doc["components"] = components
        return doc

    def _security_schemes(self) -> dict[str, dict[str, Any]]:
        schemes: dict[str, dict[str, Any]] = {}
        for kind in self.settings.auth:
            if kind == "bearer":
                schemes["bearerAuth"] = {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A bearer token in the `Authorization` header.",
                }
            elif kind == "apiKey":
                schemes["apiKeyAuth"] = {
                    "type": "apiKey",
                    "in": "header",
                    "name": self.settings.api_key_header,
                    "description": f"An API key in the `{self.settings.api_key_header}` header.",
                }
            else:
                raise ValueError(
                    f"[tool.contractgen.openapi] auth: unknown scheme {kind!r} "
                    f"(known: {', '.join(AUTH_SCHEMES)})"
                )
        if not schemes:
            raise ValueError("[tool.contractgen.openapi] auth: name at least one scheme")
        return schemes

    def _schemes_used(self) -> bool:
        return any(op.policy.auth != "anonymous" for op in self.cs.operations)

    def _tags(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        tags: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        seen: set[str] = set()

        def add(group: str, entries: list[dict[str, Any]]) -> None:
            names = []
            for entry in entries:
                if entry["name"] not in self.used_tags or entry["name"] in seen:
                    continue
                seen.add(entry["name"])
                tags.append(entry)
                names.append(entry["name"])
            if names:
                groups.append({"name": group, "tags": names})

        domains = sorted(
            {op.domain for op in self.cs.operations} | {ev.domain for ev in self.cs.events}
        )
        add(
            "Domains",
            [
                {"name": d, "description": f"Operations and events of the `{d}` domain."}
                for d in domains
            ],
        )
        add("Capabilities", [self._spec_tag_object(c, "Capability") for c in self.cs.capabilities])
        add("Features", [self._spec_tag_object(f, "Feature") for f in self.cs.features])
        return tags, groups

    @staticmethod
    def _spec_tag_object(meta: CapabilityIR | FeatureIR, kind: str) -> dict[str, Any]:
        text = meta.description or meta.title
        extra = f"{kind} `{meta.ref}`"
        if isinstance(meta, CapabilityIR):
            extra += f" ({meta.type})"
        entry: dict[str, Any] = {
            "name": _spec_tag(meta),
            "description": f"{text}\n\n{extra}.",
            "x-displayName": meta.title if meta.is_latest else f"{meta.title} ({meta.version})",
        }
        return entry

    # -- operations ------------------------------------------------------------

    def _paths(self) -> dict[str, Any]:
        by_path: dict[str, dict[str, Any]] = defaultdict(dict)
        for op in self.cs.operations:
            by_path[op.rest.path][op.rest.method.lower()] = self._operation(op)
        paths: dict[str, Any] = {}
        for path in sorted(by_path):
            item = by_path[path]
            paths[path] = {m: item[m] for m in METHOD_ORDER if m in item}
        return paths

    def _op_tags(self, op: OperationIR) -> list[str]:
        names = [op.domain]
        cap = self.op_capability.get((op.key, op.version))
        if cap is not None:
            names.append(_spec_tag(cap))
        names += [_spec_tag(f) for f in self.op_features.get((op.key, op.version), [])]
        names = list(dict.fromkeys(names))
        self.used_tags.update(names)
        return names

    def _operation(self, op: OperationIR) -> dict[str, Any]:
        o: dict[str, Any] = {
            "operationId": op.names.operation_id,
            "summary": op.title,
            "description": self._op_description(op),
            "tags": self._op_tags(op),
        }
        if op.deprecated:
            o["deprecated"] = True
        input_model = self.models[op.input] if op.input else None
        fields = {f.name: f for f in input_model.fields} if input_model else {}
        params = [self._parameter(op, fields[n], "path") for n in op.rest.path_params]
        params += [self._parameter(op, fields[n], "query") for n in op.rest.query_params]
        if params:
            o["parameters"] = params
        if op.rest.body_fields and input_model is not None:
            o["requestBody"] = self._request_body(op, input_model)
        o["responses"] = self._responses(op)
        if op.policy.auth == "anonymous":
            o["security"] = []
        else:
            o["security"] = [{name: []} for name in self.schemes]
        o.update(self._op_extensions(op))
        return o

    def _op_description(self, op: OperationIR) -> str:
        text = op.description or op.title
        if op.emits:
            lines = []
            for emit in op.emits:
                ev = self.events[(emit.event.key, emit.event.version)]
                line = f"- webhook `{ev.names.webhook}`"
                if emit.when:
                    line += f": {emit.when}"
                lines.append(line)
            text += "\n\nEmits:\n\n" + "\n".join(lines)
        return text

    def _parameter(self, op: OperationIR, f: FieldIR, where: str) -> dict[str, Any]:
        p: dict[str, Any] = {"name": f.name, "in": where}
        if f.description:
            p["description"] = f.description
        p["required"] = where == "path" or f.required
        if f.deprecated:
            p["deprecated"] = True
        schema = field_schema(f, annotate=False)
        if f.examples:
            schema["examples"] = json_value(f.examples, f"{f.source}: examples of '{f.name}'")
        if where == "query" and f.is_list:
            p["style"] = "form"
            p["explode"] = True
        p["schema"] = schema
        examples = {
            ex.key: self._example(ex, ex.input[f.name], op)
            for ex in op.examples
            if ex.input is not None and f.name in ex.input
        }
        if examples:
            p["examples"] = examples
        return p

    def _example(self, ex: ExampleIR, value: Any, op: OperationIR) -> dict[str, Any]:
        e: dict[str, Any] = {}
        if ex.description:
            e["summary"] = ex.description
        elif ex.error:
            e["summary"] = f"Answers with {ex.error}"
        e["value"] = json_value(value, f"{op.source}: example '{ex.key}'")
        return e

    def _request_body(self, op: OperationIR, model: ModelIR) -> dict[str, Any]:
        body = set(op.rest.body_fields)
        schema: dict[str, Any]
        if body == {f.name for f in model.fields}:
            schema = ref(model.name)
            self.body_refs.add(model.name)
        else:
            schema = object_schema([f for f in model.fields if f.name in body])
        media: dict[str, Any] = {"schema": schema}
        examples = {
            ex.key: self._example(ex, {k: v for k, v in ex.input.items() if k in body}, op)
            for ex in op.examples
            if ex.input is not None
        }
        if examples:
            media["examples"] = examples
        rb: dict[str, Any] = {}
        if model.description:
            rb["description"] = model.description
        rb["required"] = True
        rb["content"] = {JSON: media}
        return rb

    def _responses(self, op: OperationIR) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        if op.output:
            out = self.models[op.output]
            media: dict[str, Any] = {"schema": ref(out.name)}
            examples = {
                ex.key: self._example(ex, ex.output, op)
                for ex in op.examples
                if ex.output is not None
            }
            if examples:
                media["examples"] = examples
            responses["200"] = {
                "description": out.description or "The operation succeeded.",
                "content": {JSON: media},
            }
        else:
            responses["204"] = {"description": "The operation succeeded (no content)."}
        by_status: dict[int, list[ErrorIR]] = defaultdict(list)
        for err in op.errors:
            by_status[err.http].append(err)
        for status in sorted(by_status):
            responses[str(status)] = self._error_response(op, status, by_status[status])
        return responses

    def _error_response(
        self, op: OperationIR, status: int, errors: list[ErrorIR]
    ) -> dict[str, Any]:
        lines = []
        for err in errors:
            line = f"`{err.code}`: {err.description}"
            if err.when:
                line += f" (when: {err.when})"
            lines.append(line)
        description = lines[0] if len(lines) == 1 else "\n".join(f"- {x}" for x in lines)
        codes = [e.code for e in errors]
        schema = {
            "allOf": [
                ref(ERROR_BODY),
                {
                    "type": "object",
                    "properties": {"code": {"type": "string", "enum": codes}},
                },
            ]
        }
        examples: dict[str, Any] = {}
        by_code = {e.code: e for e in errors}
        for ex in op.examples:
            if ex.error in by_code:
                err = by_code[ex.error]
                examples[ex.key] = {
                    "summary": ex.description or f"Answers with {err.code}",
                    "value": self._problem(err, ex.description or err.description),
                }
        answered = {ex.error for ex in op.examples if ex.error}
        for err in errors:
            if err.code not in answered and err.code not in examples:
                examples[err.code] = {
                    "summary": err.when or err.description,
                    "value": self._problem(err, err.description),
                }
        return {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": schema, "examples": examples}},
        }

    @staticmethod
    def _problem(err: ErrorIR, detail: str) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": _status_phrase(err.http),
            "status": err.http,
            "detail": detail,
            "code": err.code,
        }

    def _op_extensions(self, op: OperationIR) -> dict[str, Any]:
        x: dict[str, Any] = {"x-spec": op.ref, "x-kind": op.kind, "x-stability": op.stability}
        if op.goal:
            x["x-goal"] = op.goal
        if op.context:
            x["x-context"] = op.context
        if op.owners:
            x["x-owners"] = list(op.owners)
        if op.tags:
            x["x-labels"] = list(op.tags)
        cap = self.op_capability.get((op.key, op.version))
        if cap is not None:
            x["x-capability"] = cap.ref
        p = op.policy
        x["x-auth"] = p.auth
        x["x-idempotent"] = p.idempotent
        if p.pii:
            x["x-pii"] = list(p.pii)
        if p.rate_limit:
            x["x-rate-limit"] = {"rpm": p.rate_limit.rpm, "key": p.rate_limit.key}
        if p.escalation:
            x["x-escalation"] = p.escalation
        if p.roles:
            x["x-roles"] = list(p.roles)
        if p.permissions:
            x["x-permissions"] = list(p.permissions)
        if p.flags:
            x["x-flags"] = list(p.flags)
        if op.emits:
            x["x-emits"] = [
                self.events[(e.event.key, e.event.version)].names.webhook for e in op.emits
            ]
        if op.analytics:
            x["x-analytics"] = list(op.analytics)
        if op.audit:
            x["x-audit"] = list(op.audit)
        if op.scenarios:
            x["x-scenarios"] = [
                {"key": s.key, "given": list(s.given), "when": list(s.when), "then": list(s.then)}
                for s in op.scenarios
            ]
        return x

    # -- webhooks --------------------------------------------------------------

    def _webhooks(self) -> dict[str, Any]:
        taken = {op.names.operation_id.lower() for op in self.cs.operations}
        hooks: dict[str, Any] = {}
        for ev in self.cs.events:
            hooks[ev.names.webhook] = {"post": self._webhook(ev, taken)}
        return hooks

    def _webhook(self, ev: EventIR, taken: set[str]) -> dict[str, Any]:
        sid = (ev.key, ev.version)
        # The IR names no operation id for webhooks; derive one the way
        # operation ids are derived, and leave it out rather than clash.
        op_id = naming.camel_case(ev.key)
        if not ev.is_latest:
            op_id += naming.version_suffix(ev.version)
        tags = [ev.domain]
        tags += [_spec_tag(c) for c in self.event_capabilities.get(sid, [])]
        tags += [_spec_tag(f) for f in self.event_features.get(sid, [])]
        tags = list(dict.fromkeys(tags))
        self.used_tags.update(tags)
        text = ev.description or ev.title
        emitters = self.emitted_by.get(sid, [])
        if emitters:
            lines = []
            for op, when in emitters:
                line = f"- `{op.names.operation_id}` ({op.rest.method} `{op.rest.path}`)"
                if when:
                    line += f": {when}"
                lines.append(line)
            text += "\n\nEmitted by:\n\n" + "\n".join(lines)
        w: dict[str, Any] = {}
        if op_id.lower() not in taken:
            taken.add(op_id.lower())
            w["operationId"] = op_id
        w["summary"] = ev.title
        w["description"] = text
        w["tags"] = tags
        if ev.deprecated:
            w["deprecated"] = True
        # Deliveries carry the payload in an envelope naming the event, so a
        # receiver can route any event by key and version (the Python client's
        # parse_event reads exactly this shape).
        w["requestBody"] = {
            "description": f"The {ev.key} event, version {ev.version}, in its envelope.",
            "required": True,
            "content": {
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["key", "version", "payload"],
                        "properties": {
                            "key": {"type": "string", "const": ev.key},
                            "version": {"type": "string", "const": ev.version},
                            "id": {"type": "string", "description": "Unique id of this delivery."},
                            "occurredAt": {"type": "string", "format": "date-time"},
                            "payload": ref(ev.payload),
                        },
                    }
                }
            },
        }
        w["responses"] = {"200": {"description": "Return any 2xx status to acknowledge the event."}}
        # The specs declare no credential for event deliveries: say so, rather
        # than let the operations' schemes seem to apply.
        w["security"] = []
        x: dict[str, Any] = {
            "x-spec": ev.ref,
            "x-event": {"key": ev.key, "version": ev.version},
            "x-stability": ev.stability,
        }
        if ev.owners:
            x["x-owners"] = list(ev.owners)
        if ev.tags:
            x["x-labels"] = list(ev.tags)
        caps = self.event_capabilities.get(sid, [])
        if caps:
            x["x-capability"] = caps[0].ref if len(caps) == 1 else [c.ref for c in caps]
        if emitters:
            x["x-emitted-by"] = [op.names.operation_id for op, _ in emitters]
        w.update(x)
        return w

    # -- components ------------------------------------------------------------

    def _schemas(self) -> dict[str, Any]:
        # Input models are components only where a body refers to them whole
        # (or another component refers to them).
        wanted: set[str] = {m.name for m in self.cs.models if m.role != "input"}
        wanted |= self.body_refs
        todo = list(wanted)
        while todo:
            m = self.models.get(todo.pop())
            if m is None:
                continue
            for f in m.fields:
                if f.type.kind == "model" and f.type.name not in wanted:
                    wanted.add(f.type.name)
                    todo.append(f.type.name)
        entries: dict[str, dict[str, Any]] = {}
        for m in self.cs.models:
            if m.name in wanted:
                entries[m.name] = model_schema(m)
        for e in self.cs.enums:
            entries[e.name] = enum_schema(e)
        if any(op.errors for op in self.cs.operations):
            entries[ERROR_BODY] = error_body_schema()
        return {name: entries[name] for name in sorted(entries)}


__all__ = ["OpenApiTarget", "build_document", "to_json", "to_yaml"]
