"""JSON Schema (OpenAPI 3.1 dialect) for IR fields, models and enums.

Everything here builds plain data (dicts and lists); the ``openapi`` target
serializes it. Spec text only ever lands in string values, never in keys that
shape the document, apart from names the IR decided (component names, wire
names of fields).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from contractgen.ir.models import Constraints, EnumIR, FieldIR, ModelIR
from contractgen.ir.scalars import scalar_schema

SCHEMA_PREFIX = "#/components/schemas/"
# The shared RFC 9457 problem body. The generated Python client reserves this
# class name (ir/checks.py RUNTIME_NAMES), so no spec type can take it.
ERROR_BODY = "ErrorBody"


def ref(name: str) -> dict[str, Any]:
    return {"$ref": SCHEMA_PREFIX + name}


def _tighten(schema: dict[str, Any], c: Constraints) -> None:
    """Add a field's constraints to the schema of one value.

    Where the scalar already has a bound (``NonEmptyString`` has
    ``minLength: 1``, ``Latitude`` has ``minimum: -90``) the stricter one
    wins, so the schema means "the scalar's rule and the field's rule".
    """
    lower = {"minLength": c.min_length, "minimum": c.minimum}
    upper = {"maxLength": c.max_length, "maximum": c.maximum}
    for key, value in lower.items():
        if value is not None:
            schema[key] = max(schema[key], value) if key in schema else value
    for key, value in upper.items():
        if value is not None:
            schema[key] = min(schema[key], value) if key in schema else value
    if c.pattern is not None:
        if "pattern" in schema and schema["pattern"] != c.pattern:
            schema.setdefault("allOf", []).append({"pattern": c.pattern})
        else:
            schema["pattern"] = c.pattern


def json_value(value: Any, where: str) -> Any:
    """A JSON value from spec data (defaults, examples): lists, not tuples; finite numbers."""
    if isinstance(value, dict):
        return {str(k): json_value(v, where) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v, where) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {value!r} has no JSON form, so no OpenAPI document can hold it")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{where}: not a JSON value: {type(value).__name__}")


def _value_schema(f: FieldIR) -> dict[str, Any]:
    """Schema of one value of the field's type (an item, for a list field)."""
    schema = scalar_schema(f.type.name) if f.type.kind == "scalar" else ref(f.type.name)
    c = f.constraints
    value_constraints = Constraints(
        min_length=c.min_length,
        max_length=c.max_length,
        minimum=c.minimum,
        maximum=c.maximum,
        pattern=c.pattern,
    )
    if not value_constraints.is_empty():
        _tighten(schema, value_constraints)
    return schema


def _add_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, also accepting null (OpenAPI 3.1 has no ``nullable``)."""
    if not schema:  # JSON: any value, null included
        return schema
    t = schema.get("type")
    if isinstance(t, str) and "$ref" not in schema:
        return {**schema, "type": [t, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def field_schema(f: FieldIR, *, annotate: bool = True) -> dict[str, Any]:
    """Schema of a field's value: type, list, null, constraints, and (``annotate``)
    description, default, deprecation and examples."""
    schema = _value_schema(f)
    if f.is_list:
        schema = {"type": "array", "items": schema}
        if f.constraints.min_items is not None:
            schema["minItems"] = f.constraints.min_items
        if f.constraints.max_items is not None:
            schema["maxItems"] = f.constraints.max_items
    schema = _add_null(schema) if f.nullable else dict(schema)
    if f.has_default:
        schema["default"] = json_value(f.default, f"{f.source}: default of '{f.name}'")
    if annotate:
        schema = annotate_field(schema, f)
    return schema


def annotate_field(schema: dict[str, Any], f: FieldIR) -> dict[str, Any]:
    out = dict(schema)
    if f.description:
        out["description"] = f.description
    if "default" in out:
        out["default"] = out.pop("default")
    if f.deprecated:
        out["deprecated"] = True
    if f.examples:
        out["examples"] = json_value(f.examples, f"{f.source}: examples of '{f.name}'")
    return out


def object_schema(fields: Iterable[FieldIR], description: str | None = None) -> dict[str, Any]:
    """An object schema of the given fields (additional members allowed)."""
    fields = list(fields)
    schema: dict[str, Any] = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = {f.name: field_schema(f) for f in fields}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def model_schema(m: ModelIR) -> dict[str, Any]:
    schema = object_schema(m.fields, m.description)
    if m.stability == "deprecated":
        schema["deprecated"] = True
    schema["x-stability"] = m.stability
    return schema


def enum_schema(e: EnumIR) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if e.description:
        schema["description"] = e.description
    schema["enum"] = [v.value for v in e.values]
    if e.stability == "deprecated":
        schema["deprecated"] = True
    # openapi-generator's names for per-value names and descriptions.
    schema["x-enum-varnames"] = [v.py_name for v in e.values]
    if any(v.description for v in e.values):
        schema["x-enum-descriptions"] = [v.description or "" for v in e.values]
    deprecated = [v.value for v in e.values if v.deprecated]
    if deprecated:
        schema["x-enum-deprecated"] = deprecated
    schema["x-stability"] = e.stability
    return schema


def error_body_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": (
            "An RFC 9457 problem details body (`application/problem+json`) with the "
            "contract's error `code`. Other members may appear and must be ignored "
            "by clients that do not know them."
        ),
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": "A URI reference identifying the problem type.",
                "default": "about:blank",
            },
            "title": {
                "type": "string",
                "description": "A short, human-readable summary of the problem type.",
            },
            "status": {
                "type": "integer",
                "minimum": 400,
                "maximum": 599,
                "description": "The HTTP status code of this occurrence.",
            },
            "detail": {
                "type": "string",
                "description": "A human-readable explanation of this occurrence.",
            },
            "instance": {
                "type": "string",
                "format": "uri-reference",
                "description": "A URI reference identifying this occurrence.",
            },
            "code": {
                "type": "string",
                "description": "The error code the contract declares (UPPER_SNAKE_CASE).",
            },
        },
        "required": ["code"],
    }
