"""Diagnostics: what every stage reports, and how it is shown.

A diagnostic always names a place (file:line:col, 1-based), a stable code, a
message and, where we can say one, a hint. Stages collect diagnostics instead
of raising, so one run reports every problem; :class:`SpecError` carries them
out of a stage that cannot go on.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Literal, TextIO

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    position: Position
    code: str
    message: str
    severity: Severity = "error"
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        p = self.position
        return (p.file, p.line, p.col, self.code, self.message)

    def plain(self) -> str:
        text = f"{self.position}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class Diagnostics:
    """An ordered collection that stages append to."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        position: Position,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> None:
        self.items.append(Diagnostic(position, code, message, severity, hint))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        # Deduplicate: two stages may notice the same fact at the same place.
        return sorted(set(self.items), key=Diagnostic.sort_key)


class SpecError(Exception):
    """Raised when a stage found errors; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{len(diagnostics.errors)} error(s)")
        self.diagnostics = diagnostics


def render(
    diagnostics: list[Diagnostic], stream: TextIO | None = None, *, color: bool | None = None
) -> None:
    """Print diagnostics: rich colours on a terminal, plain stable lines otherwise."""
    out = stream or sys.stderr
    use_color = out.isatty() if color is None else color
    if not use_color:
        for d in diagnostics:
            print(d.plain(), file=out)
        _summary_plain(diagnostics, out)
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=out, highlight=False)
    styles = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
    for d in diagnostics:
        console.print(
            f"[bold]{escape(str(d.position))}[/bold]: [{styles[d.severity]}]{d.severity}"
            f"[{escape(d.code)}][/{styles[d.severity]}]: {escape(d.message)}"
        )
        if d.hint:
            console.print(f"  [green]hint:[/green] {escape(d.hint)}")
    _summary_plain(diagnostics, out)


def _summary_plain(diagnostics: list[Diagnostic], out: TextIO) -> None:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    if errors or warnings:
        print(f"{errors} error(s), {warnings} warning(s)", file=out)
