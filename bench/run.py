"""Benchmark contractgen against openapi-python-client, in one run, on this machine.

For each N it generates a synthetic spec set (bench/gen_specs.py), then measures
(median of --repeat runs, wall time and peak RSS of the child process):

  full      cold build of all targets, no manifest, fresh output dir
  no-op     second build, nothing changed
  one-edit  one spec's description edited, then build
  check     `build --check` on a fresh copy of the built tree (as in CI)
  peer      openapi-python-client generate on our own OpenAPI of the same specs

    uv run python bench/run.py                 # N = 100 and 1000
    uv run python bench/run.py --sizes 100 1000 10000 --repeat 3

Prints a Markdown table with medians and ratios to the peer.
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


def contractgen_cmd() -> list[str]:
    exe = shutil.which("contractgen")
    if exe is None:
        sys.exit("contractgen is not on PATH: run with `uv run python bench/run.py`")
    return [exe]


def timed(cmd: list[str], cwd: Path, ok_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else ""
    if code not in ok_codes:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}) in {cwd}:\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def median(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def bench_size(n: int, repeat: int, targets: list[str], peer: bool, work: Path) -> dict[str, tuple[float, float]]:
    project = work / f"n{n}"
    specs = project / "specs"
    generate(n, specs)
    (project / "pyproject.toml").write_text(PYPROJECT.format(targets=repr(targets).replace("'", '"')))
    cg = contractgen_cmd()
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in ("full", "noop", "edit", "check", "peer")}
    for _ in range(repeat):
        shutil.rmtree(project / "generated", ignore_errors=True)
        results["full"].append(timed([*cg, "build"], project))
        results["noop"].append(timed([*cg, "build"], project))
        first = sorted(specs.rglob("*.yaml"))[0]
        text = first.read_text()
        first.write_text(text.replace("description:", "description: Edited.", 1))
        results["edit"].append(timed([*cg, "build"], project))
        first.write_text(text)
        timed([*cg, "build"], project)
        clone = work / f"n{n}-clone"
        shutil.rmtree(clone, ignore_errors=True)
        shutil.copytree(project, clone)
        results["check"].append(timed([*cg, "build", "--check"], clone))
        shutil.rmtree(clone)
    if peer:
        peer_exe = shutil.which("openapi-python-client")
        if peer_exe is None:
            sys.exit("openapi-python-client is not on PATH (it is a dev dependency: uv sync)")
        doc = project / "generated" / "openapi" / "openapi.json"
        for _ in range(repeat):
            out = work / f"peer-{n}"
            shutil.rmtree(out, ignore_errors=True)
            results["peer"].append(
                timed([peer_exe, "generate", "--path", str(doc), "--output-path", str(out), "--overwrite"], work)
            )
    return {k: median(v) for k, v in results.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--targets", nargs="+", default=["ir", "schema", "openapi", "python", "docs"])
    parser.add_argument("--no-peer", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="contractgen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes:
            print(f"N={n} ...", file=sys.stderr, flush=True)
            rows.append((n, bench_size(n, args.repeat, args.targets, not args.no_peer, work)))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\ncontractgen bench: medians of {args.repeat} runs, targets {', '.join(args.targets)}\n")
    print("| N ops | full build | peak MB | no-op | one edit | --check (fresh clone) | openapi-python-client | full / peer |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in rows:
        full, mem = r["full"]
        peer = r.get("peer")
        ratio = f"{full / peer[0]:.2f}" if peer else "-"
        peer_text = f"{peer[0]:.2f} s, {peer[1]:.0f} MB" if peer else "-"
        print(
            f"| {n:,} | {full:.2f} s | {mem:.0f} | {r['noop'][0]:.2f} s | {r['edit'][0]:.2f} s "
            f"| {r['check'][0]:.2f} s | {peer_text} | {ratio} |"
        )


if __name__ == "__main__":
    main()
