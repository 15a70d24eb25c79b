"""How dates and times read in user-facing Chinese text (docs/glossary.md): 2023年4月7日, 北京时间.

Machine-readable fields (evidence, API values) stay ISO 8601; only sentences people read use these forms.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def zh_date(day: date | str) -> str:
    """A date as Chinese readers write it: 2023年4月7日 (an ISO string is accepted too)."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.year}年{value.month}月{value.day}日"


def zone_label(timezone: str) -> str:
    """北京时间 for Asia/Shanghai (the notice's time); other zones by name."""
    return "北京时间" if timezone in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else timezone


def zh_moment(moment: datetime, timezone: str) -> str:
    """An instant in the programme's zone: 2023年4月8日 00:00:01（北京时间）."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{zh_date(local.date())} {local:%H:%M:%S}（{zone_label(timezone)}）"
