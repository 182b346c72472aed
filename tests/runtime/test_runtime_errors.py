"""The exception classes: hierarchy, attributes and messages."""

from __future__ import annotations

import httpx
import pytest

from contractgen.runtime.errors import (
    ApiError,
    ClientError,
    ErrorBody,
    InvalidEventError,
    RequestTimeoutError,
    ResponseDecodeError,
    TransportError,
    UnexpectedStatusError,
    UnknownEventError,
)


@pytest.mark.parametrize(
    "error_type",
    [
        ApiError,
        UnexpectedStatusError,
        TransportError,
        RequestTimeoutError,
        ResponseDecodeError,
        InvalidEventError,
        UnknownEventError,
    ],
)
def test_every_error_is_a_client_error(error_type: type[Exception]) -> None:
    assert issubclass(error_type, ClientError)


def test_request_timeout_error_does_not_shadow_the_builtin() -> None:
    assert not issubclass(RequestTimeoutError, TimeoutError)
    assert issubclass(RequestTimeoutError, TransportError)


def test_error_body_keeps_extra_members() -> None:
    body = ErrorBody.model_validate({"code": "quota", "title": "Quota", "limit": 10})
    assert body.code == "quota"
    assert body.type is None
    assert body.model_extra == {"limit": 10}


def test_api_error_message_without_body_or_request() -> None:
    error = ApiError(httpx.Response(502))
    assert error.status == 502
    assert error.code is None
    assert str(error) == "HTTP 502 Bad Gateway"


def test_api_error_message_with_body_and_request() -> None:
    request = httpx.Request("DELETE", "https://api.example.com/runs/r-1")
    response = httpx.Response(409, request=request)
    body = ErrorBody(code="locked", title="Locked", detail="run is finishing")
    assert str(ApiError(response, body)) == (
        "HTTP 409 Conflict [locked]: Locked - run is finishing "
        "(DELETE https://api.example.com/runs/r-1)"
    )


def test_api_error_class_attributes_default_to_none() -> None:
    assert ApiError.error_code is None
    assert ApiError.http_status is None
