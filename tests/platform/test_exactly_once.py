"""Every committed event reaches the consumer with exactly one effect, on Kafka and on the in-process bus."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pilot_common.consumer import tracking_name
from pilot_common.transport import dlq_topic, service_topic
from tests.platform.conftest import TRANSPORTS, Platform

STREAM = 5000
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kinds", TRANSPORTS)
def test_stream_has_exactly_one_effect_even_when_redelivered(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.record(STREAM)
    assert p.relay.drain() == STREAM

    # First consumer: processes everything but never commits its offsets, then goes away.
    first = p.new_consumer()
    first._subscribe()
    assert first._subscription is not None
    seen = 0
    deadline = time.monotonic() + 180
    while seen < STREAM and time.monotonic() < deadline:
        for delivery in first._subscription.poll(1.0):
            first.handle(delivery)
            seen += 1
    first.close()
    assert first.processed == STREAM
    assert p.tally.effect_counts() == (STREAM, STREAM)

    # Restarted consumer in the same group: the messages come again, and have no second effect.
    again = p.new_consumer()
    deadline = time.monotonic() + 180
    while again.skipped < STREAM and time.monotonic() < deadline:
        again.poll_once(1.0)
    again.close()
    assert again.skipped == STREAM
    assert again.processed == 0
    assert p.tally.effect_counts() == (STREAM, STREAM)
    # The new events a handler wrote were committed together with the tracking record, once.
    assert p.tally.milestones() == STREAM // 1000


@pytest.mark.parametrize("kinds", TRANSPORTS)
def test_poison_message_goes_to_the_dead_letter_topic_and_the_rest_is_processed(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds, max_attempts=3)
    p.record(10, note=lambda i: "poison" if i == 4 else "")
    p.relay.drain()

    assert p.wait_for_effects(9, timeout=120) == (9, 9)
    # Give the consumer the chance to (wrongly) process the poison message again.
    p.consumer.poll_once(1.0)
    assert p.tally.effect_counts() == (9, 9)
    assert p.consumer.dead_lettered == 1

    dlq = p.transport.subscribe([dlq_topic(service_topic("ledger"))], group="dlq-inspector")
    deadline = time.monotonic() + 60
    dead: list = []
    while not dead and time.monotonic() < deadline:
        dead = dlq.poll(1.0)
    dlq.close()
    assert len(dead) == 1
    headers = dead[0].headers
    assert headers["dlq_error_type"] == b"ValueError"
    assert headers["dlq_attempts"] == b"3"
    assert b"never be tallied" in headers["dlq_error"]
    assert headers["ce_type"] == b"ledger.Entry.Created"
    assert b'"note":"poison"' in dead[0].value


@pytest.mark.kafka
def test_broker_restart_in_the_middle_of_a_stream_loses_and_doubles_nothing(
    platform_factory: Callable[..., Platform], kafka_broker: object
) -> None:
    if not getattr(kafka_broker, "supports_restart", False):
        pytest.skip("this Kafka cannot be restarted by the tests (an external broker)")
    p = platform_factory("kafka", "postgres")
    p.relay.retry_seconds = 0.5
    p.relay.start()
    p.consumer.start()

    writer_done = threading.Event()

    def write() -> None:
        p.record(STREAM, batch=25)
        writer_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert p.wait_for_effects(STREAM // 5, consume=False)[0] >= STREAM // 5
    kafka_broker.stop()  # type: ignore[attr-defined]
    time.sleep(3)  # the writer goes on while the broker is down
    kafka_broker.start()  # type: ignore[attr-defined]
    writer.join(timeout=300)
    assert writer_done.is_set()
    assert p.wait_for_effects(STREAM, timeout=300, consume=False) == (STREAM, STREAM)
    time.sleep(2)  # anything redelivered late must still have no effect
    assert p.tally.effect_counts() == (STREAM, STREAM)


def _start_relay_process(p: Platform, bootstrap: str, namespace: str) -> subprocess.Popen[str]:
    # A short lease: the restarted relay takes over soon after the killed one's lease runs out.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RELAY_NAMESPACE": namespace, "RELAY_LEASE_SECONDS": "3"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.platform.relay_process", p.ledger_url, bootstrap, "50"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.kafka
def test_relay_killed_mid_batch_resumes_without_gap_or_double_effect(
    platform_factory: Callable[..., Platform], kafka_broker: object, unique_name: str
) -> None:
    p = platform_factory("kafka", "postgres")
    p.record(STREAM)
    p.consumer.start()
    bootstrap = kafka_broker.bootstrap_servers  # type: ignore[attr-defined]

    relay = _start_relay_process(p, bootstrap, unique_name)
    try:
        # Kill it while it is publishing: once a fifth of the stream is out, whatever batch it is in.
        deadline = time.monotonic() + 120
        while (p.ledger.process_recorder.max_tracking_id("relay") or 0) < STREAM // 5:
            assert time.monotonic() < deadline, "relay made no progress"
            time.sleep(0.005)
        relay.send_signal(signal.SIGKILL)
        relay.wait(30)
    finally:
        if relay.poll() is None:
            relay.kill()
    position_at_kill = p.ledger.process_recorder.max_tracking_id("relay") or 0
    assert position_at_kill < STREAM

    restarted = _start_relay_process(p, bootstrap, unique_name)
    try:
        assert restarted.stdout is not None
        first_line = restarted.stdout.readline()
        assert f"relay started at {position_at_kill}" in first_line
        assert p.wait_for_effects(STREAM, consume=False) == (STREAM, STREAM)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(30)
    time.sleep(2)
    assert p.tally.effect_counts() == (STREAM, STREAM)
    # Every partition's tracking reached the last notification that went to it.
    names = {tracking_name("ledger", part) for part in range(3)}
    assert sum(1 for n in names if p.tally.process_recorder.max_tracking_id(n)) >= 1
