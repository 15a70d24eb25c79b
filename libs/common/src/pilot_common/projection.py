"""Read models of a service's own aggregates, written in the same transaction as their events.

A `Projection` names its tables and, in one explicit table, which function writes the rows of which aggregate
class (from the aggregate's state after the events just recorded). The service application runs every
projection on every saved aggregate inside the unit of work, so a read model is never ahead of or behind the
event store; `rebuild_and_compare` replays the store into scratch tables and reports any difference from the
live ones (the auditors' rebuild check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.orm import Session

RowWriter = Callable[[Any, Session], None]


class Projection:
    def __init__(self, name: str, metadata: MetaData, writers: Mapping[type[Any], RowWriter]) -> None:
        self.name = name
        self.metadata = metadata
        self.writers = dict(writers)

    @property
    def tables(self) -> list[Table]:
        return list(self.metadata.sorted_tables)

    def apply(self, aggregate: Any, session: Session) -> None:
        writer = self.writers.get(type(aggregate))
        if writer is not None:
            writer(aggregate, session)


def _norm(value: Any) -> Any:
    """Comparable across SQLite and PostgreSQL (which return dates, numbers and ids differently)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, UUID | date):
        return str(value)
    return value


def _rows(session: Session, table: Table) -> list[tuple[Any, ...]]:
    order = list(table.primary_key.columns) or list(table.columns)
    return sorted((tuple(_norm(v) for v in r) for r in session.execute(select(table).order_by(*order)).all()), key=repr)


def rebuild_and_compare(
    projections: Iterable[Projection], aggregates: Iterable[Any], live_session: Session
) -> tuple[dict[str, int], list[str]]:
    """Projects `aggregates` (rebuilt from the store) into an in-memory database; compares every table."""
    projections = list(projections)
    scratch = create_engine("sqlite://")
    for projection in projections:
        projection.metadata.create_all(scratch)
    with Session(scratch) as session:
        for aggregate in aggregates:
            for projection in projections:
                projection.apply(aggregate, session)
        session.flush()
        compared: dict[str, int] = {}
        differences: list[str] = []
        for projection in projections:
            for table in projection.tables:
                rebuilt, live = _rows(session, table), _rows(live_session, table)
                compared[table.name] = len(live)
                if rebuilt != live:
                    missing = len(set(rebuilt) - set(live))
                    extra = len(set(live) - set(rebuilt))
                    differences.append(
                        f"{table.name}: {missing} rebuilt rows not in the live table, {extra} live rows not rebuilt"
                    )
    scratch.dispose()
    return compared, differences
