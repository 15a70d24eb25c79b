"""SAME_ENTITY (notice 三: 第（一）（二）（三）类…且为同一主体; 第（四）类…为省级政府组成部门).

Types 1–3: the applicant and the implementer are one organisation (two registry records with one credit code
count as one, with a warning). Type 4 does not ask for one body: both must be provincial government departments
of the recommending province.
"""

from __future__ import annotations

from typing import Any

from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind
from pilot_common.credit_code import normalise_credit_code

from .. import messages as m
from ..messages import Text
from ..snapshot import EligibilitySnapshot, OrganisationFacts, PilotTypeCode
from ..verdict import RuleCode, RuleResult
from ._places import division_in_province, province
from ._result import Issues, failed, passed, warned


def check_same_entity(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    applicant_id, implementer_id = app.applicant_organisation_id, app.implementer_organisation_id
    evidence: dict[str, Any] = {"applicant_id": applicant_id, "implementer_id": implementer_id}
    if app.pilot_type == PilotTypeCode.REGION_BASIN.value:
        return _check_type_4_bodies(s, evidence)
    evidence["same_body_required"] = True
    if implementer_id is None:
        return failed(RuleCode.SAME_ENTITY, m.SameEntity.NO_IMPLEMENTER(), evidence)
    if implementer_id == applicant_id:
        return passed(RuleCode.SAME_ENTITY, m.SameEntity.SAME(), evidence)
    a, i = s.applicant, s.implementer
    names = {"applicant": a.name if a else applicant_id, "implementer": i.name if i else implementer_id}
    if a and i and a.credit_code and i.credit_code:
        code_a, code_i = normalise_credit_code(a.credit_code), normalise_credit_code(i.credit_code)
        evidence.update(applicant_credit_code=code_a, implementer_credit_code=code_i)
        if code_a == code_i:
            return warned(RuleCode.SAME_ENTITY, m.SameEntity.ONE_CREDIT_CODE(**names, code=code_a), evidence)
    return failed(RuleCode.SAME_ENTITY, m.SameEntity.DIFFERENT(**names), evidence)


def _is_provincial_department(org: OrganisationFacts) -> bool:
    """A provincial government department (省级政府组成部门), as type 4's applicant requirement accepts it."""
    return org.kind is OrganisationKind.PROVINCIAL_DEPARTMENT or (
        org.kind is OrganisationKind.GOVERNMENT_DEPARTMENT and org.level is AdministrativeLevel.PROVINCE
    )


def _check_type_4_bodies(s: EligibilitySnapshot, evidence: dict[str, Any]) -> RuleResult:
    app = s.application
    code = app.recommending_province
    name = province(code)
    evidence["same_body_required"] = False
    issues = Issues()
    roles: tuple[tuple[Text, str | None, OrganisationFacts | None], ...] = (
        (m.APPLICANT, app.applicant_organisation_id, s.applicant),
        (m.IMPLEMENTER, app.implementer_organisation_id, s.implementer),
    )
    for role, org_id, org in roles:
        if org_id is None:
            issues.fail(m.SameEntity.NOT_NAMED(role=role))
        elif org is None:
            issues.fail(m.SameEntity.UNKNOWN(role=role, org_id=org_id))
        elif not _is_provincial_department(org) or not division_in_province(org.province, code):
            issues.fail(m.SameEntity.NOT_PROVINCIAL_DEPARTMENT(role=role, name=org.name, province=name))
    same = app.applicant_organisation_id == app.implementer_organisation_id
    which = m.SameEntity.THE_SAME_ONE if same else m.SameEntity.NOT_REQUIRED_SAME
    return issues.result(RuleCode.SAME_ENTITY, m.SameEntity.BOTH_PROVINCIAL(province=name, which=which), evidence)
