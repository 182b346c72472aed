"""One formatter pass over every generated Python file.

Generated code is formatted by the ruff pinned in pyproject.toml, run once per
build in isolated mode with fixed settings, so neither a user's ruff config
nor a ruff release can change the output.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractgen.output.cache import BuildCache

RUFF_SETTINGS = ["--isolated", "--line-length", "100", "--target-version", "py311"]


class FormatError(RuntimeError):
    pass


def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


# Counted by the cost tests: formatting must stay one call per build.
calls = 0


def _ruff_version() -> str:
    from importlib.metadata import version

    return version("ruff")


def format_python(files: dict[str, bytes], cache: BuildCache | None = None) -> dict[str, bytes]:
    """Format the ``.py`` entries of ``files`` (in place; returned); others pass through.

    With a ``cache``, a file whose exact text was formatted before is taken
    from it (ruff's output depends only on the text, its version and the
    fixed settings); ruff runs once, on the rest.
    """
    py = {p: d for p, d in files.items() if p.endswith(".py")}
    if not py:
        return files
    keys: dict[str, str] = {}
    # In place: the text before formatting goes as soon as its formatted text is
    # in (memory of a large build).
    out = files
    if cache is not None and cache.enabled:
        salt = f"{_ruff_version()}\0{' '.join(RUFF_SETTINGS)}\0".encode()
        keys = {p: hashlib.sha256(salt + d).hexdigest() for p, d in py.items()}
        paths = list(keys)
        for start in range(0, len(paths), 64):  # (a few megabytes at a time)
            batch = {p: keys[p] for p in paths[start : start + 64]}
            found = cache.get_many("format", batch.values())
            for p, k in batch.items():
                if k in found:
                    out[p] = found[k]
                    del py[p]
    todo = py
    if todo:
        for p, data in _run_ruff(todo):
            out[p] = data
            del todo[p]
            if keys and cache is not None:
                cache.put("format", keys[p], data)
    return out


def _run_ruff(py: dict[str, bytes]) -> Iterator[tuple[str, bytes]]:
    global calls
    calls += 1
    with tempfile.TemporaryDirectory(prefix="contractgen-fmt-") as tmp:
        root = Path(tmp)
        for path, data in py.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        proc = subprocess.run(
            # Not --quiet: it would hide the reason ruff gives for a failure.
            [ruff_binary(), "format", *RUFF_SETTINGS, "--no-cache", "."],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise FormatError(
                "ruff could not format the generated code (a contractgen bug):\n"
                + (proc.stderr or proc.stdout)
            )
        for path in list(py):
            yield path, (root / path).read_bytes()
