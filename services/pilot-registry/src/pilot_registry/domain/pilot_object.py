"""A pilot object (试点对象): the park, cluster, region part, basin section, industry-in-an-area or enterprise
group a pilot works on, with the enterprises inside it.

Checks: the division codes (at least one, none twice) lie in the object's province; industry codes are
GB/T 4754-2017 division/group/class codes (2–4 digits, division 01–97, an optional section letter that must
match), stored as their digits; a park type only for an industrial park or cluster, from the reference
``PARK_TYPES``; a key area (reference ``KEY_AREAS``) must touch the province, and for a key-region part it
must be an air region, for a basin section a river basin (an area outside the notice's lists, which end in
"等", is simply left out: the eligibility engine then warns); member enterprises are valid credit codes,
none twice.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.reference import (
    KEY_AREAS,
    PARK_TYPES,
    AreaKind,
    InvalidIndustryCodeError,
    normalise_gbt4754_code,
    provincial_unit,
)
from pilot_registry.domain._checks import (
    UNCHANGED,
    Unchanged,
    check_credit_codes,
    check_divisions,
    check_province,
    given,
    require_reason,
    require_text,
)
from pilot_registry.domain.errors import RegistryRuleViolation


class PilotObjectKind(StrEnum):
    INDUSTRIAL_PARK = "INDUSTRIAL_PARK"  # 工业园区
    INDUSTRIAL_CLUSTER = "INDUSTRIAL_CLUSTER"  # 产业集群
    KEY_REGION_PART = "KEY_REGION_PART"  # 重点区域（省内部分）
    BASIN_SECTION = "BASIN_SECTION"  # 流域（省内段）
    INDUSTRY_IN_AREA = "INDUSTRY_IN_AREA"  # 区域内的（重点/非重点）行业企业
    ENTERPRISE_GROUP = "ENTERPRISE_GROUP"  # 企业集合（集中连片）


_PARK_KINDS = frozenset({PilotObjectKind.INDUSTRIAL_PARK, PilotObjectKind.INDUSTRIAL_CLUSTER})
_AREA_KIND_OF = {
    PilotObjectKind.KEY_REGION_PART: AreaKind.AIR_REGION,
    PilotObjectKind.BASIN_SECTION: AreaKind.RIVER_BASIN,
}

# GB/T 4754-2017 sections and the two-digit divisions each spans (A 01–05 … T 97).
_SECTIONS = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def check_industry_code(code: str, field: str) -> str:
    """A GB/T 4754-2017 code, returned as its digits (``C2611`` → ``2611``)."""
    problem_zh = f"“{code}”不是国民经济行业分类（GB/T 4754-2017）代码。"
    problem_en = f"{code!r} is not a GB/T 4754-2017 industry code."
    try:
        digits = normalise_gbt4754_code(code if isinstance(code, str) else "")
    except InvalidIndustryCodeError:
        raise RegistryRuleViolation("UNKNOWN_INDUSTRY_CODE", problem_zh, problem_en, field=field) from None
    division = int(digits[:2])
    letter = code.strip().upper()[0]
    section_range = _SECTIONS.get(letter) if letter.isalpha() else None
    if not 1 <= division <= 97 or (section_range is not None and not section_range[0] <= division <= section_range[1]):
        raise RegistryRuleViolation("UNKNOWN_INDUSTRY_CODE", problem_zh, problem_en, field=field)
    return digits


def check_industry_codes(codes: list[str], field: str = "industry_codes") -> list[str]:
    result: list[str] = []
    for index, code in enumerate(codes):
        digits = check_industry_code(code, f"{field}[{index}]")
        if digits in result:
            raise RegistryRuleViolation(
                "DUPLICATE_INDUSTRY_CODE",
                f"行业代码{digits}重复。",
                f"Industry code {digits} is listed twice.",
                field=f"{field}[{index}]",
            )
        result.append(digits)
    return result


def _kind(value: PilotObjectKind | str) -> PilotObjectKind:
    try:
        return PilotObjectKind(value)
    except ValueError:
        raise RegistryRuleViolation(
            "UNKNOWN_PILOT_OBJECT_KIND",
            f"未知试点对象类别“{value}”。",
            f"Unknown pilot object kind {value!r}.",
            field="kind",
        ) from None


def pilot_object_fields(
    *,
    kind: PilotObjectKind | str,
    name: str,
    province_code: str,
    division_codes: list[str],
    industry_codes: list[str],
    park_type: str | None,
    key_area_code: str | None,
) -> dict[str, Any]:
    """Validated, normalised descriptive fields of a pilot object (members aside), as stored in events."""
    checked_kind = _kind(kind)
    checked_name = require_text(name, "name", "试点对象名称", "The pilot object's name")
    province = check_province(province_code, "province_code")
    divisions = check_divisions(division_codes, province, "division_codes")
    industries = check_industry_codes(industry_codes, "industry_codes")
    if park_type is not None:
        if park_type not in PARK_TYPES:
            raise RegistryRuleViolation(
                "UNKNOWN_PARK_TYPE", f"未知园区类型“{park_type}”。", f"Unknown park type {park_type!r}.", "park_type"
            )
        if checked_kind not in _PARK_KINDS:
            raise RegistryRuleViolation(
                "PARK_TYPE_NOT_APPLICABLE",
                "只有工业园区或产业集群才有园区类型。",
                "Only an industrial park or cluster has a park type.",
                field="park_type",
            )
    if key_area_code is not None:
        area = KEY_AREAS.get(key_area_code)
        if area is None:
            raise RegistryRuleViolation(
                "UNKNOWN_KEY_AREA",
                f"未知重点区域或流域“{key_area_code}”。",
                f"Unknown key region or basin {key_area_code!r}.",
                field="key_area_code",
            )
        expected = _AREA_KIND_OF.get(checked_kind)
        if expected is not None and area.kind is not expected:
            raise RegistryRuleViolation(
                "KEY_AREA_KIND_MISMATCH",
                f"{area.name}不是{'重点区域' if expected is AreaKind.AIR_REGION else '流域'}。",
                f"{area.english_name} is not a {'key air region' if expected is AreaKind.AIR_REGION else 'basin'}.",
                field="key_area_code",
            )
        if not area.touches_province(province):
            raise RegistryRuleViolation(
                "KEY_AREA_OUTSIDE_PROVINCE",
                f"{area.name}不涉及{_unit_name(province)}。",
                f"{area.english_name} does not reach {_unit_name_en(province)}.",
                field="key_area_code",
            )
    return {
        "kind": checked_kind.value,
        "name": checked_name,
        "province_code": province,
        "division_codes": divisions,
        "industry_codes": industries,
        "park_type": park_type,
        "key_area_code": key_area_code,
    }


def _unit_name(code: str) -> str:
    unit = provincial_unit(code)
    return unit.name if unit else code


def _unit_name_en(code: str) -> str:
    unit = provincial_unit(code)
    return unit.english_name if unit else code


_FIELDS = ("kind", "name", "province_code", "division_codes", "industry_codes", "park_type", "key_area_code")


class PilotObject(AuditedAggregate):
    """What a pilot works on, and the enterprises in its scope (their credit codes).

    Create with :meth:`register`; the constructor only applies the ``Registered`` event.
    """

    @event("Registered")
    def __init__(
        self,
        kind: str,
        name: str,
        province_code: str,
        division_codes: list[str],
        industry_codes: list[str],
        park_type: str | None,
        key_area_code: str | None,
        member_credit_codes: list[str],
    ) -> None:
        self._kind = kind
        self._name = name
        self._province_code = province_code
        self._division_codes = list(division_codes)
        self._industry_codes = list(industry_codes)
        self._park_type = park_type
        self._key_area_code = key_area_code
        self._members = list(member_credit_codes)

    @classmethod
    def register(
        cls,
        *,
        kind: PilotObjectKind | str,
        name: str,
        province_code: str,
        division_codes: list[str],
        industry_codes: list[str] | None = None,
        park_type: str | None = None,
        key_area_code: str | None = None,
        member_credit_codes: list[str] | None = None,
    ) -> PilotObject:
        fields = pilot_object_fields(
            kind=kind,
            name=name,
            province_code=province_code,
            division_codes=division_codes,
            industry_codes=industry_codes or [],
            park_type=park_type,
            key_area_code=key_area_code,
        )
        members = check_credit_codes(member_credit_codes or [], "member_credit_codes")
        return cls(**fields, member_credit_codes=members)

    # --- reading -----------------------------------------------------------------------------------------

    @property
    def kind(self) -> PilotObjectKind:
        return PilotObjectKind(self._kind)

    @property
    def name(self) -> str:
        return self._name

    @property
    def province_code(self) -> str:
        return self._province_code

    @property
    def division_codes(self) -> list[str]:
        return list(self._division_codes)

    @property
    def industry_codes(self) -> list[str]:
        return list(self._industry_codes)

    @property
    def park_type(self) -> str | None:
        return self._park_type

    @property
    def key_area_code(self) -> str | None:
        return self._key_area_code

    @property
    def member_credit_codes(self) -> list[str]:
        return list(self._members)

    def has_member(self, credit_code: str) -> bool:
        return credit_code in self._members

    def _fields(self) -> dict[str, Any]:
        return {
            "kind": self._kind,
            "name": self._name,
            "province_code": self._province_code,
            "division_codes": list(self._division_codes),
            "industry_codes": list(self._industry_codes),
            "park_type": self._park_type,
            "key_area_code": self._key_area_code,
        }

    # --- commands ----------------------------------------------------------------------------------------

    def amend(
        self,
        *,
        reason: str,
        kind: PilotObjectKind | str | Unchanged = UNCHANGED,
        name: str | Unchanged = UNCHANGED,
        province_code: str | Unchanged = UNCHANGED,
        division_codes: list[str] | Unchanged = UNCHANGED,
        industry_codes: list[str] | Unchanged = UNCHANGED,
        park_type: str | Unchanged | None = UNCHANGED,
        key_area_code: str | Unchanged | None = UNCHANGED,
    ) -> None:
        """Change some descriptive fields (not the members); the result is validated as a whole."""
        checked_reason = require_reason(reason, "修改试点对象", "Amending a pilot object")
        current = self._fields()
        new = pilot_object_fields(
            kind=given(kind, self._kind),
            name=given(name, self._name),
            province_code=given(province_code, self._province_code),
            division_codes=given(division_codes, self._division_codes),
            industry_codes=given(industry_codes, self._industry_codes),
            park_type=given(park_type, self._park_type),
            key_area_code=given(key_area_code, self._key_area_code),
        )
        changes = {key: new[key] for key in _FIELDS if new[key] != current[key]}
        if not changes:
            raise RegistryRuleViolation(
                "NO_CHANGE", "试点对象信息没有变化。", "Nothing about the pilot object changes."
            )
        previous = {key: current[key] for key in changes}
        self._amended(changes=changes, previous=previous, reason=checked_reason)

    @event("Amended")
    def _amended(self, changes: dict[str, Any], previous: dict[str, Any], reason: str) -> None:
        for key, value in changes.items():
            setattr(self, f"_{key}", list(value) if isinstance(value, list) else value)

    def add_members(self, credit_codes: list[str]) -> None:
        """Add enterprises to the object's scope; none may already be a member."""
        if not credit_codes:
            raise RegistryRuleViolation(
                "FIELD_REQUIRED", "请至少填写一家企业。", "At least one enterprise is required.", field="credit_codes"
            )
        codes = check_credit_codes(credit_codes, "credit_codes", existing=self._members)
        self._members_added(credit_codes=codes)

    @event("MembersAdded")
    def _members_added(self, credit_codes: list[str]) -> None:
        self._members = [*self._members, *credit_codes]

    def remove_members(self, credit_codes: list[str], reason: str) -> None:
        """Take enterprises out of the object's scope; each must be a member."""
        if not credit_codes:
            raise RegistryRuleViolation(
                "FIELD_REQUIRED", "请至少填写一家企业。", "At least one enterprise is required.", field="credit_codes"
            )
        codes = check_credit_codes(credit_codes, "credit_codes")
        members = set(self._members)
        for index, code in enumerate(codes):
            if code not in members:
                raise RegistryRuleViolation(
                    "NOT_A_MEMBER",
                    f"企业{code}不在该试点对象范围内。",
                    f"Enterprise {code} is not a member of the pilot object.",
                    field=f"credit_codes[{index}]",
                )
        checked_reason = require_reason(reason, "移出企业", "Removing member enterprises")
        self._members_removed(credit_codes=codes, reason=checked_reason)

    @event("MembersRemoved")
    def _members_removed(self, credit_codes: list[str], reason: str) -> None:
        removed = set(credit_codes)
        self._members = [code for code in self._members if code not in removed]
