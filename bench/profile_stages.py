"""Time (or profile) each stage of one build in process, without writing anything.

    uv run python bench/profile_stages.py PROJECT_DIR [--repeat 3] [--profile STAGE] [--top 40]

PROJECT_DIR holds a pyproject.toml with [tool.contractgen] (bench/run.py --keep
leaves such directories behind). Prints the median time of every stage over
--repeat rounds (the first round pays imports and cold caches, so it is shown
apart); with --profile, a cProfile listing (cumulative time) of that stage
(load, check+ir, a target name, or format) from the last round.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", metavar="STAGE")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumtime")
    parser.add_argument("--targets", nargs="+", help="only these targets (default: the config's)")
    args = parser.parse_args()
    os.chdir(args.project)

    from contractgen.config import load_settings
    from contractgen.diagnostics import Diagnostics
    from contractgen.ir.build import build_ir
    from contractgen.output.fileset import FileSet
    from contractgen.output.format import format_python
    from contractgen.pipeline import GENERATOR, _fewer_collections
    from contractgen.spec.load import load_specs
    from contractgen.targets import registry
    from contractgen.targets.base import RenderContext

    settings = load_settings(Path.cwd())
    rounds: list[dict[str, float]] = []
    profile_text = ""
    times: dict[str, float] = {}
    peaks: dict[str, float] = {}
    profiling = False

    def run(stage: str, fn, *a):  # type: ignore[no-untyped-def]
        nonlocal profile_text
        prof = cProfile.Profile() if (profiling and args.profile == stage) else None
        start = time.perf_counter()
        if prof:
            prof.enable()
        out = fn(*a)
        if prof:
            prof.disable()
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats(args.sort).print_stats(args.top)
            profile_text = buf.getvalue()
        times[stage] = time.perf_counter() - start
        peaks[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out

    for i in range(args.repeat):
        profiling = i == args.repeat - 1
        times = {}
        gc_settings = _fewer_collections()  # as a build runs
        gc_settings.__enter__()
        diagnostics = Diagnostics()
        loaded = run("load", load_specs, settings.specs_dir, settings.root, diagnostics)
        contracts = run("check+ir", build_ir, loaded, diagnostics)
        ctx = RenderContext(settings=settings, generator=GENERATOR)
        files = FileSet()
        for name in args.targets or settings.targets:
            target = registry.load(name)
            fs = run(name, target.render, contracts, ctx)
            files.merge(fs, prefix=name)
        run("format", format_python, files.files)
        gc_settings.__exit__(None, None, None)
        rounds.append(times)
        print(
            f"round {i + 1}: " + ", ".join(f"{k} {v:.3f}" for k, v in times.items()),
            file=sys.stderr,
        )
    warm = rounds[1:] or rounds
    print(
        f"\n{'stage':<10} {'first':>8} {'median':>8} {'peak MB':>8}"
        f"  (s; median of rounds 2..{len(rounds)}; peak RSS after the stage)"
    )
    for stage in rounds[0]:
        med = statistics.median(r[stage] for r in warm)
        print(f"{stage:<10} {rounds[0][stage]:8.3f} {med:8.3f} {peaks[stage]:8.0f}")
    total = statistics.median(sum(r.values()) for r in warm)
    print(f"{'total':<10} {sum(rounds[0].values()):8.3f} {total:8.3f}")
    if profile_text:
        print(profile_text)


if __name__ == "__main__":
    main()
