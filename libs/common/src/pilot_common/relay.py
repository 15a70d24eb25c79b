"""Outbox relay: publishes a service's committed events, in notification order, and remembers how far it got.

The notification log is the outbox: only committed events are in it. After a batch is acknowledged by the
transport the relay records its position (a tracking record named `relay`) in the service's own database; a
crash between the two republishes the batch, which consumers recognise by (upstream, notification id).
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Sequence

from eventsourcing.persistence import Notification, Tracking
from sqlalchemy import Connection, Engine, text

from pilot_common.envelope import EventEnvelope, envelope_for
from pilot_common.service import ServiceApplication
from pilot_common.transport import EventTransport, OutgoingMessage, TransportError, service_topic

log = logging.getLogger(__name__)

RELAY_TRACKING_NAME = "relay"


class _NoLease:
    """SQLite: one process owns the file, so there is nobody to share the relay with."""


def message_for(envelope: EventEnvelope) -> OutgoingMessage:
    return OutgoingMessage(
        key=envelope.aggregateid,
        value=envelope.model_dump_json().encode(),
        headers=[
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


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        transport: EventTransport,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        retry_seconds: float = 1.0,
    ) -> None:
        self.app = app
        self.transport = transport
        self.topic = service_topic(app.service)
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.retry_seconds = retry_seconds
        self._position: int | None = (
            app.process_recorder.max_tracking_id(RELAY_TRACKING_NAME) if transport.durable else None
        )
        self._topic_ready = False
        self._lease: Connection | _NoLease | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def position(self) -> int:
        return self._position or 0

    def wake(self) -> None:
        """Something was committed: look now rather than after the idle pause."""
        self._wake.set()

    def publish_next_batch(self) -> int:
        notifications: Sequence[Notification] = self.app.recorder.select_notifications(
            start=self._position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        if not self._topic_ready:
            self.transport.ensure_topics([self.topic])
            self._topic_ready = True
        envelopes = (envelope_for(self.app.publications, n, self.app.mapper) for n in notifications)
        messages = [message_for(e) for e in envelopes if e is not None]  # None: an internal event, not published
        if messages:
            self.transport.publish(self.topic, messages)
        last = notifications[-1].id
        if self.transport.durable:
            self.app.process_recorder.insert_tracking(Tracking(RELAY_TRACKING_NAME, last))
        self._position = last
        return len(notifications)

    def drain(self) -> int:
        """Publishes everything committed so far (used by tests and at shutdown)."""
        total = 0
        while n := self.publish_next_batch():
            total += n
        return total

    def _lead(self) -> bool:
        """Only one relay per service publishes (several API workers may share a database)."""
        if self._lease is not None:
            return True
        engine = self.app.datastore.engine
        if not isinstance(engine, Engine) or engine.dialect.name != "postgresql":
            self._lease = _NoLease()
            return True
        conn = engine.connect()
        key = zlib.crc32(f"relay:{self.app.service}".encode())
        if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            self._lease = conn  # held for as long as this connection lives
            return True
        conn.close()
        return False

    def run(self) -> None:
        while not self._stop.is_set():
            if not self._lead():
                self._stop.wait(self.retry_seconds)
                continue
            try:
                if self.publish_next_batch() == self.batch_size:
                    continue
            except TransportError as e:
                log.warning("relay could not publish, will retry", extra={"error": repr(e), "topic": self.topic})
                self._stop.wait(self.retry_seconds)
                continue
            except Exception:
                log.exception("relay failed, will retry", extra={"topic": self.topic})
                self._stop.wait(self.retry_seconds)
                continue
            self._wake.wait(self.idle_seconds)
            self._wake.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"relay-{self.app.service}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if isinstance(self._lease, Connection):
            self._lease.close()
        self._lease = None
