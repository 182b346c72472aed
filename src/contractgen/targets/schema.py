"""The ``schema`` target: the JSON Schema editors use to validate spec files."""

from __future__ import annotations

import json

from contractgen.ir.models import ContractSet
from contractgen.output.fileset import FileSet
from contractgen.spec.models import spec_json_schema
from contractgen.targets.base import RenderContext


class SchemaTarget:
    name = "schema"
    description = "JSON Schema of spec files, for editor completion and validation"

    def render(self, contracts: ContractSet, ctx: RenderContext) -> FileSet:
        files = FileSet()
        files.add("contract-spec.json", schema_text())
        return files


def schema_text() -> str:
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"
