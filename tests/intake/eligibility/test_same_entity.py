"""SAME_ENTITY (notice 三): types 1–3 one organisation applies and implements; type 4 two provincial departments."""

from __future__ import annotations

from typing import Any

import pytest

from application_intake.domain.eligibility import (
    OrganisationFacts,
    Outcome,
    RuleCode,
    RuleStatus,
    evaluate,
)
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind
from tests.intake.eligibility.snapshots import (
    APPLICANT_CODE,
    credit_code,
    eligible,
    organisation,
    region,
    result,
)


def test_same_entity_different_implementer_fails_naming_both() -> None:
    other = organisation(id="org-park", name="苏州工业园区管理委员会", credit_code=credit_code("11320571MB7654321"))
    r = result(eligible(app={"implementer_organisation_id": "org-park"}, implementer=other), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL
    assert "苏州市生态环境局" in r.reason_zh and "苏州工业园区管理委员会" in r.reason_zh


def test_same_entity_no_implementer_named_fails() -> None:
    r = result(eligible(app={"implementer_organisation_id": None}, implementer=None), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL


def test_same_entity_two_registry_records_with_one_credit_code_is_a_warning() -> None:
    twin = organisation(id="org-sz-dup", credit_code=APPLICANT_CODE.lower())
    r = result(eligible(app={"implementer_organisation_id": "org-sz-dup"}, implementer=twin), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.WARNING
    assert APPLICANT_CODE in r.reason_zh


# --- SAME_ENTITY for type 4 (notice 三: "同一主体" is asked of types 1–3 only) ------------------------------------


def _hebei_department(org_id: str, name: str, **changes: Any) -> OrganisationFacts:
    fields: dict[str, Any] = {
        "id": org_id,
        "name": name,
        "credit_code": credit_code("11130000MB00" + str(sum(map(ord, org_id))).zfill(5)),
        "kind": OrganisationKind.PROVINCIAL_DEPARTMENT,
        "level": AdministrativeLevel.PROVINCE,
        "province": "130000",
        "division_code": "130000",
        **changes,
    }
    return organisation(**fields)


def test_type_4_two_provincial_departments_of_the_province_pass_same_entity() -> None:
    drc = _hebei_department("org-hb-drc", "河北省发展和改革委员会")
    snap = region(app={"implementer_organisation_id": "org-hb-drc"}, implementer=drc)
    r = result(snap, RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.PASS, r.reason_zh
    assert "不要求为同一主体" in r.reason_zh
    assert evaluate(snap).outcome is Outcome.ELIGIBLE


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": OrganisationKind.GOVERNMENT_DEPARTMENT, "level": AdministrativeLevel.PREFECTURE},  # a city bureau
        {"province": "140000", "division_code": "140000"},  # another province's department
    ],
)
def test_type_4_implementer_must_be_a_provincial_department_of_the_province(changes: dict[str, Any]) -> None:
    other = _hebei_department("org-other", "某部门", **changes)
    r = result(region(app={"implementer_organisation_id": "org-other"}, implementer=other), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL
    assert "省级政府组成部门" in r.reason_zh and "某部门" in r.reason_zh
