"""The pipeline: load -> build IR -> run targets -> format -> write (or check).

Every stage reports to one :class:`Diagnostics`; nothing is written unless
every stage succeeded. Stage timings are kept for ``--timings``.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from contractgen import __version__
from contractgen.config import Settings
from contractgen.diagnostics import Diagnostics, Position, SpecError
from contractgen.ir.models import ContractSet
from contractgen.output.fileset import FileSet, UnsafePathError, sha256

GENERATOR = f"contractgen {__version__}"


@dataclass
class Timings:
    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append((name, time.perf_counter() - start))

    def table(self) -> str:
        total = sum(t for _, t in self.stages)
        width = max([len(n) for n, _ in self.stages] + [5])
        lines = [f"{name:<{width}}  {t * 1000:8.1f} ms" for name, t in self.stages]
        lines.append(f"{'total':<{width}}  {total * 1000:8.1f} ms")
        return "\n".join(lines)


@dataclass
class BuildResult:
    contracts: ContractSet | None
    files: FileSet
    diagnostics: Diagnostics
    timings: Timings
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_modified: list[str] = field(default_factory=list)
    stale_diff: str = ""
    up_to_date_fast: bool = False


def load_contracts(
    settings: Settings, diagnostics: Diagnostics, timings: Timings | None = None
) -> ContractSet:
    """Load and check the spec set; raise SpecError with every problem found."""
    from contractgen.ir.build import build_ir
    from contractgen.spec.load import load_specs

    timings = timings or Timings()
    with timings.stage("load"):
        loaded = load_specs(settings.specs_dir, settings.root, diagnostics)
    if diagnostics.has_errors:
        raise SpecError(diagnostics)
    with timings.stage("check+ir"):
        return build_ir(loaded, diagnostics)


def render_targets(
    contracts: ContractSet, settings: Settings, targets: list[str], timings: Timings
) -> FileSet:
    from contractgen.output.format import format_python
    from contractgen.targets import registry
    from contractgen.targets.base import RenderContext

    ctx = RenderContext(settings=settings, generator=GENERATOR)
    files = FileSet()
    for name in targets:
        with timings.stage(f"target {name}"):
            target = registry.load(name)
            files.merge(target.render(contracts, ctx), prefix=name)
    with timings.stage("format"):
        files.files = format_python(files.files)
    return files


def inputs_hashes(settings: Settings, targets: list[str]) -> dict[str, str]:
    """Per target, a hash of everything its output depends on."""
    common = inputs_hash(settings)
    return {t: hashlib.sha256(f"{common}\0{t}".encode()).hexdigest() for t in targets}


def inputs_hash(settings: Settings) -> str:
    """Hash of everything the output depends on: specs, templates, runtime, config, version.

    Lets ``--check`` prove an up-to-date tree without regenerating it.
    """
    from contractgen.render import templates_dir
    from contractgen.spec.load import discover

    h = hashlib.sha256()
    h.update(GENERATOR.encode())
    h.update(settings.model_dump_json(exclude={"root", "targets"}).encode())
    # The generator's own code counts as an input: a changed emitter must not
    # hide behind an unchanged version number.
    roots: list[tuple[str, Path]] = [
        ("specs", settings.specs_dir),
        ("templates", templates_dir()),
        ("generator", Path(__file__).parent),
    ]
    if settings.templates:
        roots.append(("overrides", settings.root / settings.templates))
    for label, root in roots:
        if not root.exists():
            continue
        if label == "specs":
            paths = discover(root)
        elif label == "generator":
            paths = sorted(root.rglob("*.py"))
        else:
            paths = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for p in paths:
            h.update(f"{label}/{p.relative_to(root).as_posix()}\0".encode())
            h.update(sha256(p.read_bytes()).encode())
    return h.hexdigest()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while building.

    A build allocates millions of small objects that live until it ends (the
    IR, rendered text): with the default thresholds the collector traverses
    them again and again (a fifth of a large build's time). Refcounting still
    frees everything acyclic at once, so memory does not grow.
    """
    old = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def build(
    settings: Settings,
    targets: list[str],
    *,
    check: bool = False,
    force: bool = False,
) -> BuildResult:
    with _fewer_collections():
        return _build(settings, targets, check=check, force=force)


def _build(
    settings: Settings,
    targets: list[str],
    *,
    check: bool,
    force: bool,
) -> BuildResult:
    from contractgen.output import writer

    diagnostics = Diagnostics()
    timings = Timings()
    out_dir = settings.out_dir
    display = settings.out.as_posix()
    with timings.stage("hash inputs"):
        digests = inputs_hashes(settings, targets)
    full_manifest = writer.Manifest.read(out_dir)
    # Building some targets must neither delete nor forget the others' files.
    previous = full_manifest.for_targets(targets) if full_manifest else None
    if not force and previous is not None and previous.inputs == digests:
        with timings.stage("verify"):
            intact = _tree_matches(out_dir, previous)
        if intact:
            return BuildResult(
                None,
                FileSet(),
                diagnostics,
                timings,
                unchanged=len(previous.files),
                up_to_date_fast=True,
            )

    contracts = load_contracts(settings, diagnostics, timings)
    try:
        files = render_targets(contracts, settings, targets, timings)
    except UnsafePathError as exc:
        diagnostics.add(Position(display), "CG900", str(exc))
        raise SpecError(diagnostics) from None
    manifest = writer.Manifest(inputs=digests, generator=GENERATOR, files=dict(files.hashes()))
    if full_manifest is not None:
        manifest = full_manifest.merged(manifest, targets)
    with timings.stage("plan"):
        try:
            plan = writer.plan(out_dir, files, previous)
        except writer.WriteError as exc:
            diagnostics.add(Position(display), "CG901", str(exc))
            raise SpecError(diagnostics) from None
    result = BuildResult(
        contracts,
        files,
        diagnostics,
        timings,
        unchanged=len(plan.unchanged),
        kept_modified=plan.kept_modified,
    )
    if check:
        result.stale_diff = writer.diff(out_dir, plan, display)
        result.written = sorted(plan.write)
        result.deleted = plan.delete
        return result
    with timings.stage("write"):
        try:
            writer.apply(out_dir, plan, manifest)
        except writer.WriteError as exc:
            diagnostics.add(Position(display), "CG902", str(exc))
            raise SpecError(diagnostics) from None
    result.written = sorted(plan.write)
    result.deleted = plan.delete
    return result


def _tree_matches(out_dir: Path, manifest: object) -> bool:
    from contractgen.output.writer import Manifest

    assert isinstance(manifest, Manifest)
    for rel, digest in manifest.files.items():
        try:
            if sha256((out_dir / rel).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True
