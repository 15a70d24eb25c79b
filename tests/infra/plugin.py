"""pytest plugin: session fixtures for a real PostgreSQL server and a real Kafka broker.

Fixtures (servers start lazily, only when a test asks for them, and are stopped at session end):

- ``postgres_server`` (session): ``.admin_url`` and ``.create_database(name) -> url`` (``postgresql+psycopg://``).
- ``kafka_broker`` (session): ``.bootstrap_servers``, ``.supports_restart``, ``.stop()``, ``.start()``,
  ``.create_topics(names, partitions=3)``, ``.startup_seconds``.
- ``unique_name`` (function): a short unique lowercase name (``t`` + 8 hex chars) for topics and databases.

Tests using ``postgres_server``/``kafka_broker`` get the ``postgres``/``kafka`` marker automatically, so
``-m "not kafka"`` deselects them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.infra import STARTUP_REPORT, install_sigterm_handler
from tests.infra.kafka import KafkaBroker, start_kafka
from tests.infra.postgres import PostgresServer, start_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    install_sigterm_handler()
    server = start_postgres()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    install_sigterm_handler()
    broker = start_kafka()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def unique_name() -> str:
    return "t" + uuid.uuid4().hex[:8]


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3.0 loads its protocol schemas with importlib.resources' legacy API (deprecated on 3.11/3.12).
    config.addinivalue_line("filterwarnings", "ignore:read_text is deprecated:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:open_text is deprecated:DeprecationWarning")


_AUTO_MARKERS = {"postgres_server": "postgres", "kafka_broker": "kafka"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        for fixture, marker in _AUTO_MARKERS.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STARTUP_REPORT:
        terminalreporter.section("test infrastructure")
        for line in STARTUP_REPORT:
            terminalreporter.write_line(line)
