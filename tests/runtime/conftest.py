"""Fixtures of the runtime tests: the local HTTP server and sync/async API drivers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from .harness import Api, Mode, TestServer, start_server


@pytest.fixture(scope="session")
def server() -> Iterator[TestServer]:
    handle, stop = start_server()
    try:
        yield handle
    finally:
        stop()


@pytest.fixture
def closed_port_url() -> str:
    """A base URL on which nothing listens (the port was just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, server: TestServer) -> Api:
    mode: Mode = request.param
    return Api(mode, server.base_url)
