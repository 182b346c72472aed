"""How an operation's acceptance examples are shown: a client call and a curl line.

Values come from the spec's examples (already checked against the input
model). The Python call is rendered by the template with the ``py_*``
filters; this module only maps wire names to keyword arguments. The curl
line is built here, every word quoted with :func:`shlex.quote`, because its
URL needs the path and query parameters filled in and percent-encoded.
"""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import quote

from contractgen.config import Settings
from contractgen.ir.models import ContractSet, OperationIR

DEFAULT_BASE_URL = "https://api.example.com"
TOKEN_VARIABLE = "API_TOKEN"


def base_url(settings: Settings) -> str:
    servers = settings.openapi.servers
    return servers[0].url.rstrip("/") if servers else DEFAULT_BASE_URL


def call_arguments(
    contracts: ContractSet, op: OperationIR, values: dict[str, Any] | None
) -> list[tuple[str, Any]]:
    """``(python keyword, value)`` for each input value of an example, in model order."""
    if not values or not op.input:
        return []
    model = contracts.model(op.input)
    return [(f.py_name, values[f.name]) for f in model.fields if f.name in values]


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
