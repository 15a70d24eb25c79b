"""The eventsourcing application each service is built on, and the table of handlers for incoming events.

A service's application is an `EventSourcedProjection`: it records its own aggregates' events and also processes
other services' envelopes with a tracking record, so that one incoming event, the new events it causes, the
read-model rows it writes and its tracking record are committed in one transaction.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent, project_aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    ProcessRecorder,
    Recording,
    StoredEvent,
    Tracking,
    Transcoding,
)
from eventsourcing.projection import EventSourcedProjection
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.datastore import transactions as _open_transaction
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import Engine, Result, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from pilot_common.clock import Clock, SystemClock, using_clock
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.envelope import EventEnvelope
from pilot_common.observability import STORE_APPEND
from pilot_common.persistence import AuditedProcessRecorder, event_store_env
from pilot_common.publishing import NOTHING_PUBLISHED, PublicationTable
from pilot_common.read_models import ReadModel, batched_rows, rebuild_and_compare
from pilot_common.violations import DomainRuleViolation, ViolationKind

T = TypeVar("T")
R = TypeVar("R")


def _unchanged(entry: tuple[int, Any]) -> bool:
    """A cached (version, aggregate) not changed since it was cached (by whoever holds it): the committed state."""
    return bool(entry[1].version == entry[0])


class HandlerTableError(Exception):
    """The handler table does not match the events the service consumes (raised at startup)."""


class UnknownEventType(Exception):
    """An event arrived that the handler table neither handles nor ignores."""


@dataclass
class Handling:
    """What a handler gets besides the parsed event: the envelope's metadata (aggregate id and version, time) and
    where to put new events and read-model rows."""

    app: ServiceApplication
    processing_event: ProcessingEvent[UUID]
    session: Session
    envelope: EventEnvelope

    def collect(self, *aggregates: Any) -> None:
        """New events of these aggregates are recorded with the tracking record."""
        self.processing_event.collect_events(*aggregates)


#: A handler takes the parsed public model of its event type (a subclass of IntegrationEvent).
Handler = Callable[[Any, Handling], None]


class HandlerTable:
    """Which handler takes which incoming event type: one explicit table per service, one handler per type.

    `handles` maps a published model (e.g. `FindingRecorded`) to its handler, which receives the message parsed
    into that model; `ignores` names the types of the consumed topics that the service deliberately does nothing
    with.
    """

    def __init__(self, handles: Mapping[type[IntegrationEvent], Handler], ignores: Iterable[str] = ()) -> None:
        self.models = {model.event_type: model for model in handles}
        self.handles = {model.event_type: handler for model, handler in handles.items()}
        self.ignores = frozenset(ignores)
        both = self.ignores & self.handles.keys()
        if both:
            raise HandlerTableError(f"event types both handled and ignored: {sorted(both)}")

    def check(self, published: Mapping[str, Iterable[str]]) -> None:
        """Fails loudly unless every type published on the consumed topics is handled or ignored, and every
        entry names a type that is actually published. `published` maps an upstream service to its types."""
        known = {t for types in published.values() for t in types}
        unhandled = sorted(known - self.handles.keys() - self.ignores)
        unknown = sorted((self.handles.keys() | self.ignores) - known)
        not_callable = sorted(t for t, h in self.handles.items() if not callable(h))
        problems = []
        if unhandled:
            problems.append(f"no handler (nor ignore entry) for {unhandled}")
        if unknown:
            problems.append(f"entries for event types nobody publishes: {unknown}")
        if not_callable:
            problems.append(f"handlers that are not callable: {not_callable}")
        if problems:
            raise HandlerTableError("; ".join(problems))

    def handler_for(self, event_type: str) -> Handler | None:
        if event_type in self.ignores:
            return None
        try:
            return self.handles[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def parse(self, envelope: EventEnvelope) -> IntegrationEvent | None:
        """The message's public model at its current version (upcast if older), or None when the type is
        ignored. Raises ContractViolation when the data does not validate (it never will: dead-letter it)."""
        if envelope.type in self.ignores:
            return None
        model = self.models.get(envelope.type)
        if model is None:
            raise UnknownEventType(envelope.type)
        return model.parse(envelope.data, envelope.schemaversion)

    @property
    def upstream_types(self) -> frozenset[str]:
        return frozenset(self.handles) | self.ignores


class DateAsISO(Transcoding):
    """Calendar dates (deadlines, finding dates) in events, as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_handling_session: ContextVar[Session | None] = ContextVar("handling_session", default=None)


@dataclass
class _CommandRun:
    """One attempt of one command: the aggregates it took from the cache (id -> version) and those it saved."""

    hits: dict[UUID, int]
    saved: dict[UUID, Any]


_command_run: ContextVar[_CommandRun | None] = ContextVar("command_run", default=None)
#: In a session's info: it recorded new events, for `on_recorded` listeners once it commits.
_RECORDED = "pilot_events_recorded"


class _StaleCache(Exception):
    """An aggregate taken from the cache and not saved was not the stored one: run the command again."""


class ServiceApplication(EventSourcedProjection[UUID]):
    """Base of each service's eventsourcing application (named after the service in each service)."""

    #: The service name: topic `<service>.events`, envelope source and tracking prefix.
    service: ClassVar[str]
    #: Which stored events the relay publishes, and as what (the rest are internal).
    publications: ClassVar[PublicationTable] = NOTHING_PUBLISHED

    def __init__(
        self, database_url: str, handlers: HandlerTable | None = None, projections: Sequence[ReadModel] = ()
    ) -> None:
        if self.publications.topics and self.publications.service != self.service:
            raise ValueError(f"{self.service} publishes with {self.publications.service}'s publication table")
        super().__init__(env=event_store_env(database_url))
        self.handlers = handlers or HandlerTable({})
        self.projections = list(projections)
        #: Business time (DESIGN "Time"); the composition root sets the deployment's persisted clock.
        self.clock: Clock = SystemClock()
        self._recorded_listeners: list[Callable[[], None]] = []
        self._aggregates: OrderedDict[UUID, tuple[int, Any]] = OrderedDict()
        # Committed copies that may be behind the store (evicted from `_aggregates` because another process or a
        # consumer stored a later event): a command reads only the events after them (see `get_aggregate`).
        self._behind: OrderedDict[UUID, Any] = OrderedDict()
        self._aggregates_lock = threading.Lock()

    def story_aggregates(self, application_id: str) -> list[tuple[UUID, bool]]:
        """The aggregates with events about an application, each with whether all its events are (True) or only
        those naming the application (False). By default: the application's own aggregate, if this service
        has one."""
        try:
            aggregate_id = UUID(application_id)
        except ValueError:
            return []
        return [(aggregate_id, True)] if aggregate_id in self.repository else []

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        # Events and the read-model rows projected from them commit together.
        with self.unit_of_work():
            return super().save(*objs, **kwargs)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        run = _command_run.get()
        # An aggregate passed to save() with no new event (e.g. a quota releasing a slot its stale copy did not
        # hold) was not written, so no insert can refuse a stale copy: it stays a hit, checked before the commit.
        changed = {e.originator_id for e in processing_event.events}
        for aggregate_id, aggregate in processing_event.aggregates.items():
            if aggregate_id not in changed:
                continue
            if run is not None:
                run.saved[aggregate_id] = aggregate  # cached once the command's transaction has committed
            else:
                self._forget(aggregate_id)  # changed outside a command (a consumer's handler): read it afresh
        # The read-model rows are projected first and wait in the batch: a command's few rows go into the statement
        # that inserts its events (PostgreSQL), the rows of a save of many aggregates follow it as one executemany
        # per table. Either way in this transaction.
        with (
            STORE_APPEND.labels(self.service).time(),
            self.unit_of_work() as session,
            batched_rows(session),
        ):
            for aggregate in processing_event.aggregates.values():
                for projection in self.projections:
                    projection.apply(aggregate, session)
            recordings = super()._record(processing_event)
        return recordings

    def all_aggregates(self, batch: int = 500) -> Iterator[Any]:
        """Every aggregate of this service, rebuilt from its events, streamed: one query for the ids of a batch of
        aggregates and one for their events (not one per aggregate)."""
        audit = self.audited_recorder.audit
        events = self.audited_recorder.events_record_cls.__table__
        last: Any = None
        while True:
            with self.reading() as session:
                query = select(audit.c.originator_id).distinct().order_by(audit.c.originator_id).limit(batch)
                if last is not None:
                    query = query.where(audit.c.originator_id > last)
                ids = list(session.execute(query).scalars())
                if not ids:
                    return
                rows = session.execute(
                    select(events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state)
                    .where(events.c.originator_id.in_(ids))
                    .order_by(events.c.originator_id, events.c.originator_version)
                ).all()
            by_aggregate: dict[Any, list[Any]] = {}
            for row in rows:
                stored = StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
                by_aggregate.setdefault(row.originator_id, []).append(self.mapper.to_domain_event(stored))
            for aggregate_id in ids:
                if aggregate_id in by_aggregate:
                    yield project_aggregate(None, by_aggregate.pop(aggregate_id))
            last = ids[-1]

    def rebuild_check(self) -> tuple[dict[str, int], list[str]]:
        """Rebuilds this service's own read models from the store and compares them with the live ones."""
        with self.reading() as session:
            return rebuild_and_compare(self.projections, self.all_aggregates(), session)

    def on_recorded(self, listener: Callable[[], None]) -> None:
        """Calls `listener` after each commit of new events (e.g. to wake the relay at once)."""
        if not self._recorded_listeners:  # one listener on every session of the store, not one per transaction
            sa_event.listen(self.datastore.session_maker, "after_commit", self._after_commit)
        self._recorded_listeners.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        super()._notify(recordings)
        if not recordings or not self._recorded_listeners:
            return
        # The library notifies inside the unit of work, before its commit: a relay woken then finds nothing new
        # and waits for its next wake-up or idle pause. The listeners run once the transaction has committed.
        transaction = _open_transaction.get(None)
        if transaction is not None and transaction.nested_level > 0:
            transaction.session.info[_RECORDED] = True  # see `_after_commit`
        else:
            self._call_listeners()

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(_RECORDED, False):
            self._call_listeners()

    def _call_listeners(self) -> None:
        for listener in self._recorded_listeners:
            listener()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @property
    def datastore(self) -> SQLAlchemyDatastore:
        return cast(SQLAlchemyFactory, self.factory).datastore

    @property
    def audited_recorder(self) -> AuditedProcessRecorder:
        return cast(AuditedProcessRecorder, self.recorder)

    @property
    def process_recorder(self) -> ProcessRecorder:
        return self.recorder

    # --- commands: one transaction each, aggregates cached between them ------------------------------------------
    #
    # A command runs in one transaction (its reads, its events, their audit rows and leaves, its read-model rows).
    # The aggregates it saves are cached after the commit, as they are, with no fast-forward: a command takes a copy
    # of the cached aggregate instead of selecting and replaying its events. Safe across processes and threads
    # because a cached aggregate can only be stale if someone else stored a later event of it, and then:
    # - if the command saves it, its next version already exists: the insert's unique (originator_id,
    #   originator_version) refuses it (IntegrityError), the aggregate is evicted and the command run again on the
    #   stored state;
    # - if the command refuses (any exception), it is run again on the stored state when a cached aggregate took
    #   part (a refusal must not come from a stale copy);
    # - if the command took it but stored no event of it (not saved, or saved unchanged), its version is checked
    #   before the commit.
    # Outside commands (queries, consumers' handlers) aggregates are always read from the store.
    #
    # An evicted aggregate is not thrown away: a copy cached after a commit is the stored state up to its version
    # for ever (events are only appended), so it is kept aside and the next command that needs it reads only the
    # events after that version (one SELECT of the few new events instead of all of them: an aggregate that every
    # worker changes, such as a province's quota, is otherwise replayed in full after each change by another
    # worker). A command that must decide on the current state (`get_aggregate(..., current=True)`) catches up its
    # cached copy that way before using it, rather than risk a conflict and a second attempt.

    AGGREGATES_CACHED = 10_000

    def run_command(self, call: Callable[[], T], attempts: int = 1, busy: Callable[[], Exception] | None = None) -> T:
        """Runs `call` as one command (see above). A conflict (IntegrityError) on stored state is retried up to
        `attempts` times in all, then raises `busy()` if given (else the conflict itself)."""
        if _command_run.get() is not None:
            return call()  # a command inside a command: the outer one's transaction and cache
        conflicts = 0
        rerun_fresh = False  # a cached aggregate took part in a failed attempt: run once more on stored state
        while True:
            run = _CommandRun(hits={}, saved={})
            token = _command_run.set(run)
            try:
                with self.unit_of_work() as session:
                    result = call()
                    self._check_unsaved_hits(session, run)
            except _StaleCache:
                self._forget_run(run)
                continue
            except IntegrityError:
                self._forget_run(run)
                if run.hits and not rerun_fresh:
                    rerun_fresh = True
                    continue
                conflicts += 1
                if conflicts < attempts:
                    continue
                if busy is not None:
                    raise busy() from None
                raise
            except Exception:
                self._forget_run(run)
                if run.hits and not rerun_fresh:
                    rerun_fresh = True
                    continue
                raise
            finally:
                _command_run.reset(token)
            self._check_in(run)
            return result

    def get_aggregate(self, aggregate_id: UUID, current: bool = False) -> Any:
        """The aggregate (AggregateNotFoundError if none): inside a command a copy of the cached one when there is
        one, else read from the store (only the events after a copy that fell behind, when one is kept). `current`:
        the cached copy too is brought up to the stored state first (one SELECT of the events after it), for an
        aggregate other workers are likely to have changed."""
        run = _command_run.get()
        if run is None:
            return self.repository.get(aggregate_id)
        base = None
        with self._aggregates_lock:
            entry = self._aggregates.get(aggregate_id)
            if entry is not None and not _unchanged(entry):  # changed since it was cached: not to be trusted
                self._aggregates.pop(aggregate_id)
                entry = None
            if entry is None:
                base = self._behind.get(aggregate_id)
        if entry is not None:
            version, aggregate = entry
            if not current:
                run.hits[aggregate_id] = version
                return copy.deepcopy(aggregate)
            base = aggregate
        if base is None:
            return self.repository.get(aggregate_id)
        # Read from the store as `repository.get` does, but only the events after the committed copy.
        caught_up = project_aggregate(copy.deepcopy(base), self.events.get(aggregate_id, gt=base.version))
        if caught_up is None:  # pragma: no cover - a copy of a stored aggregate always projects to one
            raise AggregateNotFoundError(aggregate_id)
        return caught_up

    def committed_copy(self, aggregate_id: UUID) -> Any | None:
        """The aggregate as a command of this process last committed it (cached, or kept to catch up from), or None:
        no read. Possibly behind the store, so only for what an aggregate never changes after its creation (its
        class, an application's province); never to be mutated."""
        with self._aggregates_lock:
            entry = self._aggregates.get(aggregate_id)
            if entry is not None and _unchanged(entry):
                return entry[1]
            return self._behind.get(aggregate_id)

    def _check_unsaved_hits(self, session: Session, run: _CommandRun) -> None:
        unsaved = [i for i in run.hits if i not in run.saved]
        if not unsaved:
            return
        events = self.audited_recorder.events_record_cls.__table__
        for aggregate_id in unsaved:
            stored = session.execute(
                select(events.c.originator_version)
                .where(events.c.originator_id == aggregate_id)
                .order_by(events.c.originator_version.desc())
                .limit(1)
            ).scalar_one_or_none()
            if stored != run.hits[aggregate_id]:
                raise _StaleCache(aggregate_id)

    def _check_in(self, run: _CommandRun) -> None:
        with self._aggregates_lock:
            for aggregate_id, aggregate in run.saved.items():
                self._aggregates[aggregate_id] = (aggregate.version, aggregate)
                self._aggregates.move_to_end(aggregate_id)
                self._behind.pop(aggregate_id, None)
            while len(self._aggregates) > self.AGGREGATES_CACHED:
                self._aggregates.popitem(last=False)

    def _forget_run(self, run: _CommandRun) -> None:
        for aggregate_id in (*run.hits, *run.saved):
            self._forget(aggregate_id)

    def _forget(self, aggregate_id: UUID) -> None:
        """No longer trusted as current; kept as a committed copy to catch up from (see `get_aggregate`)."""
        with self._aggregates_lock:
            entry = self._aggregates.pop(aggregate_id, None)
            if entry is not None and _unchanged(entry):
                self._behind[aggregate_id] = entry[1]
                self._behind.move_to_end(aggregate_id)
                while len(self._behind) > self.AGGREGATES_CACHED:
                    self._behind.popitem(last=False)

    def load(self, aggregate_id: UUID, cls: type[T], what_zh: str, what_en: str) -> T:
        """The aggregate of that class with that id, or a 404 rule violation."""
        try:
            aggregate: Any = self.get_aggregate(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise DomainRuleViolation(
                "NOT_FOUND",
                f"{what_zh}不存在：{aggregate_id}",
                f"no {what_en} {aggregate_id}",
                kind=ViolationKind.NOT_FOUND,
            )
        return aggregate

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for new events, read-model rows and tracking (nested calls share it)."""
        with self.datastore.transaction(commit=True) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction, or the open one. It ends with COMMIT rather than the library's ROLLBACK: after
        a ROLLBACK psycopg forgets every statement it had prepared on the connection (and sends DEALLOCATE ALL), so
        each read cost the commands that came next on that connection their prepared plans. Nothing was written, so
        the two end it alike; a read that fails still rolls back."""
        transaction = self.datastore.transaction(commit=False)
        with transaction as session:
            yield session
            if transaction.nested_level == 1:  # its own transaction, not a caller's
                session.commit()

    def read_first(self, statement: Any) -> Any:
        """The first row of one SELECT, in autocommit: one round trip, where `reading()` adds a BEGIN and a
        ROLLBACK (a request's access check runs this before every command). Inside a transaction, in it."""
        return self._read(statement, Result.first)

    def read_all(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> Sequence[Any]:
        """Every row of one SELECT, as `read_first` reads (the relay runs this up to 50 times a second)."""
        return self._read(statement, Result.all, parameters)

    def _read(self, statement: Any, rows: Callable[[Result[Any]], R], parameters: Mapping[str, Any] | None = None) -> R:
        if _open_transaction.get(None) is not None or self.datastore.access_lock is not None:
            # (an in-memory SQLite database is one shared connection, taken only under the datastore's lock)
            with self.reading() as session:
                return rows(session.execute(statement, parameters))
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return rows(connection.execute(statement, parameters))

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.process_events([(domain_event, tracking)], lambda _event: nullcontext())

    def process_events(
        self,
        items: Sequence[tuple[EventEnvelope, Tracking]],
        around: Callable[[EventEnvelope], AbstractContextManager[Any]],
    ) -> None:
        """Several upstream events in one transaction, in order, each as `process_event` handles one (inside
        `around(event)`), with each tracking name's record written once, for its last event. Raises IntegrityError,
        having committed nothing, when another member of the group recorded any of them first."""
        last_of = {tracking.application_name: n for n, (_, tracking) in enumerate(items)}
        first_of: dict[str, int] = {}
        for _, tracking in items:
            first_of.setdefault(tracking.application_name, tracking.notification_id)
        record = self.recorder.tracking_record_cls  # type: ignore[attr-defined]
        with self.unit_of_work() as session:
            for name, first in first_of.items():
                # Two members of a group may hold the same messages for a moment (a rebalance). Locking the tracking
                # row first makes the second wait and then see the first one's record, so only one effect commits.
                row = session.query(record).filter_by(application_name=name).with_for_update().first()
                if row is not None and row.notification_id >= first:
                    raise IntegrityError(f"{name} is recorded up to {row.notification_id}, beyond {first}")
            token = _handling_session.set(session)
            try:
                with using_clock(self.clock):  # the events a handler records carry this service's business time
                    for n, (envelope, tracking) in enumerate(items):
                        written = tracking if last_of[tracking.application_name] == n else None
                        with around(envelope):
                            super().process_event(envelope, written)  # type: ignore[arg-type]
            finally:
                _handling_session.reset(token)

    def policy(self, domain_event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        envelope = cast(EventEnvelope, domain_event)
        event = self.handlers.parse(envelope)  # ContractViolation: the consumer dead-letters it at once
        if event is None:
            return
        handler = self.handlers.handler_for(envelope.type)
        assert handler is not None
        session = _handling_session.get()
        assert session is not None, "policy() runs only inside process_event()"
        handler(event, Handling(self, processing_event, session, envelope))
