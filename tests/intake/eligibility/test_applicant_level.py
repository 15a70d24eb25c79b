"""APPLICANT_LEVEL (notice 三): the applicant is a kind and level of organisation the pilot type accepts."""

from __future__ import annotations

import pytest

from application_intake.domain.eligibility import (
    RuleCode,
    RuleStatus,
    evaluate,
)
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind
from tests.intake.eligibility.snapshots import (
    eligible,
    organisation,
    result,
)

_K, _L = OrganisationKind, AdministrativeLevel


@pytest.mark.parametrize(
    ("pilot_type", "kind", "level", "expected"),
    [
        ("KEY_INDUSTRY", _K.GOVERNMENT, _L.COUNTY, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.GOVERNMENT_DEPARTMENT, _L.COUNTY, RuleStatus.FAIL),
        ("KEY_INDUSTRY", _K.GOVERNMENT_DEPARTMENT, _L.PREFECTURE, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.ENTERPRISE, None, RuleStatus.FAIL),
        ("KEY_INDUSTRY", _K.GOVERNMENT, None, RuleStatus.FAIL),  # level unknown: cannot show county or above
        ("PARK_CLUSTER", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.PASS),
        ("PARK_CLUSTER", _K.GOVERNMENT, _L.PREFECTURE, RuleStatus.PASS),
        ("PARK_CLUSTER", _K.GOVERNMENT_DEPARTMENT, _L.COUNTY, RuleStatus.FAIL),
        ("SIMPLIFIED_ENTERPRISE", _K.GOVERNMENT, _L.COUNTY, RuleStatus.PASS),
        ("SIMPLIFIED_ENTERPRISE", _K.PROVINCIAL_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("SIMPLIFIED_ENTERPRISE", _K.OTHER, _L.PROVINCE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.PROVINCIAL_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("REGION_BASIN", _K.GOVERNMENT_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("REGION_BASIN", _K.GOVERNMENT_DEPARTMENT, _L.PREFECTURE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.GOVERNMENT, _L.PROVINCE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.FAIL),
    ],
)
def test_applicant_kind_and_level_per_pilot_type(
    pilot_type: str, kind: OrganisationKind, level: AdministrativeLevel | None, expected: RuleStatus
) -> None:
    org = organisation(kind=kind, level=level)
    r = result(eligible(app={"pilot_type": pilot_type}, applicant=org, implementer=org), RuleCode.APPLICANT_LEVEL)
    assert r.status is expected, r.reason_zh


def test_applicant_level_failure_names_what_is_required() -> None:
    org = organisation(kind=OrganisationKind.GOVERNMENT_DEPARTMENT, level=AdministrativeLevel.PREFECTURE)
    r = result(eligible(app={"pilot_type": "REGION_BASIN"}, applicant=org, implementer=org), RuleCode.APPLICANT_LEVEL)
    assert "省级政府组成部门" in r.reason_zh and "第4类" in r.reason_zh
    assert r.evidence["applicant_level"] == "PREFECTURE"


def test_unknown_pilot_type_fails_applicant_level_and_type_scope() -> None:
    verdict = evaluate(eligible(app={"pilot_type": "TYPE_5"}))
    assert verdict.result(RuleCode.APPLICANT_LEVEL).status is RuleStatus.FAIL
    assert verdict.result(RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL
