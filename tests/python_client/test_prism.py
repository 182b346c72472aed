"""The generated clients against a Prism mock of the generated OpenAPI document.

Prism (``prism mock --errors``) validates every request against the document
and answers from its examples (harness) or from data it generates from the
schemas (kitchen, ``--dynamic``): every operation called through the client
must get an answer the client parses into its output model, and Prism must
report no request violation. This ties the client's HTTP mapping to the
OpenAPI target's. (Prism's data generator cannot produce a valid instance of
a recursive model with a required nullable field, such as the kitchen's
``Order``: for outputs that reach a cycle only the request side is checked.)
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tools import TOOL_ENV, free_port, node_bin

from contractgen.ir.models import ContractSet, OperationIR

from .conftest import Generated, import_generated
from .values import client_call, sample_args


class Prism:
    def __init__(self, openapi: Path, dynamic: bool) -> None:
        self.port = free_port()
        cmd = [str(node_bin("prism")), "mock", "-h", "127.0.0.1", "-p", str(self.port), "--errors"]
        if dynamic:
            cmd += ["--dynamic", "--seed", "7"]
        import os

        self.proc = subprocess.Popen(
            [*cmd, str(openapi)],
            env={**os.environ, **TOOL_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    "prism exited:\n" + (self.proc.stdout.read() if self.proc.stdout else "")
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("prism did not start listening")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


@pytest.fixture(scope="module")
def prisms(harness: Generated, kitchen: Generated) -> Iterator[dict[str, Prism]]:
    started = {
        "harness": Prism(harness.openapi, dynamic=False),
        "kitchen": Prism(kitchen.openapi, dynamic=True),
    }
    try:
        for p in started.values():
            p.wait()
        yield started
    finally:
        for p in started.values():
            if p.proc.poll() is None:
                p.stop()


def _recursive(cs: ContractSet, name: str | None) -> bool:
    """Whether a model reaches a cycle of model references."""
    if name is None:
        return False

    def visit(model: str, path: tuple[str, ...]) -> bool:
        if model in path:
            return True
        return any(
            visit(f.type.name, (*path, model))
            for f in cs.model(model).fields
            if f.type.kind == "model"
        )

    return visit(name, ())


def _tolerated(gen: Generated, op: OperationIR, exc: Exception) -> bool:
    """Prism could not fake a valid answer for a recursive output: only the answer is invalid."""
    response = getattr(exc, "response", None)
    if response is None or response.status_code != 500 or not _recursive(gen.contracts, op.output):
        return False
    validation = response.json().get("validation") or []
    return bool(validation) and all(v["location"][0] == "response" for v in validation)


def _call_everything(gen: Generated, base_url: str) -> list[str]:
    pkg = import_generated(gen)
    models = import_generated(gen, "models")
    problems: list[str] = []
    options: dict[str, Any] = {"token": "tok", "retry": None}

    with pkg.Client(base_url, **options) as client:
        for op in gen.contracts.operations:
            args = sample_args(gen.contracts, models, op)
            try:
                result = client_call(client, op)(**args)
            except Exception as exc:
                if not _tolerated(gen, op, exc):
                    problems.append(f"sync {op.key}@{op.version}: {type(exc).__name__}: {exc}")
                continue
            expected = getattr(models, op.output) if op.output else type(None)
            if not isinstance(result, expected):
                problems.append(f"sync {op.key}: got {type(result).__name__}")

    async def run_async() -> None:
        async with pkg.AsyncClient(base_url, **options) as client:
            for op in gen.contracts.operations:
                args = sample_args(gen.contracts, models, op)
                try:
                    await client_call(client, op)(**args)
                except Exception as exc:
                    if not _tolerated(gen, op, exc):
                        problems.append(f"async {op.key}@{op.version}: {type(exc).__name__}: {exc}")

    asyncio.run(run_async())
    return problems


@pytest.mark.external
@pytest.mark.parametrize("which", ["harness", "kitchen"])
def test_every_operation_against_prism(
    which: str, prisms: dict[str, Prism], request: pytest.FixtureRequest
) -> None:
    gen: Generated = request.getfixturevalue(which)
    prism = prisms[which]
    problems = _call_everything(gen, prism.base_url)
    log = prism.stop()
    assert problems == [], "\n".join(problems) + "\n--- prism log ---\n" + log[-4000:]
    # Every request passed Prism's validation (the request side of the contract).
    assert log.count("The request passed the validation rules") == 2 * len(
        gen.contracts.operations
    ), log[-4000:]
    if which == "harness":
        errors = [line for line in log.splitlines() if "✖" in line or "violation" in line.lower()]
        assert errors == [], "\n".join(errors)
