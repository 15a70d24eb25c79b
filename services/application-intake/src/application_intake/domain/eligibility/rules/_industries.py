"""Target industries classified against the key industries (GB/T 4754-2017 headings): TYPE_SCOPE and PRIORITY."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pilot_common.reference import (
    KEY_INDUSTRIES,
    InvalidIndustryCodeError,
    KeyIndustryOverrides,
    key_industries_containing,
    key_industries_of,
    normalise_gbt4754_code,
)

from .. import messages as m
from ..messages import Text


class Scope(StrEnum):
    KEY = "KEY"  # wholly in a key industry's heading
    PARTIAL = "PARTIAL"  # a division/group code some of whose listed classes are key
    NON_KEY = "NON_KEY"


@dataclass(frozen=True)
class Industry:
    given: str
    code: str
    scope: Scope
    key_industries: tuple[str, ...]

    def evidence(self) -> dict[str, Any]:
        return {
            "code": self.given,
            "normalised": self.code,
            "scope": self.scope.value,
            "key_industries": self.key_industries,
        }

    @property
    def label(self) -> Text:
        """3110（钢铁） / 3110: the Chinese names the key industries the code lies in."""
        names = "、".join(KEY_INDUSTRIES[c].name for c in self.key_industries)
        return m.TypeScope.INDUSTRY(code=self.code, names=names) if names else Text(self.code, self.code)


def classify(
    codes: Iterable[str], coating: bool, overrides: KeyIndustryOverrides | None = None
) -> tuple[list[Industry], list[str]]:
    """KEY: the code lies wholly in a key industry's GB/T 4754 heading (3130 in 31 钢铁; 13 农副食品加工), or (with
    a coating process) in a coating division; PARTIAL: a division/group with a key heading under it (33 ⊃ 3360);
    NON_KEY: none. Malformed codes are returned separately (never taken for "not key")."""
    classified: list[Industry] = []
    invalid: list[str] = []
    for given in codes:
        try:
            digits = normalise_gbt4754_code(given)
        except InvalidIndustryCodeError:
            invalid.append(given)
            continue
        containing = key_industries_containing(digits, has_coating_process=coating, overrides=overrides)
        overlapping = key_industries_of(digits, has_coating_process=coating, overrides=overrides)
        if containing:
            scope, found = Scope.KEY, containing
        elif overlapping:
            scope, found = Scope.PARTIAL, overlapping
        else:
            scope, found = Scope.NON_KEY, ()
        classified.append(Industry(given, digits, scope, tuple(k.code for k in found)))
    return classified, invalid


def in_scope(industries: Iterable[Industry], scope: Scope) -> list[Industry]:
    return [i for i in industries if i.scope is scope]


def industry_list(items: Iterable[Industry]) -> Text:
    """3110（钢铁）、2614（石化化工） / 3110, 2614."""
    return m.joined((i.label for i in items), "、", ", ")
