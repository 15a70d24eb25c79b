"""Input checks shared by the aggregates and pure functions (reference data look-ups, time stamps)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation
from pilot_common.clock import business_clock_now
from pilot_common.reference import KEY_INDUSTRIES, PILOT_TYPES, UnknownDivisionError, province_of, provincial_unit


def require_province(code: str, field: str = "province") -> str:
    """A provincial unit's six-digit GB/T 2260 code (e.g. 320000), one of the 32 units."""
    value = code.strip() if isinstance(code, str) else code
    if not isinstance(value, str) or provincial_unit(value) is None:
        raise EvaluationRuleViolation(
            ErrorCode.INVALID_PROVINCE,
            f"省份代码“{code}”不是32个省级单位之一的六位代码",
            f"province {code!r} is not the six-digit code of one of the 32 provincial units",
            field,
        )
    return value


def require_industries(codes: Iterable[str], field: str = "expertise") -> list[str]:
    """Key-industry codes, de-duplicated and sorted (stable event payloads)."""
    result = sorted({c.strip() for c in codes})
    unknown = [c for c in result if c not in KEY_INDUSTRIES]
    if unknown:
        raise EvaluationRuleViolation(
            ErrorCode.UNKNOWN_INDUSTRY,
            f"不是重点行业代码：{', '.join(unknown)}",
            f"not key-industry codes: {', '.join(unknown)}",
            field,
        )
    return result


def require_pilot_type(code: str, field: str = "pilot_type") -> str:
    if code not in PILOT_TYPES:
        raise EvaluationRuleViolation(
            ErrorCode.UNKNOWN_PILOT_TYPE, f"未知的试点类型：{code}", f"unknown pilot type: {code}", field
        )
    return code


def require_count(value: int, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise EvaluationRuleViolation(
            ErrorCode.INVALID_COUNT,
            f"{field} 必须是不小于 {minimum} 的整数",
            f"{field} must be an integer of at least {minimum}",
            field,
        )
    return value


def require_aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EvaluationRuleViolation(
            ErrorCode.NAIVE_TIMESTAMP, f"{field} 必须带时区", f"{field} must be timezone-aware", field
        )
    return moment


def now_or(moment: datetime | None, field: str = "at") -> datetime:
    """The given instant (checked to carry a time zone), or business time now (DESIGN "Time": sign-off and
    publication happen in the programme's calendar)."""
    return business_clock_now() if moment is None else require_aware(moment, field)


@lru_cache(maxsize=4096)  # pure; the assignment asks it for every reviewer × application pair
def provincial_unit_code(code: str) -> str:
    """The provincial unit a division code lies in (320500 → 320000); an unknown code as given (stripped)."""
    try:
        return province_of(code)
    except UnknownDivisionError:
        return code.strip()
