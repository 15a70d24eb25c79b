"""How the console writes what users read (docs/glossary.md), and that every asset is its own (no CDN)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pilot_console
from pilot_console.i18n import as_date, as_megabytes, as_moment, as_money, section_number, wan_to_yuan, yuan_to_wan

PACKAGE = Path(pilot_console.__file__).parent


def test_dates_times_and_money_read_as_the_glossary_writes_them() -> None:
    assert as_date("2023-04-07", "zh") == "2023年4月7日"
    # An instant in UTC late on 6 April is 7 April in Beijing
    assert as_moment(datetime(2023, 4, 6, 16, 30, tzinfo=UTC), "zh") == "2023年4月7日 00:30（北京时间）"
    assert as_moment("2023-03-20T01:00:27+00:00", "en") == "2023-03-20 09:00 (Beijing time)"
    assert as_money("3000000", "zh") == "300万元" and as_money("12345.67", "zh") == "1.2346万元"
    assert yuan_to_wan("3000000.00") == "300" and wan_to_yuan("300") == "3000000.00"
    assert wan_to_yuan("1.5") == "15000.00" and wan_to_yuan("abc") is None and wan_to_yuan("-1") is None
    assert as_megabytes(52428800) == "50M" and as_megabytes(13107200) == "12.5M"
    assert [section_number(c, "zh") for c in ("1", "4.2", "7")] == ["一、", "（二）", "七、"]


def test_every_asset_is_served_by_the_console_itself() -> None:
    external = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)
    files = [*PACKAGE.glob("templates/**/*.html"), *PACKAGE.glob("static/*.css"), *PACKAGE.glob("static/*.js")]
    assert files
    offenders = [str(f.relative_to(PACKAGE)) for f in files if external.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
    vendored = (PACKAGE / "static" / "VENDORED.md").read_text(encoding="utf-8")
    assert "htmx.min.js" in vendored and "2.0.11" in vendored
    assert (PACKAGE / "static" / "htmx.min.js").stat().st_size > 10_000
