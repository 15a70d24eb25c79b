"""Charts drawn on the server as SVG (no script, nothing fetched): the page embeds the geometry computed here through
templates/_chart.html. Presentation attributes only (the content policy forbids inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    colour: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one row per label, the value printed after the bar."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    row_height: int
    scale_max: int

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


PALETTE = {"ok": "#1e6b31", "warn": "#7a4b00", "fail": "#a61b1b", "brand": "#0b5394", "muted": "#8a94a0"}


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, int, str]],
    *,
    width: int = 560,
    label_width: int = 120,
    row_height: int = 18,
) -> BarChart:
    """``rows``: (label, value, colour name of PALETTE). Every row is drawn, zeros too (a unit with no submission
    is information)."""
    top = max([1, *(value for _, value, _ in rows)])
    room = width - label_width - 40  # the value is printed after the bar
    bars = tuple(
        Bar(label, value, index * row_height, round(room * value / top, 1), PALETTE.get(colour, colour))
        for index, (label, value, colour) in enumerate(rows)
    )
    return BarChart(title, bars, width, row_height * len(rows) + 4, label_width, row_height, top)
