"""The HTTP core of the generated clients: one sync and one async base class.

Generated clients subclass :class:`BaseClient` / :class:`AsyncBaseClient`, set
:attr:`~BaseClient.user_agent` and implement one method per operation that
calls ``_request``. Everything that does not perform I/O (URL and header
construction, retry decisions, decoding answers into models or exceptions)
lives in module-level helpers and in :class:`_ClientCore`, so the two
classes differ only in how they send and sleep.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar, cast
from urllib.parse import quote
from uuid import UUID

import httpx
from pydantic import BaseModel, ValidationError

from .errors import (
    ApiError,
    ErrorBody,
    RequestTimeoutError,
    ResponseDecodeError,
    TransportError,
    UnexpectedStatusError,
)
from .retry import NO_RETRY, RetryPolicy

__all__ = ["DEFAULT_RETRY", "AsyncBaseClient", "BaseClient"]

M = TypeVar("M", bound=BaseModel)

DEFAULT_RETRY = RetryPolicy()
"""The retry policy a client uses unless told otherwise."""

_logger = logging.getLogger(__name__)

_ACCEPT = "application/json, application/problem+json"

# Exceptions httpx raises while building or sending a request. InvalidURL does
# not derive from HTTPError, hence the tuple.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL)

# Failures after which the same request may succeed: the server was not
# reachable, too slow, or dropped the connection. Errors such as an
# unsupported URL scheme or a malformed request would fail again.
_RETRYABLE_TRANSPORT_ERRORS = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


# --------------------------------------------------------------------------
# Request construction
# --------------------------------------------------------------------------


def _normalize_base_url(base_url: str) -> str:
    """Check that *base_url* is an absolute http(s) URL and strip its trailing slash."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"invalid base_url {base_url!r}: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    if url.query or url.fragment:
        raise ValueError(f"base_url must not have a query or fragment, got {base_url!r}")
    return str(url).rstrip("/")


def _format_value(value: object) -> str:
    """Render a path or query parameter value as text.

    Enums are rendered by value, booleans as ``true``/``false`` and dates and
    times in ISO 8601.
    """
    if isinstance(value, Enum):
        value = cast(object, value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    raise TypeError(f"cannot send a value of type {type(value).__name__} as a URL parameter")


def _encode_segment(name: str, value: object) -> str:
    """Percent-encode a path parameter so that it stays exactly one path segment."""
    if value is None:
        raise ValueError(f"path parameter {name!r} must not be None")
    text = _format_value(value)
    if not text:
        raise ValueError(f"path parameter {name!r} must not be empty")
    # safe="" also encodes "/", so a value cannot introduce a new segment.
    encoded = quote(text, safe="")
    if encoded in (".", ".."):
        # Dot segments are left alone by quote() but would be resolved away
        # ("/runs/.." is "/"); their encoded form is passed through verbatim.
        encoded = encoded.replace(".", "%2E")
    return encoded


def _expand_path(template: str, params: Mapping[str, object] | None) -> str:
    """Substitute the ``{name}`` placeholders of *template* with encoded *params*."""
    if not template.startswith("/"):
        raise ValueError(f"path template must start with '/', got {template!r}")
    values = params or {}
    used: set[str] = set()

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"missing path parameter {name!r} for {template!r}")
        used.add(name)
        return _encode_segment(name, values[name])

    path = _PLACEHOLDER.sub(substitute, template)
    unused = sorted(set(values) - used)
    if unused:
        raise ValueError(f"path parameters {unused} do not occur in {template!r}")
    return path


def _query_params(query: Mapping[str, object] | None) -> list[tuple[str, str]]:
    """Flatten *query* into ``(name, value)`` pairs.

    ``None`` values are dropped, and lists and tuples become one pair per
    (non-``None``) element.
    """
    pairs: list[tuple[str, str]] = []
    for name, value in (query or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            items = cast("Sequence[object]", value)
            pairs.extend((name, _format_value(item)) for item in items if item is not None)
        else:
            pairs.append((name, _format_value(value)))
    return pairs


def _encode_body(body: BaseModel) -> bytes:
    """Serialize a request body model as JSON, by alias, leaving out unset fields."""
    data = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@dataclass(frozen=True)
class _PreparedRequest:
    """Everything needed to send one logical request, possibly several times."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    headers: httpx.Headers
    content: bytes | None


# --------------------------------------------------------------------------
# Attempts and retry decisions
# --------------------------------------------------------------------------


class _Attempts:
    """Tracks the attempts of one logical request and decides about retries."""

    def __init__(
        self,
        request: _PreparedRequest,
        policy: RetryPolicy,
        *,
        idempotent: bool,
        rng: random.Random | None,
    ) -> None:
        self.request = request
        # Only an idempotent request may be repeated: a retried POST might
        # otherwise act twice on the server.
        self._policy = policy if idempotent else NO_RETRY
        self._rng = rng
        self.count = 0

    def build(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """Count a new attempt and build its ``httpx.Request``."""
        self.count += 1
        return http.build_request(
            self.request.method,
            self.request.url,
            params=self.request.params,
            headers=self.request.headers,
            content=self.request.content,
        )

    def delay_after_response(self, response: httpx.Response) -> float | None:
        """Return the seconds to wait before retrying after *response*, or ``None``."""
        if response.status_code not in self._policy.retry_statuses or self._exhausted():
            return None
        delay = self._policy.delay(self.count, response, self._rng)
        self._log_retry(f"HTTP {response.status_code}", delay)
        return delay

    def delay_after_error(self, exc: Exception) -> float | None:
        """Return the seconds to wait before retrying after *exc*, or ``None``."""
        if (
            not self._policy.retry_connection_errors
            or not isinstance(exc, _RETRYABLE_TRANSPORT_ERRORS)
            or self._exhausted()
        ):
            return None
        delay = self._policy.delay(self.count, None, self._rng)
        self._log_retry(type(exc).__name__, delay)
        return delay

    def transport_error(self, exc: Exception) -> TransportError:
        """Wrap an httpx exception into the client's own exception type."""
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if self.count > 1:
            message += f" (after {self.count} attempts)"
        error_type = (
            RequestTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
        )
        return error_type(message, method=self.request.method, url=self.request.url)

    def _exhausted(self) -> bool:
        return self.count >= self._policy.max_attempts

    def _log_retry(self, reason: str, delay: float) -> None:
        _logger.debug(
            "%s %s failed with %s; retrying in %.2fs (attempt %d of %d)",
            self.request.method,
            self.request.url,
            reason,
            delay,
            self.count + 1,
            self._policy.max_attempts,
        )


# --------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------


def _decode_success(response: httpx.Response, response_model: type[M]) -> M:
    """Validate a 2xx answer as *response_model*; an empty body counts as ``{}``."""
    name = response_model.__name__
    try:
        data: Any = response.json() if response.content else {}
    except ValueError as exc:  # JSONDecodeError, or UnicodeDecodeError
        raise ResponseDecodeError(
            f"HTTP {response.status_code} body is not valid JSON (expected {name})",
            response=response,
            error=exc,
        ) from exc
    try:
        return response_model.model_validate(data)
    except ValidationError as exc:
        raise ResponseDecodeError(
            f"HTTP {response.status_code} body does not match {name}: {exc}",
            response=response,
            error=exc,
        ) from exc


def _parse_error_body(response: httpx.Response) -> ErrorBody | None:
    """Return the problem body of an error answer, or ``None`` if it has none."""
    try:
        data: Any = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict) or "code" not in data:
        return None
    try:
        return ErrorBody.model_validate(data)
    except ValidationError:
        return None


def _api_error(response: httpx.Response, errors: Mapping[str, type[ApiError]] | None) -> ApiError:
    """Build the exception for an error answer: the declared class for its code, if any."""
    body = _parse_error_body(response)
    error_type: type[ApiError] = UnexpectedStatusError
    if body is not None and errors is not None:
        error_type = errors.get(body.code, UnexpectedStatusError)
    return error_type(response, body)


def _finish(
    response: httpx.Response,
    errors: Mapping[str, type[ApiError]] | None,
    response_model: type[M],
) -> M:
    """Turn the final answer of a request into its model, or raise its error."""
    if response.is_success:
        return _decode_success(response, response_model)
    raise _api_error(response, errors)


# --------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------


class _ClientCore:
    """Configuration and request preparation shared by the sync and async clients."""

    user_agent: ClassVar[str] = "contractgen-client"
    """Sent as the ``User-Agent`` header; generated clients set their own name/version."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None,
        api_key: str | None,
        api_key_header: str,
        retry: RetryPolicy | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        self._base_url = _normalize_base_url(base_url)
        self._token = token
        self._api_key = api_key
        self._api_key_header = api_key_header
        self._retry = retry if retry is not None else NO_RETRY
        self._headers = httpx.Headers({"User-Agent": self.user_agent, "Accept": _ACCEPT})
        if headers is not None:
            self._headers.update(headers)
        self._rng: random.Random | None = None
        """Randomness for retry jitter; tests may set a seeded ``random.Random``."""

    def _start(
        self,
        *,
        method: str,
        path: str,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        body: BaseModel | None,
        auth: bool,
        idempotent: bool,
    ) -> _Attempts:
        """Prepare a request and the bookkeeping for its attempts."""
        headers = httpx.Headers(self._headers)
        content: bytes | None = None
        if body is not None:
            content = _encode_body(body)
            headers["Content-Type"] = "application/json"
        if auth:
            if self._token is not None:
                headers["Authorization"] = f"Bearer {self._token}"
            if self._api_key is not None:
                headers[self._api_key_header] = self._api_key
        request = _PreparedRequest(
            method=method.upper(),
            url=self._base_url + _expand_path(path, path_params),
            params=tuple(_query_params(query)),
            headers=headers,
            content=content,
        )
        return _Attempts(request, self._retry, idempotent=idempotent, rng=self._rng)


class BaseClient(_ClientCore):
    """Base class of the generated synchronous client.

    Args:
        base_url: Root URL of the API, e.g. ``https://api.example.com/v1``;
            operation paths are appended to it.
        token: Bearer token sent with operations that require authentication.
        api_key: API key sent with operations that require authentication.
        api_key_header: Header that carries *api_key*.
        timeout: Timeout in seconds (or an ``httpx.Timeout``) for the HTTP
            client created here; ignored when *http_client* is given, which
            keeps its own configuration.
        retry: Retry policy for idempotent operations; ``None`` disables retries.
        headers: Extra headers sent with every request (they may override
            ``User-Agent`` and ``Accept``).
        http_client: An ``httpx.Client`` to send requests with. The caller
            keeps ownership: :meth:`close` does not close it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token=token,
            api_key=api_key,
            api_key_header=api_key_header,
            retry=retry,
            headers=headers,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        self._sleep: Callable[[float], None] = time.sleep
        """Waits between attempts; tests may replace it to record delays."""

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        *,
        method: str,
        path: str,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: BaseModel | None = None,
        auth: bool = True,
        idempotent: bool = False,
        errors: Mapping[str, type[ApiError]] | None = None,
        response_model: type[M],
    ) -> M:
        """Send a request (retrying idempotent ones) and decode the answer.

        Args:
            method: HTTP method.
            path: Path template such as ``/runs/{runId}``.
            path_params: Values of the template's placeholders.
            query: Query parameters (``None`` values are left out).
            body: Request body, sent as JSON.
            auth: Whether to send the configured credentials.
            idempotent: Whether the request may be retried.
            errors: Maps the error codes declared by the operation to their
                exception classes.
            response_model: Model that a 2xx body is validated as.

        Raises:
            ApiError: The answer has an error status (a class from *errors*
                or :class:`UnexpectedStatusError`).
            ResponseDecodeError: A 2xx body does not validate as *response_model*.
            TransportError: No answer was received (:class:`RequestTimeoutError`
                for timeouts).
        """
        attempts = self._start(
            method=method,
            path=path,
            path_params=path_params,
            query=query,
            body=body,
            auth=auth,
            idempotent=idempotent,
        )
        while True:
            try:
                response = self._http.send(attempts.build(self._http))
            except _HTTPX_ERRORS as exc:
                delay = attempts.delay_after_error(exc)
                if delay is None:
                    raise attempts.transport_error(exc) from exc
            else:
                delay = attempts.delay_after_response(response)
                if delay is None:
                    return _finish(response, errors, response_model)
            self._sleep(delay)


class AsyncBaseClient(_ClientCore):
    """Base class of the generated asynchronous client.

    Takes the same arguments as :class:`BaseClient`, except that
    *http_client* is an ``httpx.AsyncClient``; close it with :meth:`aclose`
    or ``async with``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token=token,
            api_key=api_key,
            api_key_header=api_key_header,
            retry=retry,
            headers=headers,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        """Waits between attempts; tests may replace it to record delays."""

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        *,
        method: str,
        path: str,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: BaseModel | None = None,
        auth: bool = True,
        idempotent: bool = False,
        errors: Mapping[str, type[ApiError]] | None = None,
        response_model: type[M],
    ) -> M:
        """Send a request (retrying idempotent ones) and decode the answer.

        See :meth:`BaseClient._request` for the arguments and exceptions.
        """
        attempts = self._start(
            method=method,
            path=path,
            path_params=path_params,
            query=query,
            body=body,
            auth=auth,
            idempotent=idempotent,
        )
        while True:
            try:
                response = await self._http.send(attempts.build(self._http))
            except _HTTPX_ERRORS as exc:
                delay = attempts.delay_after_error(exc)
                if delay is None:
                    raise attempts.transport_error(exc) from exc
            else:
                delay = attempts.delay_after_response(response)
                if delay is None:
                    return _finish(response, errors, response_model)
            await self._sleep(delay)
