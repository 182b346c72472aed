"""External tools accept the generated document.

The harness document (what `contractgen build` writes from the repository's
specs and configuration) must pass openapi-spec-validator, Redocly CLI lint
(``.redocly.yaml``) and Spectral (``.spectral.yaml``) without errors, feed
openapi-python-client and datamodel-codegen, and be served by a Prism mock
that accepts every acceptance example as a request and answers with responses
that validate. The fixtures' documents go through the validators and linters
too. A missing tool is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_spec_validator import validate
from tools import free_port, node_bin, repo_root, run

from contractgen.ir.models import ContractSet, ExampleIR, OperationIR

from .support import (
    fixture_contracts,
    fixture_settings,
    harness_contracts,
    harness_settings,
    render,
)

pytestmark = pytest.mark.external

FIXTURES = ("mapping", "text")
VENV_BIN = Path(sys.executable).parent


def _write(directory: Path, name: str, texts: tuple[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "openapi.yaml").write_text(texts[0], encoding="utf-8")
    (directory / "openapi.json").write_text(texts[1], encoding="utf-8")
    return directory / "openapi.yaml"


@pytest.fixture(scope="module")
def harness_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("harness"), "harness", render(harness_settings()))


@pytest.fixture(scope="module")
def fixture_docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("fixtures")
    return [_write(base / n, n, render(fixture_settings(n))) for n in FIXTURES]


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


# -- validators and linters -----------------------------------------------------------


def test_openapi_spec_validator(harness_doc: Path, fixture_docs: list[Path]) -> None:
    for path in [harness_doc, *fixture_docs]:
        for name in ("openapi.yaml", "openapi.json"):
            text = (path.parent / name).read_text(encoding="utf-8")
            data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
            validate(data)  # raises on an invalid 3.1 document


def test_redocly_lint(harness_doc: Path, fixture_docs: list[Path]) -> None:
    proc = run(
        [
            node_bin("redocly"),
            "lint",
            "--config",
            repo_root() / ".redocly.yaml",
            "--format",
            "json",
            harness_doc,
            *fixture_docs,
        ],
        cwd=repo_root(),
        timeout=120,
    )
    # One JSON report per linted file.
    reports, pos, text = [], 0, proc.stdout.strip()
    decoder = json.JSONDecoder()
    while pos < len(text):
        report, end = decoder.raw_decode(text, pos)
        reports.append(report)
        pos = end + (len(text[end:]) - len(text[end:].lstrip()))
    assert len(reports) == 1 + len(fixture_docs), _output(proc)
    errors = [p for r in reports for p in r["problems"] if p["severity"] == "error"]
    assert proc.returncode == 0 and not errors, json.dumps(errors, indent=2) or _output(proc)


def test_redocly_reads_the_yaml_as_the_json(harness_doc: Path) -> None:
    # Redocly's YAML 1.2 parser, bundling without changes, gives our JSON back.
    out = harness_doc.parent / "bundled.json"
    proc = run(
        [node_bin("redocly"), "bundle", harness_doc, "--output", out, "--ext", "json"],
        cwd=repo_root(),
        timeout=120,
    )
    assert proc.returncode == 0, _output(proc)
    bundled = json.loads(out.read_text(encoding="utf-8"))
    assert bundled == json.loads((harness_doc.parent / "openapi.json").read_text("utf-8"))


def test_spectral_lint(harness_doc: Path, fixture_docs: list[Path]) -> None:
    proc = run(
        [
            node_bin("spectral"),
            "lint",
            "--ruleset",
            repo_root() / ".spectral.yaml",
            "--format",
            "json",
            "--fail-severity",
            "error",
            harness_doc,
            *fixture_docs,
        ],
        cwd=repo_root(),
        timeout=120,
    )
    start = proc.stdout.find("[")
    assert start >= 0, _output(proc)
    results = json.loads(proc.stdout[start:])
    errors = [r for r in results if r["severity"] == 0]
    assert proc.returncode == 0 and not errors, json.dumps(errors, indent=2) or _output(proc)


# -- consumers ----------------------------------------------------------------------


def _venv_env() -> dict[str, str]:
    # openapi-python-client runs `ruff` from PATH on what it generates.
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_openapi_python_client_generates_an_importable_client(
    harness_doc: Path, tmp_path: Path
) -> None:
    out = tmp_path / "client"
    proc = run(
        [
            VENV_BIN / "openapi-python-client",
            "generate",
            "--path",
            harness_doc,
            "--output-path",
            out,
            "--meta",
            "none",
        ],
        cwd=tmp_path,
        env=_venv_env(),
        timeout=120,
    )
    assert proc.returncode == 0, _output(proc)
    assert "Warning" not in proc.stdout + proc.stderr, _output(proc)
    # Every operation became an endpoint module, and the package imports.
    endpoints = {p.stem for p in out.glob("api/*/*.py") if p.stem != "__init__"}
    cs = harness_contracts()
    assert len(endpoints) == len(cs.operations)
    check = run(
        [sys.executable, "-c", f"import {out.name}.api, {out.name}.models"],
        cwd=tmp_path,
        timeout=60,
    )
    assert check.returncode == 0, _output(check)


def test_datamodel_codegen_generates_importable_models(harness_doc: Path, tmp_path: Path) -> None:
    out = tmp_path / "harness_models.py"
    proc = run(
        [
            VENV_BIN / "datamodel-codegen",
            "--input",
            harness_doc,
            "--input-file-type",
            "openapi",
            "--output",
            out,
            "--output-model-type",
            "pydantic_v2.BaseModel",
        ],
        cwd=tmp_path,
        env=_venv_env(),
        timeout=120,
    )
    assert proc.returncode == 0, _output(proc)
    text = out.read_text(encoding="utf-8")
    for model in harness_contracts().models:
        if model.role != "input":
            assert f"class {model.name}(" in text, model.name
    check = run([sys.executable, "-c", "import harness_models"], cwd=tmp_path, timeout=60)
    assert check.returncode == 0, _output(check)


# -- Prism mock ---------------------------------------------------------------------

PRISM_DOCS = ("harness", "mapping")


def _contracts(doc: str) -> ContractSet:
    return harness_contracts() if doc == "harness" else fixture_contracts(doc)


def _start_prism(document: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = document.parent / "prism.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                os.fspath(node_bin("prism")),
                "mock",
                "--errors",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                os.fspath(document),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=repo_root(),
            env={**os.environ, "NO_UPDATE_NOTIFIER": "1"},
        )
    deadline = time.monotonic() + 60
    while "Prism is listening" not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"prism did not start (exit {proc.returncode}):\n{log.read_text()}")
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}", proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def prism(harness_doc: Path, fixture_docs: list[Path]) -> Iterator[dict[str, str]]:
    """A Prism mock (``--errors``) per document, started on first use: name -> base URL."""
    documents = {"harness": harness_doc, **{p.parent.name: p for p in fixture_docs}}
    running: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}

    class Servers(dict[str, str]):
        def __missing__(self, name: str) -> str:
            url, running[name] = _start_prism(documents[name])
            urls[name] = url
            self[name] = url
            return url

    try:
        yield Servers()
    finally:
        for proc in running.values():
            _stop(proc)


def _request(op: OperationIR, ex: ExampleIR | None) -> dict[str, Any]:
    """The HTTP request an acceptance example's input makes, split as the IR says."""
    data = dict(ex.input or {}) if ex else {}
    path = op.rest.path
    for name in op.rest.path_params:
        path = path.replace("{" + name + "}", urllib.parse.quote(str(data[name]), safe=""))
    params: list[tuple[str, str]] = []
    for name in op.rest.query_params:
        if name not in data or data[name] is None:
            continue
        values = data[name] if isinstance(data[name], list) else [data[name]]
        params += [(name, v if isinstance(v, str) else json.dumps(v)) for v in values]
    req: dict[str, Any] = {"method": op.rest.method, "url": path, "params": params}
    if op.rest.body_fields:
        req["json"] = {k: v for k, v in data.items() if k in op.rest.body_fields}
    headers = {}
    if op.policy.auth != "anonymous":
        headers["Authorization"] = "Bearer test-token"
    req["headers"] = headers
    return req


def _find(doc: str, op_id: str, key: str | None) -> tuple[OperationIR, ExampleIR | None]:
    op = next(o for o in _contracts(doc).operations if o.names.operation_id == op_id)
    return op, next((ex for ex in op.examples if ex.key == key), None)


def _cases() -> list[tuple[str, str, str | None]]:
    cases: list[tuple[str, str, str | None]] = []
    for doc in PRISM_DOCS:
        for op in _contracts(doc).operations:
            with_input = [ex for ex in op.examples if ex.input is not None]
            if not with_input:
                cases.append((doc, op.names.operation_id, None))
            cases += [(doc, op.names.operation_id, ex.key) for ex in with_input]
    return cases


def _error_cases() -> list[tuple[str, str, str]]:
    return [
        (doc, op.names.operation_id, ex.key)
        for doc in PRISM_DOCS
        for op in _contracts(doc).operations
        for ex in op.examples
        if ex.error is not None
    ]


@pytest.mark.parametrize(("doc", "op_id", "example"), _cases())
def test_prism_accepts_every_example_request(
    prism: dict[str, str], doc: str, op_id: str, example: str | None
) -> None:
    op, ex = _find(doc, op_id, example)
    if ex is None:
        fields = _contracts(doc).model(op.input).fields if op.input else ()
        assert not any(f.required for f in fields), f"{op.ref} has no acceptance example to send"
    req = _request(op, ex)
    if ex is not None and ex.output is not None:
        req["headers"]["Prefer"] = f"example={ex.key}"
    with httpx.Client(base_url=prism[doc], timeout=30) as client:
        response = client.request(**req)
    assert 200 <= response.status_code < 300, (response.status_code, response.text)
    assert response.headers.get("sl-violations") is None, response.headers["sl-violations"]
    if ex is not None and ex.output is not None:
        assert response.json() == ex.output


@pytest.mark.parametrize(("doc", "op_id", "example"), _error_cases())
def test_prism_serves_every_error_example(
    prism: dict[str, str], doc: str, op_id: str, example: str
) -> None:
    op, ex = _find(doc, op_id, example)
    assert ex is not None and ex.error is not None
    status = next(e.http for e in op.errors if e.code == ex.error)
    req = _request(op, ex)
    req["headers"]["Prefer"] = f"code={status}, example={ex.key}"
    with httpx.Client(base_url=prism[doc], timeout=30) as client:
        response = client.request(**req)
    assert response.status_code == status, response.text
    assert response.headers.get("sl-violations") is None, response.headers["sl-violations"]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["code"], body["status"]) == (ex.error, status)


def test_prism_enforces_security_and_validation(prism: dict[str, str]) -> None:
    cs = _contracts("mapping")
    secured = next(o for o in cs.operations if o.names.operation_id == "shopNodeMove")
    anonymous = next(o for o in cs.operations if o.names.operation_id == "shopNodeGet")
    with httpx.Client(base_url=prism["mapping"], timeout=30) as client:
        req = _request(secured, secured.examples[0])
        req["headers"].pop("Authorization")
        assert client.request(**req).status_code == 401
        req = _request(anonymous, anonymous.examples[0])
        assert "Authorization" not in req["headers"]
        assert client.request(**req).status_code == 200
        # A body that breaks the schema is refused: parentId must be a string or null.
        req = _request(secured, secured.examples[0])
        req["json"] = {"parentId": 5}
        assert client.request(**req).status_code in (400, 422)
