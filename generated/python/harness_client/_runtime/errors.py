"""Exceptions raised by the generated client.

Everything the client raises on purpose derives from :class:`ClientError`, so
callers can catch one type. The tree is::

    ClientError
    ├── ApiError                    the server answered with an error status
    │   ├── <generated subclasses>  one per error code declared in the contract
    │   └── UnexpectedStatusError   a status/code the operation does not declare
    ├── TransportError              no usable HTTP answer (connection, DNS, protocol)
    │   └── RequestTimeoutError     ... because a timeout expired
    ├── ResponseDecodeError         a 2xx body that does not match the declared model
    ├── InvalidEventError           an event envelope or payload that does not validate
    └── UnknownEventError           an event whose key/version is not in the registry
"""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "ApiError",
    "ClientError",
    "ErrorBody",
    "InvalidEventError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "TransportError",
    "UnexpectedStatusError",
    "UnknownEventError",
]


class ErrorBody(BaseModel):
    """An RFC 9457 ``application/problem+json`` body, plus the contract's ``code``.

    Members that the RFC does not define (for example a ``runId`` naming the
    missing resource) are kept and can be read as attributes or through
    :attr:`model_extra`.
    """

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    code: str


class ClientError(Exception):
    """Base class of every exception the client raises."""


def _describe_request(response: httpx.Response) -> str | None:
    """Return ``"METHOD URL"`` of the request behind *response*, if it is known."""
    try:
        request = response.request
    except RuntimeError:  # a Response built by hand has no request attached
        return None
    return f"{request.method} {request.url}"


class ApiError(ClientError):
    """The server answered with an HTTP error status.

    Generated code defines one subclass per error code declared in the contract
    and overrides :attr:`error_code` and :attr:`http_status` on it; the client
    picks the subclass from the ``code`` member of the problem body.

    Attributes:
        status: The HTTP status code of the answer.
        code: The ``code`` member of the problem body, if the body had one.
        body: The parsed problem body, or ``None`` if the body was not a
            JSON object with a ``code``.
        response: The complete HTTP response (its body has been read).
    """

    error_code: ClassVar[str | None] = None
    """The contract error code this class stands for (set by generated subclasses)."""

    http_status: ClassVar[int | None] = None
    """The HTTP status the contract declares for :attr:`error_code`."""

    status: int
    code: str | None
    body: ErrorBody | None
    response: httpx.Response

    def __init__(self, response: httpx.Response, body: ErrorBody | None = None) -> None:
        self.response = response
        self.status = response.status_code
        self.body = body
        self.code = body.code if body is not None else None
        super().__init__(self._message())

    def _message(self) -> str:
        reason = self.response.reason_phrase
        text = f"HTTP {self.status} {reason}".rstrip()
        if self.code is not None:
            text += f" [{self.code}]"
        if self.body is not None:
            details = [part for part in (self.body.title, self.body.detail) if part]
            if details:
                text += ": " + " - ".join(details)
        request = _describe_request(self.response)
        if request is not None:
            text += f" ({request})"
        return text


class UnexpectedStatusError(ApiError):
    """The server answered with a status or error code the operation does not declare."""


class TransportError(ClientError):
    """The request did not produce an HTTP answer (refused connection, DNS, protocol error).

    The underlying ``httpx`` exception is chained as ``__cause__``.

    Attributes:
        method: The HTTP method of the failed request.
        url: The full URL of the failed request.
    """

    method: str
    url: str

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})")


class RequestTimeoutError(TransportError):
    """A connect, read, write or pool timeout expired before the answer arrived."""


class ResponseDecodeError(ClientError):
    """A successful (2xx) answer whose body is not valid for the declared output model.

    Attributes:
        response: The HTTP response whose body failed to decode.
        error: What went wrong: a :class:`pydantic.ValidationError` when the
            JSON does not match the model, or a :class:`ValueError` (such as
            :class:`json.JSONDecodeError`) when the body is not JSON at all.
            It is also chained as ``__cause__``.
    """

    response: httpx.Response
    error: ValueError

    def __init__(self, message: str, *, response: httpx.Response, error: ValueError) -> None:
        self.response = response
        self.error = error
        request = _describe_request(response)
        if request is not None:
            message = f"{message} ({request})"
        super().__init__(message)

    @property
    def validation_error(self) -> ValidationError | None:
        """The pydantic validation error, or ``None`` if the body was not even JSON."""
        return self.error if isinstance(self.error, ValidationError) else None


class InvalidEventError(ClientError):
    """An event envelope, or the payload of a known event, does not validate.

    The :class:`pydantic.ValidationError` is chained as ``__cause__``.
    """


class UnknownEventError(ClientError):
    """An event whose key, or whose version of a known key, is not in the registry.

    Attributes:
        key: The event key found in the envelope.
        version: The event version found in the envelope.
        known_versions: The versions the registry has for *key* (empty when
            the key itself is unknown).
    """

    key: str
    version: str
    known_versions: tuple[str, ...]

    def __init__(self, key: str, version: str, known_versions: tuple[str, ...] = ()) -> None:
        self.key = key
        self.version = version
        self.known_versions = known_versions
        if known_versions:
            message = (
                f"unknown version {version!r} of event {key!r}; "
                f"known versions: {', '.join(known_versions)}"
            )
        else:
            message = f"unknown event key {key!r} (version {version!r})"
        super().__init__(message)
