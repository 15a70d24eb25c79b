"""QUOTA (notice 四(一): 数量原则上不超过5个).

A province may hold the programme's quota of slots plus any exception granted to it; when the quota record
and the programme rules disagree, the smaller figure applies (and the rule warns).
"""

from __future__ import annotations

from typing import Any

from .. import messages as m
from ..snapshot import EligibilitySnapshot
from ..verdict import RuleCode, RuleResult
from ._places import province
from ._result import Issues


def check_quota(s: EligibilitySnapshot) -> RuleResult:
    code = s.application.recommending_province
    base = s.programme.rules.quota_per_province
    exception = s.programme.quota_exceptions.get(code, 0)
    programme_allowed = base + exception
    held, recorded = s.quota.slots_held, s.quota.slots_allowed
    allowed = min(programme_allowed, recorded)
    slot = s.quota.slot_number if s.quota.slot_number is not None else held
    evidence: dict[str, Any] = {
        "province": code,
        "slots_held": held,
        "slots_allowed": allowed,
        "base_quota": base,
        "exception_slots": exception,
        "quota_record_allowed": recorded,
        "slot_number": s.quota.slot_number,
        "dry_run": s.dry_run,
    }
    name = province(code)
    issues = Issues()
    if held > allowed:
        granted = m.Quota.EXCEPTION(exception=exception) if exception else m.EMPTY
        issues.fail(m.Quota.OVER(province=name, held=held, allowed=allowed, base=base, exception=granted))
    if recorded != programme_allowed:
        issues.warn(
            m.Quota.RECORD_DIFFERS(
                recorded=recorded, base=base, exception=exception, programme_allowed=programme_allowed, allowed=allowed
            )
        )
    return issues.result(RuleCode.QUOTA, m.Quota.HELD(province=name, slot=slot, allowed=allowed), evidence)
