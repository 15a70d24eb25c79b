"""Business time: when, in the programme's calendar, a thing happened (DESIGN "Time").

Two times, never mixed: **business time** (submission, deadline, publication, a pilot's start) comes from the
deployment's business clock; **recorded time** (when the row was written) is the event's own timestamp. A batch
with fixed dates (batch 2: 2023-03-03 to 2023-04-07) is replayed by starting the business clock at a chosen
instant (`PILOT_CLOCK_START`); it then runs at normal speed.

The business clock never runs backwards, also across restarts: :class:`PersistedClock` keeps its offset from the
real clock and the latest business time it has handed out in the database (`business_clock`), and a restart
resumes from there. A configured start later than that moves the clock forward (how a replayed batch passes its
deadline); an earlier one is ignored. :meth:`PersistedClock.advance_to` moves it forward while running.

The clock of the call being served is set for the domain (:func:`business_clock`, :func:`using_clock`), so every
event records the business time of the command that made it without the domain reading a clock of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """A clock offset from the real one (kept in memory only: for tests and one-off tools)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone, e.g. 2023-03-20T09:00:00+08:00")
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def clock_starting(start: datetime | None) -> Clock:
    return ShiftedClock(start) if start is not None else SystemClock()


# --- the persisted business clock ----------------------------------------------------------------------------

clock_metadata = MetaData()

#: One row: the business clock's offset from the real clock and the latest business time it handed out.
business_clock = Table(
    "business_clock",
    clock_metadata,
    Column("id", Integer, primary_key=True),
    Column("offset_us", BigInteger, nullable=False),  # business time = real time + offset (microseconds)
    Column("high_water", String(40), nullable=False),  # ISO 8601 UTC: never hand out anything earlier
)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class PersistedClock:
    """The deployment's business clock, resumed from the database on start (see the module docstring)."""

    _ROW = 1

    def __init__(self, engine: Engine, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone, e.g. 2023-03-20T09:00:00+08:00")
        self._engine = engine
        self._lock = threading.Lock()
        real = datetime.now(UTC)
        with engine.begin() as connection:
            if self._created(connection, real, start):
                return
            # Locked: processes of one service starting together (PILOT_WORKERS) resume one after the other.
            row = connection.execute(
                select(business_clock).where(business_clock.c.id == self._ROW).with_for_update()
            ).one()
            self._offset = timedelta(microseconds=int(row.offset_us))
            self._high_water = datetime.fromisoformat(str(row.high_water))
            resumed = max(real + self._offset, self._high_water)
            if start is not None and start > resumed:
                resumed = start
            elif start is not None and start < resumed:
                log.info("business clock resumes at %s; the configured start %s is earlier", resumed, start)
            self._offset = resumed - real
            self._high_water = resumed
            connection.execute(update(business_clock).where(business_clock.c.id == self._ROW).values(**self._row()))

    def _created(self, connection: Connection, real: datetime, start: datetime | None) -> bool:
        """The clock's row, created if this is the database's first start. Another process of the service may be
        creating it at the same moment: its insert waits for ours, fails, and it resumes from our row (two workers
        starting together once failed here with a duplicate key, and one of them did not serve)."""
        if connection.execute(select(business_clock.c.id).where(business_clock.c.id == self._ROW)).first():
            return False
        self._offset = (start - real) if start is not None else timedelta(0)
        self._high_water = real + self._offset
        try:
            with connection.begin_nested():
                connection.execute(insert(business_clock).values(id=self._ROW, **self._row()))
        except IntegrityError:
            return False
        return True

    def _row(self) -> dict[str, object]:
        return {"offset_us": _us(self._offset), "high_water": self._high_water.astimezone(UTC).isoformat()}

    def now(self) -> datetime:
        with self._lock:
            current = max(datetime.now(UTC) + self._offset, self._high_water)
            self._high_water = current
            return current

    def advance_to(self, target: datetime) -> datetime:
        """Moves business time forward to ``target`` (never backwards); returns the business time now."""
        if target.tzinfo is None:
            raise ValueError("the target needs a time zone")
        with self._lock:
            real = datetime.now(UTC)
            current = max(real + self._offset, self._high_water)
            if target > current:
                self._offset = target - real
                current = target
            self._high_water = current
            with self._engine.begin() as connection:
                connection.execute(update(business_clock).where(business_clock.c.id == self._ROW).values(**self._row()))
            return current

    def checkpoint(self) -> None:
        """Persists the latest business time handed out (called on shutdown, so a restart resumes after it)."""
        with self._lock, self._engine.begin() as connection:
            connection.execute(update(business_clock).where(business_clock.c.id == self._ROW).values(**self._row()))


# --- the clock of the call being served ----------------------------------------------------------------------

_current: ContextVar[Clock | None] = ContextVar("business_clock", default=None)
_default: list[Clock] = [SystemClock()]


def set_default_clock(clock: Clock) -> None:
    """The process's business clock (a service sets it at start; the embedded default shares one)."""
    _default[0] = clock


def business_clock_now() -> datetime:
    """Business time now, from the clock of the call being served or the process's clock."""
    return (_current.get() or _default[0]).now()


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
