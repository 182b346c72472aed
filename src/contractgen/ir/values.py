"""Check JSON values (defaults, examples) against IR types.

Returns a short problem description, or None when the value fits. Kept
separate from the builder so emitters' tests can reuse it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from contractgen.ir.models import EnumIR, FieldIR, ModelIR
from contractgen.ir.scalars import SCALARS, value_matches

MAX_DEPTH = 32


def non_finite(value: Any) -> bool:
    """Whether a value holds inf or NaN anywhere (YAML can say .inf; JSON cannot)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(non_finite(v) for v in value.values())
    return False


def check_value(
    value: Any,
    field: FieldIR,
    models: dict[str, ModelIR],
    enums: dict[str, EnumIR],
    *,
    allow_null: bool = False,
    depth: int = 0,
) -> str | None:
    if non_finite(value):
        return "is not a finite number (JSON cannot hold .inf or .nan)"
    if value is None:
        return None if (allow_null or field.nullable) else "is null, but the field is not nullable"
    if field.is_list:
        if not isinstance(value, list):
            return f"should be a list, got {_kind(value)}"
        for i, item in enumerate(value):
            problem = _check_single(item, field, models, enums, depth)
            if problem:
                return f"item {i} {problem}"
        c = field.constraints
        if c.min_items is not None and len(value) < c.min_items:
            return f"has fewer than {c.min_items} items"
        if c.max_items is not None and len(value) > c.max_items:
            return f"has more than {c.max_items} items"
        return None
    return _check_single(value, field, models, enums, depth)


def _check_single(
    value: Any, field: FieldIR, models: dict[str, ModelIR], enums: dict[str, EnumIR], depth: int
) -> str | None:
    t = field.type
    if t.kind == "enum":
        allowed = [v.value for v in enums[t.name].values]
        if value not in allowed:
            return f"is {value!r}, not a value of enum {t.name} ({', '.join(allowed)})"
        return None
    if t.kind == "model":
        if depth > MAX_DEPTH:
            return "is nested too deeply"
        return check_object(value, models[t.name], models, enums, depth + 1)
    scalar = SCALARS[t.name]
    if not value_matches(scalar.kind, value):
        return f"should be {scalar.kind} ({t.name}), got {_kind(value)}"
    c = field.constraints
    schema = scalar.schema
    if isinstance(value, str):
        min_length = c.min_length if c.min_length is not None else schema.get("minLength")
        if min_length is not None and len(value) < min_length:
            return f"is shorter than {min_length} characters"
        if c.max_length is not None and len(value) > c.max_length:
            return f"is longer than {c.max_length} characters"
        for pattern in (c.pattern, schema.get("pattern")):
            if pattern is not None and not re.search(pattern, value):
                return f"does not match the pattern {pattern}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        minimum = c.minimum if c.minimum is not None else schema.get("minimum")
        maximum = c.maximum if c.maximum is not None else schema.get("maximum")
        if minimum is not None and value < minimum:
            return f"is below the minimum {minimum}"
        if maximum is not None and value > maximum:
            return f"is above the maximum {maximum}"
    return None


def check_object(
    value: Any, model: ModelIR, models: dict[str, ModelIR], enums: dict[str, EnumIR], depth: int = 0
) -> str | None:
    if non_finite(value):
        return "holds a number that is not finite (JSON cannot hold .inf or .nan)"
    if not isinstance(value, dict):
        return f"should be an object ({model.name}), got {_kind(value)}"
    fields = {f.name: f for f in model.fields}
    for key in value:
        if key not in fields:
            return f"has unknown field '{key}' (not in {model.name})"
    for f in model.fields:
        if f.name not in value:
            if f.required:
                return f"misses required field '{f.name}'"
            continue
        problem = check_value(value[f.name], f, models, enums, depth=depth)
        if problem:
            return f"field '{f.name}' {problem}"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
