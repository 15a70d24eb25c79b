"""The service's idea of "now": the system clock, or a clock shifted to a programme's own time.

A batch of the programme has fixed dates (batch 2: 2023-03-03 to 2023-04-07). The embedded demo and the tests
replay such a batch by starting the clock at a chosen instant (`PILOT_CLOCK_START`); it then runs at normal
speed. Only business time moves; event timestamps in the store stay real.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone, e.g. 2023-03-20T09:00:00+08:00")
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def clock_starting(start: datetime | None) -> Clock:
    return ShiftedClock(start) if start is not None else SystemClock()
