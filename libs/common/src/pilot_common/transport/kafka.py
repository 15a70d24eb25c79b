"""Kafka transport (kafka-python): idempotent producer with acks=all; offsets committed only for handled messages.

Topics are verified against the declared layout before anything is published or consumed: a topic whose partition
count, replication factor or `min.insync.replicas` differs from the declaration, or whose `min.insync.replicas`
its replicas can never meet (so every `acks=all` send would fail), stops the service with a message naming it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from pilot_common.transport.base import (
    BackboneMisconfigured,
    Delivery,
    EventTransport,
    Offsets,
    OutgoingMessage,
    TopicLayout,
    TransportError,
    TransportSubscription,
)

log = logging.getLogger(__name__)

MIN_ISR = "min.insync.replicas"


class KafkaTransport(EventTransport):
    durable = True

    def __init__(
        self,
        bootstrap_servers: str,
        client_id: str,
        namespace: str = "",
        send_timeout_seconds: float = 120.0,
        layout: TopicLayout | None = None,
        session_timeout_ms: int = 10_000,
        group_instance_id: str | None = None,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.namespace = namespace
        self.client_id = client_id
        self.send_timeout_seconds = send_timeout_seconds
        self.layout = layout or TopicLayout()
        self.session_timeout_ms = session_timeout_ms
        # Static group membership: a consumer restarted under the same id (a container restarted in its pod) gets
        # its partitions back at once instead of after a rebalance.
        self.group_instance_id = group_instance_id
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
                metrics_enabled=False,  # the client's own sensors (nobody reads them) cost ~7 % of a publish
            )
        return self._producer

    def ensure_topics(self, topics: Sequence[str]) -> dict[str, int]:
        names = {self._qualified(t): t for t in topics}
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin")
        except KafkaError as e:
            raise TransportError(f"no Kafka admin connection: {e!r}") from e
        try:
            missing = [n for n in names if n not in set(admin.list_topics())]
            if missing and not self.layout.create:
                raise BackboneMisconfigured(
                    f"topic(s) {', '.join(missing)} do not exist; in production the cluster's operator creates them "
                    "(deploy/k8s KafkaTopic), or set PILOT_KAFKA_CREATE_TOPICS=true where a service may create them"
                )
            if missing:
                self._create(admin, missing)
            self._await_partitions(admin, list(names))
            return {names[n]: count for n, count in self._verify(admin, list(names)).items()}
        except KafkaError as e:
            raise TransportError(f"describing topics failed: {e!r}") from e
        finally:
            admin.close()

    def _create(self, admin: KafkaAdminClient, missing: Sequence[str]) -> None:
        spec = {
            "num_partitions": self.layout.partitions,
            "replication_factor": self.layout.replication_factor,
            "configs": {MIN_ISR: str(self.layout.min_insync_replicas)},
        }
        for name in missing:
            try:
                admin.create_topics({name: spec})
            except TopicAlreadyExistsError:
                pass  # another process created it between our listing and our request
            except KafkaError as e:
                said = re.search(r"error_message='([^']*)'", str(e))
                reason = said.group(1) if said else type(e).__name__
                raise BackboneMisconfigured(f"topic {name} could not be created as declared ({spec}): {reason}") from e

    def _verify(self, admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
        described = {t["name"]: t for t in admin.describe_topics(names)}
        resources = [ConfigResource(ConfigResourceType.TOPIC, n, configs={MIN_ISR: None}) for n in names]
        configs = admin.describe_configs(resources, config_filter="all").get("topic", {})
        counts: dict[str, int] = {}
        for name in names:
            partitions = described[name]["partitions"]
            replicas = min(len(p["replica_nodes"]) for p in partitions)
            min_isr = int(configs.get(name, {}).get(MIN_ISR, {}).get("value") or 1)
            problems = []
            if len(partitions) != self.layout.partitions:
                problems.append(f"{len(partitions)} partitions, {self.layout.partitions} declared")
            if replicas < self.layout.replication_factor:
                problems.append(f"replication factor {replicas}, {self.layout.replication_factor} declared")
            if min_isr < self.layout.min_insync_replicas:
                problems.append(f"{MIN_ISR}={min_isr}, {self.layout.min_insync_replicas} declared")
            if min_isr > replicas:
                problems.append(f"{MIN_ISR}={min_isr} but only {replicas} replica(s): acks=all can never succeed")
            if problems:
                raise BackboneMisconfigured(f"topic {name}: {'; '.join(problems)}")
            counts[name] = len(partitions)
        return counts

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
        extra: dict[str, Any] = {}
        if transport.group_instance_id:
            extra["group_instance_id"] = f"{transport.group_instance_id}-{group}"
        try:
            self._consumer = KafkaConsumer(
                bootstrap_servers=transport.bootstrap_servers,
                group_id=transport._qualified(group),
                client_id=f"{transport.client_id}-{group}",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=transport.session_timeout_ms,
                # Topics created by another service after we subscribed are picked up within seconds, not minutes.
                metadata_max_age_ms=3_000,
                heartbeat_interval_ms=min(1_000, transport.session_timeout_ms // 3),
                max_poll_interval_ms=300_000,
                metrics_enabled=False,
                **extra,
            )
        except KafkaError as e:
            raise TransportError(f"no Kafka consumer connection: {e!r}") from e
        # Join the group only once this consumer's own metadata knows every topic's partitions: an assignment made
        # without them leaves the consumer without those partitions until a later rebalance.
        names = [transport._qualified(t) for t in topics]
        deadline = time.monotonic() + 30
        while not all(self._consumer.partitions_for_topic(n) for n in names) and time.monotonic() < deadline:
            time.sleep(0.2)
        self._consumer.subscribe(names)

    def _tp(self, topic: str, partition: int) -> TopicPartition:
        return TopicPartition(self._transport._qualified(topic), partition)

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

    def commit(self, offsets: Offsets) -> None:
        if not offsets:
            return
        assigned = self._consumer.assignment()
        commits = {
            tp: OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in offsets.items()
            if (tp := self._tp(topic, partition)) in assigned
        }
        if not commits:
            return
        try:
            # Bounded: a commit may wait for the group coordinator; it must never stall consumption.
            self._consumer.commit(commits, timeout_ms=5_000)
        except KafkaError as e:
            # Offsets are an optimisation: tracking records make a redelivery harmless.
            log.warning("offset commit failed: %r", e)

    def rewind(self, offsets: Offsets) -> None:
        assigned = self._consumer.assignment()
        for (topic, partition), offset in offsets.items():
            tp = self._tp(topic, partition)
            if tp in assigned:  # a partition revoked meanwhile restarts from its committed offset elsewhere
                self._consumer.seek(tp, offset)

    def lag(self) -> Offsets:
        assigned = list(self._consumer.assignment())
        if not assigned:
            return {}
        try:
            ends = self._consumer.end_offsets(assigned)
            return {
                (self._transport._unqualified(tp.topic), tp.partition): max(0, ends[tp] - self._consumer.position(tp))
                for tp in assigned
            }
        except KafkaError as e:
            raise TransportError(f"reading end offsets failed: {e!r}") from e

    def close(self) -> None:
        self._consumer.close(autocommit=False, timeout_ms=5_000)
