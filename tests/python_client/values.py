"""Valid sample arguments for any operation, built from the IR (not a test module).

Used where a test calls every operation generically (declared errors, the
Prism mock): required arguments get a value of their type, typed the way the
generated signature wants it (enum members, model instances, datetimes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import ModuleType
from typing import Any

from contractgen.ir.models import ContractSet, FieldIR, OperationIR

_SCALARS: dict[str, Any] = {
    "ID": "id_1",
    "String": "text",
    "NonEmptyString": "text",
    "Int": 1,
    "Float": 1.5,
    "Boolean": True,
    "Date": date(2026, 1, 2),
    "DateTime": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "Time": time(12, 30),
    "EmailAddress": "ann@example.com",
    "URL": "https://example.com/",
    "PhoneNumber": "+4912345678",
    "Locale": "en-US",
    "TimeZone": "Europe/Berlin",
    "Latitude": 52.5,
    "Longitude": 13.4,
    "Currency": "EUR",
    "CountryCode": "DE",
    "JSON": {"any": "value"},
    "JSONObject": {"key": "value"},
}


def _value(cs: ContractSet, models: ModuleType, f: FieldIR, depth: int) -> Any:
    if f.type.kind == "scalar":
        v: Any = _SCALARS[f.type.name]
        if f.constraints.minimum is not None and isinstance(v, int | float):
            v = max(v, f.constraints.minimum)
    elif f.type.kind == "enum":
        e = cs.enum(f.type.name)
        v = getattr(getattr(models, e.name), e.values[0].py_name)
    else:
        m = cs.model(f.type.name)
        cls = getattr(models, m.name)
        v = cls(**{g.py_name: _value(cs, models, g, depth + 1) for g in m.fields if g.required})
    return [v] if f.is_list else v


def sample_args(cs: ContractSet, models: ModuleType, op: OperationIR) -> dict[str, Any]:
    """Keyword arguments for the required inputs of ``op``."""
    if op.input is None:
        return {}
    return {f.py_name: _value(cs, models, f, 0) for f in cs.model(op.input).fields if f.required}


def client_call(client: Any, op: OperationIR) -> Any:
    """The bound method of ``op`` on a generated client."""
    target = client
    for part in op.names.client_path:
        target = getattr(target, part)
    return target
