"""BaseClient and AsyncBaseClient against a real local HTTP server.

Every test taking the ``api`` fixture runs twice: once through the sync
client and once through the async one.
"""

from __future__ import annotations

import asyncio
import enum
import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contractgen.runtime.base_client import BaseClient
from contractgen.runtime.errors import (
    ApiError,
    ClientError,
    RequestTimeoutError,
    ResponseDecodeError,
    TransportError,
    UnexpectedStatusError,
)
from contractgen.runtime.retry import RetryPolicy

from .harness import SLOW_SECONDS, Api, AsyncTestClient, SyncTestClient, TestServer


class Echo(BaseModel):
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any = None


class Outcome(BaseModel):
    ok: bool
    hits: int


class Empty(BaseModel):
    pass


class Color(enum.Enum):
    RED = "red"


class NewRun(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    suite_name: str = Field(alias="suiteName")
    priority: int = 5
    note: str | None = None


class RunNotFoundError(ApiError):
    error_code: ClassVar[str | None] = "run_not_found"
    http_status: ClassVar[int | None] = 404


class UnavailableError(ApiError):
    error_code: ClassVar[str | None] = "unavailable"
    http_status: ClassVar[int | None] = 503


ERRORS: dict[str, type[ApiError]] = {
    "run_not_found": RunNotFoundError,
    "unavailable": UnavailableError,
}


def unique(prefix: str) -> str:
    return f"/{prefix}/{uuid.uuid4().hex}"


# --------------------------------------------------------------------------
# Success
# --------------------------------------------------------------------------


def test_get_parses_the_answer_and_encodes_the_query(api: Api) -> None:
    echo = api.call(
        Echo,
        method="get",
        path="/echo/runs/{runId}",
        path_params={"runId": "r-1"},
        query={
            "limit": 10,
            "ratio": 0.5,
            "active": True,
            "archived": False,
            "skipped": None,
            "tag": ["a", None, "b c"],
            "color": Color.RED,
            "since": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        },
    )
    assert echo.method == "GET"
    assert echo.path == "/echo/runs/r-1"
    assert echo.query == [
        ("limit", "10"),
        ("ratio", "0.5"),
        ("active", "true"),
        ("archived", "false"),
        ("tag", "a"),
        ("tag", "b c"),
        ("color", "red"),
        ("since", "2025-01-02T03:04:05+00:00"),
    ]
    assert echo.body is None
    assert echo.headers["user-agent"] == "test-sdk/1.2.3"
    assert "application/json" in echo.headers["accept"]


def test_body_is_sent_as_json_by_alias_without_unset_fields(api: Api) -> None:
    echo = api.call(
        Echo,
        method="POST",
        path="/echo/runs",
        body=NewRun(suiteName="smoke", note=None),
    )
    assert echo.method == "POST"
    assert echo.headers["content-type"] == "application/json"
    # priority was never set, note was set explicitly (to None).
    assert echo.body == {"suiteName": "smoke", "note": None}


def test_path_params_stay_one_segment_each(api: Api) -> None:
    echo = api.call(
        Echo,
        method="GET",
        path="/echo/{a}/{b}/{c}/{d}",
        path_params={"a": "x/y", "b": "..", "c": ".", "d": "sp ace?#%"},
    )
    assert echo.path == "/echo/x%2Fy/%2E%2E/%2E/sp%20ace%3F%23%25"


def test_bearer_token_and_api_key_only_when_auth(api: Api) -> None:
    api.client_options = {"token": "s3cret", "api_key": "k-1", "api_key_header": "X-Key"}
    with_auth = api.call(Echo, method="GET", path="/echo/me")
    assert with_auth.headers["authorization"] == "Bearer s3cret"
    assert with_auth.headers["x-key"] == "k-1"

    without_auth = api.call(Echo, method="GET", path="/echo/health", auth=False)
    assert "authorization" not in without_auth.headers
    assert "x-key" not in without_auth.headers


def test_no_credentials_configured_sends_none(api: Api) -> None:
    echo = api.call(Echo, method="GET", path="/echo/me")
    assert "authorization" not in echo.headers
    assert "x-api-key" not in echo.headers


def test_extra_headers_are_sent_and_may_override_user_agent(api: Api) -> None:
    echo = api.call(
        Echo,
        method="GET",
        path="/echo/h",
        client={"headers": {"X-Trace": "t-1", "user-agent": "custom/9"}},
    )
    assert echo.headers["x-trace"] == "t-1"
    assert echo.headers["user-agent"] == "custom/9"


def test_empty_204_answer_validates_as_empty_model(api: Api) -> None:
    assert api.call(Empty, method="DELETE", path="/empty") == Empty()


# --------------------------------------------------------------------------
# Error answers
# --------------------------------------------------------------------------


def test_declared_error_code_raises_its_class(api: Api) -> None:
    with pytest.raises(RunNotFoundError) as info:
        api.call(Echo, method="GET", path="/problem/declared", errors=ERRORS)
    error = info.value
    assert error.status == 404
    assert error.code == "run_not_found"
    assert error.body is not None
    assert error.body.title == "Run not found"
    assert error.body.status == 404
    assert error.body.model_extra == {"runId": "r-42"}
    assert error.response.status_code == 404
    message = str(error)
    assert "404" in message
    assert "run_not_found" in message
    assert "Run not found" in message
    assert f"GET {api.base_url}/problem/declared" in message


def test_undeclared_code_raises_unexpected_status(api: Api) -> None:
    with pytest.raises(UnexpectedStatusError) as info:
        api.call(Echo, method="PUT", path="/problem/undeclared", errors=ERRORS)
    assert info.value.status == 409
    assert info.value.code == "conflict"
    assert info.value.body is not None
    assert info.value.body.detail == "state changed"
    assert "Conflict - state changed" in str(info.value)


def test_error_without_problem_body_raises_unexpected_status(api: Api) -> None:
    with pytest.raises(UnexpectedStatusError) as info:
        api.call(Echo, method="GET", path="/problem/plain", errors=ERRORS)
    assert info.value.status == 500
    assert info.value.code is None
    assert info.value.body is None
    assert info.value.response.text == "boom"
    assert isinstance(info.value, ClientError)


def test_body_failing_validation_raises_response_decode_error(api: Api) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        api.call(Outcome, method="GET", path="/invalid")
    error = info.value
    assert isinstance(error.validation_error, ValidationError)
    assert error.__cause__ is error.error
    assert error.response.json() == {"ok": "not a boolean"}
    assert "Outcome" in str(error)


def test_body_that_is_not_json_raises_response_decode_error(api: Api) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        api.call(Outcome, method="GET", path="/not-json")
    assert info.value.validation_error is None
    assert isinstance(info.value.error, json.JSONDecodeError)


# --------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------


def test_idempotent_request_is_retried_until_success(api: Api, server: TestServer) -> None:
    path = unique("flaky")
    outcome = api.call(Outcome, method="GET", path=path, idempotent=True, errors=ERRORS)
    assert outcome == Outcome(ok=True, hits=3)
    assert server.hits(path) == 3
    # Default policy: 0.5 s then 1.0 s, each shortened by at most 20 % jitter.
    first, second = api.delays
    assert 0.4 <= first <= 0.5
    assert 0.8 <= second <= 1.0


def test_non_idempotent_request_is_not_retried(api: Api, server: TestServer) -> None:
    path = unique("flaky")
    with pytest.raises(UnavailableError) as info:
        api.call(Outcome, method="POST", path=path, errors=ERRORS)
    assert info.value.status == 503
    assert server.hits(path) == 1
    assert api.delays == []


def test_exhausted_retries_raise_the_last_error(api: Api, server: TestServer) -> None:
    path = unique("flaky")
    with pytest.raises(UnavailableError):
        api.call(
            Outcome,
            method="GET",
            path=path,
            idempotent=True,
            errors=ERRORS,
            client={"retry": RetryPolicy(max_attempts=2)},
        )
    assert server.hits(path) == 2
    assert len(api.delays) == 1


def test_retry_none_disables_retries(api: Api, server: TestServer) -> None:
    path = unique("flaky")
    with pytest.raises(UnavailableError):
        api.call(
            Outcome, method="GET", path=path, idempotent=True, errors=ERRORS, client={"retry": None}
        )
    assert server.hits(path) == 1


def test_retry_after_seconds_is_honoured(api: Api, server: TestServer) -> None:
    path = unique("ratelimited")
    outcome = api.call(Outcome, method="GET", path=path, idempotent=True)
    assert outcome.hits == 2
    assert api.delays == [3.0]


def test_retry_after_http_date_is_honoured(api: Api, server: TestServer) -> None:
    path = unique("ratelimited")
    outcome = api.call(Outcome, method="GET", path=path, query={"date": 1}, idempotent=True)
    assert outcome.hits == 2
    (delay,) = api.delays
    # The date is 5 s ahead with one-second resolution.
    assert 3.0 < delay <= 5.0


# --------------------------------------------------------------------------
# Transport failures
# --------------------------------------------------------------------------


def test_timeout_raises_request_timeout_error(api: Api, server: TestServer) -> None:
    with pytest.raises(RequestTimeoutError) as info:
        api.call(Outcome, method="GET", path="/slow", client={"timeout": 0.2, "retry": None})
    error = info.value
    assert isinstance(error, TransportError)
    assert isinstance(error.__cause__, httpx.TimeoutException)
    assert error.method == "GET"
    assert error.url == f"{server.base_url}/slow"
    assert "/slow" in str(error)
    assert SLOW_SECONDS > 0.2


def test_connection_refused_raises_transport_error(closed_port_url: str) -> None:
    for mode in ("sync", "async"):
        api = Api(mode, closed_port_url)
        with pytest.raises(TransportError) as info:
            api.call(
                Outcome, method="GET", path="/runs/{id}", path_params={"id": 7}, idempotent=True
            )
        error = info.value
        assert not isinstance(error, RequestTimeoutError)
        assert isinstance(error.__cause__, httpx.ConnectError)
        assert error.url == f"{closed_port_url}/runs/7"
        assert "GET" in str(error)
        assert "after 3 attempts" in str(error)
        # The default policy retried twice before giving up.
        assert len(api.delays) == 2


def test_connection_refused_without_idempotency_is_not_retried(closed_port_url: str) -> None:
    api = Api("sync", closed_port_url)
    with pytest.raises(TransportError) as info:
        api.call(Outcome, method="POST", path="/runs")
    assert api.delays == []
    assert "attempts" not in str(info.value)


# --------------------------------------------------------------------------
# Argument checking (raised before anything is sent)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "path_params", "query", "expected"),
    [
        ("/echo/{id}", {}, None, "missing path parameter 'id'"),
        ("/echo/{id}", {"id": 1, "other": 2}, None, "do not occur"),
        ("/echo/{id}", {"id": ""}, None, "must not be empty"),
        ("/echo/{id}", {"id": None}, None, "must not be None"),
        ("echo/{id}", {"id": 1}, None, "must start with '/'"),
    ],
)
def test_invalid_path_arguments_raise_value_error(
    api: Api,
    path: str,
    path_params: dict[str, object],
    query: dict[str, object] | None,
    expected: str,
) -> None:
    with pytest.raises(ValueError, match=expected):
        api.call(Echo, method="GET", path=path, path_params=path_params, query=query)


def test_unsupported_query_value_raises_type_error(api: Api) -> None:
    with pytest.raises(TypeError, match="dict"):
        api.call(Echo, method="GET", path="/echo/q", query={"filter": {"a": 1}})


@pytest.mark.parametrize("base_url", ["", "example.com", "ftp://example.com", "http://h/?q=1"])
def test_invalid_base_url_raises_value_error(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        BaseClient(base_url)


def test_base_url_with_prefix_and_trailing_slash(server: TestServer) -> None:
    with SyncTestClient(server.base_url + "/echo/", []) as client:
        echo = client.call(Echo, method="GET", path="/v1/runs")
    assert echo.path == "/echo/v1/runs"


# --------------------------------------------------------------------------
# Ownership of the HTTP client
# --------------------------------------------------------------------------


def test_user_supplied_sync_client_is_not_closed(server: TestServer) -> None:
    with httpx.Client(timeout=5) as http:
        with SyncTestClient(server.base_url, [], http_client=http) as client:
            client.call(Echo, method="GET", path="/echo/own")
        assert not http.is_closed
        # Still usable by its owner.
        assert http.get(f"{server.base_url}/echo/again").status_code == 200


def test_own_sync_client_is_closed(server: TestServer) -> None:
    client = SyncTestClient(server.base_url, [])
    with client:
        client.call(Echo, method="GET", path="/echo/own")
    assert client._http.is_closed  # pyright: ignore[reportPrivateUsage]


def test_user_supplied_async_client_is_not_closed(server: TestServer) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(timeout=5) as http:
            async with AsyncTestClient(server.base_url, [], http_client=http) as client:
                await client.call(Echo, method="GET", path="/echo/own")
            assert not http.is_closed
            response = await http.get(f"{server.base_url}/echo/again")
            assert response.status_code == 200

    asyncio.run(run())


def test_own_async_client_is_closed(server: TestServer) -> None:
    async def run() -> AsyncTestClient:
        async with AsyncTestClient(server.base_url, []) as client:
            await client.call(Echo, method="GET", path="/echo/own")
        return client

    client = asyncio.run(run())
    assert client._http.is_closed  # pyright: ignore[reportPrivateUsage]


def test_async_client_runs_requests_concurrently(server: TestServer) -> None:
    async def run() -> list[Echo]:
        async with AsyncTestClient(server.base_url, []) as client:
            calls = (
                client.call(Echo, method="GET", path="/echo/{n}", path_params={"n": n})
                for n in range(5)
            )
            return await asyncio.gather(*calls)

    assert [echo.path for echo in asyncio.run(run())] == [f"/echo/{n}" for n in range(5)]
