"""The event store: the library's recorder contracts on our configuration, and the audit chain."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import (
    ApplicationRecorder,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    ProcessRecorderTestCase,
    TrackingRecorderTestCase,
)
from eventsourcing.utils import Environment

from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.persistence import (
    AuditedApplicationRecorder,
    AuditedProcessRecorder,
    AuditedSQLAlchemyFactory,
    event_store_env,
    verify_audit_chain,
)
from tests.platform.apps import Entry, Ledger
from tests.schema import with_platform_tables

DATABASES = ["sqlite", "postgres"]


class _OurConfiguration:
    """Recorders made the way the services make them: our factory, our environment, a fresh database."""

    database_url: str
    __test__ = False  # the contracts run in the concrete classes below, one per database

    def factory(self) -> AuditedSQLAlchemyFactory:
        url = with_platform_tables(self.database_url, "contract")
        return AuditedSQLAlchemyFactory(Environment("contract", event_store_env(url)))


@pytest.fixture(autouse=True)
def _fresh_database(request: pytest.FixtureRequest, make_database: Callable[[str, str], str]) -> None:
    kind = getattr(request.cls, "database_kind", None)
    if kind is not None:
        request.instance.database_url = make_database(kind, "contract")


class _ApplicationRecorderContract(_OurConfiguration, ApplicationRecorderTestCase[Any]):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = self.factory().application_recorder()
        assert isinstance(recorder, AuditedApplicationRecorder)
        return recorder


class _ProcessRecorderContract(_OurConfiguration, ProcessRecorderTestCase):
    def create_recorder(self) -> ProcessRecorder:
        recorder = self.factory().process_recorder()
        assert isinstance(recorder, AuditedProcessRecorder)
        return recorder


class _TrackingRecorderContract(_OurConfiguration, TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        return self.factory().tracking_recorder()


class _NonInterleavingContract(_OurConfiguration, NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> ApplicationRecorder:
        return self.factory().application_recorder()


class TestApplicationRecorderSQLite(_ApplicationRecorderContract):
    database_kind = "sqlite"
    __test__ = True


@pytest.mark.postgres
class TestApplicationRecorderPostgres(_ApplicationRecorderContract):
    database_kind = "postgres"
    __test__ = True


class TestProcessRecorderSQLite(_ProcessRecorderContract):
    database_kind = "sqlite"
    __test__ = True


@pytest.mark.postgres
class TestProcessRecorderPostgres(_ProcessRecorderContract):
    database_kind = "postgres"
    __test__ = True


class TestTrackingRecorderSQLite(_TrackingRecorderContract):
    database_kind = "sqlite"
    __test__ = True


@pytest.mark.postgres
class TestTrackingRecorderPostgres(_TrackingRecorderContract):
    database_kind = "postgres"
    __test__ = True


class TestNonInterleavingSQLite(_NonInterleavingContract):
    database_kind = "sqlite"
    __test__ = True


@pytest.mark.postgres
class TestNonInterleavingPostgres(_NonInterleavingContract):
    database_kind = "postgres"
    __test__ = True


# --- the audit chain -------------------------------------------------------------------------------------------

MINISTRY = Actor(user_id="zhang.wei", role=Role.MINISTRY, organisation="MEE")
PROVINCE = Actor(user_id="li.na", role=Role.PROVINCE, province="320000")


def _ledger_with_history(url: str) -> tuple[Ledger, list[Entry]]:
    ledger = Ledger(url)
    entries = []
    with acting(CallContext(actor=PROVINCE, correlation_id="case-001")):
        for i in range(5):
            entry = Entry(amount=i, note=f"第{i}笔")
            entries.append(entry)
        ledger.save(*entries)
    with acting(CallContext(actor=MINISTRY, correlation_id="case-001", causation_id="req-9")):
        entries[2].amend(amount=700)
        ledger.save(entries[2])
    return ledger, entries


@pytest.mark.parametrize("kind", DATABASES)
def test_every_stored_event_records_who_and_why(kind: str, make_database: Callable[[str, str], str]) -> None:
    ledger, entries = _ledger_with_history(make_database(kind, "ledger"))
    audit = ledger.audited_recorder.audit
    with ledger.reading() as session:
        rows = session.execute(
            sa.select(audit).where(audit.c.originator_id == entries[2].id).order_by(audit.c.originator_version)
        ).all()
    assert [(r.originator_version, r.actor_user_id, r.actor_role) for r in rows] == [
        (1, "li.na", "province"),
        (2, "zhang.wei", "ministry"),
    ]
    assert rows[0].actor_province == "320000"
    assert {r.correlation_id for r in rows} == {"case-001"}
    assert rows[1].causation_id == "req-9"
    assert rows[1].prev_hash == rows[0].hash
    assert len(rows[0].hash) == 64


@pytest.mark.parametrize("kind", DATABASES)
def test_untouched_store_verifies_and_an_altered_event_does_not(
    kind: str, make_database: Callable[[str, str], str]
) -> None:
    ledger, entries = _ledger_with_history(make_database(kind, "ledger"))
    clean = verify_audit_chain(ledger.audited_recorder)
    assert clean.ok, clean.problems
    assert (clean.events_checked, clean.aggregates_checked) == (6, 5)

    events = ledger.audited_recorder.events_record_cls.__table__
    target = (events.c.originator_id == entries[2].id) & (events.c.originator_version == 2)
    engine = ledger.datastore.engine
    assert engine is not None
    with engine.begin() as conn:
        state = bytes(conn.execute(sa.select(events.c.state).where(target)).scalar_one())
        conn.execute(sa.update(events).where(target).values(state=state.replace(b"700", b"7")))

    tampered = verify_audit_chain(ledger.audited_recorder)
    assert not tampered.ok
    assert [(p.code, p.originator_id, p.originator_version) for p in tampered.problems] == [
        ("HASH_MISMATCH", str(entries[2].id), 2)
    ]


@pytest.mark.parametrize("kind", DATABASES)
def test_a_deleted_event_is_detected(kind: str, make_database: Callable[[str, str], str]) -> None:
    ledger, entries = _ledger_with_history(make_database(kind, "ledger"))
    events = ledger.audited_recorder.events_record_cls.__table__
    engine = ledger.datastore.engine
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(
            sa.delete(events).where((events.c.originator_id == entries[2].id) & (events.c.originator_version == 1))
        )
    result = verify_audit_chain(ledger.audited_recorder, originator_id=entries[2].id)
    assert [(p.code, p.originator_version) for p in result.problems] == [("MISSING_EVENT", 1)]


# --- the order of notifications ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_reader_following_notification_ids_misses_none_while_commands_commit_together(
    make_database: Callable[[str, str], str],
) -> None:
    """What the relay relies on: a reader that keeps taking the notifications after the last one it saw gets every
    event once, while several writers commit at the same time (the events table is locked from the insert to the
    commit, so ids commit in order); and the Merkle log has one leaf per event, in notification order."""
    ledger = Ledger(make_database("postgres", "order"))
    writers, saves = 6, 50
    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)

    def write(w: int) -> None:
        start.wait()
        try:
            for n in range(saves):
                entry = ledger.record(n, note=f"{w}")
                entry.amend(amount=n + 1)
                ledger.save(entry)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    start.wait()
    seen: list[int] = []
    while True:
        writing = any(t.is_alive() for t in threads)
        last = seen[-1] if seen else None
        seen += [n.id for n in ledger.recorder.select_notifications(last, 1000, inclusive_of_start=last is None)]
        if not writing:
            break
    assert not errors
    stored = [n.id for n in ledger.recorder.select_notifications(None, 10 * writers * saves)]
    assert len(stored) == 2 * writers * saves
    assert seen == stored
    merkle = ledger.audited_recorder.merkle
    engine = ledger.datastore.engine
    assert engine is not None
    with engine.connect() as conn:
        leaves = conn.execute(sa.select(merkle.c.leaf_index, merkle.c.notification_id).order_by(merkle.c.leaf_index))
        assert [tuple(row) for row in leaves] == list(enumerate(stored))


@pytest.mark.parametrize("kind", DATABASES)
def test_a_save_that_rolls_back_leaves_no_link_in_the_chain(
    kind: str, make_database: Callable[[str, str], str]
) -> None:
    """Each process remembers the hash of the last event it committed of an aggregate, so that the next one needs no
    SELECT of it: a version that was written and rolled back must not become a later event's previous hash."""
    url = make_database(kind, "rolled_back")
    with closing(Ledger(url)) as ledger, closing(Ledger(url)) as other_process:
        entry = ledger.record(1)
        with pytest.raises(RuntimeError), ledger.unit_of_work():
            entry.amend(amount=500)
            ledger.save(entry)  # version 2, rolled back below
            raise RuntimeError("the command fails after its save")
        theirs = other_process.repository.get(entry.id)
        theirs.amend(amount=2)
        other_process.save(theirs)  # version 2, committed by another process
        ours = ledger.repository.get(entry.id)
        ours.amend(amount=3)
        ledger.save(ours)  # version 3: its previous hash is the other process's version 2
        result = verify_audit_chain(ledger.audited_recorder)
        assert result.ok, result.problems
        assert result.events_checked == 3


@pytest.mark.parametrize("kind", DATABASES)
def test_listeners_hear_of_new_events_once_they_are_committed(
    kind: str, make_database: Callable[[str, str], str]
) -> None:
    """The relay is woken this way: woken before the commit, it would find nothing new and wait."""
    with closing(Ledger(make_database(kind, "listeners"))) as ledger:
        engine = ledger.datastore.engine
        assert engine is not None
        heard: list[int] = []

        def stored() -> None:  # on a connection of its own, as the relay reads
            with engine.connect() as connection:
                heard.append(connection.execute(sa.text("SELECT count(*) FROM ledger_events")).scalar_one())

        ledger.on_recorded(stored)
        ledger.record(1)
        with ledger.unit_of_work():
            ledger.record(2)
            ledger.record(3)
            assert len(heard) == 1  # not yet: still in the transaction
        with pytest.raises(RuntimeError), ledger.unit_of_work():
            ledger.record(4)
            raise RuntimeError("rolled back")
        with ledger.reading() as session:  # a read's commit is not news either
            session.execute(sa.text("SELECT 1"))
        assert heard == [1, 3]  # each time the committed events were there to be read


# --- read transactions ----------------------------------------------------------------------------------------


def test_reads_leave_the_connection_its_prepared_statements(make_database: Callable[[str, str], str]) -> None:
    """psycopg prepares a statement on a connection after its fifth run there, and forgets all it prepared after a
    ROLLBACK. A read ends with COMMIT, so reads in between do not make the next commands plan their statements
    anew."""
    with closing(Ledger(make_database("postgres", "prepared"))) as ledger:
        lookup = sa.text("SELECT count(*) FROM ledger_events WHERE originator_version > :version")
        backends = set()
        for _ in range(8):
            with ledger.reading() as session:
                session.execute(lookup, {"version": 0})
                backends.add(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
        with ledger.reading() as session:
            prepared = session.execute(sa.text("SELECT statement FROM pg_prepared_statements")).scalars().all()
        assert len(backends) == 1  # one connection throughout (nothing else uses the pool)
        assert any("originator_version > $1" in statement for statement in prepared), prepared


@pytest.mark.parametrize("kind", DATABASES)
def test_a_read_inside_a_unit_of_work_commits_nothing_of_it(
    kind: str, make_database: Callable[[str, str], str]
) -> None:
    with closing(Ledger(make_database(kind, "nested"))) as ledger:
        entry = Entry(amount=1, note="never kept")
        with pytest.raises(RuntimeError), ledger.unit_of_work():
            ledger.save(entry)
            with ledger.reading() as session:
                session.execute(sa.text("SELECT 1"))
            raise RuntimeError("the command fails after its read")
        assert ledger.recorder.select_notifications(None, 10) == []
        with ledger.reading() as session:  # and a read of its own still ends cleanly
            assert session.execute(sa.text("SELECT count(*) FROM ledger_events")).scalar_one() == 0
