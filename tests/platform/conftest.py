from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pilot_common.consumer import EventConsumer
from pilot_common.relay import OutboxRelay
from pilot_common.transport import EventTransport, service_topic
from pilot_common.transport.inprocess import InProcessBus
from pilot_common.transport.kafka import KafkaTransport
from tests.platform.apps import Ledger, Tally


@pytest.fixture
def make_database(request: pytest.FixtureRequest, tmp_path: Path, unique_name: str) -> Callable[[str, str], str]:
    """make_database(kind, name) -> SQLAlchemy URL of a fresh database ('postgres' or 'sqlite')."""

    def make(kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        server = request.getfixturevalue("postgres_server")
        return str(server.create_database(f"{unique_name}_{name}"))

    return make


def make_transport(request: pytest.FixtureRequest, kind: str, namespace: str) -> EventTransport:
    if kind == "inprocess":
        return InProcessBus()
    broker = request.getfixturevalue("kafka_broker")
    return KafkaTransport(broker.bootstrap_servers, client_id=namespace, namespace=namespace)


@dataclass
class Platform:
    """A publishing ledger and a consuming tally joined by one transport."""

    ledger: Ledger
    tally: Tally
    transport: EventTransport
    relay: OutboxRelay
    consumer: EventConsumer
    ledger_url: str
    tally_url: str

    def record(self, count: int, batch: int = 50, note: Callable[[int], str] = lambda i: "") -> None:
        from tests.platform.apps import Entry

        for start in range(0, count, batch):
            self.ledger.save(*[Entry(amount=i, note=note(i)) for i in range(start, min(start + batch, count))])

    def new_consumer(self, **kwargs: Any) -> EventConsumer:
        return EventConsumer(self.tally, self.transport, [service_topic("ledger")], **kwargs)

    def wait_for_effects(self, rows: int, timeout: float = 180.0, consume: bool = True) -> tuple[int, int]:
        deadline = time.monotonic() + timeout
        counts = self.tally.effect_counts()
        while counts[0] < rows and time.monotonic() < deadline:
            if consume:
                self.consumer.poll_once(0.5)
            else:
                time.sleep(0.2)
            counts = self.tally.effect_counts()
        return counts


def poll_until(consumer: EventConsumer, done: Callable[[], bool], timeout: float = 120.0, wait: float = 0.5) -> None:
    """Polls `consumer` until `done()` or the timeout (the caller asserts what it expected)."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        consumer.poll_once(wait)


@pytest.fixture
def platform_factory(
    request: pytest.FixtureRequest, make_database: Callable[[str, str], str], unique_name: str
) -> Iterator[Callable[[str, str], Platform]]:
    built: list[Platform] = []

    def build(transport_kind: str, database_kind: str, max_attempts: int = 3) -> Platform:
        ledger_url = make_database(database_kind, "ledger")
        tally_url = make_database(database_kind, "tally")
        transport = make_transport(request, transport_kind, unique_name)
        ledger = Ledger(ledger_url)
        tally = Tally(tally_url)
        relay = OutboxRelay(ledger, transport, batch_size=200)
        consumer = EventConsumer(tally, transport, [service_topic("ledger")], max_attempts=max_attempts)
        platform = Platform(ledger, tally, transport, relay, consumer, ledger_url, tally_url)
        built.append(platform)
        return platform

    yield build
    for p in built:
        p.relay.stop()
        p.consumer.stop()
        p.transport.close()
        p.ledger.close()
        p.tally.close()


# The same consumer tests run on each transport, with the same assertions.
TRANSPORTS = [
    pytest.param(("inprocess", "sqlite"), id="inprocess-sqlite"),
    pytest.param(("inprocess", "postgres"), id="inprocess-postgres"),
    pytest.param(("kafka", "postgres"), id="kafka-postgres"),
]
