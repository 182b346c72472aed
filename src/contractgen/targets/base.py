"""What every surface emitter implements.

A target turns the IR into files in memory. It never touches the disk, never
invents names (they are in the IR) and never formats code (one ruff pass runs
over all targets' output afterwards). Its files land under ``<out>/<name>/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from contractgen.config import Settings
from contractgen.ir.models import ContractSet
from contractgen.output.fileset import FileSet


@dataclass(frozen=True)
class RenderContext:
    settings: Settings
    generator: str  # "contractgen X.Y.Z", for headers


class Target(Protocol):
    name: str
    description: str

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet: ...
