"""What every surface emitter implements.

A target turns the IR into files in memory. It never touches the disk, never
invents names (they are in the IR) and never formats code (one ruff pass runs
over all targets' output afterwards). Its files land under ``<out>/<name>/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from contractgen.config import Settings
from contractgen.ir.models import ContractSet
from contractgen.output.cache import BuildCache
from contractgen.output.fileset import FileSet

if TYPE_CHECKING:
    from contractgen.pipeline import Timings


def _no_cache() -> BuildCache:
    return BuildCache(None, "")


@dataclass(frozen=True)
class RenderContext:
    settings: Settings
    generator: str  # "contractgen X.Y.Z", for headers
    # Intermediate results of earlier builds (a disabled cache by default).
    cache: BuildCache = field(default_factory=_no_cache)
    # Sub-stage times for ``--timings`` (``target python: models``, ...).
    timings: Timings | None = None
    # What targets share within one build (targets/digests.py).
    memo: dict[str, Any] = field(default_factory=dict)


class Target(Protocol):
    """A surface. A target may also define ``start(contracts, ctx)``: the
    pipeline calls it before rendering any target, so work it hands to other
    processes overlaps the other targets' rendering; ``render`` then collects it."""

    name: str
    description: str

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet: ...
