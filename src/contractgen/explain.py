"""``contractgen validate --explain``: show what was inferred, so nothing is magic."""

from __future__ import annotations

from contractgen.ir.models import ContractSet


def _how(inferred: bool) -> str:
    return "inferred" if inferred else "declared"


def explain(cs: ContractSet) -> str:
    lines: list[str] = []
    for op in cs.operations:
        rest = op.rest
        lines.append(f"{op.ref} ({op.kind}) at {op.source}")
        lines.append(
            f"  route:       {rest.method} {rest.path}  (method {_how(rest.method_inferred)}, path {_how(rest.path_inferred)})"
        )
        if rest.path_params:
            lines.append(f"  path params: {', '.join(rest.path_params)}")
        if rest.query_params:
            lines.append(f"  query:       {', '.join(rest.query_params)}")
        if rest.body_fields:
            lines.append(f"  body:        {', '.join(rest.body_fields)}")
        lines.append(
            f"  idempotent:  {str(op.policy.idempotent).lower()}  ({_how(op.policy.idempotent_inferred)})"
        )
        lines.append(f"  auth:        {op.policy.auth}")
        lines.append(f"  input:       {op.input or '-'}    output: {op.output or '-'}")
        lines.append(f"  client:      client.{'.'.join(op.names.client_path)}(...)")
        lines.append(f"  operationId: {op.names.operation_id}")
        if op.capability:
            lines.append(f"  capability:  {op.capability}")
        for err in op.errors:
            lines.append(f"  error:       {err.code} -> HTTP {err.http}, raises {err.py_class}")
        for emit in op.emits:
            lines.append(f"  emits:       {emit.event}")
        lines.append("")
    for ev in cs.events:
        lines.append(f"{ev.ref} (event) at {ev.source}")
        lines.append(f"  payload:     {ev.payload}    webhook: {ev.names.webhook}")
        lines.append("")
    if cs.naming:
        lines.append("naming decisions:")
        for d in cs.naming:
            lines.append(f"  {d.source}: '{d.wire}' -> '{d.chosen}' ({d.reason})")
    return "\n".join(lines) + "\n"
