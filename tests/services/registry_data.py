"""Realistic registry data for the service tests (credit codes with valid GB 32100 check characters)."""

from __future__ import annotations

import itertools
from typing import Any

from pilot_common.credit_code import credit_code_check_char

_serial = itertools.count(1)


def credit_code(prefix: str = "11", division: str = "320500") -> str:
    """A valid unified social credit code: 2-char registration kind, 6-digit division, 9-char org code, check."""
    body = f"{prefix}{division}MB{next(_serial):07d}"
    return body + credit_code_check_char(body)


def park_body(
    province: str = "320000", division: str = "320571", name: str = "苏州工业园区管理委员会"
) -> dict[str, Any]:
    return {
        "name": name,
        "credit_code": credit_code("11", division),
        "kind": "PARK_MANAGEMENT_BODY",
        "administrative_level": "PREFECTURE",
        "province_code": province,
        "division_code": division,
    }


def enterprise(province_division: str = "320571") -> str:
    return credit_code("91", province_division)


def industrial_park(
    province: str = "320000", division: str = "320571", members: list[str] | None = None
) -> dict[str, Any]:
    return {
        "kind": "INDUSTRIAL_PARK",
        "name": "苏州工业园区",
        "province_code": province,
        "division_codes": [division],
        "industry_codes": ["2614", "3360"],
        "park_type": "ECONOMIC_DEVELOPMENT_ZONE",
        "member_credit_codes": members if members is not None else [enterprise(division), enterprise(division)],
    }
