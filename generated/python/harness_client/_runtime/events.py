"""Parsing of event envelopes into the payload model registered for their key and version.

An event travels in an envelope::

    {"key": "run.finished", "version": "2", "id": "evt_1",
     "occurredAt": "2025-01-01T12:00:00Z", "payload": {...}}

The generated package provides the registry (``(key, version) -> payload
model``) and a typed wrapper around :func:`parse_event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InvalidEventError, UnknownEventError

__all__ = ["EventEnvelope", "parse_event"]

M = TypeVar("M", bound=BaseModel)


class EventEnvelope(BaseModel):
    """The envelope around every event: which event it is, and its raw payload.

    ``occurred_at`` is spelled ``occurredAt`` on the wire; both spellings are
    accepted when validating. Unknown envelope members are ignored.
    """

    model_config = ConfigDict(populate_by_name=True)

    key: str
    version: str
    payload: dict[str, Any]
    id: str | None = None
    occurred_at: datetime | None = Field(default=None, alias="occurredAt")


def parse_event(
    data: Mapping[str, Any] | EventEnvelope | str | bytes,
    registry: Mapping[tuple[str, str], type[M]],
) -> M:
    """Validate an event envelope and return its payload as the registered model.

    Args:
        data: The envelope: already validated, a decoded JSON object, or JSON
            text/bytes.
        registry: Maps ``(key, version)`` to the payload model of that event.

    Raises:
        InvalidEventError: The envelope, or the payload of a known event,
            does not validate (the ``ValidationError`` is the ``__cause__``).
        UnknownEventError: No model is registered for the envelope's key, or
            for its version of the key (the error then lists the known
            versions).
    """
    envelope = _validate_envelope(data)
    model = registry.get((envelope.key, envelope.version))
    if model is None:
        # dict.fromkeys de-duplicates while keeping the registry's order.
        known = dict.fromkeys(version for key, version in registry if key == envelope.key)
        raise UnknownEventError(envelope.key, envelope.version, tuple(known))
    try:
        return model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise InvalidEventError(
            f"invalid payload for event {envelope.key!r} version {envelope.version!r}: {exc}"
        ) from exc


def _validate_envelope(data: Mapping[str, Any] | EventEnvelope | str | bytes) -> EventEnvelope:
    if isinstance(data, EventEnvelope):
        return data
    try:
        if isinstance(data, str | bytes):
            return EventEnvelope.model_validate_json(data)
        return EventEnvelope.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidEventError(f"invalid event envelope: {exc}") from exc
