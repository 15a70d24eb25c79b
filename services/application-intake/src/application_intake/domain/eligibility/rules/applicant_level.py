"""APPLICANT_LEVEL (notice 三): the applicant is a kind of organisation, at a level, the pilot type accepts.

The accepted kinds come from the programme's ``ApplicantRequirement`` list; the notice's list ends in "等",
DESIGN makes it closed, and so other kinds FAIL.
"""

from __future__ import annotations

from typing import Any

from .. import messages as m
from ..snapshot import EligibilitySnapshot
from ..verdict import RuleCode, RuleResult
from ._places import type_number
from ._result import failed, passed


def check_applicant_level(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    number = type_number(app.pilot_type)
    type_rule = s.programme.rules.pilot_type_rule(app.pilot_type)
    evidence: dict[str, Any] = {"pilot_type": app.pilot_type, "applicant_id": app.applicant_organisation_id}
    if type_rule is None or number is None:
        return failed(RuleCode.APPLICANT_LEVEL, m.ApplicantLevel.UNKNOWN_TYPE(pilot_type=app.pilot_type), evidence)
    evidence["accepted"] = [
        {"kind": r.kind.value, "min_level": r.min_level.value if r.min_level else None, "label_zh": r.label_zh}
        for r in type_rule.applicants
    ]
    org = s.applicant
    if org is None:
        reason = m.ApplicantLevel.APPLICANT_UNKNOWN(applicant=app.applicant_organisation_id)
        return failed(RuleCode.APPLICANT_LEVEL, reason, evidence)
    evidence.update(applicant_kind=org.kind.value, applicant_level=org.level.value if org.level else None)
    label = m.organisation_label(org)
    for req in type_rule.applicants:
        if org.kind is req.kind and (
            req.min_level is None or (org.level is not None and org.level.at_least(req.min_level))
        ):
            evidence["matched"] = req.label_zh
            reason = m.ApplicantLevel.ACCEPTED(name=org.name, label=label, number=number, requirement=req.label_zh)
            return passed(RuleCode.APPLICANT_LEVEL, reason, evidence)
    evidence["matched"] = None
    required = m.applicant_requirements(type_rule.applicants)
    reason = m.ApplicantLevel.REFUSED(name=org.name, label=label, number=number, required=required)
    return failed(RuleCode.APPLICANT_LEVEL, reason, evidence)
