"""PROVINCE_MATCH (notice 四(四), 六): applicant and pilot object in the recommending province."""

from __future__ import annotations

from application_intake.domain.eligibility import (
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    eligible,
    organisation,
    pilot_object,
    result,
)


def test_province_match_applicant_in_another_province_fails() -> None:
    org = organisation(province="330000", division_code="330100")
    r = result(eligible(applicant=org, implementer=org), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert "浙江省" in r.reason_zh and "江苏省" in r.reason_zh


def test_province_match_object_in_another_province_fails() -> None:
    r = result(eligible(pilot_object=pilot_object(province="340000")), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert "试点对象" in r.reason_zh


def test_province_match_object_reaching_over_the_border_fails_listing_the_division() -> None:
    r = result(eligible(pilot_object=pilot_object(division_codes=("320571", "341100"))), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["division_codes_outside"] == ["341100"]


def test_province_match_corps_units_may_carry_xinjiang_division_codes() -> None:
    org = organisation(province="660000", division_code="659001")
    obj = pilot_object(province="660000", division_codes=("659001",))
    snap = eligible(app={"recommending_province": "660000"}, applicant=org, implementer=org, pilot_object=obj)
    assert result(snap, RuleCode.PROVINCE_MATCH).status is RuleStatus.PASS


def test_province_match_a_xinjiang_city_is_not_the_corps() -> None:
    # The registry's rule, shared: 兵团 is 66xxxx and its cities 659xxx, not all of 65xxxx.
    org = organisation(province="660000", division_code="659001")
    obj = pilot_object(province="660000", division_codes=("650100",))
    snap = eligible(app={"recommending_province": "660000"}, applicant=org, implementer=org, pilot_object=obj)
    r = result(snap, RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["division_codes_outside"] == ["650100"]


def test_province_match_recommending_code_that_is_no_province_fails() -> None:
    r = result(eligible(app={"recommending_province": "710000"}), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
