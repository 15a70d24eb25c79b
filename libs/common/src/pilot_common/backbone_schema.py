"""Tables of the event backbone that every service's database holds beside its event store.

- `relay_lease`: who may publish a service's notification log now. One row per relay name; the holder renews it
  every cycle and records its position only in a transaction that still finds its own fencing token there, so a
  relay that lost its lease (a dropped connection, a pause longer than the lease) can never move the position.
- `consumer_topic_layout`: the partition count of each consumed topic when this service's tracking records were
  first built on it. Tracking is per partition (`upstream#p3`), so a topic whose partition count changed later
  would silently re-route keys: the service refuses to start instead.

Created by the migrations like every other table; nothing creates them at run time.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

backbone_metadata = MetaData()

relay_lease = Table(
    "relay_lease",
    backbone_metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False, server_default=""),
    Column("fencing_token", BigInteger, nullable=False, server_default="0"),
    # Milliseconds since the epoch on the database's clock (one clock for every relay, whatever host it runs on).
    Column("expires_at_ms", BigInteger, nullable=False, server_default="0"),
)

consumer_topic_layout = Table(
    "consumer_topic_layout",
    backbone_metadata,
    Column("topic", String(249), primary_key=True),
    Column("partitions", Integer, nullable=False),
)
