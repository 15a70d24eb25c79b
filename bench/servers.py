"""The real PostgreSQL and Kafka a benchmark runs on: the ones named in the environment, else throwaway local ones
(started and stopped as the tests do it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.infra.kafka import KafkaBroker, start_kafka
from tests.infra.postgres import PostgresServer, start_postgres


@dataclass
class Servers:
    postgres: PostgresServer
    kafka: KafkaBroker

    def database(self, name: str) -> str:
        return self.postgres.create_database(f"bench_{name}_{uuid.uuid4().hex[:6]}")


def servers() -> Servers:
    return Servers(start_postgres(), start_kafka())
