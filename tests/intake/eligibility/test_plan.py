"""PLAN (notice 二, 附件): every outline section present and a schedule within the pilot period."""

from __future__ import annotations

from datetime import date

import pytest

from application_intake.domain.eligibility import (
    Milestone,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    PLAN_SECTIONS,
    eligible,
    result,
)


def test_plan_missing_sub_section_fails_naming_code_and_title() -> None:
    sections = {k: v for k, v in PLAN_SECTIONS.items() if k != "2.2"}
    r = result(eligible(app={"plan_sections": sections}), RuleCode.PLAN)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["missing_sections"] == [{"code": "2.2", "title": "清洁生产工作基础"}]
    assert "二（二）清洁生产工作基础" in r.reason_zh


def test_plan_blank_section_counts_as_missing() -> None:
    r = result(eligible(app={"plan_sections": {**PLAN_SECTIONS, "5": "   "}}), RuleCode.PLAN)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["missing_sections"] == [{"code": "5", "title": "试点工作特色及主要创新点"}]


def test_plan_a_wholly_empty_chapter_lists_the_chapter_and_its_sub_sections() -> None:
    sections = {k: v for k, v in PLAN_SECTIONS.items() if not k.startswith("4")}
    r = result(eligible(app={"plan_sections": sections}), RuleCode.PLAN)
    assert [m["code"] for m in r.evidence["missing_sections"]] == ["4", "4.1", "4.2"]


@pytest.mark.parametrize(
    ("last_due", "expected"),
    [
        (date(2024, 7, 31), RuleStatus.PASS),  # exactly one year: 2023-08-01 … 2024-07-31 inclusive
        (date(2024, 8, 1), RuleStatus.FAIL),  # one year and a day
        (date(2024, 8, 2), RuleStatus.FAIL),
    ],
)
def test_plan_schedule_spans_at_most_one_year(last_due: date, expected: RuleStatus) -> None:
    milestones = (
        Milestone(title="诊断", start=date(2023, 8, 1), due=date(2023, 12, 31)),
        Milestone(title="总结评估", start=date(2024, 7, 1), due=last_due),
    )
    r = result(eligible(app={"milestones": milestones}), RuleCode.PLAN)
    assert r.status is expected
    assert r.evidence["latest_allowed_due"] == "2024-07-31"


def test_plan_without_schedule_fails() -> None:
    r = result(eligible(app={"milestones": ()}), RuleCode.PLAN)
    assert r.status is RuleStatus.FAIL


def test_plan_milestone_due_before_it_starts_fails() -> None:
    bad = (Milestone(title="诊断", start=date(2023, 9, 1), due=date(2023, 8, 1)),)
    r = result(eligible(app={"milestones": bad}), RuleCode.PLAN)
    assert r.status is RuleStatus.FAIL
    assert "诊断" in r.reason_zh
