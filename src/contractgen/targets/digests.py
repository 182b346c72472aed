"""Content digests of the IR's specs, models and enums: keys of cached output parts.

One digest per item, of everything in it (its JSON dump and the YAML text the
dump leaves out): computed once per build and shared by the targets that
reuse parts of earlier builds (docs pages, the IR dump's entries).
"""

from __future__ import annotations

import hashlib
from typing import Any

from contractgen.ir.models import ContractSet
from contractgen.targets.base import RenderContext


def items(contracts: ContractSet) -> tuple[Any, ...]:
    """Every spec, model and enum of the set, in a fixed order."""
    return (
        *contracts.operations,
        *contracts.events,
        *contracts.capabilities,
        *contracts.features,
        *contracts.models,
        *contracts.enums,
    )


def whole(contracts: ContractSet, ctx: RenderContext) -> dict[int, str]:
    """``id(item)`` -> sha256 of the whole item, for this build's IR."""
    memo = ctx.memo.get("digests")
    if memo is not None and memo[0] is contracts:
        digests: dict[int, str] = memo[1]
        return digests
    digests = {}
    for item in items(contracts):
        h = hashlib.sha256(item.model_dump_json().encode())
        h.update(b"\0" + item.source_yaml.encode())
        digests[id(item)] = h.hexdigest()
    ctx.memo["digests"] = (contracts, digests)
    return digests
