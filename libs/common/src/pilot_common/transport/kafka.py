"""Kafka transport (kafka-python): idempotent producer with acks=all; manually committed consumer offsets."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from pilot_common.transport.base import (
    DEFAULT_PARTITIONS,
    Delivery,
    EventTransport,
    OutgoingMessage,
    TransportError,
    TransportSubscription,
)

log = logging.getLogger(__name__)


class KafkaTransport(EventTransport):
    durable = True

    def __init__(
        self, bootstrap_servers: str, client_id: str, namespace: str = "", send_timeout_seconds: float = 120.0
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.namespace = namespace
        self.client_id = client_id
        self.send_timeout_seconds = send_timeout_seconds
        self._producer: KafkaProducer | None = None

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                client_id=self.client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                retries=2**31 - 1,
                delivery_timeout_ms=int(self.send_timeout_seconds * 1000),
            )
        return self._producer

    def ensure_topics(self, topics: Sequence[str], partitions: int = DEFAULT_PARTITIONS) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin")
        try:
            existing = set(admin.list_topics())
            names = [self._qualified(t) for t in topics]
            missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in names if t not in existing]
            if missing:
                # Another process may create it between our listing and our request.
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics(missing)
            # Also for topics another service created a moment ago.
            self._await_partitions(admin, names)
        finally:
            admin.close()

    @staticmethod
    def _await_partitions(admin: KafkaAdminClient, names: Sequence[str], timeout_seconds: float = 15.0) -> None:
        """A consumer group assigned before a new topic's partitions are known would not get them until its next
        metadata refresh: wait until the broker describes every partition."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            described = admin.describe_topics(list(names))
            if all(t.get("error_code", 0) == 0 and t.get("partitions") for t in described):
                return
            time.sleep(0.1)
        log.warning("new topics not fully described in time", extra={"topics": list(names)})

    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        try:
            producer = self._get_producer()
            futures = [
                producer.send(self._qualified(topic), key=m.key.encode(), value=m.value, headers=list(m.headers))
                for m in messages
            ]
            producer.flush(timeout=self.send_timeout_seconds)
            for future in futures:
                future.get(timeout=self.send_timeout_seconds)
        except KafkaError as e:
            # The producer's state is unknown after a failed batch: start afresh on the next call.
            self._reset_producer()
            raise TransportError(f"publishing to {topic} failed: {e!r}") from e

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except Exception:  # closing a broken producer may fail too; nothing to do about it
                log.debug("closing producer failed", exc_info=True)
            self._producer = None

    def subscribe(self, topics: Sequence[str], group: str) -> TransportSubscription:
        return KafkaSubscription(self, topics, group)

    def close(self) -> None:
        self._reset_producer()


class KafkaSubscription(TransportSubscription):
    def __init__(self, transport: KafkaTransport, topics: Sequence[str], group: str) -> None:
        self._transport = transport
        self._consumer = KafkaConsumer(
            bootstrap_servers=transport.bootstrap_servers,
            group_id=transport._qualified(group),
            client_id=f"{transport.client_id}-{group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=10_000,
            # Topics created by another service after we subscribed are picked up within seconds, not minutes.
            metadata_max_age_ms=3_000,
            heartbeat_interval_ms=1_000,
            max_poll_interval_ms=300_000,
        )
        # Join the group only once this consumer's own metadata knows every topic's partitions: an assignment made
        # without them leaves the consumer without those partitions until a later rebalance.
        names = [transport._qualified(t) for t in topics]
        deadline = time.monotonic() + 30
        while not all(self._consumer.partitions_for_topic(n) for n in names) and time.monotonic() < deadline:
            time.sleep(0.2)
        self._consumer.subscribe(names)

    def poll(self, timeout_seconds: float, max_records: int = 500) -> list[Delivery]:
        try:
            batches: dict[Any, list[Any]] = self._consumer.poll(
                timeout_ms=int(timeout_seconds * 1000), max_records=max_records
            )
        except KafkaError as e:
            raise TransportError(f"polling failed: {e!r}") from e
        deliveries = []
        for records in batches.values():
            for r in records:
                deliveries.append(
                    Delivery(
                        topic=self._transport._unqualified(r.topic),
                        partition=r.partition,
                        offset=r.offset,
                        key=r.key.decode() if r.key is not None else None,
                        value=r.value,
                        headers={k: v for k, v in (r.headers or [])},
                    )
                )
        return deliveries

    def commit(self) -> None:
        try:
            # Bounded: a commit may wait for the group coordinator; it must never stall consumption.
            self._consumer.commit(timeout_ms=5_000)
        except KafkaError as e:
            # Offsets are an optimisation: tracking records make a redelivery harmless.
            log.warning("offset commit failed: %r", e)

    def close(self) -> None:
        self._consumer.close(autocommit=False, timeout_ms=5_000)
