"""Runs the ledger's outbox relay as its own process (so a test can kill, pause or duplicate it)."""

import os
import sys

from pilot_common.relay import OutboxRelay
from pilot_common.transport.kafka import KafkaTransport
from tests.platform.apps import Ledger

if __name__ == "__main__":
    database_url, bootstrap, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    namespace = os.environ.get("RELAY_NAMESPACE", "")
    lease_seconds = float(os.environ.get("RELAY_LEASE_SECONDS", "15"))
    transport = KafkaTransport(bootstrap, "ledger-relay", namespace=namespace)
    relay = OutboxRelay(Ledger(database_url), transport, batch_size=batch_size, lease_seconds=lease_seconds)
    print("relay started at", relay.position, flush=True)
    relay.run()
