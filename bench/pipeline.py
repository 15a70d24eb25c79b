"""The event pipeline: a command's events, through the outbox relay and Kafka, into another service's read model.

Product: a source application saves one aggregate per command (each its own transaction, as a command does); its
relay publishes to Kafka; a sink application's consumer handles each event and writes a read-model row with the
tracking record. Raw: kafka-python with the same producer settings (acks=all, idempotent), a consumer group, and
one PostgreSQL insert (autocommit) per message. Offered at a fixed rate for a while; figures are what was achieved
and the end-to-end latency from the command (or the send) to the committed row, after one warm-up event on each
side (`WARM_UP`).
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import Column, Float, Integer, MetaData, Table, create_engine, insert, select

from bench.command import p99
from bench.servers import Servers, servers
from pilot_common.aggregate import AuditedAggregate
from pilot_common.consumer import EventConsumer
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.publishing import PublicationTable, publish
from pilot_common.relay import OutboxRelay
from pilot_common.service import HandlerTable, Handling, ServiceApplication
from pilot_common.transport import service_topic
from pilot_common.transport.kafka import KafkaTransport
from tests.schema import with_platform_tables


class Probe(AuditedAggregate):
    def __init__(self, seq: int) -> None:
        self.seq = seq


class ProbeCreated(IntegrationEvent):
    event_type: ClassVar[str] = "source.Probe.Created"
    probe_id: str
    seq: int


class Source(ServiceApplication):
    service: ClassVar[str] = "source"
    publications: ClassVar[PublicationTable] = PublicationTable(
        "source",
        (ProbeCreated,),
        [publish(Probe, "Created", ProbeCreated, lambda e: ProbeCreated(probe_id=str(e.originator_id), seq=e.seq))],
    )

    def __init__(self, database_url: str) -> None:
        super().__init__(with_platform_tables(database_url, "source"))


sink_metadata = MetaData()
arrivals = Table(
    "bench_arrivals",
    sink_metadata,
    Column("seq", Integer, primary_key=True),
    Column("latency_ms", Float, nullable=False),
)


def on_probe(event: ProbeCreated, handling: Handling) -> None:
    latency = (datetime.now(UTC) - handling.envelope.time).total_seconds() * 1000
    handling.session.execute(insert(arrivals).values(seq=event.seq, latency_ms=latency))


class Sink(ServiceApplication):
    service: ClassVar[str] = "sink"

    def __init__(self, database_url: str) -> None:
        super().__init__(
            with_platform_tables(database_url, "sink", sink_metadata), HandlerTable({ProbeCreated: on_probe})
        )


#: One event sent through the whole path before the timed part, on both sides: the consumer has joined its group
#: and the producer has its connection and the topic's metadata (a service does all this at start-up, before any
#: traffic), so the figures are the steady state's, not the first second's.
WARM_UP = -1


def _offer(rate: float, seconds: float, send: Callable[[int], object]) -> int:
    """Calls `send(seq)` `rate` times a second for `seconds` (catching up if it falls behind); returns the count."""
    total = int(rate * seconds)
    start = time.monotonic()
    for seq in range(total):
        due = start + seq / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        send(seq)
    return total


def _wait_rows(count: Callable[[], int], expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while count() < expected and time.monotonic() < deadline:
        time.sleep(0.05)


def _figures(latencies: list[float], offered: int, elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "achieved": len(ordered) / elapsed if elapsed else 0.0,
        "received": float(len(ordered)),
        "offered": float(offered),
        "p50": statistics.median(ordered) if ordered else float("nan"),
        "p99": p99(ordered),
    }


def product(env: Servers, rate: float, seconds: float) -> dict[str, float]:
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    source, sink = Source(env.database("source")), Sink(env.database("sink"))
    bootstrap = env.kafka.bootstrap_servers
    relay = OutboxRelay(source, KafkaTransport(bootstrap, "source", namespace=namespace))
    source.on_recorded(relay.wake)
    consumer = EventConsumer(sink, KafkaTransport(bootstrap, "sink", namespace=namespace), [service_topic("source")])
    consumer.verify_topics()  # as the service's runtime does before it starts them
    relay.verify_topic()
    relay.start()
    consumer.start()

    def rows() -> int:
        with sink.reading() as session:
            return len(session.execute(select(arrivals.c.seq)).all())

    try:
        source.save(Probe(seq=WARM_UP))
        _wait_rows(rows, 1, timeout=60.0)
        started = time.monotonic()
        offered = _offer(rate, seconds, lambda seq: source.save(Probe(seq=seq)))
        _wait_rows(rows, offered + 1, timeout=max(60.0, seconds * 10))
        elapsed = time.monotonic() - started
        with sink.reading() as session:
            timed = select(arrivals.c.latency_ms).where(arrivals.c.seq != WARM_UP)
            latencies = [float(v) for v in session.execute(timed).scalars()]
    finally:
        consumer.stop()
        relay.stop()
        source.close()
        sink.close()
    return _figures(latencies, offered, elapsed)


def raw(env: Servers, rate: float, seconds: float) -> dict[str, float]:
    topic = f"bench{uuid.uuid4().hex[:6]}.raw"
    bootstrap = env.kafka.bootstrap_servers
    engine = create_engine(env.database("raw"), isolation_level="AUTOCOMMIT")
    sink_metadata.create_all(engine)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    KafkaTransport(bootstrap, "raw").ensure_topics([topic])  # same layout as the product's topics
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest", enable_auto_commit=True
    )
    stop = threading.Event()

    def consume() -> None:
        with engine.connect() as conn:
            while not stop.is_set():
                for records in consumer.poll(timeout_ms=200).values():
                    for r in records:
                        sent = float(r.value.decode())
                        conn.execute(insert(arrivals).values(seq=int(r.key), latency_ms=(time.time() - sent) * 1000))

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()

    def rows() -> int:
        with engine.connect() as conn:
            return len(conn.execute(select(arrivals.c.seq)).all())

    def send(seq: int) -> None:
        producer.send(topic, key=str(seq).encode(), value=repr(time.time()).encode())

    try:
        send(WARM_UP)
        _wait_rows(rows, 1, timeout=60.0)
        started = time.monotonic()
        offered = _offer(rate, seconds, send)
        producer.flush(timeout=30)
        _wait_rows(rows, offered + 1, timeout=max(60.0, seconds * 10))
        elapsed = time.monotonic() - started
        with engine.connect() as conn:
            timed = select(arrivals.c.latency_ms).where(arrivals.c.seq != WARM_UP)
            latencies = [float(v) for v in conn.execute(timed).scalars()]
    finally:
        stop.set()
        reader.join(10)
        consumer.close()
        producer.close()
        engine.dispose()
    return _figures(latencies, offered, elapsed)


def catch_up_product(env: Servers, backlog: int) -> float:
    """Events/s of the sink's consumer draining `backlog` events already on the topic (a consumer back from an
    outage, or a new one): its handler's row and tracking record per event, several events per transaction."""
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    source, sink = Source(env.database("source")), Sink(env.database("sink"))
    bootstrap = env.kafka.bootstrap_servers
    relay = OutboxRelay(source, KafkaTransport(bootstrap, "source", namespace=namespace), batch_size=500)
    consumer = EventConsumer(sink, KafkaTransport(bootstrap, "sink", namespace=namespace), [service_topic("source")])
    try:
        for start in range(0, backlog, 500):
            source.save(*[Probe(seq=seq) for seq in range(start, min(start + 500, backlog))])
        relay.drain()
        consumer.verify_topics()
        while consumer.processed == 0:  # joining the group and the first poll's messages are not timed
            consumer.poll_once(1.0)
        first, started = consumer.processed, time.monotonic()
        while consumer.processed < backlog and time.monotonic() - started < 300:
            consumer.poll_once(1.0)
        return (consumer.processed - first) / (time.monotonic() - started)
    finally:
        consumer.stop()
        relay.stop()
        source.close()
        sink.close()


def catch_up_raw(env: Servers, backlog: int) -> float:
    """kafka-python reading the same backlog (a consumer group from the earliest offset), one autocommit insert per
    message, offsets committed per poll."""
    topic = f"bench{uuid.uuid4().hex[:6]}.raw"
    bootstrap = env.kafka.bootstrap_servers
    engine = create_engine(env.database("raw"), isolation_level="AUTOCOMMIT")
    sink_metadata.create_all(engine)
    KafkaTransport(bootstrap, "raw").ensure_topics([topic])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    for seq in range(backlog):
        producer.send(topic, key=str(seq).encode(), value=b"0")
    producer.flush(timeout=60)
    producer.close()
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest", enable_auto_commit=False
    )
    received, first, started = 0, 0, 0.0
    try:
        with engine.connect() as conn:
            while received < backlog:
                for records in consumer.poll(timeout_ms=1000).values():
                    for r in records:
                        conn.execute(insert(arrivals).values(seq=int(r.key), latency_ms=0.0))
                        received += 1
                consumer.commit()
                if not first and received:  # as in the product: the first poll's messages are not timed
                    first, started = received, time.monotonic()
            return (received - first) / (time.monotonic() - started)
    finally:
        consumer.close()
        engine.dispose()


def run(rates: list[float], seconds: float, env: Servers | None = None, backlog: int = 5000) -> None:
    env = env or servers()
    if backlog:
        mine, theirs = catch_up_product(env, backlog), catch_up_raw(env, backlog)
        print(f"consumer catching up on {backlog} events: product {mine:.0f}/s, raw {theirs:.0f}/s, ", end="")
        print(f"ratio {mine / theirs:.2f}")
    print(f"pipeline: {seconds:.0f} s per rate; latency from the command (raw: the send) to the committed row")
    print(
        f"{'offered/s':>9} | {'product /s':>10} {'p50 ms':>8} {'p99 ms':>8} | {'raw /s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} | {'rate ratio':>10} {'p99 ×raw':>8}"
    )
    for rate in rates:
        p = product(env, rate, seconds)
        r = raw(env, rate, seconds)
        print(
            f"{rate:>9.0f} | {p['achieved']:>10.1f} {p['p50']:>8.1f} {p['p99']:>8.1f} | {r['achieved']:>8.1f} "
            f"{r['p50']:>8.1f} {r['p99']:>8.1f} | {p['achieved'] / r['achieved']:>10.2f} {p['p99'] / r['p99']:>8.1f}",
            flush=True,
        )
