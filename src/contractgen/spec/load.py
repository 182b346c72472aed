"""Load spec files: YAML documents -> raw spec models, with positions kept.

Every problem becomes a positioned diagnostic; loading goes on past errors so
one run reports them all.
"""

from __future__ import annotations

import difflib
import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from contractgen.diagnostics import Diagnostics, Position
from contractgen.spec.files import discover
from contractgen.spec.models import SPEC_CLASSES, AnySpec
from contractgen.spec.yaml_reader import (
    YAML11_BOOLEANS,
    Path_,
    PositionMap,
    YamlDocument,
    read_yaml,
)

if TYPE_CHECKING:
    from contractgen.output.cache import BuildCache


@dataclass(frozen=True)
class LoadedSpec:
    """One validated spec document and where it came from."""

    spec: AnySpec
    file: str
    positions: PositionMap
    source: str  # the document's YAML text, for docs pages

    @property
    def position(self) -> Position:
        return self.positions.value(())

    def at(self, *path: str | int) -> Position:
        return self.positions.value(tuple(path))

    def key_at(self, *path: str | int) -> Position:
        return self.positions.key(tuple(path))


def load_specs(
    specs_dir: Path,
    display_root: Path,
    diagnostics: Diagnostics,
    cache: BuildCache | None = None,
) -> list[LoadedSpec]:
    """Load every spec file under ``specs_dir`` (or the one file it names).

    With a build ``cache``, a file read before (same name, same bytes, and no
    problem found in it) is not parsed again: its documents come from the cache.
    """
    if specs_dir.is_file():
        return load_file(specs_dir, _display(specs_dir, display_root), diagnostics)
    if not specs_dir.is_dir():
        diagnostics.add(
            Position(_display(specs_dir, display_root)),
            "CG010",
            "spec directory does not exist",
            hint="pass --specs DIR or set [tool.contractgen] specs",
        )
        return []
    files = discover(specs_dir)
    if not files:
        diagnostics.add(
            Position(_display(specs_dir, display_root)),
            "CG011",
            "no spec files (*.yaml, *.yml) found",
            hint="create one with `contractgen new command my.domain.verb`",
        )
    if cache is not None and cache.enabled:
        return _load_cached(files, display_root, diagnostics, cache)
    loaded: list[LoadedSpec] = []
    for path in files:
        loaded.extend(load_file(path, _display(path, display_root), diagnostics))
    return loaded


def _load_cached(
    files: list[Path], display_root: Path, diagnostics: Diagnostics, cache: BuildCache
) -> list[LoadedSpec]:
    raws: list[tuple[str, bytes | None, str]] = []
    for path in files:
        display = _display(path, display_root)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            diagnostics.add(Position(display), "CG012", f"cannot read file: {exc.strerror}")
            raws.append((display, None, ""))
            continue
        key = hashlib.sha256(display.encode() + b"\0" + raw).hexdigest()
        raws.append((display, raw, key))
    found = cache.get_many("yaml", [key for _, data, key in raws if data is not None])
    loaded: list[LoadedSpec] = []
    for display, content, key in raws:
        if content is None:
            continue
        documents = _decode(found[key]) if key in found else None
        if documents is None:
            before = len(diagnostics.items)
            documents = read_yaml(display, content, diagnostics)
            if len(diagnostics.items) == before:
                encoded = _encode(documents)
                if encoded is not None:
                    cache.put("yaml", key, encoded)
        loaded.extend(_validate(documents, display, diagnostics))
    return loaded


def _encode(documents: list[YamlDocument]) -> bytes | None:
    """A file's parsed documents as marshal data (exact types; fast to read back)."""
    try:
        return _marshal(documents)
    except ValueError:  # a value marshal cannot write: not cached
        return None


def _marshal(documents: list[YamlDocument]) -> bytes:
    return marshal.dumps(
        [
            (
                d.file,
                d.index,
                d.data,
                d.positions.file,
                d.positions.values,
                d.positions.keys,
                d.positions.plain_text,
                d.text,
                d.start_line,
            )
            for d in documents
        ]
    )


def _decode(data: bytes) -> list[YamlDocument] | None:
    try:
        rows = marshal.loads(data)
        return [
            YamlDocument(file, index, value, PositionMap(pfile, values, keys, plain), text, start)
            for file, index, value, pfile, values, keys, plain, text, start in rows
        ]
    except (ValueError, EOFError, TypeError):
        return None


def load_file(path: Path, display: str, diagnostics: Diagnostics) -> list[LoadedSpec]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.add(Position(display), "CG012", f"cannot read file: {exc.strerror}")
        return []
    return load_bytes(display, raw, diagnostics)


def load_bytes(display: str, raw: bytes, diagnostics: Diagnostics) -> list[LoadedSpec]:
    return _validate(read_yaml(display, raw, diagnostics), display, diagnostics)


def _validate(
    documents: list[YamlDocument], display: str, diagnostics: Diagnostics
) -> list[LoadedSpec]:
    loaded: list[LoadedSpec] = []
    for doc in documents:
        spec = validate_document(doc.data, doc.positions, diagnostics)
        if spec is not None:
            loaded.append(LoadedSpec(spec, display, doc.positions, doc.text))
    return loaded


def validate_document(
    data: Any, positions: PositionMap, diagnostics: Diagnostics
) -> AnySpec | None:
    if not isinstance(data, dict):
        diagnostics.add(
            positions.value(()),
            "CG020",
            f"a spec document must be a mapping, not {_type_name(data)}",
            hint="start the document with `kind: command` (or query, event, model, enum, capability, feature)",
        )
        return None
    kind = data.get("kind")
    if kind is None:
        diagnostics.add(
            positions.value(()),
            "CG021",
            "spec document has no 'kind'",
            hint="add `kind:` with one of " + ", ".join(SPEC_CLASSES),
        )
        return None
    cls = SPEC_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        close = difflib.get_close_matches(str(kind), SPEC_CLASSES, n=1)
        diagnostics.add(
            positions.value(("kind",)),
            "CG022",
            f"unknown kind '{kind}'",
            hint=f"did you mean '{close[0]}'?"
            if close
            else "kind is one of " + ", ".join(SPEC_CLASSES),
        )
        return None
    try:
        return cls.model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        report_validation_error(exc, cls, data, positions, diagnostics)
        return None


# Pydantic labels union branches in error locations ("constrained-str",
# "dict[str,FieldSpec]"); they are not YAML paths.
def _is_branch_label(segment: str | int) -> bool:
    return isinstance(segment, str) and (
        "[" in segment
        or segment.startswith("constrained-")
        or segment in {"str", "int", "float", "bool", "none"}
        or (segment[:1].isupper() and segment.endswith("Spec"))
    )


def report_validation_error(
    exc: ValidationError,
    cls: type[BaseModel],
    data: dict[str, Any],
    positions: PositionMap,
    diagnostics: Diagnostics,
) -> None:
    errors = exc.errors(include_url=False)
    # A union reports one error per branch; keep the branch that matches the
    # value's shape (the deeper errors), drop "should be a valid X" siblings.
    deep_prefixes = {_clean_loc(e["loc"])[:-1] for e in errors if len(_clean_loc(e["loc"])) > 0}
    seen: set[tuple[Path_, str]] = set()
    for error in errors:
        raw_loc = tuple(error["loc"])
        loc = _clean_loc(raw_loc)
        kind = error["type"]
        branch = any(_is_branch_label(s) for s in raw_loc)
        if (
            branch
            and kind.endswith("_type")
            and any(len(other) > len(loc) and other[: len(loc)] == loc for other in deep_prefixes)
        ):
            continue
        message, hint, at_key = _explain(error, loc, cls, data, positions)
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        position = positions.key(loc) if at_key else positions.value(loc)
        diagnostics.add(position, _CODES.get(kind, "CG030"), message, hint=hint)


_CODES = {
    "extra_forbidden": "CG031",
    "missing": "CG032",
    "string_pattern_mismatch": "CG033",
    "literal_error": "CG034",
}


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    return tuple(s for s in loc if not _is_branch_label(s))


def _dotted(loc: Path_) -> str:
    out = ""
    for segment in loc:
        out += (
            f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if out else str(segment))
        )
    return out or "document"


def _explain(
    error: Any, loc: Path_, cls: type[BaseModel], data: dict[str, Any], positions: PositionMap
) -> tuple[str, str | None, bool]:
    kind: str = error["type"]
    where = _dotted(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        allowed = _allowed_keys(cls, loc[:-1], data)
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else ("allowed keys: " + ", ".join(sorted(allowed)) if allowed else None)
        )
        return f"unknown key '{name}'", hint, True
    if kind == "missing":
        return f"missing required key '{loc[-1] if loc else '?'}'", None, False
    raw_text = positions.plain_text.get(loc)
    if kind == "string_type" and raw_text is not None:
        hint = f'quote it: "{raw_text}"'
        if raw_text in YAML11_BOOLEANS:
            hint = f'quote it ("{raw_text}") if you meant the text'
        return f"{where}: expected a string, got {_type_name(value)} {raw_text}", hint, False
    if kind == "bool_type" and isinstance(value, str):
        hint = "write true or false"
        if value in YAML11_BOOLEANS:
            hint = f"'{value}' is a string in YAML 1.2; write true or false"
        return f"{where}: expected true or false, got '{value}'", hint, False
    if kind == "string_pattern_mismatch":
        return f"{where}: {_pattern_message(loc, value)}", _pattern_hint(loc, value), False
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        close = difflib.get_close_matches(
            str(value), [s.strip(" '") for s in expected.replace(" or ", ", ").split(",")], n=1
        )
        hint = f"did you mean {close[0]!r}?" if close else None
        return f"{where}: '{value}' is not one of {expected}", hint, False
    return f"{where}: {error['msg']}", None, False


def _pattern_message(loc: Path_, value: Any) -> str:
    last = next((s for s in reversed(loc) if isinstance(s, str)), "")
    if last == "version":
        return f"'{value}' is not a semantic version (MAJOR.MINOR.PATCH)"
    if last == "key":
        return f"'{value}' is not a valid key (dotted lowercase, e.g. billing.invoice.create)"
    if last == "type":
        return f"'{value}' is not a type expression (Name, Name[], Name?, Name[]?)"
    if last in ("name",):
        return f"'{value}' is not a PascalCase type name"
    if last in ("capability", "event", "operations", "events", "capabilities") or isinstance(
        loc[-1], int
    ):
        return f"'{value}' is not a spec reference (key or key@MAJOR.MINOR.PATCH)"
    return f"'{value}' does not have the expected form"


def _pattern_hint(loc: Path_, value: Any) -> str | None:
    last = next((s for s in reversed(loc) if isinstance(s, str)), "")
    if last == "version":
        return "write three numbers, e.g. 1.0.0; quote it if YAML reads it as a number"
    if last == "key":
        return "segments are lowercase letters, digits and '-', separated by dots"
    return None


def _allowed_keys(cls: type[BaseModel], loc: Path_, data: Any) -> list[str]:
    """The YAML keys allowed at ``loc``: walk the annotations along the path."""
    annotation: Any = cls
    for segment in loc:
        annotation = _step(annotation, segment)
        if annotation is None:
            return []
    model = _inner_model(annotation)
    fields = model.model_fields if model is not None else {}
    return [f.alias or n for n, f in fields.items()]


def _step(annotation: Any, segment: str | int) -> Any:
    """The annotation one path segment below ``annotation`` (None if unknown)."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(segment, int):
            return None
        for name, info in annotation.model_fields.items():
            if segment in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and isinstance(segment, str):
        return args[1]
    if origin is list and isinstance(segment, int):
        return args[0]
    for arg in args:  # unions and Annotated: first branch that knows the segment
        found = _step(arg, segment)
        if found is not None:
            return found
    return None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel class directly inside ``X | None`` or ``Annotated[X, ...]``."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (dict, list):
        return None
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _type_name(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
