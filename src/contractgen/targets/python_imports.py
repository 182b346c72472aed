"""Import blocks of generated Python modules, sorted the way ruff's isort rule wants.

Generated code is formatted by one ruff pass that does not sort imports, and
the generated package must pass ``ruff check`` with the isort rule (``I``) on:
so every import block is built here, already in that order. Sections are
future, standard library, third party and local (relative imports); inside a
section, ``import x`` lines come before ``from x import ...`` lines, modules
sort case-insensitively, and names sort constants first, then classes, then
the rest (ruff's defaults).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict

_THIRD_PARTY_HINT = frozenset({"pydantic", "httpx", "typing_extensions", "annotated_types"})


def _section(module: str) -> int:
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 3
    top = module.split(".", 1)[0]
    if top in sys.stdlib_module_names and top not in _THIRD_PARTY_HINT:
        return 1
    return 2


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Case-insensitive, numbers by value (ruff's ``natord`` order)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", text.lower())
        if part
    )


def _name_key(entry: str) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
    name = entry.split(" as ", 1)[0]
    if len(name) > 1 and name.isupper():
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return (rank, _natural(name), entry)


def _module_key(module: str) -> tuple[int, str]:
    stripped = module.lstrip(".")
    # furthest-to-closest: ``..x`` before ``.x``
    return (-(len(module) - len(stripped)), stripped.lower())


class ImportBlock:
    """Collects imports; renders them sorted, merged and deduplicated."""

    def __init__(self) -> None:
        self._plain: set[str] = set()
        self._from: dict[str, set[str]] = defaultdict(set)

    def add_import(self, module: str) -> None:
        self._plain.add(module)

    def add_from(self, module: str, *names: str) -> None:
        """Import ``names`` (each ``name`` or ``name as alias``) from ``module``."""
        self._from[module].update(names)

    def __contains__(self, name: str) -> bool:
        return any(name in names for names in self._from.values())

    def render(self, line_length: int = 100) -> str:
        sections: dict[int, list[str]] = defaultdict(list)
        for module in sorted(self._plain, key=_module_key):
            sections[_section(module)].append(f"import {module}")
        for module in sorted(self._from, key=_module_key):
            # ``name as alias`` imports stand alone (ruff: combine-as-imports off);
            # the statements of one module sort by their first name.
            names = sorted(self._from[module], key=_name_key)
            groups: list[list[str]] = [[n] for n in names if " as " in n]
            plain = [n for n in names if " as " not in n]
            if plain:
                groups.append(plain)
            groups.sort(key=lambda g: _name_key(g[0]))
            for group in groups:
                line = f"from {module} import {', '.join(group)}"
                if len(line) > line_length:
                    inner = "".join(f"    {n},\n" for n in group)
                    line = f"from {module} import (\n{inner})"
                sections[_section(module)].append(line)
        return "\n\n".join("\n".join(sections[s]) for s in sorted(sections) if sections[s])


def all_order(names: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """``__all__`` entries in the order ruff's RUF022 wants.

    SCREAMING_CASE names first, then CamelCase, then the rest; a natural,
    case-sensitive order inside each group.
    """

    def key(name: str) -> tuple[int, tuple[tuple[int, int | str], ...]]:
        bare = name.strip("_")
        if len(bare) > 1 and bare.isupper():
            rank = 0
        elif bare[:1].isupper():
            rank = 1
        else:
            rank = 2
        parts = tuple(
            (0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", name)
            if part
        )
        return (rank, parts)

    return sorted(names, key=key)
