"""The examples on operation pages run: the Python snippet against the generated
client, and it sends exactly the request the page's curl line shows.

Each spec set's Python client is generated (``python`` target) into a
temporary directory; the snippet is executed as printed, with the HTTP
transport replaced by one that records the request and answers with the
example's output (or its declared error as problem+json).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from contractgen.diagnostics import Diagnostics
from contractgen.ir.models import ExampleIR, OperationIR
from contractgen.pipeline import Timings, load_contracts, render_targets

from .conftest import RenderedDocs, settings_for

EXAMPLE = re.compile(
    r"^### Example: .*?\n.*?Python:\n\n```python\n(?P<python>.*?)\n```\n\ncurl:\n\n```sh\n(?P<curl>.*?)\n```",
    re.M | re.S,
)
TOKEN = "token-from-the-environment"


@pytest.fixture
def client_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Generates the Python client of a spec set and makes it importable."""
    packages: set[str] = set()

    def forget() -> None:
        for name in [m for m in sys.modules if m.split(".", 1)[0] in packages]:
            del sys.modules[name]

    def generate(name: str) -> None:
        settings = settings_for(name)
        packages.add(settings.python.package)
        forget()
        contracts = load_contracts(settings, Diagnostics())
        files = render_targets(contracts, settings, ["python"], Timings())
        root = tmp_path / name
        for path, data in files.files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        monkeypatch.syspath_prepend(str(root / "python"))

    yield generate
    forget()


def curl_request(command: str) -> tuple[str, str, dict[str, str], Any]:
    """Method, URL, headers and JSON body of a curl line as the page prints it."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "curl"
    method, url, headers, body = "GET", "", {}, None
    i = 1
    while i < len(words):
        word = words[i]
        if word == "-X":
            method, i = words[i + 1], i + 2
        elif word == "-H":
            name, _, value = words[i + 1].partition(": ")
            headers[name.lower()] = value
            i += 2
        elif word == "-d":
            body, i = json.loads(words[i + 1]), i + 2
        else:
            url, i = word, i + 1
    return method, url, headers, body


def answer(op: OperationIR, example: ExampleIR, request: httpx.Request) -> httpx.Response:
    if example.error:
        error = next(e for e in op.errors if e.code == example.error)
        problem = {
            "type": "about:blank",
            "title": error.code,
            "status": error.http,
            "code": error.code,
        }
        return httpx.Response(
            error.http,
            content=json.dumps(problem).encode(),
            headers={"Content-Type": "application/problem+json"},
            request=request,
        )
    return httpx.Response(200, json=example.output or {}, request=request)


@pytest.mark.parametrize("name", ["shop", "harness"])
def test_examples_run_against_the_generated_client(
    name: str,
    rendered: dict[str, RenderedDocs],
    client_package: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client_package(name)
    monkeypatch.setenv("API_TOKEN", TOKEN)
    pages = rendered[name].pages()
    ran = 0
    for op in rendered[name].contracts.operations:
        found = list(EXAMPLE.finditer(pages[op.names.page]))
        assert len(found) == len(op.examples), op.key
        for example, match in zip(op.examples, found, strict=True):
            sent: list[httpx.Request] = []

            def handle(
                transport: httpx.HTTPTransport,
                request: httpx.Request,
                op: OperationIR = op,
                example: ExampleIR = example,
                sent: list[httpx.Request] = sent,
            ) -> httpx.Response:
                request.read()
                sent.append(request)
                return answer(op, example, request)

            monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
            namespace: dict[str, Any] = {}
            exec(compile(match["python"], f"{op.key} example {example.key}", "exec"), namespace)
            where = f"{op.key} example {example.key}"

            # The client sent what the curl line sends.
            assert len(sent) == 1, where
            request = sent[0]
            method, url, headers, body = curl_request(match["curl"])
            assert request.method == method, where
            ours, theirs = urlsplit(str(request.url)), urlsplit(url)
            assert (ours.scheme, ours.netloc, ours.path) == (
                theirs.scheme,
                theirs.netloc,
                theirs.path,
            ), where
            assert sorted(parse_qsl(ours.query)) == sorted(parse_qsl(theirs.query)), where
            if "authorization" in headers:
                assert headers["authorization"] == "Bearer $API_TOKEN", where
                assert request.headers["authorization"] == f"Bearer {TOKEN}", where
            else:
                assert "authorization" not in request.headers, where
            if body is None:
                assert not request.content, where
            else:
                assert json.loads(request.content) == body, where

            # And got the example's answer.
            if example.error:
                error = next(e for e in op.errors if e.code == example.error)
                assert capsys.readouterr().out == f"{error.code} {error.http}\n", where
            else:
                result = namespace["result"]
                if example.output is not None:
                    dumped = result.model_dump(mode="json", by_alias=True, exclude_unset=True)
                    assert dumped == example.output, where
            ran += 1
    assert ran >= 3
