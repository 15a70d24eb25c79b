"""TYPE_SCOPE (notice 二): the pilot object and the target industries fit the pilot type."""

from __future__ import annotations

from typing import Any

import pytest

from application_intake.domain.eligibility import (
    Outcome,
    PilotObjectKind,
    ProgrammeFacts,
    RuleCode,
    RuleResult,
    RuleStatus,
    evaluate,
)
from tests.intake.eligibility.snapshots import (
    RULES_2023,
    eligible,
    pilot_object,
    region,
    result,
)


def scope(**app: Any) -> RuleResult:
    return result(eligible(app=app), RuleCode.TYPE_SCOPE)


def test_type_1_all_key_industries_pass() -> None:
    assert scope(target_industries=("2614", "C2710")).status is RuleStatus.PASS


def test_type_1_some_non_key_industries_warn_naming_them() -> None:
    r = scope(target_industries=("2614", "1810"))
    assert r.status is RuleStatus.WARNING
    assert "1810" in r.reason_zh and "2614" not in r.reason_zh


def test_type_1_no_key_industry_fails() -> None:
    assert scope(target_industries=("1810", "2720")).status is RuleStatus.FAIL


def test_type_1_division_only_partly_key_warns() -> None:
    r = scope(target_industries=("33",))  # 33 holds 3360 (电镀) but also foundry, tools, …
    assert r.status is RuleStatus.WARNING
    assert "四位小类" in r.reason_zh


@pytest.mark.parametrize("code", ["3130", "1391", "1392", "3232", "3214", "2822", "3061", "13"])
def test_type_1_passes_for_industries_the_national_mapping_holds(code: str) -> None:
    # 钢压延加工, 淀粉, 豆制品, 稀土/锡冶炼, 化纤, 玻纤, all of 农副食品加工: not in Shanxi's list, key nationally.
    r = scope(target_industries=(code,))
    assert r.status is RuleStatus.PASS, r.reason_zh


def test_type_3_foundry_is_not_electroplating() -> None:
    r = scope(pilot_type="SIMPLIFIED_ENTERPRISE", target_industries=("3391", "3392"))
    assert r.status is RuleStatus.PASS, r.reason_zh
    assert "电镀" not in r.reason_zh


def test_a_programme_mapping_override_is_used_by_the_rules() -> None:
    narrowed = RULES_2023.model_copy(update={"key_industry_mapping": {"STEEL": ["3110"]}})
    programme = ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=narrowed)
    r = result(eligible(programme=programme, app={"target_industries": ("3130",)}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.FAIL


def test_type_1_no_target_industries_fails() -> None:
    assert scope(target_industries=()).status is RuleStatus.FAIL


def test_type_1_industrial_coating_needs_the_coating_process_claim() -> None:
    assert scope(target_industries=("3670",)).status is RuleStatus.FAIL
    assert scope(target_industries=("3670",), has_coating_process=True).status is RuleStatus.PASS


def test_malformed_industry_code_fails_and_is_listed() -> None:
    r = scope(target_industries=("2614", "26X1"))
    assert r.status is RuleStatus.FAIL
    assert "26X1" in r.reason_zh
    assert r.evidence["invalid_industry_codes"] == ["26X1"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (PilotObjectKind.INDUSTRIAL_PARK, RuleStatus.PASS),
        (PilotObjectKind.INDUSTRIAL_CLUSTER, RuleStatus.PASS),
        (PilotObjectKind.KEY_REGION_PART, RuleStatus.FAIL),
        (PilotObjectKind.ENTERPRISE_GROUP, RuleStatus.FAIL),
    ],
)
def test_type_2_object_must_be_a_park_or_cluster(kind: PilotObjectKind, expected: RuleStatus) -> None:
    snap = eligible(app={"pilot_type": "PARK_CLUSTER"}, pilot_object=pilot_object(kind=kind))
    assert result(snap, RuleCode.TYPE_SCOPE).status is expected


def test_type_2_unknown_object_fails() -> None:
    snap = eligible(app={"pilot_type": "PARK_CLUSTER"}, pilot_object=None)
    assert result(snap, RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL


@pytest.mark.parametrize(
    ("industries", "coating", "expected"),
    [
        (("1810", "2720"), False, RuleStatus.PASS),  # 服装, 化学药品制剂: outside the 13 key industries
        (("1810", "2614"), False, RuleStatus.FAIL),  # 有机化学原料 is 石化化工
        (("3670",), True, RuleStatus.FAIL),  # with a coating process it is 工业涂装
        (("3670",), False, RuleStatus.PASS),
        (("33",), False, RuleStatus.WARNING),  # a division partly key
    ],
)
def test_type_3_industries_must_be_outside_the_key_industries(
    industries: tuple[str, ...], coating: bool, expected: RuleStatus
) -> None:
    r = scope(pilot_type="SIMPLIFIED_ENTERPRISE", target_industries=industries, has_coating_process=coating)
    assert r.status is expected, r.reason_zh


def test_type_4_air_region_with_focus_industries_and_pollutants_is_fully_eligible() -> None:
    verdict = evaluate(region())
    assert verdict.outcome is Outcome.ELIGIBLE, [
        (r.code, r.reason_zh) for r in verdict.results if r.status is not RuleStatus.PASS
    ]


def test_type_4_basin_section_on_its_focus_passes() -> None:
    snap = region(
        "YELLOW_RIVER",
        obj={"kind": PilotObjectKind.BASIN_SECTION, "province": "140000", "division_codes": ("140100",)},
        app={
            "recommending_province": "140000",
            "target_industries": ("2221", "2710"),
            "target_pollutants": ("NH3N", "TP"),
        },
    )
    assert result(snap, RuleCode.TYPE_SCOPE).status is RuleStatus.PASS


def test_type_4_object_must_be_a_region_or_basin() -> None:
    r = result(region(obj={"kind": PilotObjectKind.INDUSTRIAL_PARK}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.FAIL


def test_type_4_industry_in_area_object_is_accepted() -> None:
    r = result(region(obj={"kind": PilotObjectKind.INDUSTRY_IN_AREA}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.PASS


def test_type_4_without_a_key_area_fails() -> None:
    assert result(region(None), RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL


def test_type_4_unlisted_area_is_a_warning_because_the_list_ends_in_deng() -> None:
    r = result(region("HUAIHE"), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "HUAIHE" in r.reason_zh and "等" in r.reason_zh


def test_type_4_industry_outside_the_area_focus_is_a_warning() -> None:
    r = result(region(app={"target_industries": ("3110", "2221")}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "2221" in r.reason_zh and "3110" not in r.reason_zh


def test_type_4_pollutant_outside_the_area_focus_is_a_warning() -> None:
    r = result(region(app={"target_pollutants": ("PM25", "NH3N")}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "NH3-N" in r.reason_zh


def test_type_4_object_province_outside_the_area_is_a_warning() -> None:
    snap = region(
        obj={"province": "320000", "division_codes": ("320500",)},
        app={"recommending_province": "320000"},
    )
    r = result(snap, RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "江苏省" in r.reason_zh


def test_type_4_division_outside_a_city_defined_region_is_a_warning() -> None:
    r = result(region(obj={"division_codes": ("130100", "130700")}), RuleCode.TYPE_SCOPE)  # 张家口 is not 2+26
    assert r.status is RuleStatus.WARNING
    assert r.evidence["division_codes_outside_area"] == ["130700"]
