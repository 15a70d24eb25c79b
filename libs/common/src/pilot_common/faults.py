"""Telling an ordinary fault of the infrastructure (the database or the broker gone for a moment) from a bug.

The relay and the consumers retry the first kind for ever, from their last recorded position, without counting it
against a message; only the second kind can ever send a message to the dead-letter topic.
"""

from __future__ import annotations

import sqlalchemy.exc
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError

from pilot_common.transport import TransportError

_INFRASTRUCTURE = (
    TransportError,
    StoreOperationalError,
    StoreInterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def is_infrastructure_error(error: BaseException) -> bool:
    """True when the error (or anything it was raised from) is the database's or the broker's, not the handler's."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _INFRASTRUCTURE):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
