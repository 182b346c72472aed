"""How an operation's acceptance examples are shown: a client call and a curl line.

Values come from the spec's examples (already checked against the input
model). The Python snippet calls the generated client the way its types ask:
keyword arguments by Python name, models built with their classes, enum
values as members; every value is written by :mod:`contractgen.escape`.
The curl line quotes every word with :func:`shlex.quote`; its URL has the
path and query parameters filled in and percent-encoded.
"""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import quote

from contractgen.config import Settings
from contractgen.escape import py_literal, py_str
from contractgen.ir.models import ContractSet, ExampleIR, FieldIR, OperationIR

DEFAULT_BASE_URL = "https://api.example.com"
TOKEN_VARIABLE = "API_TOKEN"


def base_url(settings: Settings) -> str:
    servers = settings.openapi.servers
    return servers[0].url.rstrip("/") if servers else DEFAULT_BASE_URL


LINE_LENGTH = 88


class _PythonValues:
    """Python expressions for JSON values of typed fields; collects the names to import."""

    def __init__(self, contracts: ContractSet) -> None:
        self.contracts = contracts
        self.models: set[str] = set()

    def field(self, f: FieldIR, value: Any) -> str:
        if f.is_list and isinstance(value, list):
            return "[" + ", ".join(self.item(f, v) for v in value) + "]"
        return self.item(f, value)

    def item(self, f: FieldIR, value: Any) -> str:
        kind, name = f.type.kind, f.type.name
        if kind == "model" and isinstance(value, dict):
            self.models.add(name)
            return f"{name}({self.keywords(self.contracts.model(name).fields, value)})"
        if kind == "enum" and isinstance(value, str):
            for v in self.contracts.enum(name).values:
                if v.value == value:
                    self.models.add(name)
                    return f"{name}.{v.py_name}"
        return py_literal(value)

    def keywords(self, fields: tuple[FieldIR, ...], values: dict[str, Any]) -> str:
        return ", ".join(
            f"{f.py_name}={self.field(f, values[f.name])}" for f in fields if f.name in values
        )

    def arguments(self, fields: tuple[FieldIR, ...], values: dict[str, Any]) -> list[str]:
        return [f"{f.py_name}={self.field(f, values[f.name])}" for f in fields if f.name in values]


def python_example(
    contracts: ContractSet, op: OperationIR, example: ExampleIR, package: str, url_base: str
) -> str:
    """A runnable snippet: open a client, call the operation, catch the example's error."""
    values = _PythonValues(contracts)
    fields = contracts.model(op.input).fields if op.input else ()
    args = values.arguments(fields, example.input or {})
    error = next((e for e in op.errors if e.code == example.error), None)
    method = "client." + ".".join(op.names.client_path)
    pad = "        " if error else "    "
    target = "" if error else "result = "
    call = f"{pad}{target}{method}({', '.join(args)})"
    if len(call) > LINE_LENGTH:
        call = f"{pad}{target}{method}(\n" + "".join(f"{pad}    {a},\n" for a in args) + f"{pad})"
    credentials = (
        "" if op.policy.auth == "anonymous" else f", token=os.environ[{py_str(TOKEN_VARIABLE)}]"
    )
    lines = ["import os", ""] if credentials else []
    lines.append(f"from {package} import Client")
    if error:
        lines.append(f"from {package}.errors import {error.py_class}")
    if values.models:
        lines.append(f"from {package}.models import {', '.join(sorted(values.models))}")
    lines += ["", f"with Client(base_url={py_str(url_base)}{credentials}) as client:"]
    if error:
        lines += ["    try:", call, f"    except {error.py_class} as error:  # HTTP {error.http}"]
        lines.append("        print(error.code, error.status)")
    else:
        lines.append(call)
    return "\n".join(lines)


def _param(value: Any) -> str:
    """A JSON scalar as it travels in a URL (booleans as ``true``/``false``)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def curl_command(op: OperationIR, values: dict[str, Any] | None, url_base: str) -> str:
    """A curl command line, continued over lines with backslashes."""
    values = values or {}
    rest = op.rest
    path = rest.path
    for name in rest.path_params:
        if name in values:
            path = path.replace("{" + name + "}", quote(_param(values[name]), safe=""))
    pairs: list[str] = []
    for name in rest.query_params:
        if name not in values or values[name] is None:
            continue
        items = values[name] if isinstance(values[name], list) else [values[name]]
        pairs.extend(f"{quote(name, safe='')}={quote(_param(v), safe='')}" for v in items)
    url = url_base + path + ("?" + "&".join(pairs) if pairs else "")
    words = ["curl"] if rest.method == "GET" else ["curl", "-X", rest.method]
    lines = [" ".join([*words, shlex.quote(url)])]
    if op.policy.auth != "anonymous":
        lines.append(f'-H "Authorization: Bearer ${TOKEN_VARIABLE}"')
    if rest.body_fields:
        body = {k: values[k] for k in rest.body_fields if k in values}
        lines.append("-H 'Content-Type: application/json'")
        lines.append("-d " + shlex.quote(json.dumps(body, ensure_ascii=False)))
    return " \\\n  ".join(lines)
