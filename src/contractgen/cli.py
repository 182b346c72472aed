"""Command line: parse flags, call the pipeline, print diagnostics.

Kept thin and import-light: heavy modules load inside the commands, so
``contractgen --help`` and ``--version`` start fast.

Exit codes: 0 success; 1 spec errors, or stale output with ``--check``;
2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from contractgen import __version__

if TYPE_CHECKING:
    from contractgen.config import Settings
    from contractgen.diagnostics import Diagnostic

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

KINDS = ("command", "query", "event", "model", "enum", "capability", "feature")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contractgen",
        description=(
            "Turn contract specs written in YAML into a typed Python client, "
            "an OpenAPI 3.1 document and Markdown docs."
        ),
        epilog=(
            "Start with `contractgen validate` on your specs directory, then "
            "`contractgen build`. In CI, `contractgen build --check` fails when "
            "generated/ is stale. Settings live in [tool.contractgen] of pyproject.toml."
        ),
    )
    parser.add_argument("--version", action="version", version=f"contractgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--specs", type=Path, metavar="DIR", help="spec directory (default: specs)")
        p.add_argument(
            "--config", type=Path, metavar="FILE", help="pyproject.toml or contractgen.toml to read"
        )
        p.add_argument(
            "--color",
            choices=("auto", "always", "never"),
            default="auto",
            help="colour diagnostics",
        )

    b = sub.add_parser(
        "build",
        help="generate every target into the output directory",
        description="Check the specs and generate every configured target.",
    )
    common(b)
    b.add_argument("--out", type=Path, metavar="DIR", help="output directory (default: generated)")
    b.add_argument(
        "--target",
        action="append",
        metavar="NAME",
        dest="targets",
        help="generate only this target (repeatable): ir, schema, openapi, python, docs",
    )
    b.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if the output is stale",
    )
    b.add_argument("--timings", action="store_true", help="print the time each stage took")
    b.add_argument(
        "--force", action="store_true", help="regenerate even if the inputs did not change"
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the build cache (.contractgen-cache/ next to the config)",
    )

    v = sub.add_parser(
        "validate",
        help="check the specs without generating anything",
        description="Load and check the specs; report every problem with its position.",
    )
    common(v)
    v.add_argument(
        "--explain",
        action="store_true",
        help="also print what contractgen inferred: REST routes, idempotency, generated names",
    )

    s = sub.add_parser("schema", help="print the JSON Schema of spec files (for editors)")
    s.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )

    n = sub.add_parser(
        "new",
        help="scaffold a new spec file",
        description="Write a valid spec skeleton to specs/<domain>/<key>.yaml.",
    )
    n.add_argument("kind", choices=KINDS)
    n.add_argument(
        "key", help="dotted key (e.g. billing.invoice.create) or, for model/enum, a PascalCase name"
    )
    n.add_argument("--specs", type=Path, metavar="DIR", help="spec directory (default: specs)")
    n.add_argument("--config", type=Path, metavar="FILE")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "schema":
            return _schema(args)
        settings = _settings(args)
        if args.command == "build":
            return _build(args, settings)
        if args.command == "validate":
            return _validate(args, settings)
        return _new(args, settings)
    except _UsageError as exc:
        print(f"contractgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from contractgen.render import InstallationError

        if not isinstance(exc, InstallationError):
            raise
        print(f"contractgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("contractgen: interrupted; the output tree was left as it was", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The ``contractgen`` command: :func:`main`, then exit without tearing down.

    A large build ends holding millions of objects (the IR, the rendered
    files); freeing them one by one at exit takes most of a second at 10,000
    operations and changes nothing. Everything that must reach the disk has
    (the writer and the build cache close their files; worker processes are
    shut down), so once the output streams are flushed the process ends at once.
    An exception still ends it the usual way (with its traceback).
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class _UsageError(Exception):
    pass


def _settings(args: argparse.Namespace) -> Settings:
    from contractgen.config import ConfigError, load_settings

    try:
        settings = load_settings(Path.cwd(), args.config)
    except ConfigError as exc:
        raise _UsageError(str(exc)) from None
    update: dict[str, object] = {}
    if getattr(args, "specs", None) is not None:
        update["specs"] = args.specs
    if getattr(args, "out", None) is not None:
        update["out"] = args.out
    if getattr(args, "targets", None):
        update["targets"] = tuple(dict.fromkeys(args.targets))
    return settings.model_copy(update=update) if update else settings


def _color(args: argparse.Namespace) -> bool | None:
    return {"auto": None, "always": True, "never": False}[getattr(args, "color", "auto")]


def _report(diagnostics: object, args: argparse.Namespace) -> None:
    from contractgen.diagnostics import Diagnostics, render

    assert isinstance(diagnostics, Diagnostics)
    render([_terminal(d) for d in diagnostics.sorted()], color=_color(args))


def _terminal(diagnostic: object) -> Diagnostic:
    """A diagnostic whose spec text (names, values, file names) cannot drive the terminal."""
    import dataclasses

    from contractgen.diagnostics import Diagnostic, Position
    from contractgen.escape import terminal_text

    assert isinstance(diagnostic, Diagnostic)
    p = diagnostic.position
    return dataclasses.replace(
        diagnostic,
        position=Position(terminal_text(p.file), p.line, p.col),
        message=terminal_text(diagnostic.message),
        hint=terminal_text(diagnostic.hint) if diagnostic.hint is not None else None,
    )


def _check_targets(settings: Settings) -> list[str]:
    from contractgen.targets import registry

    available = registry.available()
    unknown = [t for t in settings.targets if t not in registry.TARGETS]
    if unknown:
        raise _UsageError(
            f"unknown target(s): {', '.join(unknown)} (known: {', '.join(registry.TARGETS)})"
        )
    missing = [t for t in settings.targets if t not in available]
    if missing:
        raise _UsageError(f"target(s) not available in this installation: {', '.join(missing)}")
    return list(settings.targets)


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from contractgen.diagnostics import SpecError
    from contractgen.pipeline import build

    targets = _check_targets(settings)
    progress = _Progress.for_terminal(sys.stderr)
    try:
        result = build(
            settings,
            targets,
            check=args.check,
            force=args.force,
            use_cache=not args.no_cache,
            progress=progress,
        )
    except SpecError as exc:
        if progress is not None:
            progress.close()
        _report(exc.diagnostics, args)
        print("contractgen: nothing was written", file=sys.stderr)
        return EXIT_ERRORS
    finally:
        if progress is not None:
            progress.close()
    _report(result.diagnostics, args)
    if result.contracts is not None:
        _print_naming(result.contracts, args)
    out = settings.out.as_posix()
    if args.timings:
        print(result.timings.table(), file=sys.stderr)
    for rel in result.kept_modified:
        print(
            f"{out}/{rel}: warning: no longer generated, but edited by hand; left in place",
            file=sys.stderr,
        )
    if args.check:
        if result.up_to_date_fast or not (result.written or result.deleted):
            print(f"{out}: up to date", file=sys.stderr)
            return EXIT_OK
        sys.stdout.write(result.stale_diff)
        print(
            f"{out}: stale: {len(result.written)} file(s) would change, "
            f"{len(result.deleted)} would be deleted; run `contractgen build`",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    if result.up_to_date_fast:
        print(f"{out}: up to date ({result.unchanged} files)", file=sys.stderr)
    else:
        print(
            f"{out}: {len(result.written)} written, {len(result.deleted)} deleted, "
            f"{result.unchanged} unchanged",
            file=sys.stderr,
        )
    return EXIT_OK


class _Progress:
    """One status line on a terminal while a long build runs: the stage and the time.

    Only when stderr is a terminal (never in a CI log, a pipe or a test), and
    only after the build has run for a moment: a quick build prints nothing.
    The line is redrawn in place and erased when the build ends.
    """

    DELAY = 0.5  # seconds before the line first shows
    TICK = 0.2

    def __init__(self, stream: TextIO) -> None:
        import threading
        import time

        self.stream = stream
        self.clock = time.perf_counter
        self.started = self.clock()
        self.stage = "starting"
        self.shown = False
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="contractgen-progress", daemon=True)
        self.thread.start()

    @classmethod
    def for_terminal(cls, stream: TextIO) -> _Progress | None:
        import os

        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            return None
        if not tty or os.environ.get("TERM") == "dumb" or os.environ.get("CI"):
            return None
        return cls(stream)

    def __call__(self, stage: str) -> None:
        self.stage = stage

    def _run(self) -> None:
        if self.done.wait(self.DELAY):
            return
        while not self.done.is_set():
            with self.lock:
                if self.done.is_set():
                    return
                elapsed = self.clock() - self.started
                self.stream.write(f"\r\x1b[Kcontractgen: {self.stage} ({elapsed:.1f} s)")
                self.stream.flush()
                self.shown = True
            self.done.wait(self.TICK)

    def close(self) -> None:
        """Stop and erase the line (again: a no-op)."""
        with self.lock:
            self.done.set()
            if self.shown:
                self.shown = False
                self.stream.write("\r\x1b[K")
                self.stream.flush()
        self.thread.join()


def _print_naming(contracts: object, args: argparse.Namespace) -> None:
    from contractgen.diagnostics import Diagnostic, Position, render
    from contractgen.ir.models import ContractSet

    assert isinstance(contracts, ContractSet)
    notes = [
        Diagnostic(
            Position(d.source.file, d.source.line, d.source.col),
            "CG201",
            f"field '{d.wire}' is '{d.chosen}' in Python ({d.reason}); the wire name stays '{d.wire}'",
            "info",
        )
        for d in contracts.naming
    ]
    if notes:
        render([_terminal(n) for n in notes], color=_color(args))


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from contractgen.diagnostics import Diagnostics, SpecError
    from contractgen.pipeline import load_contracts

    diagnostics = Diagnostics()
    try:
        contracts = load_contracts(settings, diagnostics)
    except SpecError as exc:
        _report(exc.diagnostics, args)
        return EXIT_ERRORS
    _report(diagnostics, args)
    _print_naming(contracts, args)
    if args.explain:
        from contractgen.escape import terminal_text
        from contractgen.explain import explain

        text = explain(contracts)
        sys.stdout.write("\n".join(terminal_text(line) for line in text.split("\n")))
    counts = (
        f"{len(contracts.operations)} operations, {len(contracts.events)} events, "
        f"{len(contracts.models)} models, {len(contracts.enums)} enums, "
        f"{len(contracts.capabilities)} capabilities, {len(contracts.features)} features"
    )
    print(f"{settings.specs.as_posix()}: ok ({counts})", file=sys.stderr)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from contractgen.targets.schema import schema_text

    text = schema_text()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _new(args: argparse.Namespace, settings: Settings) -> int:
    from contractgen.scaffold import ScaffoldError, scaffold

    try:
        path = scaffold(args.kind, args.key, settings)
    except ScaffoldError as exc:
        raise _UsageError(str(exc)) from None
    print(
        f"wrote {path.relative_to(settings.root).as_posix() if path.is_relative_to(settings.root) else path}"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
