"""Look-ups several pages make: the batch a page is about and business time now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pilot_console.client import ApiError, Services

BEIJING = ZoneInfo("Asia/Shanghai")


async def programmes(services: Services) -> list[dict[str, Any]]:
    page = await services.registry.get("/programmes", page_size=100)
    items: list[dict[str, Any]] = page["items"]
    return sorted(items, key=lambda p: (p.get("year", 0), p.get("batch", 0)), reverse=True)


async def current_programme(services: Services) -> dict[str, Any] | None:
    """The batch open for submissions, else the latest one."""
    found = await programmes(services)
    return next((p for p in found if p.get("status") == "OPEN"), found[0] if found else None)


async def business_now(services: Services) -> datetime:
    """Business time (the embedded default's clock at /registry/clock); the real time where none is served."""
    try:
        answer = await services.registry.get("/clock")
        return datetime.fromisoformat(answer["business_time"])
    except (ApiError, KeyError, ValueError):
        return datetime.now(BEIJING)


def closes_at(programme: dict[str, Any]) -> datetime | None:
    """The window closes at the end of the deadline day in the programme's zone (通知: 截止日期含当日)."""
    deadline = programme.get("deadline") or programme.get("rules", {}).get("deadline")
    if not deadline:
        return None
    zone = ZoneInfo(programme.get("rules", {}).get("timezone", "Asia/Shanghai"))
    day = datetime.fromisoformat(deadline).replace(tzinfo=zone)
    return day + timedelta(days=1)


def countdown(programme: dict[str, Any], now: datetime) -> dict[str, int] | None:
    end = closes_at(programme)
    if end is None or now >= end:
        return None
    left = end - now
    return {"days": left.days, "hours": left.seconds // 3600}
