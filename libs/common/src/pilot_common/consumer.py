"""Idempotent consumer: each envelope is processed once, in one transaction with its tracking record (up to 50
messages share a transaction and each partition's tracking record; a message that fails alone is handled alone).

Tracking is per upstream service and partition (`intake#p3`): the relay publishes in notification order, so
each partition carries increasing notification ids, and the library refuses a lower one. A message whose handler
keeps failing goes to the `.dlq` topic with the error in its headers, and the consumer moves on.

Offsets are committed only up to the last message whose effect is committed. When anything that is not the
handler's own doing fails (the database gone for a moment, the broker, the dead-letter publish), every partition of
the batch is rewound to its first unhandled message and the consumer backs off and tries again: such an error
never counts toward a message's dead-letter attempts, and nothing is skipped.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from eventsourcing.persistence import IntegrityError, Tracking
from pydantic import ValidationError
from sqlalchemy import insert, select

from pilot_common.backbone_schema import consumer_topic_layout
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.contracts.errors import ContractViolation
from pilot_common.envelope import EventEnvelope
from pilot_common.faults import is_infrastructure_error
from pilot_common.observability import consumer_span, current_traceparent
from pilot_common.service import ServiceApplication
from pilot_common.transport import (
    BackboneMisconfigured,
    Delivery,
    EventTransport,
    Offsets,
    OutgoingMessage,
    TransportError,
    TransportSubscription,
    dlq_topic,
)

log = logging.getLogger(__name__)


def tracking_name(upstream: str, partition: int) -> str:
    return f"{upstream}#p{partition}"


#: What became of a message: its effect committed, known already (redelivered), or of a type the service ignores.
Outcome = Literal["processed", "skipped", "ignored"]


class BatchInterrupted(Exception):
    """Handling stopped at a message because the infrastructure failed; its partitions were rewound."""


@dataclass
class ConsumerStatus:
    processed: int = 0
    skipped: int = 0
    #: Messages of types the handler table ignores: no handling transaction, only the position moves.
    ignored: int = 0
    dead_lettered: int = 0
    #: Batches interrupted by a database or broker error (and retried from the first unhandled message).
    interruptions: int = 0
    last_interruption: str | None = None
    #: Messages on the assigned partitions not yet read (refreshed every few seconds by the polling thread).
    lag: dict[str, int] = field(default_factory=dict)


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
        max_backoff_seconds: float = 5.0,
        lag_every_seconds: float = 5.0,
        max_records: int = 500,
        transaction_size: int = 50,
    ) -> None:
        self.app = app
        self.transport = transport
        self.topics = list(topics)
        self.group = group or app.service
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.lag_every_seconds = lag_every_seconds
        self.max_records = max_records
        #: Messages handled in one transaction (`_handle_together`); 1 handles each in its own.
        self.transaction_size = transaction_size
        self.actor = Actor(user_id=f"service:{app.service}", role=Role.SERVICE)
        self.status = ConsumerStatus()
        self._subscription: TransportSubscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lag_at = 0.0
        self._done: dict[str, int] = {}
        # Positions reached by ignored messages and not yet recorded: one tracking row per partition per batch.
        self._ignored_upto: dict[str, int] = {}

    # Counters kept as attributes too: tests and callers read them directly.
    @property
    def processed(self) -> int:
        return self.status.processed

    @property
    def skipped(self) -> int:
        return self.status.skipped

    @property
    def dead_lettered(self) -> int:
        return self.status.dead_lettered

    @property
    def ignored(self) -> int:
        return self.status.ignored

    def verify_topics(self) -> None:
        """Every consumed topic (and its `.dlq`) exists as declared, with the partition count that this service's
        tracking records were built on; raises BackboneMisconfigured otherwise."""
        counts = self.transport.ensure_topics([*self.topics, *(dlq_topic(t) for t in self.topics)])
        try:
            self._check_layout(counts)
        except IntegrityError:
            # Another worker of this service recorded the layout at the same moment: compare with what it wrote.
            self._check_layout(counts)

    def _check_layout(self, counts: dict[str, int]) -> None:
        with self.app.unit_of_work() as session:
            rows = session.execute(select(consumer_topic_layout.c.topic, consumer_topic_layout.c.partitions))
            known: dict[str, int] = {topic: partitions for topic, partitions in rows}
            for topic in self.topics:
                if topic not in known:
                    session.execute(insert(consumer_topic_layout).values(topic=topic, partitions=counts[topic]))
                elif known[topic] != counts[topic]:
                    raise BackboneMisconfigured(
                        f"topic {topic} now has {counts[topic]} partitions, but {self.app.service}'s tracking was "
                        f"built on {known[topic]}: keys would move to other partitions; restore the topic"
                    )

    def _subscribe(self) -> TransportSubscription:
        if self._subscription is None:
            self.verify_topics()
            self._subscription = self.transport.subscribe(self.topics, self.group)
        return self._subscription

    def poll_once(self, timeout: float | None = None) -> int:
        """Polls, handles and commits one batch; returns how many deliveries it saw.

        Raises BatchInterrupted (after rewinding) when the infrastructure failed in the middle of the batch."""
        subscription = self._subscribe()
        deliveries = subscription.poll(self.poll_seconds if timeout is None else timeout, self.max_records)
        done: Offsets = {}
        position = 0  # deliveries[:position] are dealt with
        try:
            while position < len(deliveries):
                chunk = deliveries[position : position + self.transaction_size]
                together = self._handle_together(chunk)
                for delivery in chunk:
                    if not together:
                        self.handle(delivery)
                    done[(delivery.topic, delivery.partition)] = delivery.offset + 1
                    position += 1
        except Exception as error:
            self._rewind(subscription, deliveries[position:])
            self._commit(subscription, done)
            self.status.interruptions += 1
            self.status.last_interruption = repr(error)[:500]
            raise BatchInterrupted(repr(error)) from error
        self._record_ignored()
        self._commit(subscription, done)
        return len(deliveries)

    def _handle_together(self, chunk: Sequence[Delivery]) -> bool:
        """Handles several messages in one transaction: their effects commit together, with one tracking record
        per partition (`ServiceApplication.process_events`). Returns False, having changed nothing, when any of
        them needs the one-at-a-time path: an unreadable envelope, a handler that fails (retries, dead letters) or
        a race with another member (IntegrityError). Raises when the infrastructure failed: nothing committed."""
        if len(chunk) < 2:
            return False
        outcomes: list[tuple[Outcome, Tracking]] = []  # applied once the transaction has committed
        to_process: list[tuple[EventEnvelope, Tracking]] = []
        reached: dict[str, int] = {}
        for delivery in chunk:
            try:
                envelope = EventEnvelope.model_validate_json(delivery.value)
            except ValidationError:
                return False
            tracking = Tracking(tracking_name(envelope.upstream, delivery.partition), envelope.notificationid)
            name = tracking.application_name
            if tracking.notification_id <= reached.setdefault(name, self._recorded(name)):
                outcomes.append(("skipped", tracking))
            elif envelope.type in self.app.handlers.ignores:
                outcomes.append(("ignored", tracking))
            else:
                outcomes.append(("processed", tracking))
                to_process.append((envelope, tracking))
            reached[name] = max(reached[name], tracking.notification_id)
        if to_process:
            try:
                self.app.process_events(to_process, self._handling)
            except Exception as error:
                if is_infrastructure_error(error):
                    raise
                return False
        for outcome, tracking in outcomes:
            self._dealt_with(outcome, tracking)
        return True

    def _dealt_with(self, outcome: Outcome, tracking: Tracking) -> None:
        """Counts a message and moves its partition's remembered position (once its effect, if any, is committed).
        An ignored message's position is recorded once per batch (`_record_ignored`), safe for redeliveries because
        a partition is handled in order: every message below it is done."""
        name = tracking.application_name
        if outcome == "skipped":
            self.status.skipped += 1
            return
        self._done[name] = tracking.notification_id
        if outcome == "ignored":
            self._ignored_upto[name] = tracking.notification_id
            self.status.ignored += 1
        else:
            self._ignored_upto.pop(name, None)  # recorded beyond them
            self.status.processed += 1

    @contextlib.contextmanager
    def _handling(self, envelope: EventEnvelope) -> Iterator[None]:
        """One message's span and call context (events recorded by its handler carry both)."""
        with (
            consumer_span(envelope.traceparent, self.app.service, envelope.type, envelope.id),
            acting(self._context(envelope)),  # inside the span: the context carries its traceparent
        ):
            yield

    def _context(self, envelope: EventEnvelope) -> CallContext:
        return CallContext(
            actor=self.actor,
            correlation_id=envelope.correlationid,
            causation_id=envelope.id,
            traceparent=current_traceparent(),  # events recorded here continue the upstream trace
        )

    def _record_ignored(self) -> None:
        """Records how far ignored messages took each partition, once per batch. Only a convenience for whoever
        reads the tracking table: an ignored message delivered again is ignored again, so a failure here is left
        for the next batch."""
        for name, notification_id in list(self._ignored_upto.items()):
            try:
                self.app.process_recorder.insert_tracking(Tracking(name, notification_id))
            except IntegrityError:
                pass  # a later message of that partition is recorded already (here or by another member)
            except Exception as error:
                if not is_infrastructure_error(error):
                    raise
                log.warning("recording the position of ignored messages failed; next batch", exc_info=True)
                return
            del self._ignored_upto[name]

    @staticmethod
    def _rewind(subscription: TransportSubscription, unhandled: Sequence[Delivery]) -> None:
        first: Offsets = {}
        for delivery in unhandled:
            first.setdefault((delivery.topic, delivery.partition), delivery.offset)
        # If the rewind itself fails, run() drops the subscription: the next one starts from committed offsets.
        subscription.rewind(first)

    @staticmethod
    def _commit(subscription: TransportSubscription, done: Offsets) -> None:
        if done:
            subscription.commit(done)

    def handle(self, delivery: Delivery) -> None:
        """Handles one delivery (effect, skip or dead letter). Raises only when the infrastructure failed: the
        delivery was then not handled and must come again."""
        try:
            envelope = EventEnvelope.model_validate_json(delivery.value)
        except ValidationError as e:
            self._dead_letter(delivery, "UNREADABLE_ENVELOPE", repr(e), attempts=1)
            return
        tracking = Tracking(tracking_name(envelope.upstream, delivery.partition), envelope.notificationid)
        if tracking.notification_id <= self._recorded(tracking.application_name):
            self._dealt_with("skipped", tracking)
            return
        if envelope.type in self.app.handlers.ignores:
            self._dealt_with("ignored", tracking)  # nothing to do, so no transaction
            return
        with self._handling(envelope):
            self._handle(delivery, envelope, tracking)

    def _handle(self, delivery: Delivery, envelope: EventEnvelope, tracking: Tracking) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                self.app.process_event(envelope, tracking)
                self._dealt_with("processed", tracking)
                return
            except ContractViolation as e:
                self._give_up(delivery, tracking, "CONTRACT_VIOLATION", str(e), attempt)
                return
            except IntegrityError:
                # Another consumer of the group recorded it meanwhile (rebalance), or an aggregate moved on.
                self._done.pop(tracking.application_name, None)
                if self.app.process_recorder.has_tracking_id(tracking.application_name, tracking.notification_id):
                    self._dealt_with("skipped", tracking)
                    return
                error_type, reason = "IntegrityError", "concurrent change"
            except Exception as e:
                if is_infrastructure_error(e):
                    raise
                error_type, reason = type(e).__name__, repr(e)
            if attempt >= self.max_attempts:
                log.error(
                    "handler keeps failing; sending to the dead-letter topic",
                    extra={"event_type": envelope.type, "event_id": envelope.id, "error": reason},
                )
                self._give_up(delivery, tracking, error_type, reason, attempt)
                return
            time.sleep(self.retry_backoff_seconds * attempt)

    def _recorded(self, name: str) -> int:
        """The highest notification id dealt with under a tracking name. Remembered between messages: it can be
        behind the truth (another member recorded more meanwhile), and then the check inside the handling
        transaction refuses the duplicate (IntegrityError), so one SELECT per message is saved safely; it is ahead
        of the table only by ignored messages not yet recorded, which need no effect."""
        if name not in self._done:
            self._done[name] = self.app.process_recorder.max_tracking_id(name) or 0
        return self._done[name]

    def _give_up(self, delivery: Delivery, tracking: Tracking, error_type: str, reason: str, attempts: int) -> None:
        # Published first, then recorded as dealt with: a crash in between sends it to the .dlq twice (with the
        # same ce_id), never not at all.
        self._dead_letter(delivery, error_type, reason, attempts)
        with contextlib.suppress(IntegrityError):  # recorded meanwhile by another member of the group
            self.app.process_recorder.insert_tracking(tracking)
        self._done.pop(tracking.application_name, None)

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
        self.status.dead_lettered += 1

    def _refresh_lag(self) -> None:
        if self._subscription is None or time.monotonic() - self._lag_at < self.lag_every_seconds:
            return
        self._lag_at = time.monotonic()
        try:
            lag = self._subscription.lag()
        except TransportError:
            return
        self.status.lag = {f"{topic}#p{partition}": n for (topic, partition), n in sorted(lag.items())}

    def run(self) -> None:
        backoff = 0.0
        while not self._stop.is_set():
            try:
                self.poll_once()
                self._refresh_lag()
                backoff = 0.0
                continue
            except BackboneMisconfigured as e:
                log.error("consumer cannot run: %s", e)
            except BatchInterrupted as e:
                log.warning("consumer interrupted; retrying from the first unhandled message", extra={"error": str(e)})
            except TransportError as e:
                log.warning("consumer could not poll, will retry", extra={"error": repr(e)})
                self._drop_subscription()
            except Exception:
                log.exception("consumer failed, will retry from committed offsets")
                self._drop_subscription()
            backoff = min(self.max_backoff_seconds, max(0.25, backoff * 2))
            self._stop.wait(backoff)

    def _drop_subscription(self) -> None:
        """After an error of unknown extent, start again from the group's committed offsets."""
        try:
            self.close()
        except Exception:
            log.debug("closing the subscription failed", exc_info=True)
            self._subscription = None

    def start(self) -> None:
        self._stop.clear()  # a stopped consumer may be started again
        self._thread = threading.Thread(target=self.run, name=f"consumer-{self.group}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.close()

    def close(self) -> None:
        self._done.clear()
        self._ignored_upto.clear()
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            subscription.close()
