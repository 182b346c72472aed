"""One formatter pass over every generated Python file.

Generated code is formatted by the ruff pinned in pyproject.toml, run once per
build in isolated mode with fixed settings, so neither a user's ruff config
nor a ruff release can change the output.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

RUFF_SETTINGS = ["--isolated", "--line-length", "100", "--target-version", "py311"]


class FormatError(RuntimeError):
    pass


def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


# Counted by the cost tests: formatting must stay one call per build.
calls = 0


def format_python(files: dict[str, bytes]) -> dict[str, bytes]:
    """Format the ``.py`` entries of ``files``; other entries pass through."""
    global calls
    py = {p: d for p, d in files.items() if p.endswith(".py")}
    if not py:
        return dict(files)
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
        out = dict(files)
        for path in py:
            out[path] = (root / path).read_bytes()
    return out
