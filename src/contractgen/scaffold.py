"""``contractgen new KIND KEY``: write a spec skeleton that validates as it is."""

from __future__ import annotations

import re
from pathlib import Path

from contractgen.config import Settings
from contractgen.spec.models import KEY_PATTERN, TYPE_NAME_PATTERN


class ScaffoldError(Exception):
    pass


HEADER = "# yaml-language-server: $schema={schema}\n"

TEMPLATES = {
    "command": """kind: command
key: {key}
version: 1.0.0
title: {title}
description: TODO say what this command does, in one sentence.
goal: TODO why it exists.
context: TODO who calls it, and where its scope ends.
owners: []
tags: []
stability: idea

input:
  id: ID
output:
  id: ID

errors:
  NOT_FOUND:
    http: 404
    description: Nothing has this id.
    when: The id does not match a known record.

policy:
  auth: user
""",
    "query": """kind: query
key: {key}
version: 1.0.0
title: {title}
description: TODO say what this query returns, in one sentence.
goal: TODO why it exists.
context: TODO who calls it.
owners: []
tags: []
stability: idea

input:
  id: ID
output:
  id: ID

policy:
  auth: user
""",
    "event": """kind: event
key: {key}
version: 1.0.0
title: {title}
description: TODO say when this event is emitted.
owners: []
tags: []
stability: idea

payload:
  id: ID
  occurredAt: DateTime
""",
    "capability": """kind: capability
key: {key}
version: 1.0.0
title: {title}
description: TODO what this capability provides.
type: api
provides:
  operations: []
  events: []
""",
    "feature": """kind: feature
key: {key}
version: 1.0.0
title: {title}
description: TODO the product feature, in one sentence.
operations: []
events: []
capabilities: []
""",
    "model": """kind: model
name: {key}
description: TODO what this model holds.
fields:
  id: ID
""",
    "enum": """kind: enum
name: {key}
description: TODO what these values mean.
values:
  - value: example
    description: TODO
""",
}


def scaffold(kind: str, key: str, settings: Settings) -> Path:
    specs = settings.specs_dir
    if kind in ("model", "enum"):
        if not re.fullmatch(TYPE_NAME_PATTERN, key):
            raise ScaffoldError(f"'{key}' is not a PascalCase type name (e.g. InvoiceLine)")
        target = specs / "models" / f"{key}.yaml"
        title = key
    else:
        if not re.fullmatch(KEY_PATTERN, key):
            raise ScaffoldError(
                f"'{key}' is not a valid key (dotted lowercase, e.g. billing.invoice.create)"
            )
        target = specs / key.split(".", 1)[0] / f"{key}.yaml"
        title = " ".join(part.capitalize() for part in reversed(key.split(".")[1:])) or key
    if target.exists():
        raise ScaffoldError(f"{target} already exists; not overwriting it")
    out = settings.out_dir / "schema" / "contract-spec.json"
    schema = Path(_relpath(out, target.parent)).as_posix()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        HEADER.format(schema=schema) + TEMPLATES[kind].format(key=key, title=title),
        encoding="utf-8",
    )
    return target


def _relpath(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path.resolve() if path.exists() else path.absolute(), start.absolute())
