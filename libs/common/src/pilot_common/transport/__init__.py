"""How envelopes travel between services: Kafka in distributed mode, an in-process bus in the embedded mode.

Both give the same guarantees to the relay and the consumers: per-key order within a partition, at-least-once
delivery, offsets committed by consumer group, and a `.dlq` topic beside each topic.
"""

from pilot_common.transport.base import (
    BackboneMisconfigured,
    Delivery,
    EventTransport,
    Offsets,
    OutgoingMessage,
    TopicLayout,
    TransportError,
    TransportSubscription,
    dlq_topic,
    partition_for,
    service_topic,
)

__all__ = [
    "BackboneMisconfigured",
    "Delivery",
    "EventTransport",
    "Offsets",
    "OutgoingMessage",
    "TopicLayout",
    "TransportError",
    "TransportSubscription",
    "dlq_topic",
    "partition_for",
    "service_topic",
]
