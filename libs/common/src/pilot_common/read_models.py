"""Read models of a service's own aggregates, written in the same transaction as their events.

A `ReadModel` names its tables and, in one explicit table, which function writes the rows of which aggregate
class (from the aggregate's state after the events just recorded). The service application runs every
projection on every saved aggregate inside the unit of work, so a read model is never ahead of or behind the
event store; `rebuild_and_compare` replays the store into scratch tables and reports any difference from the
live ones (the auditors' rebuild check).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, bindparam, create_engine, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

RowWriter = Callable[[Any, Session], None]


class ReadModel:
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


def replace_row(session: Session, table: Table, row: Mapping[str, Any]) -> None:
    """Writes the row, replacing the one with the same primary key: one upsert (PostgreSQL and SQLite) rather than a
    DELETE and an INSERT on every event. Inside :func:`batched_rows` the row waits for the batch's end (the last row
    of a key wins), so that a save of many aggregates sends one executemany per table, not one statement per row."""
    pending: dict[tuple[Table, tuple[str, ...]], dict[tuple[Any, ...], Mapping[str, Any]]] | None = session.info.get(
        _PENDING_ROWS
    )
    if pending is None:
        replace_rows(session, table, [row])
        return
    key = tuple(row[c.name] for c in table.primary_key.columns)
    pending.setdefault((table, tuple(row)), {})[key] = row


def replace_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Upserts rows that all name the same columns: one statement (an executemany for several rows), built once
    per table and columns so that SQLAlchemy compiles it once."""
    if not rows:
        return
    statement = _upsert(session.get_bind().dialect, table, tuple(rows[0]))
    session.execute(statement, list(rows) if len(rows) > 1 else dict(rows[0]))


@contextmanager
def batched_rows(session: Session) -> Iterator[None]:
    """Rows written by :func:`replace_row` inside the block are sent at its end, grouped by table (nested blocks
    share the outer one). Nothing in the block may read back a row it wrote."""
    if _PENDING_ROWS in session.info:
        yield
        return
    session.info[_PENDING_ROWS] = {}
    try:
        yield
    finally:
        pending = session.info.pop(_PENDING_ROWS)  # dropped on an error: the transaction is rolled back anyway
    for (table, _columns), rows in pending.items():
        replace_rows(session, table, list(rows.values()))


_PENDING_ROWS = "pilot_projection_pending_rows"

#: Rows waiting in a `batched_rows` block: per (table, columns), the last row of each primary key.
PendingRows = list[tuple[Table, tuple[str, ...], list[Mapping[str, Any]]]]


def take_pending_rows(session: Session, at_most: int) -> PendingRows:
    """The rows waiting in the session's `batched_rows` block, taken out of it (the caller writes them in its own
    statement, in the same transaction), if there are at most `at_most` and each table has one column set; else
    none are taken."""
    pending: dict[tuple[Table, tuple[str, ...]], dict[tuple[Any, ...], Mapping[str, Any]]] | None = session.info.get(
        _PENDING_ROWS
    )
    if not pending or sum(len(rows) for rows in pending.values()) > at_most:
        return []
    if len({table for table, _columns in pending}) < len(pending):
        return []  # a table written with two column sets: one statement must not touch a row twice
    taken = [(table, columns, list(rows.values())) for (table, columns), rows in pending.items()]
    pending.clear()
    return taken


def upsert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...], rows: int = 1, prefix: str = "") -> str:
    """`INSERT ... VALUES ... ON CONFLICT (key) DO UPDATE` of `rows` rows, with parameters named
    `{prefix}{column}` (one row) or `{prefix}{n}_{column}` (several): same text on PostgreSQL and SQLite ≥ 3.24."""
    quote = dialect.identifier_preparer.quote
    keys = [c.name for c in table.primary_key.columns]
    changed = [name for name in columns if name not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in changed)
        if changed
        else "DO NOTHING"
    )
    names = (
        [[f"{prefix}{c}" for c in columns]]
        if rows == 1
        else [[f"{prefix}{n}_{c}" for c in columns] for n in range(rows)]
    )
    values = ", ".join("(" + ", ".join(f":{name}" for name in row) + ")" for row in names)
    return (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {values} ON CONFLICT ({', '.join(quote(k) for k in keys)}) {action}"
    )


def upsert_binds(table: Table, columns: tuple[str, ...], rows: int = 1, prefix: str = "") -> list[Any]:
    """The typed bound parameters of :func:`upsert_sql` (JSON columns are encoded as the table says)."""
    if rows == 1:
        return [bindparam(f"{prefix}{c}", type_=table.c[c].type) for c in columns]
    return [bindparam(f"{prefix}{n}_{c}", type_=table.c[c].type) for n in range(rows) for c in columns]


def upsert_params(columns: tuple[str, ...], rows: Sequence[Mapping[str, Any]], prefix: str = "") -> dict[str, Any]:
    if len(rows) == 1:
        return {f"{prefix}{c}": rows[0][c] for c in columns}
    return {f"{prefix}{n}_{c}": row[c] for n, row in enumerate(rows) for c in columns}


@lru_cache(maxsize=512)
def _upsert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> Any:
    # Written as text: SQLAlchemy does not cache the compiled form of its PostgreSQL/SQLite INSERT ... ON CONFLICT
    # (compiling it anew took as long as running it).
    return text(upsert_sql(dialect, table, columns)).bindparams(*upsert_binds(table, columns))


def _norm(value: Any) -> Any:
    """Comparable across SQLite and PostgreSQL (which return dates, numbers and ids differently, and may keep a JSON
    object's keys in another order)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, UUID | date):
        return str(value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _norm_json(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_norm_json(v) for v in value)
    return value


def _norm_json(value: Any) -> Any:
    # Inside JSON, 3 and 3.0 are the same number (as they were when rows were compared by equality).
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return _norm(value)


_MASK = (1 << 128) - 1


def _row_digest(row: Any) -> bytes:
    return hashlib.blake2b(repr(tuple(_norm(v) for v in row)).encode(), digest_size=16).digest()


def _table_digest(session: Session, table: Table) -> tuple[int, int]:
    """(rows, an order-free digest of them: the sum of the rows' hashes), streamed: constant memory at any size."""
    count, total = 0, 0
    for row in session.execute(select(table), execution_options={"yield_per": 2000}):
        total = (total + int.from_bytes(_row_digest(row), "big")) & _MASK
        count += 1
    return count, total


def _row_digests(session: Session, table: Table) -> Counter[bytes]:
    return Counter(_row_digest(row) for row in session.execute(select(table), execution_options={"yield_per": 2000}))


def rebuild_and_compare(
    projections: Iterable[ReadModel], aggregates: Iterable[Any], live_session: Session, batch: int = 1000
) -> tuple[dict[str, int], list[str]]:
    """Projects `aggregates` (rebuilt from the store, streamed) into scratch tables in a temporary SQLite file and
    compares every table with the live one by an order-free digest of its rows, so that memory stays flat at any
    store size; only a table that differs is compared row by row (its row hashes), to say how much differs."""
    projections = list(projections)
    with tempfile.TemporaryDirectory(prefix="rebuild-") as folder:
        scratch = create_engine(f"sqlite:///{folder}/scratch.db")
        for projection in projections:
            projection.metadata.create_all(scratch)
        with Session(scratch) as session:
            for n, aggregate in enumerate(aggregates, 1):
                for projection in projections:
                    projection.apply(aggregate, session)
                if n % batch == 0:
                    session.commit()
            session.commit()
            compared: dict[str, int] = {}
            differences: list[str] = []
            for projection in projections:
                for table in projection.tables:
                    rebuilt, live = _table_digest(session, table), _table_digest(live_session, table)
                    compared[table.name] = live[0]
                    if rebuilt != live:
                        rebuilt_rows, live_rows = _row_digests(session, table), _row_digests(live_session, table)
                        missing = sum((rebuilt_rows - live_rows).values())
                        extra = sum((live_rows - rebuilt_rows).values())
                        differences.append(
                            f"{table.name}: {missing} rebuilt rows not in the live table, {extra} live rows not rebuilt"
                        )
        scratch.dispose()
    return compared, differences
