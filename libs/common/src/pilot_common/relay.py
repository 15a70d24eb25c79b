"""Outbox relay: publishes a service's committed events, in notification order, and remembers how far it got.

The notification log is the outbox: only committed events are in it. Once batches are acknowledged by the
transport the relay records its position (a tracking record named `relay`) in the service's own database: after
every full batch, else at most every `record_interval`, and when it drains or stops. A crash in between
republishes what was published since the last record, which consumers recognise by (upstream, notification id).

Only one relay per service publishes at a time (several workers or replicas share a database). It holds a lease: a
row in `relay_lease` with an expiry on the database's clock and a fencing token that grows with every new holder.
The lease is renewed while the relay works, and the position is recorded only in a transaction that still finds
the relay's own token there. A relay that lost its lease (its connection dropped, it paused longer than the lease,
a newer relay took over) therefore never moves the position: it steps down and later starts again from the
recorded position. No session-level lock is held, so this works behind a transaction-pooling PgBouncer too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence

from eventsourcing.persistence import IntegrityError, Notification
from sqlalchemy import ColumnElement, Connection, and_, bindparam, insert, literal_column, select, update

from pilot_common.backbone_schema import relay_lease
from pilot_common.envelope import EventEnvelope, envelope_for
from pilot_common.faults import is_infrastructure_error
from pilot_common.observability import observe_publication
from pilot_common.service import ServiceApplication
from pilot_common.transport import EventTransport, OutgoingMessage, TransportError, service_topic

log = logging.getLogger(__name__)

RELAY_TRACKING_NAME = "relay"


class LeaseLost(Exception):
    """Another relay holds the lease now: this one must not record a position."""


def message_for(envelope: EventEnvelope) -> OutgoingMessage:
    trace_headers = [("traceparent", envelope.traceparent.encode())] if envelope.traceparent else []
    return OutgoingMessage(
        key=envelope.aggregateid,
        value=envelope.model_dump_json().encode(),
        headers=[
            *trace_headers,
            ("ce_specversion", b"1.0"),
            ("ce_id", envelope.id.encode()),
            ("ce_type", envelope.type.encode()),
            ("ce_source", envelope.source.encode()),
            ("content-type", b"application/cloudevents+json"),
            ("upstream", envelope.upstream.encode()),
            ("notification_id", str(envelope.notificationid).encode()),
            ("correlation_id", envelope.correlationid.encode()),
        ],
    )


def _db_now_ms_expression(conn: Connection) -> ColumnElement[int]:
    """Milliseconds since the epoch on the database's clock: one clock for every relay, on whatever host."""
    if conn.dialect.name == "postgresql":
        return literal_column("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
    return literal_column("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")  # SQLite


def _db_now_ms(conn: Connection) -> int:
    return int(conn.execute(select(_db_now_ms_expression(conn))).scalar_one())


class RelayLease:
    """The right to publish one service's notification log, held in its database for `ttl_seconds` at a time."""

    def __init__(self, app: ServiceApplication, name: str, ttl_seconds: float = 15.0) -> None:
        self.app = app
        self.name = name
        self.ttl_ms = int(ttl_seconds * 1000)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.token: int | None = None
        self._renewed_at = 0.0

    @property
    def held(self) -> bool:
        return self.token is not None

    def acquire_or_renew(self) -> bool:
        """Renews the lease if this relay still holds it, takes it if it is free or expired; True if held."""
        if self.token is not None and time.monotonic() - self._renewed_at < self.ttl_ms / 3000:
            return True
        try:
            token = self._take()
        except IntegrityError:
            token = None  # another relay inserted the first lease row at the same moment
        if token is None:
            if self.token is not None:
                log.warning("relay lease lost", extra={"lease": self.name})
            self.token = None
            return False
        if self.token != token:
            log.info("relay lease taken", extra={"lease": self.name, "fencing_token": token})
        self.token = token
        self._renewed_at = time.monotonic()
        return True

    def _take(self) -> int | None:
        # Through the application's unit of work: on SQLite it also takes the store's write lock.
        with self.app.unit_of_work() as session:
            conn = session.connection()
            now = _db_now_ms(conn)
            row = conn.execute(select(relay_lease).where(relay_lease.c.name == self.name).with_for_update()).first()
            expires = now + self.ttl_ms
            if row is None:
                conn.execute(
                    insert(relay_lease).values(
                        name=self.name, holder=self.holder, fencing_token=1, expires_at_ms=expires
                    )
                )
                return 1
            if row.holder == self.holder and row.fencing_token == self.token and row.expires_at_ms > now:
                conn.execute(update(relay_lease).where(relay_lease.c.name == self.name).values(expires_at_ms=expires))
                return self.token
            if row.expires_at_ms <= now:
                token = int(row.fencing_token) + 1
                conn.execute(
                    update(relay_lease)
                    .where(relay_lease.c.name == self.name)
                    .values(holder=self.holder, fencing_token=token, expires_at_ms=expires)
                )
                return token
            return None

    def confirm(self, conn: Connection) -> None:
        """In the caller's transaction: this relay still holds the lease, and keeps it until that commits."""
        if self.token is None:
            raise LeaseLost(self.name)
        found = conn.execute(
            select(relay_lease.c.fencing_token)
            .where(
                and_(
                    relay_lease.c.name == self.name,
                    relay_lease.c.holder == self.holder,
                    relay_lease.c.fencing_token == self.token,
                    relay_lease.c.expires_at_ms > _db_now_ms_expression(conn),  # in the same statement
                )
            )
            .with_for_update()
        ).first()
        if found is None:
            self.token = None
            raise LeaseLost(self.name)

    def release(self) -> None:
        if self.token is None:
            return
        token, self.token = self.token, None
        with self.app.unit_of_work() as session:
            session.connection().execute(
                update(relay_lease)
                .where(
                    and_(
                        relay_lease.c.name == self.name,
                        relay_lease.c.holder == self.holder,
                        relay_lease.c.fencing_token == token,
                    )
                )
                .values(expires_at_ms=0)
            )


class BatchPacing:
    """How long the relay waits after a batch before the next one: `shortest` while events come slowly, growing with
    the rate at which they come (`shortest` more per `prompt_rate` events a second) up to `longest`.

    Each batch costs about the same whatever it carries (a SELECT, a Kafka produce request and its acknowledgement,
    ~1.7 ms of CPU in the relay and Kafka's client thread on the test machine), so batches at a fixed pace cost a busy
    service as much as a quiet one. Pacing by the rate keeps a quiet service's events prompt (a command's events go
    out as soon as it commits, and a stream of 50 a second waits at most `shortest`) and lets a busy one carry more
    events per batch, when the CPU is wanted for requests (docs/performance.md, round 11). The rate is the events
    of the last second's batches: what the relay sees, not what it would carry at another pace."""

    WINDOW_SECONDS = 1.0

    def __init__(self, shortest: float = 0.02, longest: float = 0.1, prompt_rate: float = 50.0) -> None:
        self.shortest = shortest
        self.longest = longest
        self.prompt_rate = prompt_rate
        self._recent: deque[tuple[float, int]] = deque()  # (when, events covered) of the last second's batches
        self._in_window = 0

    def after(self, covered: int, now: float) -> float:
        """The pause after a batch that covered `covered` events at `now` (monotonic seconds)."""
        self._recent.append((now, covered))
        self._in_window += covered
        while now - self._recent[0][0] >= self.WINDOW_SECONDS:
            self._in_window -= self._recent.popleft()[1]
        rate = self._in_window / self.WINDOW_SECONDS
        return min(self.longest, max(self.shortest, self.shortest * rate / self.prompt_rate))


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        transport: EventTransport,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        retry_seconds: float = 1.0,
        lease_seconds: float = 15.0,
        pacing: BatchPacing | None = None,
        record_interval: float = 0.5,
    ) -> None:
        self.app = app
        self.transport = transport
        self.topic = service_topic(app.service)
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.pacing = pacing or BatchPacing()
        self.retry_seconds = retry_seconds
        self.record_interval = record_interval
        self.lease = RelayLease(app, f"relay:{app.service}", lease_seconds)
        self._position: int | None = self._recorded_position()
        self._recorded = self._position  # the position as last recorded (or read back)
        self._recorded_at = time.monotonic()
        events = app.audited_recorder.events_record_cls.__table__
        self._after = (
            select(events.c.id, events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state)
            .where(events.c.id > bindparam("after"))
            .order_by(events.c.id)
            .limit(batch_size)
        )
        self._token_seen: int | None = None
        self._topic_ready = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        #: Messages handed to the transport (republished ones included).
        self.published = 0

    def _recorded_position(self) -> int | None:
        # A non-durable transport (the in-process bus) forgets its messages with the process: start from the top.
        return self.app.process_recorder.max_tracking_id(RELAY_TRACKING_NAME) if self.transport.durable else None

    @property
    def position(self) -> int:
        return self._position or 0

    def lag(self) -> int:
        """Events recorded but not yet published (last notification id − last published one)."""
        return max(0, (self.app.recorder.max_notification_id() or 0) - self.position)

    def wake(self) -> None:
        """Something was committed: look now rather than after the idle pause."""
        self._wake.set()

    def verify_topic(self) -> None:
        self.transport.ensure_topics([self.topic])
        self._topic_ready = True

    def publish_next_batch(self) -> int:
        """Publishes the next batch if this relay holds the lease; returns how many notifications it covered."""
        if not self.lease.acquire_or_renew():
            return 0
        if self.lease.token != self._token_seen:
            # A new tenure (first start, or after another relay published for a while): start from what is
            # recorded, not from what this relay remembers. (A non-durable bus has only this one relay.)
            if self.transport.durable:
                self._position = self._recorded = self._recorded_position()
            self._token_seen = self.lease.token
        notifications = self._next_notifications()
        if not notifications:
            self._record_if_due(full_batch=False)
            return 0
        if not self._topic_ready:
            self.verify_topic()
        envelopes = (envelope_for(self.app.publications, n, self.app.mapper) for n in notifications)
        published = [e for e in envelopes if e is not None]  # None: an internal event, not published
        if published:
            self.transport.publish(self.topic, [message_for(e) for e in published])
            self.published += len(published)
            for e in published:
                observe_publication(self.app.service, e.type, e.data)
        self._position = notifications[-1].id
        self._record_if_due(full_batch=len(notifications) == self.batch_size)
        return len(notifications)

    def _record_if_due(self, full_batch: bool) -> None:
        # Recording the position is a transaction of its own (the lease confirmed, the row updated): once per
        # `record_interval` while events trickle in, rather than after every small batch, and after every full
        # batch, so that a relay that dies republishes at most a batch and an interval's events (which consumers
        # recognise) and a catching-up relay's successor does not start far behind.
        if full_batch or time.monotonic() - self._recorded_at >= self.record_interval:
            self.record_position()

    def record_position(self) -> None:
        """Records how far this relay has published, if it holds the lease and has not recorded that yet."""
        if self.transport.durable and self.lease.held and self._position is not None:
            if self._position != self._recorded:
                self._record_position(self._position)
                self._recorded = self._position
            self._recorded_at = time.monotonic()

    def _next_notifications(self) -> Sequence[Notification]:
        """The next batch of the notification log after the position: the library's `select_notifications` as one
        core SELECT in autocommit, built once (no ORM object per row, no BEGIN and ROLLBACK, no statement to
        compile again; the relay runs it up to 50 times a second beside the API's requests)."""
        rows = self.app.read_all(self._after, {"after": self._position or 0})
        return [
            Notification(
                id=r.id,
                originator_id=r.originator_id,
                originator_version=r.originator_version,
                topic=r.topic,
                state=bytes(r.state),
            )
            for r in rows
        ]

    def _record_position(self, last: int) -> None:
        tracking = self.app.audited_recorder.tracking_table
        name = tracking.c.application_name == RELAY_TRACKING_NAME
        try:
            with self.app.unit_of_work() as session:
                conn = session.connection()
                self.lease.confirm(conn)
                # The library's insert_tracking (its max, then the row, then an ORM update) as one UPDATE, which
                # refuses as it does a position that is not beyond the recorded one.
                moved = conn.execute(
                    update(tracking).where(name, tracking.c.notification_id < last).values(notification_id=last)
                ).rowcount
                if not moved:
                    if conn.execute(select(tracking.c.notification_id).where(name)).first() is not None:
                        raise IntegrityError(f"relay position {last} is not beyond the recorded one")
                    conn.execute(insert(tracking).values(application_name=RELAY_TRACKING_NAME, notification_id=last))
        except (LeaseLost, IntegrityError) as e:
            # Someone else published and recorded meanwhile: carry on from what is recorded, not from memory.
            self._position = self._recorded = self._recorded_position()
            log.warning(
                "relay stepped down; position reloaded",
                extra={"topic": self.topic, "position": self._position, "reason": type(e).__name__},
            )
            raise

    def drain(self) -> int:
        """Publishes everything committed so far (used by tests and at shutdown)."""
        total = 0
        while n := self.publish_next_batch():
            total += n
        self.record_position()
        return total

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                started = time.monotonic()
                covered = self.publish_next_batch()
                if covered == self.batch_size:
                    continue
                if not self.lease.held:
                    self._stop.wait(self.retry_seconds)
                    continue
            except (LeaseLost, IntegrityError):
                self._stop.wait(self.retry_seconds)
                continue
            except TransportError as e:
                log.warning("relay could not publish, will retry", extra={"error": repr(e), "topic": self.topic})
                self._stop.wait(self.retry_seconds)
                continue
            except Exception as e:
                if is_infrastructure_error(e):
                    log.warning("relay: database unavailable, will retry", extra={"error": repr(e)[:300]})
                else:
                    log.exception("relay failed, will retry", extra={"topic": self.topic})
                self._reload_position()
                self._stop.wait(self.retry_seconds)
                continue
            if covered:
                # Under load a command commits every few milliseconds and each wakes the relay: a batch per command
                # (a SELECT, a send, a position recorded) took a third of an API worker's time, beside the requests.
                # A pause after each batch (`BatchPacing`): the next one carries the commands committed meanwhile.
                now = time.monotonic()
                pause = self.pacing.after(covered, now) - (now - started)
                if pause > 0:
                    self._stop.wait(pause)
            self._wake.wait(self.idle_seconds)
            self._wake.clear()

    def _reload_position(self) -> None:
        try:
            self._position = self._recorded = self._recorded_position()
        except Exception:
            log.debug("position not reloaded (database unavailable?)", exc_info=True)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"relay-{self.app.service}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.record_position()  # what it published since the last record: its successor need not repeat it
        except Exception:
            log.warning(
                "relay position not recorded at stop; the successor republishes from the last one", exc_info=True
            )
        try:
            self.lease.release()
        except Exception:
            log.warning("relay lease not released; it expires by itself", exc_info=True)
