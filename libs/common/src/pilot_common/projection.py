"""Read models of a service's own events, kept in the same transaction as the events themselves.

A `Projection` names its tables and, in one explicit table, which function applies which event class. The
service application runs every projection on every recorded event inside the unit of work, so a read model is
never ahead of or behind the event store; `rebuild_and_compare` replays the store into scratch tables and
reports any difference from the live ones (the auditors' rebuild check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.orm import Session

EventApplier = Callable[[Any, Session], None]


class Projection:
    def __init__(self, name: str, metadata: MetaData, appliers: Mapping[type[Any], EventApplier]) -> None:
        self.name = name
        self.metadata = metadata
        self.appliers = dict(appliers)

    @property
    def tables(self) -> list[Table]:
        return list(self.metadata.sorted_tables)

    def apply(self, domain_event: Any, session: Session) -> None:
        applier = self.appliers.get(type(domain_event))
        if applier is not None:
            applier(domain_event, session)


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
    projections: Iterable[Projection], domain_events: Iterable[Any], live_session: Session
) -> tuple[dict[str, int], list[str]]:
    """Replays `domain_events` into an in-memory database and compares every projected table with the live one."""
    projections = list(projections)
    scratch = create_engine("sqlite://")
    for projection in projections:
        projection.metadata.create_all(scratch)
    with Session(scratch) as session:
        for event in domain_events:
            for projection in projections:
                projection.apply(event, session)
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
