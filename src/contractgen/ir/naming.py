"""The one authority for generated names.

Every identifier, class name, operation id and file stem that any surface
emits is decided here, from the spec's wire names, and stored in the IR.
Rules (also in docs/spec-format.md):

* Python attribute names are snake_case of the wire name after Unicode NFKC
  normalisation; anything that is not an ASCII identifier character becomes
  ``_``; a leading digit gets a ``field_`` prefix; a leading underscore is
  dropped (pydantic treats ``_x`` as private).
* Keywords, soft keywords and names pydantic reserves get a trailing ``_``;
  names in pydantic's protected namespaces (``model_dump*``,
  ``model_validate*``) get a ``field_`` prefix instead, since a trailing
  ``_`` would still start with them. The wire name stays the alias. Every
  such change is a reported decision.
* Names that become files (module names, the first segment of an
  operation key) are never Windows device names (``con``, ``aux``, ...).
* Names that still collide (case-insensitively for class and file names) are
  errors, never silently renamed: a silent ``_2`` suffix would shift when
  specs change order.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Python's hard keywords, fixed here so naming does not depend on the
# interpreter that runs contractgen (soft keywords such as ``match`` and
# ``type`` are valid identifiers and need no renaming).
PY_KEYWORDS = frozenset(
    [
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
    ]
)
# Names a field cannot take on a pydantic v2 model (BaseModel attributes and
# methods, v1 compatibility methods) or that shadow common builtins on it.
PYDANTIC_RESERVED = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        "fields",
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
    }
)
# Prefixes pydantic protects on models (a field starting with one draws a
# warning on import; ``model_dump_`` would still start with ``model_dump``).
PYDANTIC_PROTECTED = ("model_dump", "model_validate")
# Client method names we generate ourselves on namespaces and clients.
CLIENT_RESERVED = frozenset({"close", "aclose"})
# Windows device names: a file stem equal to one of these (any extension) is unusable.
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)

_CAMEL_BOUNDARY_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_IDENT = re.compile(r"[^0-9A-Za-z_]+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked for the same names often
def snake_case(text: str) -> str:
    """``runId`` -> ``run_id``, ``HTTPStatus`` -> ``http_status``, ``run-id`` -> ``run_id``."""
    text = normalize(text)
    text = _CAMEL_BOUNDARY_1.sub(r"\1_\2", text)
    text = _CAMEL_BOUNDARY_2.sub(r"\1_\2", text)
    text = _NON_IDENT.sub("_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    return text.lower()


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked for the same names often
def pascal_case(text: str) -> str:
    """``harness.run.cancel`` -> ``HarnessRunCancel``, ``RUN_NOT_FOUND`` -> ``RunNotFound``."""
    parts = re.split(r"[^0-9A-Za-z]+", normalize(text))
    out = []
    for part in parts:
        if not part:
            continue
        if part.isupper() or part.islower():
            out.append(part[0].upper() + part[1:].lower())
        else:
            out.append(part[0].upper() + part[1:])
    return "".join(out)


def camel_case(text: str) -> str:
    pascal = pascal_case(text)
    return pascal[:1].lower() + pascal[1:]


def is_reserved(name: str) -> bool:
    return name in PY_KEYWORDS or name in PYDANTIC_RESERVED


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked for the same names often
def field_name(wire: str) -> tuple[str, str | None]:
    """The Python name of a field, and why it differs from plain snake_case (or None)."""
    base = snake_case(wire)
    reason: str | None = None
    if not base:
        base, reason = "field", "has no identifier characters"
    if base[0].isdigit():
        base, reason = f"field_{base}", "starts with a digit"
    if base.startswith(PYDANTIC_PROTECTED):
        prefix = next(p for p in PYDANTIC_PROTECTED if base.startswith(p))
        return f"field_{base}", f"starts with '{prefix}', a prefix pydantic protects"
    if is_reserved(base):
        reason = "is a Python keyword" if base in PY_KEYWORDS else "is reserved by pydantic"
        base = f"{base}_"
    elif wire.startswith("_"):
        reason = "starts with '_', which pydantic treats as private"
    elif not reason and _NON_IDENT.search(normalize(wire).replace("-", "_")):
        reason = "has characters that Python names cannot hold"
    elif not reason and normalize(wire) != wire:
        reason = "was normalised (Unicode NFKC)"
    elif not reason and not wire.isascii():
        reason = "has non-ASCII characters"
    return base, reason


def method_name(segment: str) -> str:
    """A client namespace or method name from one key segment."""
    base = snake_case(segment) or "op"
    if base[0].isdigit():
        base = f"op_{base}"
    if base in PY_KEYWORDS or base in CLIENT_RESERVED:
        base = f"{base}_"
    return base


def client_path(key: str) -> tuple[str, ...]:
    """The attribute path of an operation on the client: ``('harness', 'run', 'cancel')``.

    The first name also names a module file of the client
    (``_operations/<name>.py``): a Windows device name there gets a trailing
    ``_``, like a keyword (``con.thing.get`` -> ``client.con_.thing.get``).
    """
    path = tuple(method_name(segment) for segment in key.split("."))
    if path[0] in WINDOWS_DEVICES:
        path = (f"{path[0]}_", *path[1:])
    return path


def enum_member(value: str) -> str:
    """``in_progress`` -> ``IN_PROGRESS``, ``a-b`` -> ``A_B``, ``2x`` -> ``VALUE_2X``."""
    base = snake_case(value).upper()
    if not base:
        base = "VALUE"
    if base[0].isdigit():
        base = f"VALUE_{base}"
    return base


def error_class(code: str) -> str:
    """``RUN_NOT_FOUND`` -> ``RunNotFoundError``."""
    return pascal_case(code) + "Error"


def version_suffix(version: str) -> str:
    """``1.2.0`` -> ``V1_2_0`` (for older versions living beside the latest)."""
    return "V" + re.sub(r"[^0-9A-Za-z]+", "_", version)


def module_name(domain: str) -> str:
    base = snake_case(domain) or "common"
    if base[0].isdigit() or base in PY_KEYWORDS or base in WINDOWS_DEVICES:
        base = f"m_{base}"
    return base


def file_stem(text: str) -> str:
    """A file stem that is safe on every file system: no separators, no device names."""
    stem = re.sub(r"[^0-9A-Za-z._-]+", "-", normalize(text)).strip(".-") or "unnamed"
    if stem.split(".", 1)[0].lower() in WINDOWS_DEVICES:
        stem = f"_{stem}"
    return stem
