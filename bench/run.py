"""Benchmark contractgen against openapi-python-client, in one run, on this machine.

For each N it generates a synthetic spec set (bench/gen_specs.py), then measures
(median of --repeat runs, wall time; peak RSS of the process tree):

  full      cold build of all targets: no cache, no manifest, fresh output dir
  no-op     second build, nothing changed (cache warm)
  one edit  one spec's description edited, then build (cache warm)
  check     `build --check` on a fresh copy of the built project without the
            cache, as in CI (nothing stale)
  import    `import <client package>` of the generated client (fresh interpreter)
  peer      openapi-python-client generate, for its client alone, on our own
            OpenAPI document of the same specs (its default config, which runs
            ruff on its output as we do)

and `contractgen --help` / `--version`. Prints a Markdown table with medians,
the ratios the performance targets are stated in, and the peak memory.

    uv run python bench/run.py                          # N = 100 and 1000
    uv run python bench/run.py --sizes 100 1000 10000   # the README figures

Both tools run with Python's bytecode cache on (as in any installed
environment; children get PYTHONPYCACHEPREFIX in the work directory, warmed
by one untimed run each): --no-bytecode-cache measures with it off.
Other processes on the machine skew wall times: quote medians, and compare
figures from one run only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_specs import generate  # noqa: E402

PYPROJECT = """\
[tool.contractgen]
specs = "specs"
out = "generated"
targets = {targets}

[tool.contractgen.python]
package = "bench_client"

[tool.contractgen.openapi]
title = "Bench API"
"""
CACHE = ".contractgen-cache"


def tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        sys.exit(f"{name} is not on PATH: run with `uv run python bench/run.py` (after uv sync)")
    return exe


class Runner:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def timed(
        self, cmd: list[str], cwd: Path, ok_codes: tuple[int, ...] = (0,)
    ) -> tuple[float, float]:
        """Wall seconds and peak RSS (MB) of a child process and its own children.

        RUSAGE_CHILDREN gives the largest peak of any process waited for so
        far; each measurement runs in a fresh `time`-less helper so the peak
        is this command's (worker processes included).
        """
        probe = (
            "import os, resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL,"
            " stderr=subprocess.PIPE)\n"
            "e = time.perf_counter() - t\n"
            "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "sys.stderr.buffer.write(p.stderr[-3000:])\n"
            "print(p.returncode, e, m)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", probe, str(cwd), *cmd],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        try:
            code_s, elapsed_s, rss_s = proc.stdout.split()
        except ValueError:
            raise SystemExit(f"{' '.join(cmd)}: {proc.stderr[-3000:]}") from None
        if int(code_s) not in ok_codes:
            raise SystemExit(f"{' '.join(cmd)} failed ({code_s}) in {cwd}:\n{proc.stderr}")
        return float(elapsed_s), int(rss_s) / 1024


def med(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def bench_size(
    n: int, repeat: int, targets: list[str], peer: bool, work: Path, run: Runner
) -> dict[str, tuple[float, float]]:
    project = work / f"n{n}"
    specs = project / "specs"
    shutil.rmtree(project, ignore_errors=True)
    generate(n, specs)
    (project / "pyproject.toml").write_text(PYPROJECT.format(targets=repr(targets).replace("'", '"')))
    cg = [tool("contractgen")]
    keys = ("full", "noop", "edit", "check", "import", "peer")
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    first = sorted(specs.rglob("*.yaml"))[0]
    original = first.read_text()
    edited = original.replace("description:", "description: Edited.", 1)
    # Untimed: compiles every module both tools import (bytecode cache).
    run.timed([*cg, "build", "--no-cache", "--out", str(work / "warm")], project)
    shutil.rmtree(work / "warm", ignore_errors=True)
    for _ in range(repeat):
        shutil.rmtree(project / "generated", ignore_errors=True)
        shutil.rmtree(project / CACHE, ignore_errors=True)
        results["full"].append(run.timed([*cg, "build"], project))
        results["noop"].append(run.timed([*cg, "build"], project))
        first.write_text(edited)
        results["edit"].append(run.timed([*cg, "build"], project))
        first.write_text(original)
        run.timed([*cg, "build"], project)
        clone = work / f"n{n}-clone"
        shutil.rmtree(clone, ignore_errors=True)
        shutil.copytree(project, clone, ignore=shutil.ignore_patterns(CACHE))
        results["check"].append(run.timed([*cg, "build", "--check"], clone))
        shutil.rmtree(clone)
    if "python" in targets:
        env_py = str(project / "generated" / "python")
        importer = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import bench_client", env_py]
        run.timed(importer, project)  # bytecode
        bare = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1])", env_py]
        for _ in range(max(repeat, 3)):
            whole = run.timed(importer, project)
            base = run.timed(bare, project)
            results["import"].append((whole[0] - base[0], whole[1]))
    if peer:
        peer_exe = tool("openapi-python-client")
        doc = project / "generated" / "openapi" / "openapi.json"
        out = work / f"peer-{n}"
        cmd = [peer_exe, "generate", "--path", str(doc), "--output-path", str(out), "--overwrite"]
        run.timed(cmd, work)  # untimed: bytecode
        for _ in range(repeat):
            shutil.rmtree(out, ignore_errors=True)
            results["peer"].append(run.timed(cmd, work))
        shutil.rmtree(out, ignore_errors=True)
    return {k: med(v) for k, v in results.items() if v}


def cli_start(run: Runner, repeat: int, work: Path) -> dict[str, float]:
    cg = tool("contractgen")
    out = {}
    for flag in ("--help", "--version"):
        run.timed([cg, flag], work)
        out[flag] = statistics.median(run.timed([cg, flag], work)[0] for _ in range(max(repeat, 5)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--targets", nargs="+", default=["ir", "schema", "openapi", "python", "docs"])
    parser.add_argument("--no-peer", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="run without .pyc files")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="contractgen-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    run = Runner(env)
    rows = []
    started = time.perf_counter()
    try:
        start = cli_start(run, args.repeat, work)
        for n in args.sizes:
            print(f"N={n} ...", file=sys.stderr, flush=True)
            rows.append((n, bench_size(n, args.repeat, args.targets, not args.no_peer, work, run)))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    by_n = dict(rows)
    print(
        f"\ncontractgen bench: medians of {args.repeat} runs, targets {', '.join(args.targets)}, "
        f"{os.cpu_count()} CPUs, bytecode cache {'off' if args.no_bytecode_cache else 'on'} "
        f"({time.perf_counter() - started:.0f} s)\n"
    )
    print(
        "| N ops | full build | peak MB | no-op | one edit (/ full) | --check, fresh clone "
        "| import client | openapi-python-client | full / peer |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in rows:
        full, mem = r["full"]
        peer = r.get("peer")
        ratio = f"**{full / peer[0]:.2f}**" if peer else "-"
        peer_text = f"{peer[0]:.2f} s, {peer[1]:.0f} MB" if peer else "-"
        imp = f"{r['import'][0]:.2f} s" if "import" in r else "-"
        edit = r["edit"][0]
        print(
            f"| {n:,} | {full:.2f} s | {mem:.0f} | {r['noop'][0]:.2f} s "
            f"| {edit:.2f} s ({edit / full:.0%}) | {r['check'][0]:.2f} s | {imp} | {peer_text} | {ratio} |"
        )
    print()
    if 1000 in by_n and 10000 in by_n:
        print(
            f"Growth 1,000 -> 10,000 ops: full build x{by_n[10000]['full'][0] / by_n[1000]['full'][0]:.1f}"
            f" (target <= 11), peak memory {by_n[10000]['full'][1]:.0f} MB (target <= 1024)."
        )
    print(
        f"`contractgen --help` {start['--help'] * 1000:.0f} ms, `--version` {start['--version'] * 1000:.0f} ms"
        " (target <= 150 ms)."
    )


if __name__ == "__main__":
    main()
