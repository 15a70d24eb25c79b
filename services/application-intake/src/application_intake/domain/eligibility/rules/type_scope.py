"""TYPE_SCOPE (notice 二): the pilot object and the target industries fit the pilot type.

1 重点行业: target industries among the 13 key industries (GB/T 4754-2017 headings). 2 工业园区（产业集群）:
the object is a park or a cluster. 3 企业简易审核: target industries outside the key industries. 4 重点区域和流域:
the object is (part of) a key region or basin the notice lists — the list ends in "等", so another area only
warns — and the industries and pollutants are that area's focus (warnings only).
"""

from __future__ import annotations

from typing import Any

from pilot_common.reference import KEY_AREAS, KEY_INDUSTRIES, POLLUTANTS, AreaKind, KeyArea

from .. import messages as m
from ..messages import Text
from ..snapshot import EligibilitySnapshot, PilotObjectFacts, PilotObjectKind, PilotTypeCode
from ..verdict import RuleCode, RuleResult
from ._industries import Industry, Scope, classify, in_scope, industry_list
from ._places import province, type_number
from ._result import Issues, failed

_AREA_OBJECT_KINDS = (PilotObjectKind.KEY_REGION_PART, PilotObjectKind.BASIN_SECTION, PilotObjectKind.INDUSTRY_IN_AREA)
_PARK_OBJECT_KINDS = (PilotObjectKind.INDUSTRIAL_PARK, PilotObjectKind.INDUSTRIAL_CLUSTER)


def check_type_scope(s: EligibilitySnapshot) -> RuleResult:
    app, obj = s.application, s.pilot_object
    industries, invalid = classify(
        app.target_industries, app.has_coating_process, s.programme.rules.key_industry_mapping
    )
    evidence: dict[str, Any] = {
        "pilot_type": app.pilot_type,
        "has_coating_process": app.has_coating_process,
        "industries": [i.evidence() for i in industries],
        "invalid_industry_codes": invalid,
        "pilot_object_kind": obj.kind.value if obj else None,
    }
    if app.pilot_type not in tuple(PilotTypeCode):
        return failed(RuleCode.TYPE_SCOPE, m.TypeScope.UNKNOWN_TYPE(pilot_type=app.pilot_type), evidence)
    issues = Issues()
    if invalid:
        issues.fail(m.TypeScope.INVALID_INDUSTRY_CODES(codes=m.listed(invalid)))
    pilot_type = PilotTypeCode(app.pilot_type)
    any_given = bool(app.target_industries)
    if pilot_type is PilotTypeCode.KEY_INDUSTRY:
        _scope_key_industry(industries, issues, any_given)
    elif pilot_type is PilotTypeCode.SIMPLIFIED_ENTERPRISE:
        _scope_simplified(industries, issues, any_given)
    elif pilot_type is PilotTypeCode.PARK_CLUSTER:
        _scope_park_cluster(s, issues)
    else:
        _scope_region_basin(s, industries, issues, evidence)
    fits = m.TypeScope.FITS(number=type_number(pilot_type))
    return issues.result(RuleCode.TYPE_SCOPE, fits, evidence)


# --- type 1 and type 3: key industries or not -----------------------------------------------------------------


def _scope_key_industry(industries: list[Industry], issues: Issues, any_given: bool) -> None:
    if not any_given:
        issues.fail(m.TypeScope.T1_NO_INDUSTRIES())
        return
    key, partial, non_key = (in_scope(industries, scope) for scope in (Scope.KEY, Scope.PARTIAL, Scope.NON_KEY))
    if industries and not key and not partial:
        all_of_them = m.ALL_OF_THEM if len(non_key) > 1 else m.EMPTY
        issues.fail(m.TypeScope.T1_NONE_KEY(codes=industry_list(non_key), all=all_of_them))
        return
    if non_key:
        issues.warn(m.TypeScope.NOT_KEY(codes=industry_list(non_key)))
    if partial:
        issues.warn(m.TypeScope.T1_PARTLY_KEY(codes=industry_list(partial)))


def _scope_simplified(industries: list[Industry], issues: Issues, any_given: bool) -> None:
    if not any_given:
        issues.fail(m.TypeScope.T3_NO_INDUSTRIES())
        return
    key, partial = in_scope(industries, Scope.KEY), in_scope(industries, Scope.PARTIAL)
    if key:
        issues.fail(m.TypeScope.T3_KEY(codes=industry_list(key)))
    if partial:
        issues.warn(m.TypeScope.T3_PARTLY_KEY(codes=industry_list(partial)))


# --- type 2: parks and clusters -------------------------------------------------------------------------------


def _scope_park_cluster(s: EligibilitySnapshot, issues: Issues) -> None:
    obj = s.pilot_object
    if obj is None:
        issues.fail(m.TypeScope.T2_OBJECT_UNKNOWN(object_id=m.or_none_named(s.application.pilot_object_id)))
    elif obj.kind not in _PARK_OBJECT_KINDS:
        issues.fail(m.TypeScope.T2_OBJECT_KIND(name=obj.name, kind=m.object_kind(obj.kind)))


# --- type 4: key regions and basins ---------------------------------------------------------------------------


def _scope_region_basin(
    s: EligibilitySnapshot, industries: list[Industry], issues: Issues, evidence: dict[str, Any]
) -> None:
    app, obj = s.application, s.pilot_object
    if obj is None:
        issues.fail(m.TypeScope.T4_OBJECT_UNKNOWN(object_id=m.or_none_named(app.pilot_object_id)))
    elif obj.kind not in _AREA_OBJECT_KINDS:
        issues.fail(m.TypeScope.T4_OBJECT_KIND(name=obj.name, kind=m.object_kind(obj.kind)))
    area_code = app.key_area_code or (obj.key_area_code if obj else None)
    evidence["key_area_code"] = area_code
    if area_code is None:
        issues.fail(m.TypeScope.T4_NO_AREA())
        return
    if obj is not None and app.key_area_code and obj.key_area_code and app.key_area_code != obj.key_area_code:
        issues.warn(
            m.TypeScope.T4_AREA_DIFFERS(applied=_area_name(app.key_area_code), registered=_area_name(obj.key_area_code))
        )
    area = KEY_AREAS.get(area_code)
    evidence["key_area_known"] = area is not None
    if area is None:
        issues.warn(m.TypeScope.T4_AREA_UNLISTED(area=area_code))
        focus_industries: tuple[str, ...] = KEY_INDUSTRIES.codes
        focus_pollutants: tuple[str, ...] = POLLUTANTS.codes
        area_name = Text(area_code, area_code)
    else:
        focus_industries, focus_pollutants = area.focus_industries, area.focus_pollutants
        area_name = Text(area.name, area.english_name)
        if obj is not None:
            _object_in_area(obj, area, issues, evidence)
    evidence["focus_industries"] = list(focus_industries)
    evidence["focus_pollutants"] = list(focus_pollutants)
    _area_industries(industries, area, area_name, focus_industries, issues)
    _area_pollutants(s, area, area_name, focus_pollutants, issues, evidence)


def _area_name(code: str) -> Text:
    """A listed area's Chinese name; the English names its code (as does an unlisted area)."""
    area = KEY_AREAS.get(code)
    return Text(area.name if area else code, code)


def _object_in_area(obj: PilotObjectFacts, area: KeyArea, issues: Issues, evidence: dict[str, Any]) -> None:
    """The object's registered kind matches the area's kind, and its province and divisions lie in the area."""
    name = Text(area.name, area.english_name)
    expected_kind = (
        PilotObjectKind.KEY_REGION_PART if area.kind is AreaKind.AIR_REGION else PilotObjectKind.BASIN_SECTION
    )
    if obj.kind in (PilotObjectKind.KEY_REGION_PART, PilotObjectKind.BASIN_SECTION) and obj.kind != expected_kind:
        issues.warn(
            m.TypeScope.T4_OBJECT_KIND_VS_AREA(
                kind=m.object_kind(obj.kind), area=name, area_kind=m.area_kind(area.kind)
            )
        )
    if not area.touches_province(obj.province):
        issues.warn(m.TypeScope.T4_PROVINCE_OUTSIDE_AREA(province=province(obj.province), area=name))
        return
    outside = [c for c in obj.division_codes if not area.contains(c)]
    evidence["division_codes_outside_area"] = outside
    if outside:
        issues.warn(m.TypeScope.T4_DIVISIONS_OUTSIDE_AREA(codes=m.listed(outside), area=name))


def _area_industries(
    industries: list[Industry],
    area: KeyArea | None,
    area_name: Text,
    focus_industries: tuple[str, ...],
    issues: Issues,
) -> None:
    if not industries:
        issues.warn(m.TypeScope.T4_NO_INDUSTRIES(area=area_name))
        return
    off_focus = [i for i in industries if not set(i.key_industries) & set(focus_industries)]
    if not off_focus:
        return
    if area is None:
        issues.warn(m.TypeScope.NOT_KEY(codes=industry_list(off_focus)))
        return
    focus = "、".join(KEY_INDUSTRIES[c].name for c in focus_industries)
    issues.warn(m.TypeScope.T4_OFF_FOCUS_INDUSTRIES(codes=industry_list(off_focus), area=area_name, focus=focus))


def _area_pollutants(
    s: EligibilitySnapshot,
    area: KeyArea | None,
    area_name: Text,
    focus_pollutants: tuple[str, ...],
    issues: Issues,
    evidence: dict[str, Any],
) -> None:
    targets = s.application.target_pollutants
    unknown = [p for p in targets if p not in POLLUTANTS]
    off_focus = [p for p in targets if p in POLLUTANTS and p not in focus_pollutants]
    evidence.update(target_pollutants=list(targets), unknown_pollutants=unknown)
    if not targets:
        focus = m.TypeScope.T4_FOCUS_POLLUTANTS(area=area_name, symbols=_symbols(focus_pollutants)) if area else m.EMPTY
        issues.warn(m.TypeScope.T4_NO_POLLUTANTS(focus=focus))
    if unknown:
        issues.warn(m.TypeScope.T4_UNKNOWN_POLLUTANTS(codes=m.listed(unknown)))
    if off_focus:
        issues.warn(m.TypeScope.T4_OFF_FOCUS_POLLUTANTS(symbols=_symbols(off_focus), area=area_name))


def _symbols(pollutants: tuple[str, ...] | list[str]) -> Text:
    return m.listed(POLLUTANTS[p].symbol for p in pollutants)
