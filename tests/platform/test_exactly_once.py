"""Every committed event reaches the consumer with exactly one effect, on Kafka and on the in-process bus."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, Tracking
from sqlalchemy import Engine
from sqlalchemy import event as sa_event

from pilot_common.consumer import tracking_name
from pilot_common.envelope import EventEnvelope
from pilot_common.transport import dlq_topic, service_topic
from tests.platform.conftest import TRANSPORTS, Platform, poll_until
from tests.statements import statements_sent

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
    poll_until(again, lambda: again.skipped >= STREAM, timeout=180, wait=1.0)
    again.close()
    assert again.skipped == STREAM
    assert again.processed == 0
    assert p.tally.effect_counts() == (STREAM, STREAM)
    # The new events a handler wrote were committed together with the tracking record, once.
    assert p.tally.milestones() == STREAM // 1000


@pytest.mark.parametrize("kinds", TRANSPORTS)
def test_ignored_events_take_no_handling_transaction_and_still_move_the_position(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.record(20)
    entries = [n for n in p.ledger.recorder.select_notifications(start=None, limit=100)]
    assert p.relay.drain() == 20
    assert p.wait_for_effects(20, timeout=120) == (20, 20)

    # The tally ignores amendments: a stretch of them opens no transaction of the tally's, per message or at all,
    # except one tracking row per partition the batch touched.
    ledger = {str(n.originator_id) for n in entries}
    for entry_id in sorted(ledger):
        entry = p.ledger.repository.get(uuid.UUID(entry_id))
        entry.amend(amount=entry.amount + 1)
        p.ledger.save(entry)
    assert p.relay.drain() == 20
    statements = statements_sent(p.tally)
    poll_until(p.consumer, lambda: p.consumer.ignored >= 20)
    assert p.consumer.ignored == 20 and p.consumer.processed == 20
    assert p.tally.effect_counts() == (20, 20)
    tracking_writes = [
        s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE")) and "tracking" in s.lower()
    ]
    partitions = {tracking_name("ledger", d) for d in range(p.transport.layout.partitions)}
    last = p.ledger.recorder.max_notification_id()
    recorded = [p.tally.process_recorder.max_tracking_id(name) or 0 for name in partitions]
    assert max(recorded) == last, "the position reached by the ignored messages is recorded"
    assert 1 <= len(tracking_writes) <= sum(1 for r in recorded if r), tracking_writes

    # Read again from the start by another group of the tally: everything is known from the tracking rows.
    again = p.new_consumer(group="tally-rereading")
    poll_until(again, lambda: again.skipped >= 40)
    again.close()
    assert (again.skipped, again.processed, again.ignored) == (40, 0, 0)
    assert p.tally.effect_counts() == (20, 20)


@pytest.mark.parametrize("kinds", TRANSPORTS)
def test_a_stream_is_handled_several_messages_per_transaction(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.record(400)
    assert p.relay.drain() == 400
    engine = p.tally.datastore.engine
    assert isinstance(engine, Engine)
    commits: list[int] = []
    sa_event.listen(engine, "commit", lambda _conn: commits.append(1))

    assert p.wait_for_effects(400, timeout=120) == (400, 400)
    assert p.consumer.processed == 400
    # 50 a transaction at most (`EventConsumer.transaction_size`), a poll's messages split by it, plus the rows of
    # tracking for what was read: far from one transaction per message.
    assert len(commits) <= 400 // 10, len(commits)
    names = {tracking_name("ledger", d) for d in range(p.transport.layout.partitions)}
    last = p.ledger.recorder.max_notification_id()
    assert max(p.tally.process_recorder.max_tracking_id(n) or 0 for n in names) == last


@pytest.mark.parametrize("kinds", TRANSPORTS)
def test_a_batch_another_member_recorded_meanwhile_has_no_second_effect(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.record(100)
    assert p.relay.drain() == 100
    # A second reader of the same messages remembers the positions before the first one records anything (as a
    # member does when a rebalance hands it partitions another member is still finishing).
    late = p.new_consumer(group="tally-late")
    names = [tracking_name("ledger", d) for d in range(p.transport.layout.partitions)]
    assert all(late._recorded(name) == 0 for name in names)
    assert p.wait_for_effects(100, timeout=120) == (100, 100)

    poll_until(late, lambda: late.skipped >= 100)
    late.close()
    assert (late.skipped, late.processed, late.dead_lettered) == (100, 0, 0)
    assert p.tally.effect_counts() == (100, 100)


@pytest.mark.parametrize("kinds", TRANSPORTS[:2])
def test_events_handled_together_are_refused_whole_when_one_was_recorded_meanwhile(
    platform_factory: Callable[..., Platform], kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.record(30)
    assert p.relay.drain() == 30
    reader = p.transport.subscribe([service_topic("ledger")], group="direct")
    deliveries = []
    deadline = time.monotonic() + 60
    while len(deliveries) < 30 and time.monotonic() < deadline:
        deliveries += reader.poll(0.5)
    reader.close()
    partition = Counter(d.partition for d in deliveries).most_common(1)[0][0]
    items = [
        (envelope, Tracking(tracking_name("ledger", partition), envelope.notificationid))
        for envelope in (EventEnvelope.model_validate_json(d.value) for d in deliveries if d.partition == partition)
    ]
    assert len(items) >= 3
    p.tally.process_event(*items[1])  # another member handled the second one

    with pytest.raises(IntegrityError):
        p.tally.process_events(items, lambda _envelope: contextlib.nullcontext())
    assert p.tally.effect_counts() == (1, 1), "nothing of the refused batch was committed"
    p.tally.process_events(items[2:], lambda _envelope: contextlib.nullcontext())
    assert p.tally.effect_counts() == (len(items) - 1, len(items) - 1)
    assert p.tally.process_recorder.max_tracking_id(items[-1][1].application_name) == items[-1][1].notification_id


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
