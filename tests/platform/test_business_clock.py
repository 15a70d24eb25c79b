"""The business clock on the real PostgreSQL (DESIGN "Time"): kept in the service's database, it resumes after a
restart, never runs backwards, moves forward to a later configured start or on request, and every event records it
beside its recorded time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, delete, select

from application_intake.migrations import MIGRATIONS
from pilot_common.aggregate import AuditedAggregate, business_time_of
from pilot_common.clock import PersistedClock, business_clock, using_clock
from pilot_common.migrations import migrate

BEIJING = ZoneInfo("Asia/Shanghai")
IN_WINDOW = datetime(2023, 3, 20, 9, 0, tzinfo=BEIJING)
AFTER_DEADLINE = datetime(2023, 4, 8, 9, 0, tzinfo=BEIJING)


class Note(AuditedAggregate):
    def __init__(self, text: str) -> None:
        self.text = text


def _database(postgres_server: Any, name: str) -> str:
    url = str(postgres_server.create_database(name))
    migrate(MIGRATIONS, url)  # the clock's table comes with the service's migrations
    return url


def test_a_restart_resumes_the_clock_and_never_runs_it_backwards(postgres_server: Any, unique_name: str) -> None:
    engine = create_engine(_database(postgres_server, f"{unique_name}_clock"))
    first = PersistedClock(engine, IN_WINDOW)
    before = first.now()
    assert IN_WINDOW <= before < IN_WINDOW + timedelta(minutes=1)

    # A restart with the same configured start (the old bug: back to 09:00) resumes after what was handed out.
    again = PersistedClock(engine, IN_WINDOW)
    assert again.now() >= before
    # An earlier start is ignored; a later one moves the clock forward (how a replayed batch passes its deadline).
    assert PersistedClock(engine, datetime(2020, 1, 1, tzinfo=UTC)).now() >= before
    moved = PersistedClock(engine, AFTER_DEADLINE)
    assert AFTER_DEADLINE <= moved.now() < AFTER_DEADLINE + timedelta(minutes=1)
    # Asking to go back changes nothing; forward is kept for the next start.
    assert moved.advance_to(IN_WINDOW) >= AFTER_DEADLINE
    later = datetime(2023, 6, 1, 9, 0, tzinfo=BEIJING)
    assert moved.advance_to(later) == later
    assert PersistedClock(engine).now() >= later
    with engine.connect() as connection:
        assert connection.execute(select(business_clock)).all()[0].id == 1  # one row per database
    engine.dispose()


def test_processes_starting_together_share_one_clock(postgres_server: Any, unique_name: str) -> None:
    """Worker processes of one service (PILOT_WORKERS) start at the same moment on a fresh database: every one
    starts, on one row, at the configured start (a duplicate key once stopped one of two workers)."""
    engine = create_engine(_database(postgres_server, f"{unique_name}_clock_race"), pool_size=8)
    starters = 8
    together = threading.Barrier(starters)

    def start() -> datetime:
        together.wait()
        return PersistedClock(engine, IN_WINDOW).now()

    with ThreadPoolExecutor(starters) as pool:
        for _ in range(10):
            with engine.begin() as connection:
                connection.execute(delete(business_clock))  # a first start again
            nows = list(pool.map(lambda _: start(), range(starters)))
            assert all(IN_WINDOW <= now < IN_WINDOW + timedelta(minutes=1) for now in nows)
            with engine.connect() as connection:
                assert len(connection.execute(select(business_clock)).all()) == 1
    engine.dispose()


def test_every_event_records_business_time_beside_its_recorded_time(postgres_server: Any, unique_name: str) -> None:
    engine = create_engine(_database(postgres_server, f"{unique_name}_clock_events"))
    clock = PersistedClock(engine, IN_WINDOW)
    with using_clock(clock):
        note = Note(text="2023年批次的事")
    (created,) = note.collect_events()
    business = business_time_of(created)
    assert business is not None and business.astimezone(BEIJING).date().isoformat() == "2023-03-20"
    recorded: datetime = vars(created)["timestamp"]
    # The row is written now (recorded time); it happened on 2023-03-20 in the programme's calendar.
    assert abs(recorded - datetime.now(UTC)) < timedelta(minutes=5) and recorded > business
    engine.dispose()
