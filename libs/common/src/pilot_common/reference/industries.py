"""The 13 key industries (重点行业) of notice 003 mapped to GB/T 4754-2017, and provincial mandatory-audit lists.

Two layers, never mixed:

* **National** (:data:`KEY_INDUSTRIES`): notice 003 names 13 key industries ("以能源、钢铁、焦化、建材、有色金属、
  石化化工、印染、造纸、化学原料药、电镀、农副食品加工、工业涂装、包装印刷等行业为重点") without codes. Each is
  mapped to GB/T 4754-2017 divisions (大类, 2 digits), groups (中类, 3) or classes (小类, 4) as the national
  industry means it. Every mapping names its source; ``reading=True`` marks where the mapping is our reading
  rather than a GB/T 4754 heading of the same name (see ``docs/decisions.md``). A programme may replace an
  industry's mapping as data (``ProgrammeRules.key_industry_mapping``).
* **Provincial** (:data:`PROVINCIAL_AUDIT_LISTS`): seed 004's annex (晋环发〔2022〕31号, "应开展强制性清洁生产审核
  的行业类别") is Shanxi's list of classes that must do mandatory audits, with size thresholds (所有/大中型/
  大中小型). It is kept as Shanxi's layer with its own grouping (e.g. its 电镀 row holds the foundry classes
  3391/3392, which are not electroplating nationally) and is never used to decide a national rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ._collection import RefCollection
from ._data import DataFile, load
from ._version import REFERENCE_DATA_VERSION


class AuditSizeScope(StrEnum):
    """Which enterprise sizes of a class must do mandatory audits (a provincial list's column 规模)."""

    ALL = "all"  # 所有
    LARGE_MEDIUM = "large_medium"  # 大中型
    LARGE_MEDIUM_SMALL = "large_medium_small"  # 大中小型

    @property
    def label_zh(self) -> str:
        return _SCOPE_LABELS[self]


_SCOPE_LABELS = {
    AuditSizeScope.ALL: "所有",
    AuditSizeScope.LARGE_MEDIUM: "大中型",
    AuditSizeScope.LARGE_MEDIUM_SMALL: "大中小型",
}

GBT4754 = "GB/T 4754-2017"


@dataclass(frozen=True)
class IndustryMapping:
    """One GB/T 4754-2017 heading that belongs to a key industry."""

    code: str  # 2 (大类), 3 (中类) or 4 (小类) digits
    name: str  # the heading's name in GB/T 4754-2017
    source: str  # where the mapping comes from
    reading: bool = False  # True: our reading of the notice's word, not a same-named GB/T heading
    note: str | None = None

    @property
    def level(self) -> str:
        return {2: "division", 3: "group", 4: "class"}[len(self.code)]


@dataclass(frozen=True)
class GbtDivision:
    """A GB/T 4754-2017 two-digit division (行业大类)."""

    code: str
    name: str


@dataclass(frozen=True)
class DivisionRangeRule:
    """A key industry defined by a process inside a range of divisions rather than by headings."""

    divisions: tuple[GbtDivision, ...]
    process: str  # the process code the enterprise must have, e.g. "coating"
    process_name: str  # e.g. "工业涂装工序"
    description_zh: str
    description_en: str
    source: str
    reading: bool

    @property
    def division_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.divisions)

    def covers_division(self, division: str) -> bool:
        return division in self.division_codes


@dataclass(frozen=True)
class KeyIndustry:
    code: str  # stable English code, e.g. "STEEL"
    name: str  # Chinese name as in notice 003, e.g. "钢铁"
    english_name: str
    mappings: tuple[IndustryMapping, ...] = ()
    division_rule: DivisionRangeRule | None = None

    @property
    def mapping_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.mappings)


# --- the provincial layer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvincialAuditClass:
    """One row of a provincial mandatory-audit list: a four-digit class, the list's own group, its size scope."""

    code: str
    name: str
    list_group: str  # the list's 行业大类 label, e.g. "电镀" (a provincial grouping, not the national one)
    audit_scope: AuditSizeScope
    note: str | None = None


@dataclass(frozen=True)
class ProvincialAuditList:
    """A province's list of industries that must do mandatory cleaner-production audits."""

    code: str  # the province's six-digit code
    province: str
    title: str
    source: str
    classes: tuple[ProvincialAuditClass, ...]
    process_rule: str  # rows that name a process, not classes
    process_rule_scope: AuditSizeScope

    def audit_class(self, code: str) -> ProvincialAuditClass | None:
        return next((c for c in self.classes if c.code == code), None)


class _IndustriesFile(DataFile):
    key_industries: tuple[KeyIndustry, ...]
    provincial_audit_lists: tuple[ProvincialAuditList, ...]


_FILE = load("industries.json", _IndustriesFile)
SOURCES = _FILE.sources
KEY_INDUSTRIES: RefCollection[KeyIndustry] = RefCollection.of(
    "key_industries", REFERENCE_DATA_VERSION, _FILE.key_industries
)
PROVINCIAL_AUDIT_LISTS: RefCollection[ProvincialAuditList] = RefCollection.of(
    "provincial_audit_lists", REFERENCE_DATA_VERSION, _FILE.provincial_audit_lists
)
SHANXI_MANDATORY_AUDIT = PROVINCIAL_AUDIT_LISTS["140000"]


def _coating_rule(industries: RefCollection[KeyIndustry]) -> DivisionRangeRule:
    rule = industries["INDUSTRIAL_COATING"].division_rule
    if rule is None:
        raise ValueError("key_industries: INDUSTRIAL_COATING is defined by its division rule, and has none")
    return rule


INDUSTRIAL_COATING_RULE = _coating_rule(KEY_INDUSTRIES)
"""工业涂装 is a process, not a heading: the divisions where an enterprise with a coating process counts."""


# --- look-ups ------------------------------------------------------------------------------------------------

KeyIndustryOverrides = Mapping[str, Sequence[str]]
"""A programme's replacement mapping: key-industry code → GB/T 4754 codes (replaces that industry's headings)."""


def _check_national(industries: RefCollection[KeyIndustry]) -> None:
    """No heading may sit inside another industry's heading: a code belongs to one industry (coating aside)."""
    owned = [(m.code, i.code) for i in industries for m in i.mappings]
    for code, owner in owned:
        for other, other_owner in owned:
            if owner != other_owner and (code.startswith(other) or other.startswith(code)):
                raise ValueError(f"{code} ({owner}) overlaps {other} ({other_owner})")


_CODE = re.compile(r"([A-T])?(\d{2,4})")


def _check_codes(industries: RefCollection[KeyIndustry], lists: RefCollection[ProvincialAuditList]) -> None:
    """Every heading a GB/T 4754 division, group or class code (digits only); every provincial row a class."""
    headings = [m.code for i in industries for m in i.mappings]
    headings += [d.code for i in industries if i.division_rule for d in i.division_rule.divisions]
    rows = [c.code for found in lists for c in found.classes]
    bad = [c for c in headings if not re.fullmatch(r"\d{2,4}", c)] + [c for c in rows if not re.fullmatch(r"\d{4}", c)]
    if bad:
        raise ValueError(f"not GB/T 4754 codes: {bad}")


_check_codes(KEY_INDUSTRIES, PROVINCIAL_AUDIT_LISTS)
_check_national(KEY_INDUSTRIES)


class InvalidIndustryCodeError(ValueError):
    """Not a GB/T 4754 division, group or class code."""


def normalise_gbt4754_code(code: str) -> str:
    """Two, three or four digits; an optional leading section letter (``C2611``) and whitespace are dropped.

    Raises :class:`InvalidIndustryCodeError` for anything else, so that a malformed code is never taken for
    "not a key industry".
    """
    match = _CODE.fullmatch(code.strip().upper())
    if match is None:
        raise InvalidIndustryCodeError(f"not a GB/T 4754 industry code: {code!r}")
    return match.group(2)


def is_valid_gbt4754_code(code: str) -> bool:
    try:
        normalise_gbt4754_code(code)
    except InvalidIndustryCodeError:
        return False
    return True


def mapping_codes(industry: KeyIndustry, overrides: KeyIndustryOverrides | None = None) -> tuple[str, ...]:
    """The GB/T 4754 codes of an industry: the programme's override where it has one, else the national mapping."""
    if overrides and industry.code in overrides:
        return tuple(normalise_gbt4754_code(c) for c in overrides[industry.code])
    return industry.mapping_codes


def _coating_covers(industry: KeyIndustry, digits: str, has_coating_process: bool) -> bool:
    rule = industry.division_rule
    return has_coating_process and rule is not None and rule.covers_division(digits[:2])


def key_industries_containing(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> tuple[KeyIndustry, ...]:
    """Every key industry the whole of a code lies in (3130 → STEEL; 13 → AGRI_FOOD_PROCESSING)."""
    digits = normalise_gbt4754_code(code)
    return tuple(
        industry
        for industry in KEY_INDUSTRIES
        if any(digits.startswith(m) for m in mapping_codes(industry, overrides))
        or (
            has_coating_process
            and industry.division_rule is not None
            and industry.division_rule.covers_division(digits[:2])
        )
    )


def key_industries_of(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> tuple[KeyIndustry, ...]:
    """Every key industry a code may fall in (wholly or in part), in the published order.

    A code lies in an industry when one of its headings contains it; a division or group also overlaps an
    industry with a heading under it ("33" overlaps ELECTROPLATING through 3360). With ``has_coating_process``
    a code in the coating divisions also matches INDUSTRIAL_COATING.
    """
    digits = normalise_gbt4754_code(code)
    return tuple(
        industry
        for industry in KEY_INDUSTRIES
        if any(digits.startswith(m) or m.startswith(digits) for m in mapping_codes(industry, overrides))
        or (
            has_coating_process
            and industry.division_rule is not None
            and industry.division_rule.covers_division(digits[:2])
        )
    )


def key_industry_of(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> KeyIndustry | None:
    """The one key industry a GB/T 4754 code belongs to, or None.

    The industry whose heading contains the code (its own heading wins over the coating rule); else, when the
    code only overlaps headings, the industry if exactly one overlaps. Raises for a malformed code.
    """
    digits = normalise_gbt4754_code(code)
    own = key_industries_containing(digits, overrides=overrides)
    if own:
        return own[0]
    candidates = key_industries_of(digits, has_coating_process=has_coating_process, overrides=overrides)
    return candidates[0] if len(candidates) == 1 else None


def is_key_industry_code(
    code: str, *, has_coating_process: bool = False, overrides: KeyIndustryOverrides | None = None
) -> bool:
    """Whether the code falls in at least one of the 13 key industries (malformed codes raise)."""
    return bool(key_industries_of(code, has_coating_process=has_coating_process, overrides=overrides))


def provincial_audit_class(province_code: str, code: str) -> ProvincialAuditClass | None:
    """The row of a province's mandatory-audit list for a four-digit class, if the province has a list."""
    found = PROVINCIAL_AUDIT_LISTS.get(province_code)
    return found.audit_class(normalise_gbt4754_code(code)) if found else None
