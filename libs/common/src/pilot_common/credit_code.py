"""Unified social credit code (统一社会信用代码) validation per GB 32100-2015.

Layout of the 18 characters: 1 registration authority (登记管理部门代码), 2 organisation type (机构类别代码),
3–8 administrative division code of the registering authority (登记管理机关行政区划码, GB/T 2260 digits),
9–17 organisation code (主体标识码, GB 11714), 18 check character (校验码).

The alphabet is ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (31 characters; I, O, Z, S and V are never used), each
character worth its index. Position ``i`` (0-based) weighs ``3**i mod 31``; the check character is the one
worth ``(31 - sum mod 31) mod 31``.

Normalisation: Unicode NFKC (so full-width ``９１３５…`` pasted from a document becomes ASCII), surrounding
whitespace removed, letters upper-cased. Lower-case letters are therefore accepted and reported in
upper case; inner spaces or punctuation are never accepted.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

_VALUE = {char: value for value, char in enumerate(CHARSET)}


class CreditCodeError(StrEnum):
    LENGTH = "LENGTH"
    CHARSET = "CHARSET"
    DIVISION = "DIVISION"
    CHECKSUM = "CHECKSUM"


@dataclass(frozen=True)
class CreditCodeCheck:
    """The outcome of validating one code. ``code`` is the normalised input, even when invalid."""

    code: str
    ok: bool
    error: CreditCodeError | None = None
    message_zh: str | None = None
    message_en: str | None = None
    expected_check_char: str | None = None  # set when the checksum is what failed

    @property
    def division_code(self) -> str | None:
        """Positions 3–8 of a valid code (the registering authority's division code)."""
        return self.code[2:8] if self.ok else None

    @property
    def registration_authority(self) -> str | None:
        return self.code[0] if self.ok else None

    @property
    def organisation_type(self) -> str | None:
        return self.code[1] if self.ok else None


def normalise_credit_code(code: str) -> str:
    """NFKC, strip surrounding whitespace, upper-case; does not validate."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def _check_char(first17: str) -> str:
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code.

    Raises ``ValueError`` unless, after normalisation, the input is 17 characters of the code alphabet.
    """
    body = normalise_credit_code(first17)
    if len(body) != LENGTH - 1:
        raise ValueError(f"need the first 17 characters of a credit code, got {len(body)}: {first17!r}")
    bad = [char for char in body if char not in _VALUE]
    if bad:
        raise ValueError(f"characters outside the credit-code alphabet: {''.join(bad)!r}")
    return _check_char(body)


def _fail(code: str, error: CreditCodeError, zh: str, en: str, expected: str | None = None) -> CreditCodeCheck:
    return CreditCodeCheck(code=code, ok=False, error=error, message_zh=zh, message_en=en, expected_check_char=expected)


def validate_credit_code(code: str) -> CreditCodeCheck:
    """Validate a unified social credit code; checks run in the order LENGTH, CHARSET, DIVISION, CHECKSUM
    and the first failure is reported."""
    normalised = normalise_credit_code(code)

    if len(normalised) != LENGTH:
        return _fail(
            normalised,
            CreditCodeError.LENGTH,
            f"统一社会信用代码应为18位，实际为{len(normalised)}位。",
            f"A unified social credit code has 18 characters; this one has {len(normalised)}.",
        )

    bad = sorted({char for char in normalised if char not in _VALUE})
    if bad:
        shown = "、".join(bad)
        return _fail(
            normalised,
            CreditCodeError.CHARSET,
            f"统一社会信用代码含有不允许的字符：{shown}（只用数字和除I、O、Z、S、V以外的大写字母）。",
            f"The code contains characters that are not allowed: {' '.join(bad)} "
            "(only digits and capital letters other than I, O, Z, S, V).",
        )

    division = normalised[2:8]
    if not division.isdigit():
        return _fail(
            normalised,
            CreditCodeError.DIVISION,
            f"第3–8位应为登记管理机关的6位行政区划码（数字），实际为“{division}”。",
            f"Positions 3–8 must be the registering authority's six-digit division code; got {division!r}.",
        )

    expected = _check_char(normalised[:17])
    if normalised[17] != expected:
        return _fail(
            normalised,
            CreditCodeError.CHECKSUM,
            f"校验码错误：第18位应为“{expected}”，实际为“{normalised[17]}”，请核对代码是否抄错。",
            f"Check character wrong: position 18 should be {expected!r} but is {normalised[17]!r}; "
            "the code is probably mistyped.",
            expected,
        )

    return CreditCodeCheck(code=normalised, ok=True)


def is_valid_credit_code(code: str) -> bool:
    return validate_credit_code(code).ok
