from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from kafka.partitioner.default import murmur2

DEFAULT_PARTITIONS = 3


def service_topic(service: str) -> str:
    return f"{service}.events"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def partition_for(key: str, partitions: int) -> int:
    """Kafka's default partitioner (murmur2), so both transports put a key in the same partition."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class TransportError(Exception):
    """Publishing or consuming failed; the caller retries from its last recorded position."""


class BackboneMisconfigured(Exception):
    """A topic is missing or does not match its declaration: the service must not start (it would stall or
    route keys to other partitions than its tracking records were built on)."""


@dataclass(frozen=True)
class TopicLayout:
    """How the platform declares every topic (service topics and their `.dlq`). Production topics are created by
    the cluster's operator (Strimzi `KafkaTopic`) with the same figures, and a service only verifies them;
    `create` lets a service create missing ones itself (development, tests)."""

    partitions: int = DEFAULT_PARTITIONS
    replication_factor: int = 1
    min_insync_replicas: int = 1
    create: bool = True


#: (topic, partition) -> the offset of the next message to read.
Offsets = dict[tuple[str, int], int]


@dataclass(frozen=True)
class OutgoingMessage:
    key: str
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, bytes]


class TransportSubscription(ABC):
    @abstractmethod
    def poll(self, timeout_seconds: float, max_records: int = 500) -> list[Delivery]:
        """Next deliveries in partition order (may be empty after the timeout)."""

    @abstractmethod
    def commit(self, offsets: Offsets) -> None:
        """Records for this group that everything before these offsets is done (only what was handled)."""

    @abstractmethod
    def rewind(self, offsets: Offsets) -> None:
        """The next poll starts again at these offsets (messages polled but not handled)."""

    @abstractmethod
    def lag(self) -> Offsets:
        """Messages on each assigned partition after the read position (call from the polling thread)."""

    @abstractmethod
    def close(self) -> None: ...


class EventTransport(ABC):
    #: Whether published messages outlive this process (so a relay may remember how far it got).
    durable: bool
    #: Prefix of every topic and consumer group, so that several environments (or tests) share one cluster.
    namespace: str = ""

    def _qualified(self, name: str) -> str:
        return f"{self.namespace}.{name}" if self.namespace else name

    def _unqualified(self, name: str) -> str:
        return name.removeprefix(f"{self.namespace}.") if self.namespace else name

    #: The declared shape of every topic.
    layout: TopicLayout = TopicLayout()

    @abstractmethod
    def ensure_topics(self, topics: Sequence[str]) -> dict[str, int]:
        """Checks (and, where the layout allows, creates) the topics; returns each one's partition count.
        Raises BackboneMisconfigured when a topic is missing or differs from the declared layout."""

    @abstractmethod
    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        """Returns only when every message is acknowledged; raises TransportError otherwise."""

    @abstractmethod
    def subscribe(self, topics: Sequence[str], group: str) -> TransportSubscription: ...

    @abstractmethod
    def close(self) -> None: ...
