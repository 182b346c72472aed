"""The list of surfaces. A new surface is one module in this package, one entry
here, and (if it renders templates) one folder under ``templates/``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the IR models: not imported by a no-op build)
    from contractgen.targets.base import Target

# name -> "module:ClassName"; imported lazily so `contractgen --help` stays fast.
TARGETS: dict[str, str] = {
    "ir": "contractgen.targets.ir_dump:IrDumpTarget",
    "schema": "contractgen.targets.schema:SchemaTarget",
    "openapi": "contractgen.targets.openapi:OpenApiTarget",
    "python": "contractgen.targets.python_client:PythonClientTarget",
    "docs": "contractgen.targets.docs:DocsTarget",
}


def available() -> list[str]:
    """Targets whose emitter module exists in this installation."""
    import importlib.util

    out = []
    for name, spec in TARGETS.items():
        module = spec.split(":", 1)[0]
        if importlib.util.find_spec(module) is not None:
            out.append(name)
    return out


def load(name: str) -> Target:
    module_name, _, cls_name = TARGETS[name].partition(":")
    module = importlib.import_module(module_name)
    target: Target = getattr(module, cls_name)()
    return target
