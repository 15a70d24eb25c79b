"""Ordinary faults as normal inputs: the database gone for a while, a relay that loses its lease, a consumer killed
again and again, topics that do not match their declaration. After each, every event has exactly one effect."""

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
from kafka import KafkaAdminClient
from kafka.admin import NewPartitions
from sqlalchemy import make_url, select

from pilot_common.relay import OutboxRelay
from pilot_common.transport import BackboneMisconfigured, TopicLayout, dlq_topic, service_topic
from pilot_common.transport.inprocess import InProcessBus
from pilot_common.transport.kafka import KafkaTransport
from tests.outage import database_outage
from tests.platform.apps import Ledger, Tally, effects
from tests.platform.conftest import Platform

ROOT = Path(__file__).resolve().parents[2]
STREAM = 5000


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not reached within {timeout}s: {what}"
        time.sleep(0.05)


def replay(ledger: Ledger) -> set[tuple[int, str, int]]:
    """What the tally's read model must hold: one row per Entry.Created, straight from the ledger's store."""
    expected = set()
    for n in ledger.recorder.select_notifications(start=None, limit=1_000_000):
        if n.topic.endswith("Entry.Created"):
            entry = ledger.mapper.to_domain_event(n)
            expected.add((n.id, str(n.originator_id), entry.amount))  # type: ignore[attr-defined]
    return expected


def tally_rows(tally: Tally) -> list[tuple[int, str, int]]:
    with tally.reading() as session:
        rows = session.execute(select(effects.c.notification_id, effects.c.entry_id, effects.c.amount)).all()
    return [(int(a), str(b), int(c)) for a, b, c in rows]


def assert_equals_replay(p: Platform) -> None:
    rows = tally_rows(p.tally)
    assert len(rows) == len(set(rows)), "an event had a second effect"
    assert set(rows) == replay(p.ledger), "the tally's read model differs from a replay of the ledger"


def dead_letters(p: Platform) -> int:
    topic = dlq_topic(service_topic("ledger"))
    if isinstance(p.transport, InProcessBus):
        return len(p.transport.messages(topic))
    sub = p.transport.subscribe([topic], group=f"dlq-inspector-{time.monotonic_ns()}")
    try:
        return sum(len(sub.poll(1.0)) for _ in range(3))
    finally:
        sub.close()


# --- (a) the database gone for ~5 s in the middle of a stream ----------------------------------------------------


@pytest.mark.parametrize(
    "kinds",
    [pytest.param(("inprocess", "postgres"), id="inprocess"), pytest.param(("kafka", "postgres"), id="kafka")],
)
def test_database_outage_mid_stream_loses_and_doubles_nothing(
    platform_factory: Callable[..., Platform], postgres_server: object, kinds: tuple[str, str]
) -> None:
    p = platform_factory(*kinds)
    p.relay.retry_seconds = 0.2
    p.consumer.max_backoff_seconds = 0.5
    p.record(STREAM)
    p.relay.start()
    p.consumer.start()
    assert p.wait_for_effects(STREAM // 5, consume=False)[0] >= STREAM // 5

    with database_outage(postgres_server, [p.ledger_url, p.tally_url]):
        down_at = time.monotonic()
        wait_until(lambda: p.consumer.status.interruptions >= 1, 30, "the consumer meets the outage")
        remaining = 5.0 - (time.monotonic() - down_at)
        if remaining > 0:
            threading.Event().wait(remaining)  # the outage lasts ~5 s: the fault's length is the input here
    back_at = time.monotonic()

    assert p.wait_for_effects(STREAM, timeout=180, consume=False) == (STREAM, STREAM)
    recovered_in = time.monotonic() - back_at
    assert_equals_replay(p)
    assert p.consumer.dead_lettered == 0
    assert dead_letters(p) == 0
    wait_until(lambda: p.relay.lag() == 0, 30, "the relay publishes everything")
    print(
        f"\n[outage {kinds[0]}] {STREAM} events, interruptions {p.consumer.status.interruptions}, "
        f"caught up {recovered_in:.1f}s after the database came back"
    )


# --- (b) a relay loses its lease while a second one takes over ---------------------------------------------------


def _relay_process(
    p: Platform, bootstrap: str, namespace: str, name: str, lease_seconds: float
) -> subprocess.Popen[str]:
    url = make_url(p.ledger_url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RELAY_NAMESPACE": namespace,
        "RELAY_LEASE_SECONDS": str(lease_seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.platform.relay_process", url, bootstrap, "100"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _published_on_topic(bootstrap: str, topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(parts).values())
    finally:
        consumer.close()


@pytest.mark.kafka
def test_relay_that_loses_its_lease_steps_down_and_nothing_is_stuck_lost_or_doubled(
    platform_factory: Callable[..., Platform], kafka_broker: object, postgres_server: object, unique_name: str
) -> None:
    p = platform_factory("kafka", "postgres")
    bootstrap = kafka_broker.bootstrap_servers  # type: ignore[attr-defined]
    p.record(STREAM)
    p.consumer.start()
    first = _relay_process(p, bootstrap, unique_name, "relay-first", lease_seconds=2.0)
    second: subprocess.Popen[str] | None = None
    try:
        wait_until(lambda: (p.ledger.process_recorder.max_tracking_id("relay") or 0) >= STREAM // 5, 120, "progress")
        # The first relay stalls (a long pause) and its database connections are killed: its lease runs out.
        first.send_signal(signal.SIGSTOP)
        with postgres_server._admin_engine().connect() as conn:  # type: ignore[attr-defined]
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'relay-first'"
            )
        stalled_at = p.ledger.process_recorder.max_tracking_id("relay") or 0
        second = _relay_process(p, bootstrap, unique_name, "relay-second", lease_seconds=2.0)
        wait_until(
            lambda: (p.ledger.process_recorder.max_tracking_id("relay") or 0) > stalled_at + 500,
            60,
            "the second relay takes over",
        )
        # The first one wakes up, still believing it leads, in the middle of its batch.
        first.send_signal(signal.SIGCONT)
        assert p.wait_for_effects(STREAM, timeout=180, consume=False) == (STREAM, STREAM)
        wait_until(lambda: (p.ledger.process_recorder.max_tracking_id("relay") or 0) == STREAM, 60, "position")
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
                proc.wait(30)
    assert_equals_replay(p)
    published = _published_on_topic(bootstrap, f"{unique_name}.ledger.events")
    # Republished batches are bounded (at most a batch or two around the hand-over), never a livelock.
    assert STREAM <= published <= STREAM + 1000, published
    print(f"\n[lease] {STREAM} events, {published} messages published ({published - STREAM} republished)")


def test_stopped_relay_hands_over_at_once_and_a_late_one_starts_from_the_recorded_position(
    make_database: Callable[[str, str], str],
) -> None:
    from tests.platform.apps import Entry

    url = make_database("postgres", "ledger")
    first_app, second_app = Ledger(url), Ledger(url)
    topic = service_topic("ledger")
    try:
        # A durable stand-in for Kafka so that positions are recorded: one in-process bus both relays share.
        bus = InProcessBus()
        bus.durable = True  # type: ignore[misc]
        first = OutboxRelay(first_app, bus, batch_size=50)
        second = OutboxRelay(second_app, bus, batch_size=50)
        first_app.save(*[Entry(amount=i, note="") for i in range(120)])
        assert first.publish_next_batch() == 50
        assert second.publish_next_batch() == 0, "only the lease holder publishes"
        first.stop()  # releases the lease: no waiting for it to expire
        assert second.drain() == 70, "the second relay starts from the recorded position, not from its own memory"
        assert second.position == 120
        assert len(bus.messages(topic)) == 120
    finally:
        first_app.close()
        second_app.close()


def test_relay_records_its_position_after_a_full_batch_within_an_interval_of_small_ones_and_at_stop(
    make_database: Callable[[str, str], str],
) -> None:
    from tests.platform.apps import Entry

    url = make_database("postgres", "ledger")
    app = Ledger(url)
    try:
        bus = InProcessBus()
        bus.durable = True  # type: ignore[misc]
        relay = OutboxRelay(app, bus, batch_size=50, record_interval=0.3)

        def recorded() -> int:
            return app.process_recorder.max_tracking_id("relay") or 0

        app.save(*[Entry(amount=i, note="") for i in range(50)])
        assert relay.publish_next_batch() == 50
        assert recorded() == 50, "a full batch is recorded at once: a successor does not start far behind"
        app.save(Entry(amount=50, note=""))
        assert relay.publish_next_batch() == 1
        assert recorded() == 50, "a small batch is not a transaction of its own"

        def idle_pass() -> bool:  # what the relay's loop does when nothing new arrives
            relay.publish_next_batch()
            return recorded() == 51

        wait_until(idle_pass, 5, "the small batch recorded within the interval, though nothing more arrived")
        app.save(Entry(amount=51, note=""), Entry(amount=52, note=""))
        assert relay.publish_next_batch() == 2
        relay.stop()
        assert recorded() == 53, "a stopping relay records what it published"
        assert len(bus.messages(service_topic("ledger"))) == 53
    finally:
        app.close()


# --- (c) a consumer process killed 20 times during a 10,000-event stream -------------------------------------------


@pytest.mark.kafka
def test_consumer_killed_twenty_times_ends_equal_to_a_replay(
    platform_factory: Callable[..., Platform], kafka_broker: object, unique_name: str
) -> None:
    events, kills = 10_000, 20
    p = platform_factory("kafka", "postgres")
    bootstrap = kafka_broker.bootstrap_servers  # type: ignore[attr-defined]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONSUMER_NAMESPACE": unique_name}
    p.relay.start()
    writer = threading.Thread(target=p.record, args=(events,), kwargs={"batch": 20})
    writer.start()

    def launch() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.platform.consumer_process", p.tally_url, bootstrap],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    started = time.monotonic()
    for _ in range(kills):
        before = p.tally.effect_counts()[0]
        proc = launch()
        try:
            # Killed once it has made some progress, whatever it is doing at that moment.
            wait_until(lambda b=before: p.tally.effect_counts()[0] >= min(events, b + 150), 120, "progress")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
    writer.join(timeout=300)
    last = launch()
    try:
        assert p.wait_for_effects(events, timeout=300, consume=False)[0] == events
    finally:
        last.terminate()
        last.wait(30)
    assert_equals_replay(p)
    print(f"\n[kills] {events} events, {kills} SIGKILLs, {time.monotonic() - started:.0f}s in all")


# --- (d) topics that do not match their declaration --------------------------------------------------------------


@pytest.mark.kafka
def test_service_refuses_to_start_on_a_topic_that_changed_or_cannot_take_acks_all(
    make_database: Callable[[str, str], str], kafka_broker: object, unique_name: str
) -> None:
    from pilot_common.runtime import ServiceRuntime
    from tests.platform.apps import LEDGER_TYPES

    bootstrap = kafka_broker.bootstrap_servers  # type: ignore[attr-defined]
    tally = Tally(make_database("postgres", "tally"))
    try:

        def runtime(layout: TopicLayout) -> ServiceRuntime:
            transport = KafkaTransport(bootstrap, "tally", namespace=unique_name, layout=layout)
            return ServiceRuntime(tally, transport, consumes=["ledger"], published={"ledger": frozenset(LEDGER_TYPES)})

        runtime(TopicLayout()).verify_backbone()  # first start: the tracking is built on 3 partitions

        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            topic = f"{unique_name}.ledger.events"
            admin.create_partitions({t: NewPartitions(total_count=4) for t in (topic, f"{topic}.dlq")})
        finally:
            admin.close()
        with pytest.raises(BackboneMisconfigured, match=rf"{unique_name}\.ledger\.events: 4 partitions, 3 declared"):
            runtime(TopicLayout()).verify_backbone()
        # Even if the declaration follows the topic, the tracking was built on 3 partitions.
        consumer = runtime(TopicLayout(partitions=4)).consumer
        assert consumer is not None
        with pytest.raises(BackboneMisconfigured, match=r"ledger\.events now has 4 partitions.*built on 3"):
            consumer.verify_topics()

        # A topic whose min.insync.replicas one broker can never meet: every acks=all send would fail.
        strict = KafkaTransport(
            bootstrap, "tally", namespace=f"{unique_name}-isr", layout=TopicLayout(min_insync_replicas=2)
        )
        with pytest.raises(BackboneMisconfigured, match=r"tally\.events: min\.insync\.replicas=2 but only 1"):
            ServiceRuntime(tally, strict).verify_backbone()
        # Production: topics come from the operator; a missing one is named, never created or waited for.
        managed = KafkaTransport(bootstrap, "tally", namespace=f"{unique_name}-op", layout=TopicLayout(create=False))
        with pytest.raises(BackboneMisconfigured, match=r"tally\.events do not exist"):
            ServiceRuntime(tally, managed).verify_backbone()
    finally:
        tally.close()


# --- (f) the checkpoint timer while the database is away ---------------------------------------------------------


def test_checkpoint_timer_rides_out_a_database_outage_and_signs_every_size_once(
    make_database: Callable[[str, str], str], postgres_server: object
) -> None:
    from pilot_common.merkle import CheckpointSigner
    from pilot_common.translog import CheckpointTimer, log_state, own_checkpoints, verify_store

    url = make_database("postgres", "ledger")
    ledger = Ledger(url)
    recorder = ledger.audited_recorder
    signer = CheckpointSigner.generated("ledger")
    timer = CheckpointTimer(ledger, signer, interval=0.1)

    def record(count: int) -> None:
        for i in range(count):
            ledger.record(i)

    def signed_sizes() -> list[int]:
        return [c.size for c in own_checkpoints(recorder)]

    def recorded(count: int) -> bool:
        try:  # the first statements after the outage may meet connections it killed
            record(count)
        except Exception:
            return False
        return True

    timer.start()
    try:
        record(20)
        wait_until(lambda: bool(signed_sizes()) and signed_sizes()[-1] >= 20, 30, "a checkpoint before the outage")
        before = signed_sizes()
        with database_outage(postgres_server, [url]):
            failures = timer.failures
            wait_until(lambda: timer.failures >= failures + 3, 30, "the timer meets the outage several times")
        assert timer.failures > failures
        wait_until(lambda: recorded(15), 30, "the ledger writes again")
        size_after, _ = log_state(recorder, with_root=False)
        wait_until(lambda: signed_sizes()[-1] >= size_after, 30, "a checkpoint signed after the database came back")
    finally:
        timer.stop()

    sizes = signed_sizes()
    assert sizes[: len(before)] == before and sizes[-1] > before[-1]
    assert sizes == sorted(set(sizes)), f"two checkpoints for one size, or out of order: {sizes}"
    # Each kept checkpoint has its stored (published) event and no event lacks its row: none lost, none doubled.
    events = [
        ledger.mapper.to_domain_event(n)
        for n in recorder.select_notifications(start=None, limit=1_000_000)
        if n.topic.endswith("Checkpoint.Signed")
    ]
    assert sorted(e.size for e in events) == sizes  # type: ignore[attr-defined]
    # The log grew consistently: every checkpoint verifies against the log and proves consistent with the next.
    report = verify_store(recorder, signer.public_key)
    assert report.ok, report.problems
    assert [c.size for c in report.checkpoints] == sizes and {c.status for c in report.checkpoints} == {"OK"}
    ledger.close()
