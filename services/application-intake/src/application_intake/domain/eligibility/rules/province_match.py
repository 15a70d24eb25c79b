"""PROVINCE_MATCH (notice 四(四), 六): the applicant and the pilot object lie in the recommending province.

Division codes are GB/T 2260 codes; 新疆生产建设兵团 (660000) holds codes starting 66 and its cities 659xxx.
"""

from __future__ import annotations

from typing import Any

from pilot_common.reference import provincial_unit

from .. import messages as m
from ..messages import Text
from ..snapshot import EligibilitySnapshot
from ..verdict import RuleCode, RuleResult
from ._places import division_in_province, province
from ._result import Issues, failed


def check_province_match(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    recommending = app.recommending_province
    evidence: dict[str, Any] = {"recommending_province": recommending}
    if provincial_unit(recommending) is None:
        return failed(RuleCode.PROVINCE_MATCH, m.ProvinceMatch.NOT_A_PROVINCE(code=recommending), evidence)
    name = province(recommending)
    issues = Issues()
    _check_applicant(s, name, issues, evidence)
    _check_pilot_object(s, name, issues, evidence)
    return issues.result(RuleCode.PROVINCE_MATCH, m.ProvinceMatch.MATCHES(province=name), evidence)


def _check_applicant(s: EligibilitySnapshot, name: Text, issues: Issues, evidence: dict[str, Any]) -> None:
    app, org = s.application, s.applicant
    if org is None:
        evidence["applicant_province"] = None
        issues.fail(m.ProvinceMatch.APPLICANT_UNKNOWN(org_id=app.applicant_organisation_id))
        return
    evidence["applicant_province"] = org.province
    if not division_in_province(org.province, app.recommending_province):
        issues.fail(m.ProvinceMatch.APPLICANT_ELSEWHERE(name=org.name, located=province(org.province), province=name))


def _check_pilot_object(s: EligibilitySnapshot, name: Text, issues: Issues, evidence: dict[str, Any]) -> None:
    app, obj = s.application, s.pilot_object
    recommending = app.recommending_province
    if obj is None:
        evidence["pilot_object_province"] = None
        if app.pilot_object_id is None:
            issues.fail(m.ProvinceMatch.NO_OBJECT())
        else:
            issues.fail(m.ProvinceMatch.OBJECT_UNKNOWN(object_id=app.pilot_object_id))
        return
    evidence["pilot_object_province"] = obj.province
    if not division_in_province(obj.province, recommending):
        issues.fail(m.ProvinceMatch.OBJECT_ELSEWHERE(name=obj.name, located=province(obj.province), province=name))
    malformed = [c for c in obj.division_codes if division_in_province(c, recommending) is None]
    outside = [c for c in obj.division_codes if division_in_province(c, recommending) is False]
    evidence.update(malformed_division_codes=malformed, division_codes_outside=outside)
    if malformed:
        issues.fail(m.ProvinceMatch.INVALID_DIVISIONS(codes=m.listed(malformed)))
    if outside:
        issues.fail(m.ProvinceMatch.DIVISIONS_OUTSIDE(province=name, codes=m.listed(outside)))
