"""Provinces and divisions as the rules name and compare them (GB/T 2260 codes; 兵团 66xxxx and 659xxx)."""

from __future__ import annotations

from pilot_common.reference import PILOT_TYPES, UnknownDivisionError, division_in_unit, province_of, provincial_unit

from ..messages import Text


def province(code: str) -> Text:
    """A provincial unit's name in both languages; an unknown code stands for itself."""
    unit = provincial_unit(code)
    return Text(unit.name, unit.english_name) if unit else Text(code, code)


def division_in_province(code: str, province_code: str) -> bool | None:
    """None for a malformed code; else the shared rule (兵团: 66xxxx and its cities 659xxx)."""
    try:
        province_of(code)
    except UnknownDivisionError:
        return None
    return division_in_unit(code, province_code)


def type_number(pilot_type: str) -> int | None:
    """The notice's number of a pilot type (1–4); None for a code that is not one."""
    entry = PILOT_TYPES.get(pilot_type)
    return entry.number if entry else None
