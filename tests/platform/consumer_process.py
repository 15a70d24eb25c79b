"""Runs the tally's consumer as its own process (so a test can kill it with SIGKILL and start it again).

Static group membership (`group_instance_id`), as a pod's restarted container would have it: the restarted
consumer gets its partitions back without waiting for the killed one's session to time out.
"""

import os
import sys

from pilot_common.consumer import EventConsumer
from pilot_common.transport import service_topic
from pilot_common.transport.kafka import KafkaTransport
from tests.platform.apps import Tally

if __name__ == "__main__":
    database_url, bootstrap = sys.argv[1], sys.argv[2]
    namespace = os.environ.get("CONSUMER_NAMESPACE", "")
    transport = KafkaTransport(
        bootstrap, "tally-consumer", namespace=namespace, session_timeout_ms=6_000, group_instance_id="tally-0"
    )
    consumer = EventConsumer(Tally(database_url), transport, [service_topic("ledger")])
    print("consumer started", flush=True)
    consumer.run()
