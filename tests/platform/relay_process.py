"""Runs the ledger's outbox relay as its own process (so a test can kill it with SIGKILL)."""

import os
import sys

from pilot_common.relay import OutboxRelay
from pilot_common.transport.kafka import KafkaTransport
from tests.platform.apps import Ledger

if __name__ == "__main__":
    database_url, bootstrap, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    namespace = os.environ.get("RELAY_NAMESPACE", "")
    transport = KafkaTransport(bootstrap, "ledger-relay", namespace=namespace)
    relay = OutboxRelay(Ledger(database_url), transport, batch_size=batch_size)
    print("relay started at", relay.position, flush=True)
    relay.run()
