"""PRIORITY (notice 四(一), not a gate): set for industries or park types earlier batches did not cover."""

from __future__ import annotations

from application_intake.domain.eligibility import (
    Outcome,
    ProgrammeFacts,
    evaluate,
)
from tests.intake.eligibility.snapshots import (
    RULES_2023,
    eligible,
    pilot_object,
)


def test_priority_not_set_when_industries_and_park_type_were_covered() -> None:
    verdict = evaluate(eligible())  # 石化化工, 化学原料药 and 化工园区 are batch-1 coverage
    assert verdict.priority.priority is False


def test_priority_for_an_industry_earlier_batches_did_not_cover() -> None:
    verdict = evaluate(eligible(app={"target_industries": ("2614", "2221")}))
    assert verdict.priority.priority is True
    assert verdict.priority.uncovered_industries == ("PAPER",)
    assert "造纸" in verdict.priority.reason_zh
    assert verdict.outcome is Outcome.ELIGIBLE  # priority does not gate


def test_priority_for_a_park_type_earlier_batches_did_not_cover() -> None:
    verdict = evaluate(eligible(pilot_object=pilot_object(park_type="CIRCULAR_ECONOMY_PARK")))
    assert verdict.priority.priority is True
    assert verdict.priority.uncovered_park_type == "CIRCULAR_ECONOMY_PARK"


def test_priority_says_when_it_rests_on_assumed_coverage() -> None:
    # Batch 1's list could not be obtained: "not covered" is a reading of a partly assumed list, and so is
    # "covered" for 钢铁 (assumed covered), so both verdicts say so.
    uncovered = evaluate(eligible(app={"target_industries": ("2221",)})).priority
    assert uncovered.priority is True and uncovered.rests_on_assumption
    assert "推定" in uncovered.reason_zh and "assumed" in uncovered.reason_en
    steel = evaluate(eligible(app={"target_industries": ("3110",)})).priority
    assert steel.priority is False and steel.rests_on_assumption
    assert "钢铁的覆盖为推定" in steel.reason_zh
    assert steel.evidence["assumed_coverage_relied_on"] == ["STEEL"]


def test_priority_on_confirmed_coverage_states_no_assumption() -> None:
    confirmed = RULES_2023.model_copy(update={"coverage_provisional": False, "assumed_covered_industries": []})
    programme = ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=confirmed)
    priority = evaluate(eligible(programme=programme, app={"target_industries": ("2221",)})).priority
    assert priority.priority is True and not priority.rests_on_assumption
    assert "推定" not in priority.reason_zh
