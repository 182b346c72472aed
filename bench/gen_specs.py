"""Generate a deterministic synthetic spec set of N operations in contractgen's YAML.

Shape (mirrors the peer benchmark of issue 7): operations spread over
domains of 50 operations each; half commands (POST, JSON body), half queries
(GET with a path parameter and query parameters); 3-10 typed fields each;
shared models nested two deep, enums, two declared errors per operation,
an event per command, one capability per domain and one feature per 10
domains. Same N, same bytes: the output depends on nothing but N.

    python bench/gen_specs.py 1000 /tmp/specs-1000
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SCALARS = ["ID", "String", "NonEmptyString", "Int", "Float", "Boolean", "DateTime", "Date", "EmailAddress", "URL"]
QUERY_SCALARS = ["String", "Int", "Boolean", "Date", "ID"]
OPS_PER_DOMAIN = 50
WORDS = ["account", "order", "invoice", "ledger", "payment", "refund", "shipment", "parcel", "carrier", "route", "stock", "item", "price", "quote", "cart", "coupon", "member", "group", "role", "policy", "audit", "report", "metric", "alert", "incident", "ticket", "task", "project", "sprint", "board", "card", "comment", "file", "folder", "share", "link", "token", "session", "device", "region", "zone"]


def domain_name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}{i // len(WORDS) or ''}"


def camel(*parts: str) -> str:
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def pascal(*parts: str) -> str:
    return "".join(p.capitalize() for p in parts)


def generate(n: int, out: Path) -> None:
    rng = random.Random(n)
    domains = max(1, (n + OPS_PER_DOMAIN - 1) // OPS_PER_DOMAIN)
    out.mkdir(parents=True, exist_ok=True)
    op_index = 0
    features: list[tuple[str, list[str], list[str], list[str]]] = []
    for d in range(domains):
        dom = domain_name(d)
        ops_here = min(OPS_PER_DOMAIN, n - op_index)
        docs: list[str] = []
        enum_name = pascal(dom, "status")
        docs.append(
            f"kind: enum\nname: {enum_name}\ndomain: {dom}\ndescription: Lifecycle state of a {dom}.\n"
            "values:\n  - value: draft\n  - value: active\n    description: In use.\n  - value: archived\n"
        )
        leaf = pascal(dom, "detail")
        docs.append(
            f"kind: model\nname: {leaf}\ndomain: {dom}\ndescription: Detail of a {dom}.\nfields:\n"
            "  label: { type: NonEmptyString, description: Human label., maxLength: 200 }\n"
            "  weight: { type: Float, optional: true, minimum: 0 }\n"
            "  tags: String[]?\n"
        )
        record = pascal(dom, "record")
        docs.append(
            f"kind: model\nname: {record}\ndomain: {dom}\ndescription: A {dom} as stored.\nfields:\n"
            f"  id: ID\n  status: {enum_name}\n  detail: {leaf}\n  children: {leaf}[]?\n"
            "  createdAt: DateTime\n  note: { type: String, optional: true, description: Free text. }\n"
        )
        op_refs: list[str] = []
        event_refs: list[str] = []
        for j in range(ops_here):
            entity = f"{WORDS[(j // 2) % len(WORDS)]}{j // (2 * len(WORDS)) or ''}"
            is_command = j % 2 == 0
            verb = "create" if is_command else "get"
            key = f"{dom}.{entity}.{verb}"
            fields = rng.randint(3, 10)
            lines = [
                "# yaml-language-server: $schema=../../generated/schema/contract-spec.json",
                f"kind: {'command' if is_command else 'query'}",
                f"key: {key}",
                "version: 1.0.0",
                f"title: {verb.capitalize()} {entity}",
                f"description: {verb.capitalize()} one {entity} of the {dom} domain.",
                f"goal: Let clients {verb} {entity} records.",
                f"domain: {dom}",
                "owners: [platform.bench]",
                f"tags: [{dom}, {entity}]",
                "stability: beta",
                f"capability: {dom}.api@1.0.0",
                "input:",
            ]
            if is_command:
                lines.append(f"  {camel(entity, 'id')}: ID")
                for k in range(fields - 1):
                    t = rng.choice(SCALARS)
                    opt = "?" if rng.random() < 0.3 else ""
                    lines.append(f"  {camel('field', str(k))}: {t}{opt}")
                lines.append(f"  detail: {leaf}")
                lines.append(f"  status: {enum_name}?")
                lines.append(f"output:\n  record: {record}")
                lines.append(f"sideEffects:\n  emits:\n    - event: {key}d@1.0.0\n      when: The {entity} is stored.")
                lines.append(f"transport:\n  rest: {{ method: POST, path: \"/{dom}/{entity}s/{{{camel(entity, 'id')}}}\" }}")
            else:
                lines.append(f"  {camel(entity, 'id')}: ID")
                for k in range(fields - 1):
                    t = rng.choice(QUERY_SCALARS)
                    lines.append(f"  {camel('filter', str(k))}: {t}?")
                lines.append(f"output:\n  record: {record}\n  total: Int?")
                lines.append(f"transport:\n  rest: {{ method: GET, path: \"/{dom}/{entity}s/{{{camel(entity, 'id')}}}\" }}")
            lines.append(
                "errors:\n"
                f"  {entity.upper()}_NOT_FOUND: {{ http: 404, description: No {entity} has this id., when: The id is unknown. }}\n"
                f"  {dom.upper()}_{entity.upper()}_CONFLICT: {{ http: 409, description: The {entity} changed meanwhile. }}"
            )
            docs.append("\n".join(lines) + "\n")
            op_refs.append(f"{key}@1.0.0")
            if is_command:
                docs.append(
                    f"kind: event\nkey: {key}d\nversion: 1.0.0\ndescription: A {entity} was stored.\n"
                    f"domain: {dom}\npayload:\n  {camel(entity, 'id')}: ID\n  occurredAt: DateTime\n"
                )
                event_refs.append(f"{key}d@1.0.0")
            op_index += 1
        cap = f"{dom}.api"
        docs.append(
            f"kind: capability\nkey: {cap}\nversion: 1.0.0\ntype: api\ndomain: {dom}\n"
            f"description: The {dom} API.\nprovides:\n"
            "  operations:\n" + "".join(f"    - {r}\n" for r in op_refs)
            + "  events:\n" + ("".join(f"    - {r}\n" for r in event_refs) if event_refs else "    []\n")
        )
        if d % 10 == 0:
            features.append((f"bench.f{d // 10}", [], [], []))
        features[-1][1].extend(op_refs)
        features[-1][2].extend(event_refs)
        features[-1][3].append(f"{cap}@1.0.0")
        (out / dom).mkdir(exist_ok=True)
        (out / dom / "specs.yaml").write_text("---\n".join(docs), encoding="utf-8")
    for key, ops, events, caps in features:
        body = f"kind: feature\nkey: {key}\nversion: 1.0.0\ntitle: Feature {key}\ndomain: bench\n"
        body += "operations:\n" + "".join(f"  - {r}\n" for r in ops)
        body += "events:\n" + ("".join(f"  - {r}\n" for r in events) or "  []\n")
        body += "capabilities:\n" + "".join(f"  - {r}\n" for r in caps)
        (out / f"{key}.feature.yaml").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: gen_specs.py N OUT_DIR")
    generate(int(sys.argv[1]), Path(sys.argv[2]))
