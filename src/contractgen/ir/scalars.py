"""The scalar types a spec may use, and what each means on the wire.

One table serves every surface: the JSON Schema fragment feeds OpenAPI and
the model generator, the docs show the summary, and value checks (defaults,
examples) use the JSON kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JsonKind = Literal["string", "integer", "number", "boolean", "object", "any"]


@dataclass(frozen=True)
class Scalar:
    name: str
    kind: JsonKind
    summary: str
    schema: dict[str, Any] = field(default_factory=dict)


_SCALARS = [
    Scalar("ID", "string", "opaque identifier", {"type": "string"}),
    Scalar("String", "string", "text", {"type": "string"}),
    Scalar(
        "NonEmptyString",
        "string",
        "text of at least one character",
        {"type": "string", "minLength": 1},
    ),
    Scalar("Int", "integer", "64-bit integer", {"type": "integer", "format": "int64"}),
    Scalar("Float", "number", "double-precision number", {"type": "number", "format": "double"}),
    Scalar("Boolean", "boolean", "true or false", {"type": "boolean"}),
    Scalar(
        "Date", "string", "calendar date (RFC 3339 full-date)", {"type": "string", "format": "date"}
    ),
    Scalar(
        "DateTime",
        "string",
        "timestamp (RFC 3339 date-time)",
        {"type": "string", "format": "date-time"},
    ),
    Scalar(
        "Time",
        "string",
        "time of day (RFC 3339 partial-time)",
        {"type": "string", "format": "time"},
    ),
    Scalar("EmailAddress", "string", "e-mail address", {"type": "string", "format": "email"}),
    Scalar("URL", "string", "absolute URL", {"type": "string", "format": "uri"}),
    Scalar(
        "PhoneNumber",
        "string",
        "phone number in E.164 form",
        {"type": "string", "pattern": r"^\+[1-9][0-9]{1,14}$"},
    ),
    Scalar(
        "Locale",
        "string",
        "BCP 47 language tag",
        {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
    ),
    Scalar(
        "TimeZone",
        "string",
        "IANA time zone name",
        {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"},
    ),
    Scalar(
        "Latitude",
        "number",
        "degrees, -90 to 90",
        {"type": "number", "minimum": -90, "maximum": 90},
    ),
    Scalar(
        "Longitude",
        "number",
        "degrees, -180 to 180",
        {"type": "number", "minimum": -180, "maximum": 180},
    ),
    Scalar(
        "Currency", "string", "ISO 4217 currency code", {"type": "string", "pattern": r"^[A-Z]{3}$"}
    ),
    Scalar(
        "CountryCode",
        "string",
        "ISO 3166-1 alpha-2 code",
        {"type": "string", "pattern": r"^[A-Z]{2}$"},
    ),
    Scalar("JSON", "any", "any JSON value", {}),
    Scalar("JSONObject", "object", "JSON object", {"type": "object", "additionalProperties": True}),
]

SCALARS: dict[str, Scalar] = {s.name: s for s in _SCALARS}


def scalar_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the JSON Schema fragment of a scalar."""
    return dict(SCALARS[name].schema)


def value_matches(kind: JsonKind, value: Any) -> bool:
    """Whether a JSON value fits a scalar's JSON kind (used for defaults and examples)."""
    if kind == "any":
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, dict)
