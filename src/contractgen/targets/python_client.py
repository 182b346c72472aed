"""The ``python`` target: an installable, typed SDK package under ``python/``.

Layout of ``generated/python/`` (package name from ``[tool.contractgen.python]``)::

    pyproject.toml, README.md
    <package>/__init__.py      Client, AsyncClient, RetryPolicy, the base errors
    <package>/py.typed
    <package>/_client.py       Client and AsyncClient; one namespace class per key prefix
    <package>/errors.py        one ApiError subclass per declared error code
    <package>/events.py        Event (union of payloads), EVENT_TYPES, parse_event()
    <package>/models/          one module per domain (datamodel-code-generator)
    <package>/_runtime/        contractgen/runtime/*.py, copied verbatim

HTTP mapping is the OpenAPI target's, read from the same IR fields
(``rest.method``, ``rest.path``, ``rest.path_params``, ``rest.query_params``,
``rest.body_fields``): path parameters fill the path, query parameters go in
the query string, body fields in a JSON body (the whole input model when every
field travels there). Names are the IR's: namespaces and methods from
``names.client_path``, arguments and attributes from ``FieldIR.py_name``,
exception classes from ``ErrorIR.py_class``. Spec text reaches the generated
code only through the ``py_*`` escaping filters.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import keyword
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractgen.config import Settings
from contractgen.diagnostics import Diagnostics, Position, SpecError
from contractgen.ir.models import (
    ContractSet,
    EnumIR,
    ErrorIR,
    EventIR,
    FieldIR,
    ModelIR,
    OperationIR,
    Source,
)
from contractgen.ir.naming import pascal_case, snake_case
from contractgen.output.fileset import FileSet
from contractgen.render import render
from contractgen.targets import digests
from contractgen.targets.base import RenderContext
from contractgen.targets.python_imports import ImportBlock, all_order
from contractgen.targets.python_models import (
    FieldNameError,
    ModelBatch,
    ModelModule,
    start_models,
)

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"

# Python types of scalars in method signatures (the models' own annotations
# come from datamodel-code-generator; these accept what those validate).
_SCALAR_TYPES = {
    "Int": "int",
    "Float": "float",
    "Latitude": "float",
    "Longitude": "float",
    "Boolean": "bool",
    "Date": "datetime.date",
    "DateTime": "datetime.datetime",
    "Time": "datetime.time",
    "JSON": "typing.Any",
    "JSONObject": "dict[str, typing.Any]",
}
# Names the generated model modules import: a type of the same name would be
# renamed by the model generator (checked here, so the user gets a position).
MODEL_MODULE_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Enum",
        "Field",
        "Literal",
        "NaiveDatetime",
        "RootModel",
        "StrEnum",
    }
)
# Attributes the generated clients have besides their namespaces.
CLIENT_ATTRIBUTES = frozenset({"close", "aclose", "user_agent"})
# API key schemes of [tool.contractgen.openapi] auth.
_API_KEY_SCHEMES = frozenset({"apiKey"})


def _at(source: Source) -> Position:
    return Position(source.file, source.line, source.col)


# -- view model ----------------------------------------------------------------------


@dataclass
class Param:
    name: str  # Python name (keyword argument)
    wire: str
    annotation: str
    default: str | None  # Python source of the default, or None when required
    always: bool  # sent even when None (required, or a default is sent)


@dataclass
class Operation:
    ir: OperationIR
    method_name: str
    receiver: str
    params: list[Param]
    input_class: str | None
    output_class: str | None
    path_params: list[tuple[str, str]]  # (wire, py)
    query_params: list[tuple[str, str]]
    body: str  # "none" | "all" | "some"
    body_fields: list[str]  # py names, for "some"
    errors_const: str | None
    doc: str

    @property
    def required_args(self) -> list[Param]:
        return [p for p in self.params if p.always]

    @property
    def optional_args(self) -> list[Param]:
        return [p for p in self.params if not p.always]


@dataclass
class Namespace:
    path: tuple[str, ...]
    children: dict[str, Namespace] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    @property
    def class_name(self) -> str:
        return "".join(pascal_case(p) for p in self.path) + "Operations"

    @property
    def async_class_name(self) -> str:
        return "Async" + self.class_name

    def all_operations(self) -> Iterable[Operation]:
        for ns in self.walk():
            yield from ns.operations

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def walk(self) -> Iterable[Namespace]:
        """Children before parents (so classes are defined before use)."""
        for child in self.children.values():
            yield from child.walk()
        yield self


@dataclass
class ErrorClass:
    ir: ErrorIR
    descriptions: list[str]
    whens: list[str]
    operations: list[str]  # client call paths
    doc: str = ""


# -- the target ----------------------------------------------------------------------


class PythonClientTarget:
    name = "python"
    description = (
        "installable typed Python SDK: pydantic models, sync and async clients, errors, events"
    )

    def __init__(self) -> None:
        self._started: tuple[ContractSet, _Renderer, ModelBatch] | None = None

    def start(self, contracts: ContractSet, ctx: RenderContext) -> None:
        """Check the names, then start the model modules (in worker processes
        when there are many), so they are made while other targets render."""
        renderer = _Renderer(contracts, ctx)
        renderer.check()
        with _stage(ctx, "python: start models"):
            whole = digests.whole(contracts, ctx) if ctx.cache.enabled else None
            batch = start_models(contracts, renderer.package, renderer.header, ctx.cache, whole)
        self._started = (contracts, renderer, batch)

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet:
        if self._started is None or self._started[0] is not contracts:
            self.start(contracts, ctx)
        assert self._started is not None
        _, renderer, batch = self._started
        self._started = None
        return renderer.files(batch)


def _stage(ctx: RenderContext, name: str) -> contextlib.AbstractContextManager[None]:
    return ctx.timings.stage(name) if ctx.timings is not None else contextlib.nullcontext()


class _Renderer:
    def __init__(self, cs: ContractSet, ctx: RenderContext) -> None:
        self.cs = cs
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self.package = self.settings.python.package
        self.models = cs.models_by_name()
        self.enums = cs.enums_by_name()
        self.header = f"# Generated by {ctx.generator}. Do not edit."
        self.template_dir = (
            self.settings.root / self.settings.templates if self.settings.templates else None
        )

    # -- checks ------------------------------------------------------------------------

    def check(self) -> None:
        d = Diagnostics()
        types: list[ModelIR | EnumIR] = [*self.cs.models, *self.cs.enums]
        for t in types:
            if t.name in MODEL_MODULE_NAMES:
                d.add(
                    _at(t.source),
                    "CG961",
                    f"type name '{t.name}' is a name the generated Python models import",
                    hint="choose another name (reserved: "
                    + ", ".join(sorted(MODEL_MODULE_NAMES))
                    + ")",
                )
        for op in self.cs.operations:
            top = op.names.client_path[0]
            if top in CLIENT_ATTRIBUTES:
                d.add(
                    _at(op.source),
                    "CG962",
                    f"client.{top} is an attribute of the generated client, not a namespace",
                    hint="choose another first key segment",
                )
            for seg in op.names.client_path:
                if not seg.isidentifier() or keyword.iskeyword(seg) or seg.startswith("_"):
                    raise AssertionError(f"client path segment {seg!r} is not a public name")
        if d.has_errors:
            raise SpecError(d)

    # -- files -------------------------------------------------------------------------

    def files(self, batch: ModelBatch) -> FileSet:
        # What needs no model first: the models may still be in the making.
        # (Their errors come first, though, as when they were made first.)
        rest: FileSet | SpecError
        with _stage(self.ctx, "python: client code"):
            try:
                rest = self.client_files()
            except SpecError as exc:
                rest = exc
        try:
            with _stage(self.ctx, "python: models"):
                modules = batch.result()
        except FieldNameError as exc:
            d = Diagnostics()
            for model, f, chosen in exc.renamed:
                d.add(
                    _at(f.source),
                    "CG960",
                    f"field '{f.name}' of {model.name} cannot be the Python attribute "
                    f"'{f.py_name}' of a pydantic model (it shadows a name the model needs)",
                    hint=f"rename the field (the model generator would call it '{chosen}')",
                )
            raise SpecError(d) from None
        if isinstance(rest, SpecError):
            raise rest
        pkg = self.package
        files = FileSet()
        for m in modules:
            files.add(f"{pkg}/models/{m.name}.py", m.code)
        files.add(f"{pkg}/models/__init__.py", self.models_init(modules))
        for path, data in rest.files.items():
            files.add(path, data)
        return files

    def client_files(self) -> FileSet:
        """Every file of the package but the models."""
        pkg = self.package
        files = FileSet()
        files.add("pyproject.toml", self.render("pyproject.toml.jinja", **self.project_context()))
        files.add("README.md", self.render("README.md.jinja", **self.readme_context()))
        files.add(f"{pkg}/py.typed", "")
        for path in sorted(RUNTIME_DIR.glob("*.py")):
            files.add(f"{pkg}/_runtime/{path.name}", path.read_bytes())
        errors = self.error_classes()
        files.add(
            f"{pkg}/errors.py",
            self.render(
                "errors.py.jinja",
                errors=errors,
                runtime_errors=runtime_errors(),
                exported=all_order(runtime_errors() + [e.ir.py_class for e in errors]),
                **self.common(),
            ),
        )
        if self.cs.events:
            files.add(f"{pkg}/events.py", self.events_module())
        for rel, text in self.operation_modules().items():
            files.add(f"{pkg}/{rel}", text)
        files.add(f"{pkg}/__init__.py", self.render("__init__.py.jinja", **self.common()))
        return files

    def render(self, template: str, **context: Any) -> str:
        return render(f"python/{template}", self.template_dir, **context)

    def common(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "package": self.package,
            "title": self.settings.openapi.title,
            "has_events": bool(self.cs.events),
            "version": self.settings.python.version,
        }

    # -- where each type lives ---------------------------------------------------------

    def module_of(self, type_name: str) -> str:
        t: ModelIR | EnumIR | None = self.models.get(type_name) or self.enums.get(type_name)
        if t is None:
            raise KeyError(type_name)
        return t.module

    def models_init(self, modules: list[ModelModule]) -> str:
        imports = ImportBlock()
        names: list[str] = []
        where: dict[str, str] = {}
        for m in modules:
            own = [c for c in m.classes if self.module_of(c) == m.name]
            if own:
                imports.add_from(f".{m.name}", *own)
                names += own
                where.update((c, m.name) for c in own)
        return self.render(
            "models__init__.py.jinja",
            imports=imports.render(),
            names=sorted(names),
            modules=sorted(where.items()),
            module_names=sorted(set(where.values())),
            **self.common(),
        )

    # -- annotations -------------------------------------------------------------------

    def annotation(self, f: FieldIR) -> str:
        base = _SCALAR_TYPES.get(f.type.name, "str") if f.type.kind == "scalar" else f.type.name
        if f.is_list:
            base = f"list[{base}]"
        if f.nullable:
            base = f"{base} | None"
        return base

    def type_phrase(self, f: FieldIR) -> str:
        """A short description of a field's type, for fields without a description."""
        if f.type.kind == "scalar":
            from contractgen.ir.scalars import SCALARS

            one = SCALARS[f.type.name].summary
        elif f.type.kind == "enum":
            one = f"one of ``{f.type.name}``"
        else:
            one = f"a ``{f.type.name}``"
        text = f"List of {one}" if f.is_list else one[0].upper() + one[1:]
        return text + (" (or None)." if f.nullable else ".")

    def default_source(self, f: FieldIR) -> str | None:
        """A default for the signature when the spec has a scalar one."""
        from contractgen.escape import py_literal

        if not f.has_default or f.is_list or isinstance(f.default, dict | list):
            return None
        if f.default is None:
            return "None"
        if f.type.kind == "enum":
            e = self.enums[f.type.name]
            member = next(v.py_name for v in e.values if v.value == f.default)
            return f"{e.name}.{member}"
        if f.type.kind == "scalar" and f.type.name in ("Date", "DateTime", "Time"):
            return None  # the model parses the text; the signature takes the Python type
        return py_literal(f.default)

    # -- operations --------------------------------------------------------------------

    def operation(self, op: OperationIR, errors_const: str | None) -> Operation:
        fields: list[FieldIR] = list(self.models[op.input].fields) if op.input else []
        params: list[Param] = []
        for f in fields:
            ann = self.annotation(f)
            if f.required:
                params.append(Param(f.py_name, f.name, ann, None, True))
                continue
            default = self.default_source(f)
            if default is not None and default != "None":
                params.append(Param(f.py_name, f.name, ann, default, True))
            else:
                if not f.nullable:
                    ann = f"{ann} | None"
                params.append(Param(f.py_name, f.name, ann, "None", False))
        params.sort(key=lambda p: p.default is not None)  # required first, stable
        py = {f.name: f.py_name for f in fields}
        body_names = list(op.rest.body_fields)
        if not body_names:
            body = "none"
        elif len(body_names) == len(fields):
            body = "all"
        else:
            body = "some"
        receiver = "self" if "self" not in py.values() else "_self"
        return Operation(
            ir=op,
            method_name=op.names.client_path[-1],
            receiver=receiver,
            params=params,
            input_class=op.input,
            output_class=op.output,
            path_params=[(w, py[w]) for w in op.rest.path_params],
            query_params=[(w, py[w]) for w in op.rest.query_params],
            body=body,
            body_fields=[py[w] for w in body_names],
            errors_const=errors_const,
            doc=_block(self.operation_doc(op, fields, params)),
        )

    def operation_doc(self, op: OperationIR, fields: list[FieldIR], params: list[Param]) -> str:
        parts = [op.title]
        if op.description:
            parts.append(op.description)
        if op.goal:
            parts.append(f"Goal: {op.goal}")
        if op.context:
            parts.append(f"Context: {op.context}")
        auth = {
            "anonymous": "sent without credentials",
            "user": "authenticated",
            "admin": "authenticated (admin)",
        }[op.policy.auth]
        retry = "retried on transient failures" if op.policy.idempotent else "never retried"
        facts = f"``{op.rest.method} {op.rest.path}``: {auth}, {retry}."
        if op.deprecated:
            facts += " Deprecated."
        parts.append(facts)
        by_py = {f.py_name: f for f in fields}
        if params:
            lines = ["Args:"]
            for p in params:
                f = by_py[p.name]
                text = f.description or self.type_phrase(f)
                extra = []
                if f.py_name != f.name:
                    extra.append(f"Sent as ``{f.name}``.")
                if f.has_default and p.default not in (None, "None"):
                    extra.append(f"Defaults to ``{p.default}``.")
                elif f.has_default:
                    extra.append("Left out when None: the API's default applies.")
                elif not p.always:
                    extra.append("Left out of the request when None.")
                if f.deprecated:
                    extra.append("Deprecated.")
                text = " ".join(x for x in [text, *extra] if x)
                lines.append(_doc_item(p.name, text))
            parts.append("\n".join(lines))
        if op.output:
            out = self.models[op.output]
            text = out.description or f"The ``{out.name}``."
            parts.append("Returns:\n" + _doc_item(out.name, text))
        raises = ["Raises:"]
        for err in op.errors:
            text = err.description + (f" When: {err.when}" if err.when else "")
            raises.append(_doc_item(err.py_class, f"HTTP {err.http} ``{err.code}``: {text}"))
        raises.append(_doc_item("UnexpectedStatusError", "Another error status or code."))
        raises.append(_doc_item("TransportError", "No answer (``RequestTimeoutError``: too slow)."))
        if op.output:
            raises.append(
                _doc_item("ResponseDecodeError", f"The answer is not a valid ``{op.output}``.")
            )
        if op.input:
            raises.append(_doc_item("pydantic.ValidationError", "An argument is not valid."))
        parts.append("\n".join(raises))
        return "\n\n".join(parts)

    def namespaces(self, operations: list[Operation]) -> Namespace:
        root = Namespace(())
        for o in operations:
            ns = root
            for seg in o.ir.names.client_path[:-1]:
                ns = ns.children.setdefault(seg, Namespace((*ns.path, seg)))
            ns.operations.append(o)
        return root

    def operation_modules(self) -> dict[str, str]:
        """``_client.py`` and ``_operations/*.py``: one operations module per first key segment."""
        ops: list[Operation] = []
        consts: dict[str, tuple[str, list[ErrorIR]]] = {}
        for op in self.cs.operations:
            const = None
            if op.errors:
                const = "_ERRORS_" + snake_case(op.names.operation_id).upper()
                consts[op.names.operation_id] = (const, list(op.errors))
            ops.append(self.operation(op, const))
        root = self.namespaces(ops)
        self.check_namespace_names(root)
        files: dict[str, str] = {}
        client_imports = ImportBlock()
        type_imports = ImportBlock()
        client_imports.add_import("collections.abc")
        client_imports.add_import("typing")
        client_imports.add_import("httpx")
        client_imports.add_from(
            "._runtime.base_client", "DEFAULT_RETRY", "AsyncBaseClient", "BaseClient"
        )
        client_imports.add_from("._runtime.retry", "RetryPolicy")
        if root.children:
            client_imports.add_from("functools", "cached_property")
            files["_operations/__init__.py"] = self.render(
                "_operations__init__.py.jinja", **self.common()
            )
            files["_operations/_base.py"] = self.render(
                "_operations_base.py.jinja", **self.common()
            )
        keys = self.module_keys(root)
        found = self.ctx.cache.get_many("pyops", keys.values()) if keys else {}
        for top, ns in root.children.items():
            # Only for type checkers: each namespace's module loads on first use.
            type_imports.add_from(f"._operations.{top}", ns.class_name, ns.async_class_name)
            key = keys.get(top)
            cached = found.get(key) if key is not None else None
            if cached is not None:
                text = cached.decode("utf-8")
            else:
                text = self.operations_module(top, ns, consts)
                if key is not None:
                    self.ctx.cache.put("pyops", key, text.encode("utf-8"))
            files[f"_operations/{top}.py"] = text
        auth = self.settings.openapi.auth
        servers = self.settings.openapi.servers
        files["_client.py"] = self.render(
            "_client.py.jinja",
            imports=client_imports.render(),
            type_imports=type_imports.render(),
            tops=list(root.children.items()),
            user_agent=f"{self.project_name()}/{self.settings.python.version}",
            base_url=servers[0].url if servers else None,
            bearer="bearer" in auth,
            api_key=any(a in _API_KEY_SCHEMES for a in auth),
            api_key_header=self.settings.openapi.api_key_header,
            **self.common(),
        )
        return files

    def module_keys(self, root: Namespace) -> dict[str, str]:
        """Build cache keys of the operations modules (none without a cache).

        A module shows its operations, their input and output models (whole),
        and of everything else what the summary holds (module names, enum
        members, error classes; targets/digests.py).
        """
        if not self.ctx.cache.enabled:
            return {}
        whole = digests.whole(self.cs, self.ctx)
        salt = json.dumps([sorted(self.common().items()), digests.summary(self.cs, self.ctx)])
        keys: dict[str, str] = {}
        for top, ns in root.children.items():
            h = hashlib.sha256(f"{salt}\0{top}".encode())
            for o in ns.all_operations():
                h.update(whole[id(o.ir)].encode())
                for name in filter(None, (o.ir.input, o.ir.output)):
                    h.update(whole[id(self.models[name])].encode())
            keys[top] = h.hexdigest()
        return keys

    def operations_module(
        self, top: str, root: Namespace, consts: dict[str, tuple[str, list[ErrorIR]]]
    ) -> str:
        namespaces = list(root.walk())
        ops = [o for ns in namespaces for o in ns.operations]
        imports = ImportBlock()
        imports.add_import("typing")
        base = ["AsyncSend as _AsyncSend", "Send as _Send"]
        if any(ns.children for ns in namespaces):
            imports.add_from("functools", "cached_property")
        error_consts = []
        for o in ops:
            if o.errors_const:
                error_consts.append(consts[o.ir.names.operation_id])
                imports.add_from("..errors", *(e.py_class for e in o.ir.errors))
            for name in filter(None, (o.input_class, o.output_class)):
                imports.add_from(f"..models.{self.module_of(name)}", name)
            for p in o.params:
                if "datetime." in p.annotation:
                    imports.add_import("datetime")
                for name in _type_names(p.annotation):
                    imports.add_from(f"..models.{self.module_of(name)}", name)
        if error_consts:
            base.append("ErrorMap as _ErrorMap")
        if any(o.optional_args for o in ops):
            base.append("compact as _compact")
        if any(o.body == "some" for o in ops):
            base.append("Body as _Body")
        if any(o.output_class is None for o in ops):
            base.append("NoContent as _NoContent")
        imports.add_from("._base", *base)
        exported = all_order([n for ns in namespaces for n in (ns.class_name, ns.async_class_name)])
        return self.render(
            "_operations_module.py.jinja",
            top=top,
            imports=imports.render(),
            exported=exported,
            error_consts=error_consts,
            namespaces=namespaces,
            **self.common(),
        )

    def check_namespace_names(self, root: Namespace) -> None:
        taken = {m.name for m in self.cs.models} | {e.name for e in self.cs.enums}
        taken |= {e.py_class for op in self.cs.operations for e in op.errors}
        d = Diagnostics()
        for ns in root.walk():
            if not ns.path:
                continue
            for cls in (ns.class_name, ns.async_class_name):
                if cls in taken:
                    op = next(o for o in ns.all_operations())
                    d.add(
                        _at(op.ir.source),
                        "CG963",
                        f"client.{ns.dotted} becomes the class {cls}, which is already a type name",
                        hint="rename the type",
                    )
        if d.has_errors:
            raise SpecError(d)

    # -- errors --------------------------------------------------------------------------

    def error_classes(self) -> list[ErrorClass]:
        by_code: dict[str, ErrorClass] = {}
        for op in self.cs.operations:
            call = "client." + ".".join(op.names.client_path)
            for err in op.errors:
                ec = by_code.get(err.code)
                if ec is None:
                    ec = by_code[err.code] = ErrorClass(err, [], [], [])
                if err.description not in ec.descriptions:
                    ec.descriptions.append(err.description)
                if err.when and err.when not in ec.whens:
                    ec.whens.append(err.when)
                ec.operations.append(call)
        out = sorted(by_code.values(), key=lambda e: e.ir.py_class)
        for ec in out:
            parts = list(ec.descriptions)
            if ec.whens:
                parts.append(
                    "When: " + "\n".join(ec.whens)
                    if len(ec.whens) == 1
                    else "When:\n" + "\n".join(f"- {w}" for w in ec.whens)
                )
            parts.append(
                f"Error code ``{ec.ir.code}``, HTTP {ec.ir.http}. Declared by:\n\n"
                + "\n".join(f"- ``{c}()``" for c in ec.operations)
            )
            ec.doc = _block("\n\n".join(parts))
        return out

    # -- events --------------------------------------------------------------------------

    def events_module(self) -> str:
        imports = ImportBlock()
        events: list[EventIR] = list(self.cs.events)
        for ev in events:
            imports.add_from(f".models.{self.module_of(ev.payload)}", ev.payload)
        payloads = list(dict.fromkeys(ev.payload for ev in events))
        return self.render(
            "events.py.jinja",
            imports=imports.render(),
            events=events,
            payloads=payloads,
            **self.common(),
        )

    # -- project files -------------------------------------------------------------------

    def project_name(self) -> str:
        return self.settings.python.project or self.package.replace("_", "-")

    def project_context(self) -> dict[str, Any]:
        values = {
            "project": self.project_name(),
            "version": self.settings.python.version,
            "description": f"Typed Python client of the {self.settings.openapi.title}",
            "package": self.package,
        }
        return {"toml": {k: _toml_str(v) for k, v in values.items()}, **self.common()}

    def readme_context(self) -> dict[str, Any]:
        rows: list[dict[str, Any]] = []
        for op in self.cs.operations:
            rows.append(
                {
                    "call": "client." + ".".join(op.names.client_path) + "()",
                    "http": f"{op.rest.method} {op.rest.path}",
                    "title": op.title,
                    "errors": [e.py_class for e in op.errors],
                }
            )
        first = self.cs.operations[0] if self.cs.operations else None
        servers = self.settings.openapi.servers
        return {
            "project": self.project_name(),
            "rows": rows,
            "events": list(self.cs.events),
            "first_call": "client." + ".".join(first.names.client_path) if first else None,
            "base_url": servers[0].url if servers else "",
            "has_server": bool(servers),
            "description": self.settings.openapi.description,
            **self.common(),
        }


def runtime_errors() -> list[str]:
    """The public names of the runtime's errors module (its ``__all__``)."""
    tree = ast.parse((RUNTIME_DIR / "errors.py").read_text("utf-8"))
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets
        ):
            names = ast.literal_eval(stmt.value)
            return sorted(str(n) for n in names)
    raise RuntimeError("runtime/errors.py has no __all__")


def _toml_str(text: str) -> str:
    """A TOML basic string whose value is ``text`` (JSON escapes are TOML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _block(doc: str) -> str:
    """A multi-line docstring ends with a line break (its closing quotes get their own line)."""
    return doc + "\n" if "\n" in doc else doc


def _doc_item(name: str, text: str) -> str:
    """One ``name: text`` entry of a Google-style docstring section."""
    lines = text.split("\n") if text else [""]
    out = f"    {name}: {lines[0]}".rstrip()
    for line in lines[1:]:
        out += "\n" + (f"        {line}" if line.strip() else "")
    return out


def _type_names(annotation: str) -> list[str]:
    """Model and enum class names in an annotation such as ``list[Order] | None``."""
    import re

    names = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", annotation)
    builtin = {"list", "dict", "str", "int", "float", "bool", "None"}
    return [n for n in names if n not in builtin and "." not in n]


__all__ = ["PythonClientTarget"]
