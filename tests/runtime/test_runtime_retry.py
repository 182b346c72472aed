"""RetryPolicy: argument validation, backoff bounds and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from contractgen.runtime.retry import NO_RETRY, RetryPolicy, parse_retry_after


def answer(status: int = 503, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 3
    assert policy.retry_statuses == frozenset({429, 502, 503, 504})
    assert NO_RETRY.max_attempts == 1


@pytest.mark.parametrize("attempt", range(1, 12))
def test_delay_stays_within_jitter_bounds(attempt: int) -> None:
    policy = RetryPolicy(backoff_initial=0.5, backoff_multiplier=2.0, backoff_max=8.0, jitter=0.2)
    base = min(8.0, 0.5 * 2.0 ** (attempt - 1))
    rng = random.Random(attempt)
    for _ in range(200):
        delay = policy.delay(attempt, None, rng)
        assert base * 0.8 <= delay <= base
        assert delay <= policy.backoff_max


def test_delay_is_deterministic_with_a_seeded_rng() -> None:
    policy = RetryPolicy()
    first = [policy.delay(n, None, random.Random(42)) for n in range(1, 6)]
    second = [policy.delay(n, None, random.Random(42)) for n in range(1, 6)]
    assert first == second
    assert first[0] == pytest.approx(0.5 * (1 - 0.2 * random.Random(42).random()))


def test_delay_without_jitter_is_exact_exponential_capped() -> None:
    policy = RetryPolicy(backoff_initial=1.0, backoff_multiplier=3.0, backoff_max=20.0, jitter=0)
    assert [policy.delay(n, None) for n in range(1, 6)] == [1.0, 3.0, 9.0, 20.0, 20.0]


def test_delay_for_a_huge_attempt_number_is_capped() -> None:
    policy = RetryPolicy(jitter=0)
    assert policy.delay(100_000, None) == policy.backoff_max


def test_delay_honours_retry_after_seconds() -> None:
    policy = RetryPolicy()
    assert policy.delay(1, answer(429, **{"Retry-After": "7"})) == 7.0


def test_delay_caps_retry_after() -> None:
    policy = RetryPolicy(max_retry_after=10.0)
    assert policy.delay(1, answer(429, **{"Retry-After": "3600"})) == 10.0


def test_delay_honours_retry_after_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    delay = RetryPolicy().delay(
        1, answer(503, **{"Retry-After": format_datetime(when, usegmt=True)})
    )
    assert 28.0 <= delay <= 30.0


def test_delay_ignores_retry_after_when_told_to() -> None:
    policy = RetryPolicy(respect_retry_after=False, jitter=0)
    assert policy.delay(1, answer(429, **{"Retry-After": "30"})) == policy.backoff_initial


def test_delay_falls_back_to_backoff_on_malformed_retry_after() -> None:
    policy = RetryPolicy(jitter=0)
    assert policy.delay(2, answer(429, **{"Retry-After": "soon"})) == 1.0


def test_delay_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempt"):
        RetryPolicy().delay(0, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"backoff_initial": -1}, "backoff_initial"),
        ({"backoff_max": float("inf")}, "backoff_max"),
        ({"backoff_initial": 5, "backoff_max": 1}, "backoff_max"),
        ({"backoff_multiplier": 0.5}, "backoff_multiplier"),
        ({"jitter": 1.5}, "jitter"),
        ({"jitter": float("nan")}, "jitter"),
        ({"max_retry_after": -0.1}, "max_retry_after"),
        ({"retry_statuses": frozenset({42})}, "retry_statuses"),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)


def test_retry_statuses_are_stored_as_frozenset() -> None:
    policy = RetryPolicy(retry_statuses={500, 503})  # type: ignore[arg-type]
    assert policy.retry_statuses == frozenset({500, 503})
    assert isinstance(policy.retry_statuses, frozenset)
    hash(policy)


NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  120 ", 120.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("later", None),
        ("Sun, 01 Jun 2025 12:00:42 GMT", 42.0),
        ("Sun, 01 Jun 2025 11:00:00 GMT", 0.0),  # in the past
        ("Sun, 01 Jun 2025 12:00:10 -0000", 10.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected
