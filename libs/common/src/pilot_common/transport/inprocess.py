"""In-process bus for the embedded mode: Kafka's semantics (partitions by key, group offsets) in memory.

Messages live as long as the process; the relay therefore republishes from the start of the notification log
when the process starts (`durable = False`), and consumers skip what their tracking records say they have done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from pilot_common.transport.base import (
    BackboneMisconfigured,
    Delivery,
    EventTransport,
    Offsets,
    OutgoingMessage,
    TopicLayout,
    TransportSubscription,
    partition_for,
)


class InProcessBus(EventTransport):
    durable = False

    def __init__(self, layout: TopicLayout | None = None) -> None:
        # One bus per process needs no namespace: each bus is its own cluster.
        self.layout = layout or TopicLayout()
        self._logs: dict[str, list[list[Delivery]]] = {}
        self._committed: dict[tuple[str, str, int], int] = {}
        self._changed = threading.Condition()

    def ensure_topics(self, topics: Sequence[str]) -> dict[str, int]:
        with self._changed:
            for topic in topics:
                if topic not in self._logs:
                    if not self.layout.create:
                        raise BackboneMisconfigured(f"topic {topic} does not exist")
                    self._logs[topic] = [[] for _ in range(self.layout.partitions)]
                elif len(self._logs[topic]) != self.layout.partitions:
                    raise BackboneMisconfigured(
                        f"topic {topic} has {len(self._logs[topic])} partitions, {self.layout.partitions} declared"
                    )
            return {topic: len(self._logs[topic]) for topic in topics}

    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        with self._changed:
            partitions = self._logs.setdefault(topic, [[] for _ in range(self.layout.partitions)])
            for m in messages:
                p = partition_for(m.key, len(partitions))
                partitions[p].append(
                    Delivery(topic, p, len(partitions[p]), m.key, m.value, {k: v for k, v in m.headers})
                )
            self._changed.notify_all()

    def messages(self, topic: str) -> list[Delivery]:
        """Everything on a topic (for inspection, e.g. of a dead-letter topic)."""
        with self._changed:
            return [d for part in self._logs.get(topic, []) for d in part]

    def subscribe(self, topics: Sequence[str], group: str) -> TransportSubscription:
        return InProcessSubscription(self, list(topics), group)

    def close(self) -> None:
        pass


class InProcessSubscription(TransportSubscription):
    def __init__(self, bus: InProcessBus, topics: list[str], group: str) -> None:
        self._bus = bus
        self._topics = topics
        self._group = group
        with bus._changed:
            bus.ensure_topics(topics)
            self._positions = {
                (t, p): bus._committed.get((group, t, p), 0) for t in topics for p in range(len(bus._logs[t]))
            }

    def _take(self, max_records: int) -> list[Delivery]:
        out: list[Delivery] = []
        for (topic, p), pos in self._positions.items():
            log = self._bus._logs[topic][p]
            batch = log[pos : pos + max_records - len(out)]
            out.extend(batch)
            self._positions[(topic, p)] = pos + len(batch)
            if len(out) >= max_records:
                break
        return out

    def poll(self, timeout_seconds: float, max_records: int = 500) -> list[Delivery]:
        deadline = time.monotonic() + timeout_seconds
        with self._bus._changed:
            while True:
                out = self._take(max_records)
                remaining = deadline - time.monotonic()
                if out or remaining <= 0:
                    return out
                self._bus._changed.wait(remaining)

    def commit(self, offsets: Offsets) -> None:
        with self._bus._changed:
            for (topic, p), offset in offsets.items():
                key = (self._group, topic, p)
                self._bus._committed[key] = max(self._bus._committed.get(key, 0), offset)

    def rewind(self, offsets: Offsets) -> None:
        with self._bus._changed:
            for position, offset in offsets.items():
                if position in self._positions:
                    self._positions[position] = offset

    def lag(self) -> Offsets:
        with self._bus._changed:
            return {(t, p): len(self._bus._logs[t][p]) - pos for (t, p), pos in self._positions.items()}

    def close(self) -> None:
        pass
