"""Preloaded by the forkserver of the model worker processes.

Importing datamodel-code-generator and running it once on a tiny schema
loads everything it imports lazily, so each worker forked from the server
starts ready (the import is most of a worker's start-up).
"""

from __future__ import annotations

from contractgen.targets import python_models

python_models.run_generator(
    {
        "$defs": {
            "Warm": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                "required": ["a"],
            },
            "WarmKind": {"type": "string", "enum": ["x"], "x-enum-varnames": ["X"]},
        },
        "x-contractgen-aliases": {},
    }
)
python_models._cache.clear()
python_models.calls = 0
