"""A copy of another service's entity, shaped by the published event that creates it.

A consumer that keeps a copy (intake's registry copy, evaluation's upstream copy) takes its columns from the
"created" event of the public contract — one column per data field, the event's key as `id` — instead of retyping
them; `tests/contracts/test_copies.py` checks that every copy table has a column for each field, so a field the
producer adds shows up as a failing test, not as a silently dropped value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Column, String, Text
from sqlalchemy.types import TypeEngine

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


# --- column shapes ------------------------------------------------------------------------------------------------
# One shape per published entity, field for field as its creating event publishes it (a test keeps the names equal
# to the contract's fields): the registry's read model and intake's copy of it are built from the same shapes.


@dataclass(frozen=True)
class Field:
    name: str
    type: Callable[[], TypeEngine[Any]]
    nullable: bool = False

    def column(self, indexed: Collection[str]) -> Column[Any]:
        return Column(self.name, self.type(), nullable=self.nullable, index=self.name in indexed or None)


def _code(length: int) -> Callable[[], TypeEngine[Any]]:
    return lambda: String(length)


ORGANISATION = (
    Field("name", Text),
    Field("credit_code", _code(18)),
    Field("kind", _code(40)),
    Field("administrative_level", _code(20), nullable=True),
    Field("province_code", _code(6)),
    Field("division_code", _code(6), nullable=True),
)
PILOT_OBJECT = (
    Field("kind", _code(40)),
    Field("name", Text),
    Field("province_code", _code(6)),
    Field("division_codes", JSON),
    Field("industry_codes", JSON),
    Field("park_type", _code(40), nullable=True),
    Field("key_area_code", _code(40), nullable=True),
    Field("member_credit_codes", JSON),
)
FINDING = (
    Field("source", _code(30)),
    Field("media_level", _code(20), nullable=True),
    Field("prominent_problem", Boolean, nullable=True),  # central inspection: names a prominent problem
    Field("disclosed_on", _code(10)),
    Field("pilot_object_id", _code(36)),
    Field("enterprise_credit_code", _code(18), nullable=True),
    Field("province_code", _code(6)),
    Field("summary", Text),
    Field("reference", Text),
)


def copy_columns(shape: tuple[Field, ...], *, indexed: Collection[str] = ()) -> list[Column[Any]]:
    """The key column `id` and one column per field of the shape (fresh objects: one table each)."""
    return [Column("id", String(36), primary_key=True), *(f.column(indexed) for f in shape)]
