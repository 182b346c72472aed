"""A real HTTP server for the behaviour tests, routed from the IR (not a test module).

:class:`ContractServer` is a FastAPI app served by uvicorn on 127.0.0.1 (a free
port) in a background thread. Every operation of a spec set is one route at
its ``rest.method`` / ``rest.path``; the request is checked strictly against
the IR before a handler sees it (query and body members must be declared ones,
sent under their wire names, required ones present, no null for a non-null
field, a JSON body exactly when the operation has body fields), so a client
bug is a ``BAD_REQUEST`` problem, never silently accepted. Handlers (by key, or
``key@version`` for an older version) get the input by wire names and return the output as JSON data (or raise
:class:`Problem` with a declared error code).

Control headers, for the tests:

``X-Test-Error: CODE``     answer with the declared error CODE (any other: 418)
``X-Test-Flaky: KEY``      answer 503 to the first two requests with this KEY
``X-Test-Delay: SECONDS``  wait before answering
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from contractgen.ir.models import ContractSet, FieldIR, OperationIR

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]


class Problem(Exception):
    """Raised by a handler: answer with this error code (and its declared status)."""

    def __init__(self, code: str, detail: str = "", **members: Any) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.members = members


@dataclass
class Received:
    """One request as the server saw it."""

    operation: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any


@dataclass
class ContractServer:
    contracts: ContractSet
    handlers: Mapping[str, Handler]
    received: list[Received] = field(default_factory=list)
    base_url: str = ""
    _flaky: Counter[str] = field(default_factory=Counter)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self, port: int) -> None:
        app = self.app()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, name="contract-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def last(self, operation: str) -> Received:
        for r in reversed(self.received):
            if r.operation == operation:
                return r
        raise AssertionError(f"no request for {operation}")

    def count(self, operation: str) -> int:
        return sum(1 for r in self.received if r.operation == operation)

    # -- the app ---------------------------------------------------------------------

    def app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        for op in self.contracts.operations:
            app.add_api_route(op.rest.path, self._endpoint(op), methods=[op.rest.method])
        return app

    def _endpoint(self, op: OperationIR) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return await self._handle(op, request)

        endpoint.__name__ = op.names.operation_id
        return endpoint

    async def _handle(self, op: OperationIR, request: Request) -> Response:
        raw = await request.body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self._problem(op, "BAD_REQUEST", 400, "body is not JSON")
        query = list(request.query_params.multi_items())
        self.received.append(
            Received(
                _ref(op),
                request.method,
                request.url.path,
                query,
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
        )
        delay = request.headers.get("x-test-delay")
        if delay:
            await asyncio.sleep(float(delay))
        flaky = request.headers.get("x-test-flaky")
        if flaky:
            self._flaky[flaky] += 1
            if self._flaky[flaky] <= 2:
                return self._problem(op, "UNAVAILABLE", 503, "try again")
        forced = request.headers.get("x-test-error")
        if forced:
            declared = {e.code: e.http for e in op.errors}
            return self._problem(op, forced, declared.get(forced, 418), f"forced {forced}")
        try:
            data = self._input(op, dict(request.path_params), query, body, raw, request)
        except ValueError as exc:
            return self._problem(op, "BAD_REQUEST", 400, str(exc))
        try:
            result = self.handlers[_ref(op)](data)
        except Problem as p:
            declared = {e.code: e.http for e in op.errors}
            if p.code not in declared:
                raise AssertionError(f"{op.key} answers with undeclared {p.code}") from None
            return self._problem(op, p.code, declared[p.code], p.detail, **p.members)
        if op.output is None:
            return Response(status_code=204)
        return JSONResponse(result)

    # -- strict input checks ---------------------------------------------------------

    def _input(
        self,
        op: OperationIR,
        path: dict[str, str],
        query: list[tuple[str, str]],
        body: Any,
        raw: bytes,
        request: Request,
    ) -> dict[str, Any]:
        fields = {f.name: f for f in self.contracts.model(op.input).fields} if op.input else {}
        data: dict[str, Any] = {}
        for name in op.rest.path_params:
            data[name] = _scalar(fields[name], path[name])
        allowed_query = set(op.rest.query_params)
        for name, _ in query:
            if name not in allowed_query:
                raise ValueError(f"undeclared query parameter {name!r}")
        for name in op.rest.query_params:
            values = [v for k, v in query if k == name]
            if not values:
                continue
            f = fields[name]
            if not f.is_list and len(values) > 1:
                raise ValueError(f"query parameter {name!r} repeated")
            data[name] = [_scalar(f, v) for v in values] if f.is_list else _scalar(f, values[0])
        if op.rest.body_fields:
            if not raw:
                raise ValueError("no JSON body")
            if request.headers.get("content-type") != "application/json":
                raise ValueError(f"content type {request.headers.get('content-type')!r}")
            if not isinstance(body, dict):
                raise ValueError("body is not a JSON object")
            for name, value in body.items():
                if name not in op.rest.body_fields:
                    raise ValueError(f"undeclared body member {name!r}")
                if value is None and not fields[name].nullable:
                    raise ValueError(f"body member {name!r} is null")
                data[name] = value
        elif raw:
            raise ValueError("unexpected body")
        for name, f in fields.items():
            if f.required and name not in data:
                raise ValueError(f"required input {name!r} missing")
        return data

    def _problem(
        self, op: OperationIR, code: str, status: int, detail: str, **members: Any
    ) -> JSONResponse:
        content = {
            "type": "about:blank",
            "title": f"{code} title",
            "status": status,
            "detail": detail,
            "code": code,
            **members,
        }
        return JSONResponse(content, status_code=status, media_type="application/problem+json")


def _ref(op: OperationIR) -> str:
    """How handlers and records name an operation: its key (``key@version`` if not latest)."""
    return op.key if op.is_latest else f"{op.key}@{op.version}"


def _scalar(f: FieldIR, text: str) -> Any:
    """A path or query value, decoded by the field's scalar kind."""
    if f.type.kind == "scalar" and f.type.name == "Int":
        return int(text)
    if f.type.kind == "scalar" and f.type.name in ("Float", "Latitude", "Longitude"):
        return float(text)
    if f.type.kind == "scalar" and f.type.name == "Boolean":
        if text not in ("true", "false"):
            raise ValueError(f"{f.name}: {text!r} is not true/false")
        return text == "true"
    return text
