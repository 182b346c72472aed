"""The pipeline: load -> build IR -> run targets -> format -> write (or check).

Every stage reports to one :class:`Diagnostics`; nothing is written unless
every stage succeeded. Stage timings are kept for ``--timings``.
"""

from __future__ import annotations

import gc
import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen import __version__
from contractgen.config import Settings
from contractgen.diagnostics import Diagnostics, Position, SpecError
from contractgen.output.fileset import FileSet, UnsafePathError, sha256

if TYPE_CHECKING:
    from contractgen.ir.models import ContractSet
    from contractgen.output.cache import BuildCache

GENERATOR = f"contractgen {__version__}"


@dataclass
class Timings:
    """Wall time of each stage; a stage entered inside another is its sub-stage."""

    stages: list[tuple[str, float]] = field(default_factory=list)
    depths: list[int] = field(default_factory=list)
    _depth: int = 0
    # Called with a stage's name as it begins (the progress display).
    on_stage: Callable[[str], None] | None = None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage is not None:
            self.on_stage(name)
        index = len(self.stages)
        self.stages.append((name, 0.0))
        self.depths.append(self._depth)
        self._depth += 1
        start = time.perf_counter()
        try:
            yield
        finally:
            self._depth -= 1
            self.stages[index] = (name, time.perf_counter() - start)

    def table(self) -> str:
        depths = self.depths + [0] * (len(self.stages) - len(self.depths))
        total = sum(t for (_, t), d in zip(self.stages, depths, strict=True) if d == 0)
        rows = [("  " * d + n, t) for (n, t), d in zip(self.stages, depths, strict=True)]
        width = max([len(n) for n, _ in rows] + [5])
        lines = [f"{n:<{width}}  {t * 1000:8.1f} ms" for n, t in rows]
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
    # Build cache hits and misses per namespace: {"models": (hits, misses), ...}.
    cache_stats: dict[str, tuple[int, int]] = field(default_factory=dict)


def load_contracts(
    settings: Settings,
    diagnostics: Diagnostics,
    timings: Timings | None = None,
    cache: BuildCache | None = None,
) -> ContractSet:
    """Load and check the spec set; raise SpecError with every problem found."""
    from contractgen.ir.build import build_ir
    from contractgen.spec.load import load_specs

    timings = timings or Timings()
    with timings.stage("load"):
        loaded = load_specs(settings.specs_dir, settings.root, diagnostics, cache)
    if diagnostics.has_errors:
        raise SpecError(diagnostics)
    with timings.stage("check+ir"):
        contracts = build_ir(loaded, diagnostics)
    del loaded
    release_memory()
    return contracts


def render_targets(
    contracts: ContractSet,
    settings: Settings,
    targets: list[str],
    timings: Timings,
    cache: BuildCache | None = None,
) -> FileSet:
    from contractgen.output.cache import BuildCache
    from contractgen.output.format import format_python
    from contractgen.targets import registry
    from contractgen.targets.base import RenderContext

    cache = cache or BuildCache(None, "")
    ctx = RenderContext(settings=settings, generator=GENERATOR, cache=cache, timings=timings)
    loaded = [(name, registry.load(name)) for name in targets]
    # Targets that render templates have imported Jinja by now (the others
    # never do): their compiled templates live in the build cache.
    render_module = sys.modules.get("contractgen.render")
    if render_module is not None:
        folder = cache.directory / "jinja" if cache.enabled and cache.directory else None
        render_module.use_compiled_templates(folder)
    # Targets with work to hand to other processes start it first (the
    # Python models), so it runs while the other targets render here.
    for name, target in loaded:
        start = getattr(target, "start", None)
        if start is not None:
            with timings.stage(f"target {name} (start)"):
                start(contracts, ctx)
    ordered = sorted(loaded, key=lambda item: hasattr(item[1], "start"))
    rendered: dict[str, FileSet] = {}
    for name, target in ordered:
        with timings.stage(f"target {name}"):
            rendered[name] = target.render(contracts, ctx)
        release_memory()
    files = FileSet()
    for name in targets:
        files.merge(rendered.pop(name), prefix=name)
    with timings.stage("format"):
        files.files = format_python(files.files, cache)
    return files


def inputs_hashes(settings: Settings, targets: list[str]) -> dict[str, str]:
    """Per target, a hash of everything its output depends on."""
    return _inputs(settings, targets)[0]


def _inputs(settings: Settings, targets: list[str]) -> tuple[dict[str, str], str]:
    """Per-target input hashes, and the hash of contractgen itself (code, templates, version)."""
    common, code = _inputs_hash(settings)
    per_target = {t: hashlib.sha256(f"{common}\0{t}".encode()).hexdigest() for t in targets}
    return per_target, code


def inputs_hash(settings: Settings) -> str:
    """Hash of everything the output depends on: specs, templates, runtime, config, version.

    Lets ``--check`` prove an up-to-date tree without regenerating it.
    """
    return _inputs_hash(settings)[0]


def _templates_dir() -> Path:
    """:func:`contractgen.render.templates_dir`, without importing Jinja when the
    templates are where they belong (a no-op build renders nothing)."""
    here = Path(__file__).parent
    for candidate in (here / "templates", here.resolve().parents[1] / "templates"):
        if candidate.is_dir():
            return candidate
    from contractgen.render import templates_dir

    return templates_dir()  # raises InstallationError


def _inputs_hash(settings: Settings) -> tuple[str, str]:
    from contractgen.spec.files import discover

    h = hashlib.sha256()
    # What salts the build cache: everything but the specs and the settings
    # (cache keys hash those parts of them that each entry depends on).
    code = hashlib.sha256()
    h.update(GENERATOR.encode())
    code.update(GENERATOR.encode())
    h.update(settings.model_dump_json(exclude={"root", "targets"}).encode())
    # The generator's own code counts as an input: a changed emitter must not
    # hide behind an unchanged version number.
    roots: list[tuple[str, Path]] = [
        ("specs", settings.specs_dir),
        ("templates", _templates_dir()),
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
            paths = sorted(
                p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
        for p in paths:
            name = f"{label}/{p.relative_to(root).as_posix()}\0".encode()
            digest = sha256(p.read_bytes()).encode()
            h.update(name)
            h.update(digest)
            if label != "specs":
                code.update(name)
                code.update(digest)
    return h.hexdigest(), code.hexdigest()


def release_memory() -> None:
    """Give the memory freed since the last call back to the system (glibc only).

    A large build frees hundreds of megabytes between stages (the parsed specs
    once the IR is built, a target's working data once its files are made);
    without this, the C allocator keeps it and the peak is the sum, not the max.
    """
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = _find_malloc_trim()
    if _malloc_trim is not False:
        assert callable(_malloc_trim)
        _malloc_trim(0)


def _find_malloc_trim() -> Callable[[int], int] | bool:
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return False
    return trim


_malloc_trim: Callable[[int], int] | bool | None = None


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
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Generate ``targets``; with ``check``, only compare with the output tree.

    With ``use_cache``, intermediate results are kept in and taken from
    ``.contractgen-cache/`` next to the configuration (see
    :mod:`contractgen.output.cache`); the output is the same either way.
    ``progress`` is called with the name of each stage as it begins.
    """
    from contractgen.output.cache import CACHE_DIR, BuildCache

    with _fewer_collections():
        timings = Timings(on_stage=progress)
        with timings.stage("hash inputs"):
            digests, code = _inputs(settings, targets)
        cache = BuildCache(settings.root / CACHE_DIR if use_cache else None, code)
        try:
            result = _build(settings, targets, digests, cache, timings, check=check, force=force)
        finally:
            cache.close()
        result.cache_stats = {
            ns: (cache.hits(ns), cache.misses(ns)) for ns in sorted({ns for ns, _ in cache.stats})
        }
        return result


def _build(
    settings: Settings,
    targets: list[str],
    digests: dict[str, str],
    cache: BuildCache,
    timings: Timings,
    *,
    check: bool,
    force: bool,
) -> BuildResult:
    from contractgen.output import writer

    diagnostics = Diagnostics()
    out_dir = settings.out_dir
    display = settings.out.as_posix()
    full_manifest = writer.Manifest.read(out_dir)
    # Building some targets must neither delete nor forget the others' files.
    previous = full_manifest.for_targets(targets) if full_manifest else None
    if not force and previous is not None and previous.inputs == digests:
        with timings.stage("verify"):
            states = writer.verify(out_dir, previous, cache.file_states())
        if states is not None:
            _record_states(cache, full_manifest, states)
            cache.save()
            return BuildResult(
                None,
                FileSet(),
                diagnostics,
                timings,
                unchanged=len(previous.files),
                up_to_date_fast=True,
            )

    contracts = load_contracts(settings, diagnostics, timings, cache)
    try:
        files = render_targets(contracts, settings, targets, timings, cache)
    except UnsafePathError as exc:
        diagnostics.add(Position(display), "CG900", str(exc))
        raise SpecError(diagnostics) from None
    with timings.stage("hash output"):
        hashes = dict(files.hashes())
    manifest = writer.Manifest(inputs=digests, generator=GENERATOR, files=hashes)
    if full_manifest is not None:
        manifest = full_manifest.merged(manifest, targets)
    with timings.stage("plan"):
        try:
            plan = writer.plan(out_dir, files, previous, hashes, cache.file_states())
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
        with timings.stage("save cache"):
            cache.save()
        return result
    with timings.stage("write"):
        try:
            writer.apply(out_dir, plan, manifest)
        except writer.WriteError as exc:
            diagnostics.add(Position(display), "CG902", str(exc))
            raise SpecError(diagnostics) from None
    with timings.stage("save cache"):
        states = dict(plan.states)
        for rel in plan.write:
            states[rel] = writer.file_state(out_dir / rel, hashes[rel])
        _record_states(cache, manifest, states)
        cache.save()
    result.written = sorted(plan.write)
    result.deleted = plan.delete
    return result


def _record_states(
    cache: BuildCache, manifest: object, states: dict[str, tuple[int, int, int, str]]
) -> None:
    """Remember how every file of the manifest looks on disk, for the next build."""
    from contractgen.output.writer import Manifest

    assert isinstance(manifest, Manifest)
    known = cache.file_states()
    merged = {rel: known[rel] for rel in manifest.files if rel in known}
    merged.update((rel, st) for rel, st in states.items() if rel in manifest.files)
    if merged != known:
        cache.record_files(merged)
