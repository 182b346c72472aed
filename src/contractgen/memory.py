"""Memory of the many small frozen pydantic models a large spec set makes."""

from __future__ import annotations

from pydantic import BaseModel

_FIELDS_SETS: dict[tuple[type, frozenset[str]], set[str]] = {}


def share_fields_set(model: BaseModel) -> None:
    """Give ``model`` the set of given field names its like already hold.

    pydantic gives every instance its own set of the fields it was given (700
    bytes; most of a large IR's memory). Instances of a class given the same
    fields can share one: the models that call this are frozen, so nothing
    changes it in place (``model_copy`` copies it before an update).
    """
    fields = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault((type(model), frozenset(fields)), fields)
    if shared is not fields:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
