"""Idempotent consumer: each envelope is processed once, in one transaction with its tracking record.

Tracking is per upstream service and partition (`intake#p3`): the relay publishes in notification order, so
each partition carries increasing notification ids, and the library refuses a lower one. A message whose handler
keeps failing goes to the `.dlq` topic with the error in its headers, and the consumer moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from eventsourcing.persistence import IntegrityError, Tracking
from pydantic import ValidationError

from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.envelope import EventEnvelope
from pilot_common.service import ServiceApplication
from pilot_common.transport import (
    Delivery,
    EventTransport,
    OutgoingMessage,
    TransportError,
    TransportSubscription,
    dlq_topic,
)

log = logging.getLogger(__name__)


def tracking_name(upstream: str, partition: int) -> str:
    return f"{upstream}#p{partition}"


class EventConsumer:
    def __init__(
        self,
        app: ServiceApplication,
        transport: EventTransport,
        topics: Sequence[str],
        group: str | None = None,
        max_attempts: int = 3,
        retry_backoff_seconds: float = 0.05,
        poll_seconds: float = 0.5,
    ) -> None:
        self.app = app
        self.transport = transport
        self.topics = list(topics)
        self.group = group or app.service
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.poll_seconds = poll_seconds
        self.actor = Actor(user_id=f"service:{app.service}", role=Role.SERVICE)
        self._subscription: TransportSubscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed = 0
        self.skipped = 0
        self.dead_lettered = 0

    def _subscribe(self) -> None:
        if self._subscription is None:
            self.transport.ensure_topics([*self.topics, *(dlq_topic(t) for t in self.topics)])
            self._subscription = self.transport.subscribe(self.topics, self.group)

    def poll_once(self, timeout: float | None = None) -> int:
        """Polls, handles and commits one batch; returns how many deliveries it saw."""
        self._subscribe()
        assert self._subscription is not None
        deliveries = self._subscription.poll(self.poll_seconds if timeout is None else timeout)
        for delivery in deliveries:
            self.handle(delivery)
        if deliveries:
            self._subscription.commit()
        return len(deliveries)

    def handle(self, delivery: Delivery) -> None:
        try:
            envelope = EventEnvelope.model_validate_json(delivery.value)
        except ValidationError as e:
            self._dead_letter(delivery, "UNREADABLE_ENVELOPE", repr(e), attempts=1)
            return
        tracking = Tracking(tracking_name(envelope.upstream, delivery.partition), envelope.notificationid)
        if self.app.process_recorder.has_tracking_id(tracking.application_name, tracking.notification_id):
            self.skipped += 1
            return
        ctx = CallContext(actor=self.actor, correlation_id=envelope.correlationid, causation_id=envelope.id)
        attempt = 0
        while True:
            attempt += 1
            try:
                with acting(ctx):
                    self.app.process_event(envelope, tracking)
                self.processed += 1
                return
            except IntegrityError:
                # Another consumer of the group recorded it meanwhile (rebalance), or an aggregate moved on.
                if self.app.process_recorder.has_tracking_id(tracking.application_name, tracking.notification_id):
                    self.skipped += 1
                    return
                error: Exception | None = None
                reason = "concurrent change"
            except Exception as e:
                error = e
                reason = repr(e)
            if attempt >= self.max_attempts:
                log.error(
                    "handler keeps failing; sending to the dead-letter topic",
                    extra={"event_type": envelope.type, "event_id": envelope.id, "error": reason},
                )
                self._dead_letter(delivery, type(error).__name__ if error else "IntegrityError", reason, attempt)
                # Record that it was dealt with, so that redelivery does not retry it forever.
                self.app.process_recorder.insert_tracking(tracking)
                return
            time.sleep(self.retry_backoff_seconds * attempt)

    def _dead_letter(self, delivery: Delivery, error_type: str, error: str, attempts: int) -> None:
        headers = [
            *delivery.headers.items(),
            ("dlq_error_type", error_type.encode()),
            ("dlq_error", error[:2000].encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_consumer", self.group.encode()),
            ("dlq_source", f"{delivery.topic}/{delivery.partition}/{delivery.offset}".encode()),
        ]
        self.transport.publish(
            dlq_topic(delivery.topic), [OutgoingMessage(delivery.key or "", delivery.value, headers)]
        )
        self.dead_lettered += 1

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except TransportError as e:
                log.warning("consumer could not poll, will retry", extra={"error": repr(e)})
                self._stop.wait(1.0)
            except Exception:
                log.exception("consumer failed, will retry")
                self._stop.wait(1.0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"consumer-{self.group}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.close()

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
