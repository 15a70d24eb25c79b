"""Services as their users meet them: over HTTP, on a real PostgreSQL and a real Kafka (or on the embedded
default: SQLite and the in-process bus)."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pilot_common.auth import TokenIssuer
from pilot_common.context import Role
from pilot_common.runtime import AssembledService
from pilot_common.settings import ServiceSettings
from pilot_common.transport.inprocess import InProcessBus
from tests.schema import SERVICE_MIGRATIONS, migrated


@dataclass
class Deployment:
    """Where the services of one test keep their data and exchange events."""

    mode: str  # "distributed" (PostgreSQL + Kafka) or "embedded" (SQLite + in-process bus)
    database_url: Callable[[str], str]
    kafka: str | None
    namespace: str
    bus: InProcessBus | None

    def settings(self, service: str, **overrides: Any) -> ServiceSettings:
        return ServiceSettings(
            service_name=service,
            database_url=self.database_url(service),
            kafka_bootstrap_servers=self.kafka,
            kafka_namespace=self.namespace,
            **{"jwt_secret": TEST_JWT_SECRET, **overrides},
        )

    def process_env(self, service: str, port: int, **variables: str) -> dict[str, str]:
        """The environment of `python -m <service>` as its own process on this deployment's database and Kafka,
        listening on loopback at `port` (`variables` add to it or replace)."""
        return {
            **os.environ,
            "DATABASE_URL": self.settings(service).database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka or "",
            "PILOT_KAFKA_NAMESPACE": self.namespace,
            "PILOT_PORT": str(port),
            "PILOT_HOST": "127.0.0.1",
            **variables,
        }


def fresh(service: str, database_url: str) -> str:
    """A new database for `service`: migrated to head for the platform's services (as `migrate` does before a
    service serves); left empty for a test's own stand-ins, which add their tables themselves."""
    return migrated(service, database_url) if service in SERVICE_MIGRATIONS else database_url


@pytest.fixture(params=["distributed"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path, unique_name: str) -> Deployment:
    if request.param == "embedded":
        return Deployment("embedded", lambda s: fresh(s, f"sqlite:///{tmp_path}/{s}.db"), None, "", InProcessBus())
    server = request.getfixturevalue("postgres_server")
    broker = request.getfixturevalue("kafka_broker")
    return Deployment(
        "distributed",
        lambda s: fresh(s, str(server.create_database(f"{unique_name}_{s.replace('-', '_')}"))),
        broker.bootstrap_servers,
        unique_name,
        None,
    )


@pytest.fixture
def start_service() -> Iterator[
    Callable[[Callable[..., AssembledService], ServiceSettings, InProcessBus | None], TestClient]
]:
    started: list[tuple[TestClient, AssembledService]] = []

    def start(
        build: Callable[..., AssembledService], settings: ServiceSettings, bus: InProcessBus | None
    ) -> TestClient:
        service = build(settings, bus)
        client = TestClient(service.api, raise_server_exceptions=False)
        client.__enter__()  # runs the lifespan: relay and consumers start
        started.append((client, service))
        return client

    yield start
    for client, service in reversed(started):
        client.__exit__(None, None, None)
        # give the database connections back: a session starts hundreds of services on one server
        engine = service.runtime.app.datastore.engine
        if isinstance(engine, Engine):
            engine.dispose()


# A fresh secret per test session (never the development one in the source), so that services started on their
# own (`python -m …`, which refuse a known secret) accept the same tokens as the services in the test process.
TEST_JWT_SECRET = secrets.token_urlsafe(48)
ISSUER = TokenIssuer.from_settings(ServiceSettings(service_name="tests", jwt_secret=TEST_JWT_SECRET))


def bearer(role: Role, sub: str, province: str | None = None, org: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.issue(sub=sub, role=role, province=province, org=org)}"}


MINISTRY = bearer(Role.MINISTRY, "wang.mee", org="MEE")
NDRC = bearer(Role.MINISTRY, "zhao.ndrc", org="NDRC")
AUDITOR = bearer(Role.AUDITOR, "audit.1")
JIANGSU = bearer(Role.PROVINCE, "su.1", province="320000")
ZHEJIANG = bearer(Role.PROVINCE, "zhe.1", province="330000")


def eventually(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.2) -> Any:
    """Polls until `check` returns something truthy (events cross services asynchronously)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout}s; last value {last!r}")
