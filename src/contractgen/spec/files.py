"""Which files are spec files (kept apart from the loader, so a no-op build
that only hashes them does not import YAML and pydantic)."""

from __future__ import annotations

from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml")


def discover(specs_dir: Path) -> list[Path]:
    """Spec files under ``specs_dir``, in a stable order independent of the file system."""
    if specs_dir.is_file():
        return [specs_dir]
    found = [
        p
        for p in specs_dir.rglob("*")
        if p.suffix in SPEC_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(specs_dir).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(specs_dir).as_posix())
