"""QUOTA (notice 四(一)): at most five slots a province, plus any exception granted to it."""

from __future__ import annotations

from application_intake.domain.eligibility import (
    ProgrammeFacts,
    QuotaFacts,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    RULES_2023,
    eligible,
    result,
)


def test_quota_fifth_slot_of_five_passes_with_slot_evidence() -> None:
    r = result(eligible(quota=QuotaFacts(slots_held=5, slots_allowed=5, slot_number=5)), RuleCode.QUOTA)
    assert r.status is RuleStatus.PASS
    assert (r.evidence["slot_number"], r.evidence["slots_allowed"]) == (5, 5)
    assert "第5个" in r.reason_zh


def test_quota_sixth_application_fails() -> None:
    r = result(eligible(quota=QuotaFacts(slots_held=6, slots_allowed=5, slot_number=6)), RuleCode.QUOTA)
    assert r.status is RuleStatus.FAIL
    assert "6" in r.reason_zh and "5" in r.reason_zh


def test_quota_exception_granted_to_the_province_allows_a_sixth() -> None:
    programme = ProgrammeFacts(
        programme_id="prog-2023-2", programme_version=3, rules=RULES_2023, quota_exceptions={"320000": 1}
    )
    r = result(
        eligible(programme=programme, quota=QuotaFacts(slots_held=6, slots_allowed=6, slot_number=6)), RuleCode.QUOTA
    )
    assert r.status is RuleStatus.PASS
    assert r.evidence["exception_slots"] == 1


def test_quota_record_above_the_programme_figure_is_not_trusted() -> None:
    r = result(eligible(quota=QuotaFacts(slots_held=6, slots_allowed=6, slot_number=6)), RuleCode.QUOTA)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["slots_allowed"] == 5
