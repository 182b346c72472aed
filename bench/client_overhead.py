"""What the generated Python client costs per call, and what importing it costs.

    uv run python bench/client_overhead.py [--calls 3000] [--specs specs/harness]

Builds the client of a spec set (default: the harness example) into a
temporary directory, then measures, for ``client.harness.run.get(run_id=...)``
against ``httpx.Client.get(...)`` + ``response.json()`` of the same request:

* over a real local HTTP server (127.0.0.1, keep-alive), where the network
  and the server dominate and the difference is the client's share;
* over ``httpx.MockTransport`` (no network at all), which isolates the
  client's own work: building and validating the input model, the request,
  decoding the answer into the typed output model;

and the import time of the generated package, with and without its
dependencies (pydantic, httpx). Medians of several rounds; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

RUN = {
    "run": {
        "runId": "run_1",
        "status": "running",
        "mode": "browser",
        "scenarioKey": "checkout",
        "target": {
            "targetId": "tgt_1",
            "kind": "preview",
            "isolation": "per-run",
            "environment": "preview",
            "baseUrl": "https://pr-1.preview.example.com",
        },
        "steps": [
            {
                "stepId": f"step_{i}",
                "stepKey": "open-page",
                "runId": "run_1",
                "mode": "browser",
                "actionClass": "read",
                "verdict": "allowed",
                "requiresApproval": False,
                "status": "completed",
                "startedAt": "2026-01-01T00:00:00Z",
            }
            for i in range(3)
        ],
        "evidenceCount": 3,
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:01Z",
    }
}
BODY = json.dumps(RUN).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm
    # and delayed ACKs add 40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(specs: Path, out: Path) -> Path:
    from contractgen.config import load_settings
    from contractgen.pipeline import build as run_build

    settings = load_settings(REPO).model_copy(
        update={"specs": specs.resolve(), "out": out, "targets": ("python",)}
    )
    run_build(settings, ["python"], force=True)
    return out / "python"


def per_call(fn: Callable[[], object], calls: int, rounds: int = 5) -> float:
    """Median over rounds of the mean seconds per call."""
    for _ in range(min(200, calls)):  # warm up: connections, caches, lazy schemas
        fn()
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        results.append((time.perf_counter() - start) / calls)
    return statistics.median(results)


def import_time(root: Path, statement: str, rounds: int = 7) -> float:
    """Median wall seconds of a fresh interpreter running ``statement`` (startup subtracted)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "0"}

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        return time.perf_counter() - start

    run(statement)  # compile to .pyc once
    base = statistics.median(run("pass") for _ in range(rounds))
    return statistics.median(run(statement) for _ in range(rounds)) - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--specs", type=Path, default=REPO / "specs" / "harness")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="contractgen-bench-") as tmp:
        root = build(args.specs, Path(tmp) / "out")
        package = next(p.parent.name for p in root.glob("*/_client.py"))
        sys.path.insert(0, str(root))
        import httpx

        pkg = __import__(package)

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        headers = {"Authorization": "Bearer t", "Accept": "application/json"}
        print(f"{package}: {args.calls} calls per round, median of 5 rounds\n")

        def mock(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})

        rows = []
        for label, transport in (
            ("local HTTP server", None),
            ("httpx.MockTransport", httpx.MockTransport(mock)),
        ):
            kw: dict[str, Any] = {"transport": transport} if transport else {}
            with httpx.Client(**kw) as bare_http:
                bare = per_call(
                    lambda h=bare_http: h.get(base + "/harness/runs/run_1", headers=headers).json(),
                    args.calls,
                )
            with pkg.Client(base, token="t", http_client=httpx.Client(**kw)) as client:
                typed = per_call(lambda c=client: c.harness.run.get(run_id="run_1"), args.calls)
            rows.append((label, bare, typed))
        httpd.shutdown()

        print(f"{'transport':<22}{'bare httpx':>14}{'client':>14}{'overhead':>14}")
        for label, bare, typed in rows:
            print(
                f"{label:<22}{bare * 1e6:>11.1f} us{typed * 1e6:>11.1f} us"
                f"{(typed - bare) * 1e6:>11.1f} us"
            )

        deps = import_time(root, "import pydantic, httpx")
        whole = import_time(root, f"import {package}")
        print(
            f"\nimport {package}: {whole * 1e3:.0f} ms, of which pydantic + httpx {deps * 1e3:.0f} ms"
        )
        print(f"  the generated package itself: {(whole - deps) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
