"""The fixtures give real servers: PostgreSQL through SQLAlchemy+psycopg, Kafka through kafka-python."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from tests.infra.kafka import KafkaBroker
from tests.infra.postgres import PostgresServer


def _consume(broker: KafkaBroker, topic: str, expected: int, group: str, timeout_s: float = 30.0) -> list[bytes]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6_000,
        heartbeat_interval_ms=1_000,
        consumer_timeout_ms=1_000,
    )
    values: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(values) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                values.extend(record.value for record in batch)
    finally:
        consumer.close()
    return values


@pytest.mark.postgres
def test_postgres_create_database_and_select_version(postgres_server: PostgresServer, unique_name: str) -> None:
    assert postgres_server.admin_url.startswith("postgresql+psycopg://")
    url = postgres_server.create_database(unique_name)
    assert url.startswith("postgresql+psycopg://")
    assert url.endswith("/" + unique_name)

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
            assert version.startswith("PostgreSQL ")
            assert conn.execute(sa.text("select current_database()")).scalar_one() == unique_name
            conn.execute(sa.text("create table t (id int primary key, name text not null)"))
            conn.execute(sa.text("insert into t values (1, '清洁生产')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select name from t where id = 1")).scalar_one() == "清洁生产"
    finally:
        engine.dispose()

    # create_database drops and recreates: the table is gone.
    url_again = postgres_server.create_database(unique_name)
    engine = sa.create_engine(url_again)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select to_regclass('public.t')")).scalar_one() is None
    finally:
        engine.dispose()


@pytest.mark.kafka
def test_kafka_produce_and_consume(kafka_broker: KafkaBroker, unique_name: str) -> None:
    kafka_broker.create_topics([unique_name])
    kafka_broker.create_topics([unique_name])  # already existing is fine

    admin = kafka_broker.admin()
    try:
        [topic] = admin.describe_topics([unique_name])
        assert len(topic["partitions"]) == 3
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        producer.send(unique_name, key=b"k", value="你好, kafka".encode()).get(timeout=30)
        producer.flush()
    finally:
        producer.close()

    assert _consume(kafka_broker, unique_name, 1, group=f"g-{unique_name}") == ["你好, kafka".encode()]


@pytest.mark.kafka
def test_kafka_topics_are_not_auto_created(kafka_broker: KafkaBroker, unique_name: str) -> None:
    consumer = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        assert not consumer.partitions_for_topic(unique_name)
    finally:
        consumer.close()
    admin = kafka_broker.admin()
    try:
        assert unique_name not in admin.list_topics()
    finally:
        admin.close()


@pytest.mark.kafka
def test_kafka_message_survives_broker_restart(kafka_broker: KafkaBroker, unique_name: str) -> None:
    if not kafka_broker.supports_restart:
        pytest.skip(f"restart not supported on this backend ({kafka_broker!r})")
    kafka_broker.create_topics([unique_name], partitions=1)

    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        meta = producer.send(unique_name, value=b"before-restart").get(timeout=30)
        producer.flush()
    finally:
        producer.close()

    kafka_broker.stop()
    kafka_broker.start()

    # Read back with an explicit assignment (no group coordination involved)...
    consumer = KafkaConsumer(
        bootstrap_servers=kafka_broker.bootstrap_servers, enable_auto_commit=False, consumer_timeout_ms=1_000
    )
    try:
        tp = TopicPartition(unique_name, meta.partition)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        values: list[bytes] = []
        deadline = time.monotonic() + 30
        while not values and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                values.extend(r.value for r in batch)
    finally:
        consumer.close()
    assert values == [b"before-restart"]

    # ... and through a consumer group, which needs the group coordinator back after the restart.
    assert _consume(kafka_broker, unique_name, 1, group=f"g-{unique_name}", timeout_s=60) == [b"before-restart"]
