"""Content digests of the IR's specs, models and enums: keys of cached output parts.

* :func:`whole`: one digest per item, of everything in it (its JSON dump and
  the YAML text the dump leaves out);
* :func:`summary`: one digest of the whole set but its descriptive text
  (descriptions, goals, examples, sources; see ``LOCAL``): what a page or
  module shows of specs other than its own.

Computed once per build and shared by the targets that reuse parts of earlier
builds (docs pages, Python operation modules, the IR dump's entries).
"""

from __future__ import annotations

import hashlib
from typing import Any

from contractgen.ir.models import (
    CapabilityIR,
    ContractSet,
    EnumIR,
    EventIR,
    FeatureIR,
    ModelIR,
    OperationIR,
)
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


# The descriptive fields left out of the summary. Each appears only where its
# own spec, model or enum is shown (its docs page, its domain's index, its
# Python module); a page or module that shows another item's text lists that
# item whole (tests/perf/test_docs_cache.py edits each and compares the pages
# with a fresh build).
_LOCAL_META: dict[str, Any] = {"description": True, "source": True, "file": True}
LOCAL: dict[type, dict[str, Any]] = {
    OperationIR: {
        **_LOCAL_META,
        "goal": True,
        "context": True,
        "scenarios": True,
        "examples": True,
        "errors": {"__all__": {"description": True, "when": True, "source": True}},
    },
    EventIR: _LOCAL_META,
    CapabilityIR: _LOCAL_META,
    FeatureIR: _LOCAL_META,
    ModelIR: {
        "description": True,
        "source": True,
        "fields": {"__all__": {"description": True, "examples": True, "source": True}},
    },
    EnumIR: {"description": True, "source": True, "values": {"__all__": {"description": True}}},
}


def summary(contracts: ContractSet, ctx: RenderContext) -> str:
    """Digest of the set without its descriptive text (``LOCAL``)."""
    memo = ctx.memo.get("summary")
    if memo is not None and memo[0] is contracts:
        digest: str = memo[1]
        return digest
    h = hashlib.sha256()
    for item in items(contracts):
        h.update(item.model_dump_json(exclude=LOCAL[type(item)]).encode())
        h.update(b"\0")
    h.update(repr(contracts.domains).encode())
    digest = h.hexdigest()
    ctx.memo["summary"] = (contracts, digest)
    return digest
