"""FOUNDATION (notice 四(三)): a work foundation described and committed funding with its evidence."""

from __future__ import annotations

from decimal import Decimal

from application_intake.domain.eligibility import (
    FundingSource,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    eligible,
    result,
)


def test_foundation_blank_text_fails() -> None:
    r = result(eligible(app={"foundation": "  \n"}), RuleCode.FOUNDATION)
    assert r.status is RuleStatus.FAIL
    assert "清洁生产工作基础" in r.reason_zh


def test_foundation_without_a_committed_source_fails() -> None:
    pending = FundingSource(funder="省级专项资金（申请中）", amount_cny=Decimal("5000000"), committed=False)
    zero = FundingSource(funder="园区自筹", amount_cny=Decimal("0"), committed=True, evidence_document_id="att-funds")
    r = result(eligible(app={"funding_sources": (pending, zero)}), RuleCode.FOUNDATION)
    assert r.status is RuleStatus.FAIL
    assert [s["qualifies"] for s in r.evidence["funding_sources"]] == [False, False]


def test_foundation_committed_source_without_supporting_document_warns() -> None:
    source = FundingSource(funder="苏州市财政局", amount_cny=Decimal("3000000"), committed=True)
    r = result(eligible(app={"funding_sources": (source,)}), RuleCode.FOUNDATION)
    assert r.status is RuleStatus.WARNING


def test_foundation_pass_reports_the_committed_total() -> None:
    r = result(eligible(), RuleCode.FOUNDATION)
    assert r.status is RuleStatus.PASS
    assert r.evidence["committed_total_cny"] == "3000000.00"
