"""Calendar arithmetic the date-window rules share.

Definitions (documented here once, cited by the rules):

* **Local date** — an instant's calendar date in the programme's time zone (Asia/Shanghai for batch 2).
* **Adding months** — same day-of-month, clamped to the month's last day: 2023-01-31 + 1 month = 2023-02-28,
  2024-02-29 + 12 months = 2025-02-28, 2024-02-29 − 36 months = 2021-02-28 (Feb 29 → Feb 28).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pilot_common.wording import zh_date, zh_moment, zone_label

__all__ = ["add_months", "local_date", "local_iso", "years_before", "zh_date", "zh_moment", "zone_label"]


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def local_iso(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).isoformat()


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (negative: back), the day clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` years earlier; Feb 29 becomes Feb 28 in a common year."""
    return add_months(day, -12 * years)
