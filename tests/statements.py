"""What a service sends to its database, for tests that assert how many round trips something takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event as sa_event

from pilot_common.service import ServiceApplication


def statements_sent(app: ServiceApplication, keep: Callable[[str], bool] = lambda _statement: True) -> list[str]:
    """A list that fills with each statement the application's engine sends from now on (those `keep` accepts)."""
    engine = app.datastore.engine
    assert isinstance(engine, Engine)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if keep(statement):
            sent.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    return sent
