"""The pydantic models of the Python client, made by datamodel-code-generator.

Per output module (a domain; or several domains whose models refer to each
other in a cycle, which must share one module) one JSON Schema is built from
the IR and handed to datamodel-code-generator *in process*, once. Its output
is then parsed with :mod:`ast` and checked against the IR: every class, every
field's Python name and wire alias and every enum member must be exactly what
the IR decided, and nothing but imports, classes and ``model_rebuild()``
calls may appear. A mismatch is a contractgen bug and fails the build loudly;
it never ships. The checked code is finished here: spec descriptions become
docstrings through :func:`contractgen.escape.py_docstring` (descriptions are
never handed to the generator), and the imports become one sorted block.

The generator's output depends only on its input schema and the fixed
options below, so results are memoised by a hash of both, in process and in
the build cache; so are the finished modules, by a hash of the schema and
the group's IR. With enough models, the generator runs in two worker
processes (a forkserver preloads it), one call per module there too; the
output is the same either way.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import threading
import types
import warnings
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from contractgen.escape import py_docstring, py_str
from contractgen.ir.models import ContractSet, EnumIR, FieldIR, ModelIR
from contractgen.output.cache import BuildCache
from contractgen.targets.openapi_schemas import SCHEMA_PREFIX, field_schema
from contractgen.targets.python_imports import ImportBlock, all_order


class ModelGenerationError(RuntimeError):
    """datamodel-code-generator's output does not match the IR (a contractgen bug)."""


class FieldNameError(ModelGenerationError):
    """The generator needs another Python name for fields than the IR gave them.

    ``renamed`` lists ``(model, field, name the generator chose)``; the target
    reports each at the field's position in its spec.
    """

    def __init__(self, message: str, renamed: list[tuple[ModelIR, FieldIR, str]]) -> None:
        super().__init__(message)
        self.renamed = renamed


# Formats whose pydantic types would change the wire value (AnyUrl normalises
# URLs) or need an extra dependency (EmailStr needs email-validator): the
# client keeps these values as plain strings, exactly as sent.
_PLAIN_STRING_FORMATS = frozenset({"email", "uri", "uri-reference", "idn-email", "iri"})
# Keys that only annotate a schema; the generator must not see spec text.
_ANNOTATIONS = frozenset({"description", "title", "examples", "deprecated", "x-stability"})

# The generator's options, fixed: the output is pinned by these, the pinned
# generator version and the input schema.
_OPTIONS: dict[str, Any] = {
    "use_annotated": True,
    "field_constraints": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "allow_population_by_field_name": True,
    "disable_timestamp": True,
    "use_double_quotes": True,
    "set_default_enum_member": True,
    "strict_nullable": True,
    "skip_root_model": True,
    "use_schema_description": False,
    "use_field_description": False,
    "capitalise_enum_members": False,
}

# Memoised generator output, keyed by a hash of (generator version, options,
# schema). Counted by the cost tests: one call per output module and build.
_cache: dict[str, str] = {}
calls = 0


@dataclass(frozen=True)
class ModelModule:
    """One ``models/<name>.py`` file."""

    name: str
    classes: tuple[str, ...]
    code: str


@dataclass
class _Group:
    """Types generated together by one call: the modules of one import cycle."""

    modules: list[str]
    models: list[ModelIR] = field(default_factory=list)
    enums: list[EnumIR] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.modules[0]

    def names(self) -> list[str]:
        return [m.name for m in self.models] + [e.name for e in self.enums]


@functools.cache
def _generator_version() -> str:
    from importlib.metadata import version

    return version("datamodel-code-generator")


def _same_name(name: str) -> str:
    return name


def generator_key(schema: Mapping[str, Any]) -> str:
    """The memo (and build cache) key of the generator's output for ``schema``."""
    # Key order matters (it is the field order); the schema is built in IR order.
    text = json.dumps(schema, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(
        json.dumps([_generator_version(), _OPTIONS, text], sort_keys=True).encode()
    ).hexdigest()


def run_generator(schema: Mapping[str, Any]) -> str:
    """datamodel-code-generator's code for a JSON Schema of ``$defs`` (memoised)."""
    global calls
    text = json.dumps(schema, ensure_ascii=False, allow_nan=False)
    key = generator_key(schema)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    if threading.current_thread() is not threading.main_thread():
        # It takes a process-wide lock and may change directory.
        raise RuntimeError("datamodel-code-generator must be called from the main thread")
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion

    calls += 1
    cwd = os.getcwd()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = generate(
                text,
                input_file_type=InputFileType.JsonSchema,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                formatters=[],
                aliases=schema.get("x-contractgen-aliases", {}),
                # Class names are the IR's, verbatim (the generator would
                # otherwise re-case names such as ``OrderV1_0_0Payload``).
                custom_class_name_generator=_same_name,
                **_OPTIONS,
            )
    finally:
        os.chdir(cwd)
    if not isinstance(result, str):
        raise ModelGenerationError(
            f"datamodel-code-generator returned {type(result).__name__}, expected one module"
        )
    _remember(key, result)
    return result


# The memo keeps the most recent outputs only: the build cache keeps them all,
# and a large build's (megabytes each) would otherwise stay for the process.
_CACHE_LIMIT = 16


def _remember(key: str, code: str) -> None:
    _cache[key] = code
    while len(_cache) > _CACHE_LIMIT:
        del _cache[next(iter(_cache))]


# -- grouping ---------------------------------------------------------------------


def _references(m: ModelIR) -> Iterable[str]:
    for f in m.fields:
        if f.type.kind in ("model", "enum"):
            yield f.type.name


def _groups(cs: ContractSet) -> tuple[list[_Group], dict[str, str]]:
    """Output modules: strongly connected components of the module reference graph."""
    module_of: dict[str, str] = {m.name: m.module for m in cs.models}
    module_of.update({e.name: e.module for e in cs.enums})
    modules = sorted(set(module_of.values()))
    edges: dict[str, set[str]] = {mod: set() for mod in modules}
    for m in cs.models:
        for name in _references(m):
            if module_of[name] != m.module:
                edges[m.module].add(module_of[name])
    components = _strongly_connected(modules, edges)
    host: dict[str, str] = {}
    groups: list[_Group] = []
    by_module: dict[str, _Group] = {}
    size: dict[str, int] = defaultdict(int)
    for mod in module_of.values():
        size[mod] += 1
    for comp in components:
        # The module with the most types hosts the whole cycle.
        g = _Group(sorted(comp, key=lambda mod: (-size[mod], mod)))
        groups.append(g)
        for mod in g.modules:
            by_module[mod] = g
    for m in cs.models:
        by_module[m.module].models.append(m)
    for e in cs.enums:
        by_module[e.module].enums.append(e)
    for name, mod in module_of.items():
        host[name] = by_module[mod].host
    groups.sort(key=lambda g: g.host)
    return groups, host


def _strongly_connected(nodes: list[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deterministic for sorted input)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop(0)
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                out.append(comp)
    return out


# -- JSON Schema for the generator --------------------------------------------------


def _strip(schema: Any) -> Any:
    """The schema without annotations, with local ``$ref``-s and plain-string formats."""
    if isinstance(schema, list):
        return [_strip(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "format" and value in _PLAIN_STRING_FORMATS:
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_PREFIX):
            out[key] = "#/$defs/" + value[len(SCHEMA_PREFIX) :]
            continue
        if key == "default":  # a value, not a schema
            out[key] = value
            continue
        out[key] = _strip(value)
    return out


def _model_schema(m: ModelIR) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    schema["properties"] = {f.name: _strip(field_schema(f, annotate=False)) for f in m.fields}
    required = [f.name for f in m.fields if f.required]
    if required:
        schema["required"] = required
    return schema


def _enum_schema(e: EnumIR) -> dict[str, Any]:
    return {
        "type": "string",
        "enum": [v.value for v in e.values],
        "x-enum-varnames": [v.py_name for v in e.values],
    }


def group_schema(g: _Group, host: Mapping[str, str], package: str) -> dict[str, Any]:
    """The JSON Schema handed to the generator for one output module."""
    defs: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    local = set(g.names())
    external: set[str] = set()
    for m in g.models:
        defs[m.name] = _model_schema(m)
        for f in m.fields:
            # The Python name is a function of the wire name alone, so one
            # flat mapping serves every class (checked, not assumed).
            if aliases.setdefault(f.name, f.py_name) != f.py_name:
                raise ModelGenerationError(
                    f"wire name {f.name!r} has two Python names: "
                    f"{aliases[f.name]!r} and {f.py_name!r}"
                )
        external.update(n for n in _references(m) if n not in local)
    aliases = {wire: py for wire, py in aliases.items() if wire != py}
    for e in g.enums:
        defs[e.name] = _enum_schema(e)
    for name in sorted(external):
        defs[name] = {"x-python-import": {"module": f"{package}.models.{host[name]}", "name": name}}
    return {"$defs": defs, "x-contractgen-aliases": aliases}


# -- checking and finishing the generator's output ---------------------------------------


def _fail(group: _Group, message: str, code: str) -> ModelGenerationError:
    return ModelGenerationError(
        f"models of {', '.join(group.modules)}: {message}\n"
        "(datamodel-code-generator's output does not match the IR; generated code follows)\n" + code
    )


def _literal(node: ast.expr) -> Any:
    return ast.literal_eval(node)


def _field_alias(stmt: ast.AnnAssign) -> str | None:
    aliases: list[Any] = []
    for node in ast.walk(stmt):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Field"
        ):
            aliases += [_literal(k.value) for k in node.keywords if k.arg == "alias"]
    if len(aliases) > 1 or (aliases and not isinstance(aliases[0], str)):
        raise ValueError(f"unexpected aliases {aliases!r}")
    return aliases[0] if aliases else None


def _check_model(cls: ast.ClassDef, m: ModelIR) -> list[tuple[ast.stmt, FieldIR]]:
    """The field statements of a model class, paired with their IR fields."""
    bases = [ast.unparse(b) for b in cls.bases]
    if bases != ["BaseModel"]:
        raise ValueError(f"class {m.name} has bases {bases}, expected BaseModel")
    found: list[tuple[str, str | None, ast.AnnAssign]] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            found.append((stmt.target.id, _field_alias(stmt), stmt))
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "model_config"
        ) or isinstance(stmt, ast.Pass):
            continue
        else:
            raise ValueError(f"class {m.name} has an unexpected statement: {ast.unparse(stmt)}")
    got = [(name, alias) for name, alias, _ in found]
    want = [(f.py_name, None if f.py_name == f.name else f.name) for f in m.fields]
    if sorted(got, key=repr) != sorted(want, key=repr):
        chosen = {alias or name: name for name, alias in got}
        renamed = [
            (m, f, chosen[f.name])
            for f in m.fields
            if f.name in chosen and chosen[f.name] != f.py_name
        ]
        message = f"class {m.name}: fields (name, alias) are {got}, the IR says {want}"
        if renamed and len(renamed) == len(set(want) - set(got)):
            raise FieldNameError(message, renamed)
        raise ValueError(message)
    by_name = {f.py_name: f for f in m.fields}
    return [(stmt, by_name[name]) for name, _, stmt in found]


def _check_enum(cls: ast.ClassDef, e: EnumIR) -> list[tuple[ast.stmt, str | None]]:
    bases = [ast.unparse(b) for b in cls.bases]
    if bases != ["StrEnum"]:
        raise ValueError(f"enum {e.name} has bases {bases}, expected StrEnum")
    got: list[tuple[str, Any]] = []
    stmts: list[ast.stmt] = []
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            got.append((stmt.targets[0].id, _literal(stmt.value)))
            stmts.append(stmt)
        else:
            raise ValueError(f"enum {e.name} has an unexpected statement: {ast.unparse(stmt)}")
    want = [(v.py_name, v.value) for v in e.values]
    if got != want:
        raise ValueError(f"enum {e.name}: members are {got}, the IR says {want}")
    return [(s, v.description) for s, v in zip(stmts, e.values, strict=True)]


def _field_doc(f: FieldIR) -> str | None:
    parts = [f.description] if f.description else []
    if f.deprecated:
        parts.append("Deprecated.")
    return "\n\n".join(parts) if parts else None


def _type_doc(description: str | None, stability: str) -> str | None:
    parts = [description] if description else []
    if stability == "deprecated":
        parts.append("Deprecated.")
    return "\n\n".join(parts) if parts else None


def _finish(
    code: str, g: _Group, package: str, imports: ImportBlock
) -> tuple[list[str], list[str]]:
    """Check the generated code; return its body lines and class names.

    The body is rewritten on the way: every string literal in a class (wire
    names in aliases, enum values, patterns, string defaults) is written anew
    by :func:`py_str`, whatever escaping the generator chose, and docstrings
    from the specs are inserted (through :func:`py_docstring`).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise _fail(g, f"not valid Python: {exc}", code) from exc
    models = {m.name: m for m in g.models}
    enums = {e.name: e for e in g.enums}
    data = code.encode("utf-8")
    if not data.endswith(b"\n"):
        data += b"\n"  # so the line after the last one has a start
    # ast positions: 1-based lines (ended by "\n" only), 0-based UTF-8 byte columns.
    starts = [0, *(m.end() for m in re.finditer(b"\n", data))]
    edits: list[tuple[int, int, int, str]] = []  # (start, order, end, replacement)

    def insert_before_line(lineno: int, text: str) -> None:
        at = starts[lineno - 1] if lineno - 1 < len(starts) else len(data)
        edits.append((at, len(edits), at, text + "\n"))

    classes: list[str] = []
    body_start: int | None = None
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            if module == "__future__":
                continue
            prefix = f"{package}.models."
            if stmt.level == 0 and module.startswith(prefix):
                module, level = module[len(prefix) :], 1
            else:
                level = stmt.level
            for alias in stmt.names:
                name = alias.name
                if alias.asname not in (None, alias.name):
                    name = f"{alias.name} as {alias.asname}"
                imports.add_from("." * level + module, name)
            continue
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname is not None:
                    raise _fail(g, f"unexpected import alias: {ast.unparse(stmt)}", code)
                imports.add_import(alias.name)
            continue
        if body_start is None:
            body_start = starts[stmt.lineno - 1]
        if isinstance(stmt, ast.ClassDef):
            docs: list[tuple[ast.stmt, str]] = []
            try:
                if stmt.name in models:
                    m = models[stmt.name]
                    doc = _type_doc(m.description, m.stability)
                    for node, f in _check_model(stmt, m):
                        text = _field_doc(f)
                        if text is not None:
                            docs.append((node, text))
                elif stmt.name in enums:
                    e = enums[stmt.name]
                    doc = _type_doc(e.description, e.stability)
                    docs += [(node, text) for node, text in _check_enum(stmt, e) if text]
                else:
                    raise ValueError(f"unexpected class {stmt.name}")
            except FieldNameError:
                raise
            except (ValueError, SyntaxError) as exc:
                raise _fail(g, str(exc), code) from exc
            if doc is not None:
                if "\n" in doc:
                    doc += "\n"  # closing quotes on their own line
                first = stmt.body[0]
                pad = " " * first.col_offset
                insert_before_line(first.lineno, pad + py_docstring(doc, first.col_offset))
            for node, text in docs:
                assert node.end_lineno is not None
                pad = " " * node.col_offset
                insert_before_line(node.end_lineno + 1, pad + py_docstring(text, node.col_offset))
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    assert sub.end_lineno is not None and sub.end_col_offset is not None
                    begin = starts[sub.lineno - 1] + sub.col_offset
                    stop = starts[sub.end_lineno - 1] + sub.end_col_offset
                    edits.append((begin, len(edits), stop, py_str(sub.value)))
            classes.append(stmt.name)
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "model_rebuild"
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id in models
            and not stmt.value.args
            and not stmt.value.keywords
        ):
            continue
        raise _fail(g, f"unexpected statement: {ast.unparse(stmt)}", code)
    missing = sorted(set(g.names()) - set(classes))
    if missing:
        raise _fail(g, f"classes missing: {', '.join(missing)}", code)
    pos = body_start if body_start is not None else len(data)
    out: list[bytes] = []
    for begin, _, stop, text in sorted(edits):
        out.append(data[pos:begin])
        out.append(text.encode("utf-8"))
        pos = stop
    out.append(data[pos:])
    body = b"".join(out).decode("utf-8")
    return body.split("\n"), classes


def render_models(
    cs: ContractSet, package: str, header: str, cache: BuildCache | None = None
) -> list[ModelModule]:
    """Every ``models/<module>.py`` of the package, one generator call per output module."""
    return start_models(cs, package, header, cache).result()


def _modules_of(job: ModelJob, code: str) -> list[ModelModule]:
    """The module (or, for an import cycle, modules) of one group, from the generator's code."""
    g, package, header = job.group, job.package, job.header
    imports = ImportBlock()
    body, classes = _finish(code, g, package, imports)
    doc = f"Models of the {_domains_phrase([g.host])}."
    if len(g.modules) > 1:
        others = _domains_phrase(g.modules[1:])
        doc += f"\n\nAlso defines the models of the {others}: they and these refer to each other."
    text = _module_text(header, doc, imports, classes, body)
    out = [ModelModule(g.host, tuple(classes), text)]
    for mod in g.modules[1:]:
        # Another domain of the same import cycle: its classes live in the host module.
        names = [n for n in g.names() if host_module_of(n, g) == mod]
        reexport = ImportBlock()
        for n in names:
            reexport.add_from(f".{g.host}", n)
        out.append(
            ModelModule(
                mod,
                tuple(names),
                _module_text(
                    header,
                    f"Models of the {_domains_phrase([mod])}.\n\n"
                    f"Defined in ``{g.host}.py``: its models and these refer to each other.",
                    reexport,
                    sorted(names),
                    [],
                ),
            )
        )
    return out


# -- one build's model modules: cache, worker processes ---------------------------------

# Generation moves to worker processes when at least this many models need
# the generator (about 1.3 ms each) in two or more modules: below that,
# starting the workers (importing the generator) costs more than it saves.
POOL_MIN_MODELS = 400
POOL_WORKERS = 2
# CONTRACTGEN_MODEL_WORKERS=0 keeps generation in process; =N uses N workers
# whatever the size (the output is the same either way; tests check).
_WORKERS_ENV = "CONTRACTGEN_MODEL_WORKERS"


@dataclass(frozen=True)
class ModelJob:
    """The generation of one output module (or import cycle of modules)."""

    group: _Group
    host: Mapping[str, str]  # type name -> module that defines it (the whole set)
    key: str  # of the finished modules: the group's IR, where types live, package, header
    package: str
    header: str

    # The schema and its generator key are worked out only for a module that
    # is not in the build cache (a large set's schemas cost a second).
    @cached_property
    def schema(self) -> dict[str, Any]:
        return group_schema(self.group, self.host, self.package)

    @cached_property
    def generator_key(self) -> str:
        """Key of the generator's output (descriptions are not part of it)."""
        return generator_key(self.schema)

    @property
    def size(self) -> int:
        return len(self.group.models) + len(self.group.enums)


def _job(
    g: _Group,
    host: Mapping[str, str],
    package: str,
    header: str,
    whole: Mapping[int, str] | None = None,
    host_digest: str | None = None,
) -> ModelJob:
    """The job of one group; ``whole`` has the items' digests when known (targets/digests.py).

    The modules are a function of the group's items, where every type lives
    (``host``: the schema's cross-module references), the package and header,
    and the generator's version and options: the key hashes those, so a
    cached module needs no schema.
    """
    h = hashlib.sha256()
    for part in (host_digest or _host_digest(host), package, header, "\0".join(g.modules)):
        h.update(part.encode())
        h.update(b"\0")
    for item in (*g.models, *g.enums):
        digest = whole.get(id(item)) if whole is not None else None
        h.update(digest.encode() if digest is not None else item.model_dump_json().encode())
        h.update(b"\0")
    return ModelJob(g, host, h.hexdigest(), package, header)


def _host_digest(host: Mapping[str, str]) -> str:
    # (with the generator's version and options: they shape the modules too)
    data = [_generator_version(), _OPTIONS, sorted(host.items())]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _work(
    schema: dict[str, Any], group: tuple[list[str], list[str], list[str]], package: str, header: str
) -> tuple[bytes, list[ModelModule] | None]:
    """In a worker process: the generator's code for one schema (compressed, as
    the build cache keeps it), and the finished modules (None when the checks
    fail: the parent runs them again, to raise).

    The group's IR travels as JSON (pickled pydantic models cost ten times more).
    """
    code = run_generator(schema)
    modules_of, models, enums = group
    g = _Group(
        list(modules_of),
        [ModelIR.model_validate_json(m) for m in models],
        [EnumIR.model_validate_json(e) for e in enums],
    )
    job = ModelJob(g, {}, "", package, header)  # (finishing needs no schema, host or key)
    packed = _pack(code)
    try:
        return packed, _modules_of(job, code)
    except ModelGenerationError:
        return packed, None


def _pack(code: str) -> bytes:
    """The generator's code as the build cache keeps it (compressed: a large set's
    is tens of megabytes, read back only when a description changed)."""
    return zlib.compress(code.encode("utf-8"), 1)


def _unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def _group_json(g: _Group) -> tuple[list[str], list[str], list[str]]:
    return (
        list(g.modules),
        [m.model_dump_json() for m in g.models],
        [e.model_dump_json() for e in g.enums],
    )


def _encode(modules: list[ModelModule]) -> bytes:
    return json.dumps(
        [[m.name, list(m.classes), m.code] for m in modules], ensure_ascii=False
    ).encode()


def _decode(data: bytes) -> list[ModelModule]:
    return [ModelModule(name, tuple(classes), code) for name, classes, code in json.loads(data)]


def _pool_workers(jobs: list[ModelJob]) -> int:
    """How many worker processes to generate ``jobs`` with (0: in this process)."""
    setting = os.environ.get(_WORKERS_ENV, "").strip()
    if setting.isdigit():
        return min(int(setting), len(jobs)) if len(jobs) > 1 else 0
    if len(jobs) < 2 or sum(j.size for j in jobs) < POOL_MIN_MODELS:
        return 0
    if (os.cpu_count() or 1) < 2:
        return 0
    return POOL_WORKERS


def _pool(workers: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Never fork: the generator is not fork-safe with threads around. The
    # forkserver imports the generator once; each worker forks from it.
    context: Any
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["contractgen.targets.model_worker"])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Start worker processes without them importing the ``__main__`` module.

    multiprocessing runs the parent's main script again in every spawned or
    forkserver child (the reason for ``if __name__ == "__main__":``): a
    script that calls :func:`contractgen.pipeline.build` unguarded would build
    again in each worker. The workers need nothing from it: while they start,
    ``__main__`` is an empty module, so there is nothing to run again.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class ModelBatch:
    """The model modules of one build, in progress: cached, in workers, or still to do."""

    def __init__(self, jobs: list[ModelJob], cache: BuildCache | None) -> None:
        self.jobs = jobs
        self.cache = cache
        self.done: dict[str, list[ModelModule]] = {}
        # The generator's code known for this build (memo, build cache), by generator key.
        self.codes: dict[str, str] = {}
        self.futures: dict[str, Any] = {}
        self.executor: Any = None
        if cache is not None:
            found = cache.get_many("models", [j.key for j in jobs])
            self.done = {k: _decode(v) for k, v in found.items()}
        for j in jobs:
            if j.key not in self.done and j.generator_key in _cache:
                self.codes[j.generator_key] = _cache[j.generator_key]
        if cache is not None:
            wanted = [
                j.generator_key
                for j in jobs
                if j.key not in self.done and j.generator_key not in self.codes
            ]
            for k, v in cache.get_many("dcg", wanted).items():
                try:
                    self.codes[k] = _unpack(v)
                except (zlib.error, UnicodeDecodeError):
                    continue
        todo = [j for j in jobs if j.key not in self.done and j.generator_key not in self.codes]
        workers = _pool_workers(todo)
        self.submitter: threading.Thread | None = None
        if workers:
            # Starting the workers waits for the forkserver to import the
            # generator: a thread waits, this one goes on rendering.
            self.submitter = threading.Thread(
                target=self._submit, args=(workers, todo), name="contractgen-models", daemon=True
            )
            self.submitter.start()

    def _submit(self, workers: int, todo: list[ModelJob]) -> None:
        from concurrent.futures import Future

        try:
            self.executor = _pool(workers)
            # Largest first, so the workers finish about together. Submitting
            # starts the workers (as needed): see _without_main.
            with _without_main():
                for job in sorted(todo, key=lambda j: -j.size):
                    self.futures[job.key] = self.executor.submit(
                        _work, job.schema, _group_json(job.group), job.package, job.header
                    )
        except Exception as exc:  # no processes here (a sandbox): generate in process
            for job in todo:
                failed: Future[str] = Future()
                failed.set_exception(exc)
                self.futures.setdefault(job.key, failed)

    def _shutdown(self) -> None:
        if self.submitter is not None:
            self.submitter.join()
            self.submitter = None
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def result(self) -> list[ModelModule]:
        global calls
        out: list[ModelModule] = []
        try:
            if self.submitter is not None:
                self.submitter.join()
                self.submitter = None
            for job in self.jobs:
                modules = self.done.get(job.key)
                if modules is None:
                    future = self.futures.pop(job.key, None)
                    packed: bytes | None = None  # the code, from a worker
                    code: str | None = None
                    if future is not None:
                        try:
                            packed, modules = future.result()
                        except Exception:
                            pass
                        else:
                            calls += 1
                    if packed is None:
                        code = self.codes.pop(job.generator_key, None) or run_generator(job.schema)
                    if modules is None:
                        if code is None:
                            assert packed is not None
                            code = _unpack(packed)
                        modules = _modules_of(job, code)  # (raises what the checks find)
                    if self.cache is not None:
                        if packed is None:
                            assert code is not None
                            packed = _pack(code)
                        self.cache.put("dcg", job.generator_key, packed)
                        self.cache.put("models", job.key, _encode(modules))
                out.extend(modules)
        finally:
            self._shutdown()
        out.sort(key=lambda m: m.name)
        return out


def start_models(
    cs: ContractSet,
    package: str,
    header: str,
    cache: BuildCache | None = None,
    whole: Mapping[int, str] | None = None,
) -> ModelBatch:
    """Begin generating every model module: cached ones are read, the rest start
    in worker processes when there are enough (:meth:`ModelBatch.result` collects)."""
    groups, host = _groups(cs)
    host_digest = _host_digest(host)
    jobs = [_job(g, host, package, header, whole, host_digest) for g in groups]
    return ModelBatch(jobs, cache)


def host_module_of(name: str, g: _Group) -> str:
    for m in g.models:
        if m.name == name:
            return m.module
    for e in g.enums:
        if e.name == name:
            return e.module
    raise KeyError(name)


def _domains_phrase(modules: list[str]) -> str:
    return " and ".join(f"``{m}`` domain" for m in modules)


def _module_text(
    header: str, doc: str, imports: ImportBlock, exported: list[str], body: list[str]
) -> str:
    parts = [header, py_docstring(doc), "", "from __future__ import annotations", ""]
    block = imports.render()
    if block:
        parts += [block, ""]
    parts.append("__all__ = [" + ", ".join(py_str(n) for n in all_order(exported)) + "]")
    if body:
        parts += ["", "", *body]
    return "\n".join(parts).rstrip("\n") + "\n"
