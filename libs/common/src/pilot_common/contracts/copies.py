"""A copy of another service's entity, shaped by the published event that creates it.

A consumer that keeps a copy (intake's registry copy, evaluation's upstream copy) takes its columns from the
"created" event of the public contract — one column per data field, the event's key as `id` — instead of retyping
them; `tests/contracts/test_copies.py` checks that every copy table has a column for each field, so a field the
producer adds shows up as a failing test, not as a silently dropped value.
"""

from __future__ import annotations

from typing import Any

from pilot_common.contracts.events.base import IntegrationEvent


def copied_fields(model: type[IntegrationEvent], *, key: str) -> tuple[str, ...]:
    """The data fields of a published "created" event, in declaration order, without its key."""
    return tuple(name for name in model.model_fields if name != key)


def copy_value(value: Any) -> Any:
    """A field's value as the copy stores it: dates and times as ISO 8601 text, the rest as given."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def copy_row(event: IntegrationEvent, *, key: str) -> dict[str, Any]:
    """The copy's row for a "created" event: its key as `id` and every data field."""
    row = {name: copy_value(getattr(event, name)) for name in copied_fields(type(event), key=key)}
    return {"id": getattr(event, key), **row}
