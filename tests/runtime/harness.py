"""A real HTTP server for the runtime tests, and clients that talk to it.

The server is a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 with a free port,
started by :func:`start_server` in a background thread (once per session, see
``conftest.py``). Its endpoints are:

``/echo/...``               200, echoes method, raw path, query, headers and JSON body
``/problem/declared``       404 problem+json with code ``run_not_found``
``/problem/undeclared``     409 problem+json with code ``conflict``
``/problem/plain``          500 with a text body
``/flaky/<key>``            503 (code ``unavailable``) on the first two hits, then 200
``/ratelimited/<key>``      429 with ``Retry-After: 3`` on the first hit, then 200;
                            with ``?date=1`` the header is an HTTP-date 5 s ahead
``/slow``                   200 after sleeping ``SLOW_SECONDS``
``/invalid``                200 with a JSON body that matches no test model
``/not-json``               200 with a text body
``/empty``                  204

Hits are counted per path on the server side.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Literal, TypeVar, cast
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel

from contractgen.runtime.base_client import AsyncBaseClient, BaseClient

M = TypeVar("M", bound=BaseModel)

SLOW_SECONDS = 1.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def count_hit(self, path: str) -> int:
        with self.lock:
            self.hits[path] += 1
            return self.hits[path]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout test) makes the late write fail;
        # that is expected and not worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        path, query = split.path, parse_qsl(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        hits = cast(_Server, self.server).count_hit(path)

        if path.startswith("/echo/"):
            self._json(
                200,
                {
                    "method": self.command,
                    "path": path,
                    "query": query,
                    "headers": {name.lower(): value for name, value in self.headers.items()},
                    "body": json.loads(raw_body) if raw_body else None,
                },
            )
        elif path == "/problem/declared":
            self._problem(404, "run_not_found", title="Run not found", runId="r-42")
        elif path == "/problem/undeclared":
            self._problem(409, "conflict", title="Conflict", detail="state changed")
        elif path == "/problem/plain":
            self._send(500, b"boom", "text/plain")
        elif path.startswith("/flaky/"):
            if hits <= 2:
                self._problem(503, "unavailable", title="Try again")
            else:
                self._json(200, {"ok": True, "hits": hits})
        elif path.startswith("/ratelimited/"):
            if hits == 1:
                retry_after = formatdate(time.time() + 5, usegmt=True) if query else "3"
                self._problem(429, "rate_limited", headers={"Retry-After": retry_after})
            else:
                self._json(200, {"ok": True, "hits": hits})
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._json(200, {"ok": True, "hits": hits})
        elif path == "/invalid":
            self._json(200, {"ok": "not a boolean"})
        elif path == "/not-json":
            self._send(200, b"hello", "text/plain")
        elif path == "/empty":
            self._send(204, b"", None)
        else:
            self._send(404, b"no such endpoint", "text/plain")

    def _json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", headers)

    def _problem(
        self, status: int, code: str, headers: dict[str, str] | None = None, **members: Any
    ) -> None:
        data = {"type": f"https://errors.example.com/{code}", "status": status, "code": code}
        data.update(members)
        self._send(status, json.dumps(data).encode(), "application/problem+json", headers)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class TestServer:
    """Handle on the running server: its base URL and hit counts."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, server: _Server) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"

    def hits(self, path: str) -> int:
        with self._server.lock:
            return self._server.hits[path]


# --------------------------------------------------------------------------
# Clients, written the way generated code subclasses the base classes
# --------------------------------------------------------------------------


class SyncTestClient(BaseClient):
    user_agent: ClassVar[str] = "test-sdk/1.2.3"

    def __init__(self, base_url: str, delays: list[float], **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self._sleep = delays.append

    def call(self, response_model: type[M], **request: Any) -> M:
        return self._request(response_model=response_model, **request)


class AsyncTestClient(AsyncBaseClient):
    user_agent: ClassVar[str] = "test-sdk/1.2.3"

    def __init__(self, base_url: str, delays: list[float], **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)

        async def record(delay: float) -> None:
            delays.append(delay)

        self._sleep = record

    async def call(self, response_model: type[M], **request: Any) -> M:
        return await self._request(response_model=response_model, **request)


Mode = Literal["sync", "async"]


class Api:
    """Runs one request through a sync or an async client, so a test covers both.

    Each call builds a client from ``client_options`` (plus ``client=``
    overrides), uses it as a context manager, and records retry delays in
    :attr:`delays` instead of sleeping.
    """

    def __init__(self, mode: Mode, base_url: str) -> None:
        self.mode = mode
        self.base_url = base_url
        self.delays: list[float] = []
        self.client_options: dict[str, Any] = {}

    def call(
        self,
        response_model: type[M],
        *,
        client: dict[str, Any] | None = None,
        **request: Any,
    ) -> M:
        options = {**self.client_options, **(client or {})}
        if self.mode == "sync":
            with SyncTestClient(self.base_url, self.delays, **options) as sync_client:
                return sync_client.call(response_model, **request)

        async def run() -> M:
            async with AsyncTestClient(self.base_url, self.delays, **options) as async_client:
                return await async_client.call(response_model, **request)

        return asyncio.run(run())


def start_server() -> tuple[TestServer, Callable[[], None]]:
    """Start the server in a daemon thread; return its handle and a stop function."""
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, name="runtime-test-server", daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

    return TestServer(httpd), stop
