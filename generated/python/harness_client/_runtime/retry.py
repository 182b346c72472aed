"""Retry policy: which failures are retried and how long to wait in between.

The client retries only operations that the contract marks idempotent; the
policy decides the rest. Delays grow exponentially from
:attr:`RetryPolicy.backoff_initial` up to :attr:`RetryPolicy.backoff_max`, with
random jitter so that many clients do not retry in lockstep, and a server's
``Retry-After`` header takes precedence when present.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["DEFAULT_RETRY_STATUSES", "NO_RETRY", "RetryPolicy", "parse_retry_after"]

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})
"""Statuses that signal a transient condition: rate limiting and gateway/overload errors."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently an idempotent request is retried.

    Attributes:
        max_attempts: Total number of attempts, the first one included
            (``1`` disables retrying).
        backoff_initial: Base delay in seconds before the first retry.
        backoff_max: Upper bound in seconds of any computed backoff delay.
        backoff_multiplier: Factor by which the base delay grows per retry.
        jitter: Fraction (``0`` to ``1``) by which a delay is randomly
            shortened; ``0.2`` gives delays between 80 % and 100 % of the base.
        retry_statuses: HTTP statuses that are retried.
        retry_connection_errors: Whether connection failures, timeouts and
            dropped connections are retried.
        respect_retry_after: Whether a ``Retry-After`` header on the answer
            replaces the computed backoff.
        max_retry_after: Cap in seconds on a delay taken from ``Retry-After``.
    """

    max_attempts: int = 3
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    backoff_multiplier: float = 2.0
    jitter: float = 0.2
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    retry_connection_errors: bool = True
    respect_retry_after: bool = True
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        _check_seconds("backoff_initial", self.backoff_initial)
        _check_seconds("backoff_max", self.backoff_max)
        _check_seconds("max_retry_after", self.max_retry_after)
        if self.backoff_max < self.backoff_initial:
            raise ValueError(
                f"backoff_max ({self.backoff_max}) must not be smaller than "
                f"backoff_initial ({self.backoff_initial})"
            )
        if not (math.isfinite(self.backoff_multiplier) and self.backoff_multiplier >= 1):
            raise ValueError(
                f"backoff_multiplier must be a finite number >= 1, got {self.backoff_multiplier}"
            )
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be between 0 and 1, got {self.jitter}")
        # Accept any iterable of ints (a set, a list) but store a frozenset, so
        # the policy stays hashable and immutable.
        statuses = frozenset(self.retry_statuses)
        invalid = sorted(s for s in statuses if not 100 <= s <= 599)
        if invalid:
            raise ValueError(f"retry_statuses must be HTTP statuses (100-599), got {invalid}")
        object.__setattr__(self, "retry_statuses", statuses)

    def delay(
        self,
        attempt: int,
        response: httpx.Response | None,
        rng: random.Random | None = None,
    ) -> float:
        """Return how many seconds to wait before the next attempt.

        Args:
            attempt: Number of attempts made so far (``1`` after the first
                attempt failed).
            response: The answer that triggered the retry, or ``None`` when
                the attempt failed without one (connection error, timeout).
            rng: Source of randomness for the jitter; the ``random`` module's
                shared generator when omitted. Pass a seeded
                :class:`random.Random` for reproducible delays.

        Returns:
            The ``Retry-After`` delay of *response* (capped at
            :attr:`max_retry_after`) when there is one and
            :attr:`respect_retry_after` is set; otherwise
            ``min(backoff_max, backoff_initial * backoff_multiplier ** (attempt - 1))``
            shortened by a random fraction of at most :attr:`jitter`.
        """
        if attempt < 1:
            raise ValueError(f"attempt must be at least 1, got {attempt}")
        if self.respect_retry_after and response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        base = self._backoff(attempt)
        fraction = rng.random() if rng is not None else random.random()
        return base * (1 - self.jitter * fraction)

    def _backoff(self, attempt: int) -> float:
        """Return the exponential delay for *attempt* without jitter, capped at backoff_max."""
        try:
            grown = self.backoff_initial * self.backoff_multiplier ** (attempt - 1)
        except OverflowError:
            return self.backoff_max
        return min(self.backoff_max, grown)


def _check_seconds(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value}")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header value into a delay in seconds.

    Both forms of RFC 9110 are understood: a number of seconds (``"120"``;
    fractions are tolerated) and an HTTP-date
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``), which is measured from *now*
    (the current time by default). A date in the past gives ``0.0``.

    Returns:
        The delay, or ``None`` if *value* is missing or malformed.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no further information
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


NO_RETRY = RetryPolicy(max_attempts=1)
"""A policy that never retries."""
