"""Validation shared by the registry's aggregates. Every check returns the normalised value or raises
:class:`RegistryRuleViolation`; none of them touches an aggregate."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Final, TypeVar
from uuid import UUID

from pilot_common.credit_code import validate_credit_code
from pilot_common.reference import division_in_unit, is_division_code, provincial_unit
from pilot_registry.domain.errors import RegistryRuleViolation


class Unchanged(enum.Enum):
    """Marks an amendment argument that was not given (``None`` can be a real new value)."""

    UNCHANGED = "UNCHANGED"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED
"""Default of every optional argument of an ``amend``/``correct`` command: keep the current value."""

T = TypeVar("T")


def given(value: T | Unchanged, current: T) -> T:
    """The amended value if one was given, else the current one."""
    return current if isinstance(value, Unchanged) else value


def require_text(value: str, field: str, label_zh: str, label_en: str) -> str:
    """A non-blank text, stripped."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RegistryRuleViolation("FIELD_REQUIRED", f"请填写{label_zh}。", f"{label_en} is required.", field=field)
    return text


def require_reason(reason: str | None, why_zh: str = "此项变更", why_en: str = "This change") -> str:
    """A non-blank reason, stripped (every change to a record in force needs one)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise RegistryRuleViolation(
            "REASON_REQUIRED",
            f"{why_zh}须说明理由。",
            f"{why_en} needs a reason.",
            field="reason",
        )
    return text


def optional_reason(reason: str | None) -> str | None:
    """A reason that may be left out: stripped, blank taken as none."""
    text = reason.strip() if isinstance(reason, str) else ""
    return text or None


def check_province(code: str, field: str = "province_code") -> str:
    """One of the 32 provincial units' six-digit codes (31 provinces + 新疆生产建设兵团 660000)."""
    candidate = code.strip() if isinstance(code, str) else ""
    if provincial_unit(candidate) is None:
        raise RegistryRuleViolation(
            "UNKNOWN_PROVINCE",
            f"“{code}”不是省级行政区（含新疆生产建设兵团）的6位代码。",
            f"{code!r} is not the six-digit code of one of the 32 provincial units.",
            field=field,
        )
    return candidate


def division_in_province(division_code: str, province_code: str) -> bool:
    """Whether a six-digit division code lies in a provincial unit (the shared rule, 兵团 included)."""
    return division_in_unit(division_code, province_code)


def check_division(code: str, province_code: str, field: str = "division_code") -> str:
    """A six-digit GB/T 2260 code inside the given provincial unit."""
    candidate = code.strip() if isinstance(code, str) else ""
    if not is_division_code(candidate):
        raise RegistryRuleViolation(
            "INVALID_DIVISION_CODE",
            f"行政区划代码应为6位数字（GB/T 2260），实际为“{code}”。",
            f"A division code has six digits (GB/T 2260); got {code!r}.",
            field=field,
        )
    if not division_in_province(candidate, province_code):
        unit = provincial_unit(province_code)
        name = unit.name if unit else province_code
        raise RegistryRuleViolation(
            "DIVISION_OUTSIDE_PROVINCE",
            f"行政区划代码{candidate}不在{name}（{province_code}）范围内。",
            f"Division code {candidate} does not lie in provincial unit {province_code}.",
            field=field,
        )
    return candidate


def check_divisions(codes: Iterable[str], province_code: str, field: str = "division_codes") -> list[str]:
    """At least one division code, each inside the province, none twice."""
    result: list[str] = []
    for index, code in enumerate(codes):
        checked = check_division(code, province_code, field=f"{field}[{index}]")
        if checked in result:
            raise RegistryRuleViolation(
                "DUPLICATE_DIVISION_CODE",
                f"行政区划代码{checked}重复。",
                f"Division code {checked} is listed twice.",
                field=f"{field}[{index}]",
            )
        result.append(checked)
    if not result:
        raise RegistryRuleViolation(
            "FIELD_REQUIRED", "请至少填写一个行政区划代码。", "At least one division code is required.", field=field
        )
    return result


def check_credit_code(code: str, field: str = "credit_code") -> str:
    """A valid unified social credit code (GB 32100-2015), normalised (NFKC, upper case)."""
    check = validate_credit_code(code if isinstance(code, str) else "")
    if not check.ok:
        raise RegistryRuleViolation(
            "INVALID_CREDIT_CODE",
            check.message_zh or "统一社会信用代码无效。",
            check.message_en or "Invalid unified social credit code.",
            field=field,
        )
    return check.code


def check_credit_codes(codes: Iterable[str], field: str, existing: Iterable[str] = ()) -> list[str]:
    """Valid, normalised credit codes; none twice in the list nor already among ``existing``."""
    present = set(existing)
    result: list[str] = []
    seen: set[str] = set()
    for index, code in enumerate(codes):
        checked = check_credit_code(code, field=f"{field}[{index}]")
        if checked in seen or checked in present:
            raise RegistryRuleViolation(
                "DUPLICATE_MEMBER",
                f"企业{checked}重复（已在名单中）。",
                f"Enterprise {checked} is listed twice (it is already a member).",
                field=f"{field}[{index}]",
            )
        seen.add(checked)
        result.append(checked)
    return result


def check_date(value: date, field: str) -> date:
    """A calendar date (not a datetime: a time of day would be silently dropped)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RegistryRuleViolation(
            "INVALID_DATE",
            "应为日期（年-月-日）。",
            f"Expected a calendar date, got {value!r}.",
            field=field,
        )
    return value


def check_uuid(value: UUID | str, field: str) -> UUID:
    """An aggregate id: a UUID, or its text form."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise RegistryRuleViolation(
            "INVALID_ID", f"“{value}”不是有效的标识（UUID）。", f"{value!r} is not a valid id (UUID).", field=field
        ) from None


def iso(value: date) -> str:
    """Dates travel in events as ISO strings (``2023-04-07``): JSON-friendly without a custom transcoding."""
    return value.isoformat()


def from_iso(value: str) -> date:
    return date.fromisoformat(value)
