"""parse_event: envelope validation and registry lookup."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contractgen.runtime.errors import ClientError, InvalidEventError, UnknownEventError
from contractgen.runtime.events import EventEnvelope, parse_event


class RunStartedV1(BaseModel):
    runId: str


class RunStartedV2(BaseModel):
    runId: str
    suite: str


class RunFinished(BaseModel):
    runId: str
    passed: bool


REGISTRY: dict[tuple[str, str], type[BaseModel]] = {
    ("run.started", "1"): RunStartedV1,
    ("run.started", "2"): RunStartedV2,
    ("run.finished", "1"): RunFinished,
}

ENVELOPE: dict[str, Any] = {
    "key": "run.finished",
    "version": "1",
    "id": "evt-1",
    "occurredAt": "2025-01-02T03:04:05Z",
    "payload": {"runId": "r-1", "passed": True},
}


@pytest.mark.parametrize(
    "data",
    [
        ENVELOPE,
        json.dumps(ENVELOPE),
        json.dumps(ENVELOPE).encode(),
        EventEnvelope.model_validate(ENVELOPE),
    ],
    ids=["mapping", "str", "bytes", "envelope"],
)
def test_parse_event_returns_the_registered_payload_model(data: Any) -> None:
    event = parse_event(data, REGISTRY)
    assert event == RunFinished(runId="r-1", passed=True)


def test_parse_event_is_typed_by_the_registry() -> None:
    registry: dict[tuple[str, str], type[RunFinished]] = {("run.finished", "1"): RunFinished}
    event: RunFinished = parse_event(ENVELOPE, registry)
    assert event.passed is True


def test_envelope_accepts_both_spellings_of_occurred_at() -> None:
    expected = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    by_alias = EventEnvelope.model_validate(ENVELOPE)
    by_name = EventEnvelope.model_validate(
        {"key": "k", "version": "1", "payload": {}, "occurred_at": "2025-01-02T03:04:05Z"}
    )
    assert by_alias.occurred_at == expected
    assert by_name.occurred_at == expected
    assert by_alias.model_dump(by_alias=True)["occurredAt"] == expected


def test_envelope_optional_fields_default_to_none() -> None:
    envelope = EventEnvelope.model_validate({"key": "k", "version": "1", "payload": {}})
    assert envelope.id is None
    assert envelope.occurred_at is None


def test_unknown_key_raises_unknown_event_error() -> None:
    with pytest.raises(UnknownEventError) as info:
        parse_event({**ENVELOPE, "key": "run.deleted"}, REGISTRY)
    assert info.value.key == "run.deleted"
    assert info.value.known_versions == ()
    assert "unknown event key 'run.deleted'" in str(info.value)
    assert isinstance(info.value, ClientError)


def test_unknown_version_lists_the_known_versions() -> None:
    with pytest.raises(UnknownEventError) as info:
        parse_event({**ENVELOPE, "key": "run.started", "version": "3"}, REGISTRY)
    assert info.value.version == "3"
    assert info.value.known_versions == ("1", "2")
    assert "known versions: 1, 2" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        {"version": "1", "payload": {}},
        {"key": "run.finished", "version": 1, "payload": {}},
        {"key": "run.finished", "version": "1", "payload": []},
        "{not json",
    ],
    ids=["missing-key", "version-not-str", "payload-not-object", "bad-json"],
)
def test_invalid_envelope_raises_invalid_event_error(data: Any) -> None:
    with pytest.raises(InvalidEventError, match="invalid event envelope") as info:
        parse_event(data, REGISTRY)
    assert isinstance(info.value.__cause__, ValidationError)


def test_invalid_payload_raises_invalid_event_error() -> None:
    with pytest.raises(InvalidEventError, match=r"'run\.finished' version '1'") as info:
        parse_event({**ENVELOPE, "payload": {"runId": "r-1"}}, REGISTRY)
    assert isinstance(info.value.__cause__, ValidationError)
