"""WINDOW (notice 六): submitted between opening and the end of the deadline day, Beijing time; a late entry
sent on time passes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from application_intake.domain.eligibility import (
    Attachment,
    AttachmentKind,
    LateEntryFacts,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    SHANGHAI,
    application,
    eligible,
    result,
)


def test_window_last_second_of_the_deadline_day_in_utc_passes() -> None:
    at = datetime(2023, 4, 7, 15, 59, 59, tzinfo=UTC)
    assert result(eligible(submitted_at=at, evaluated_at=at), RuleCode.WINDOW).status is RuleStatus.PASS


def test_window_first_second_after_the_deadline_in_utc_fails_as_late() -> None:
    at = datetime(2023, 4, 7, 16, 0, 0, tzinfo=UTC)
    r = result(eligible(submitted_at=at, evaluated_at=at), RuleCode.WINDOW)
    assert r.status is RuleStatus.FAIL
    assert "逾期不予受理" in r.reason_zh
    assert "2023年4月7日（含当日，北京时间）" in r.reason_zh and "2023年4月8日 00:00:00（北京时间）" in r.reason_zh
    assert "Asia/Shanghai" not in r.reason_zh and "T" not in r.reason_zh
    assert r.evidence["closes_at"] == "2023-04-08T00:00:00+08:00"


def late_entry(sent_on: datetime, evidence_id: str = "att-postmark") -> LateEntryFacts:
    return LateEntryFacts(sent_on=sent_on, channel="POST", evidence_attachment_id=evidence_id, recorded_by="wang.mee")


def postmark() -> Attachment:
    return Attachment(
        id="att-postmark",
        kind=AttachmentKind.SENDING_EVIDENCE,
        file_name="邮戳.pdf",
        media_type="application/pdf",
        size_bytes=1000,
        sha256="f" * 64,
    )


def with_postmark(**changes: Any) -> dict[str, Any]:
    return {"attachments": (*application().attachments, postmark()), **changes}


def test_window_a_package_sent_on_time_and_entered_late_passes_with_its_evidence() -> None:
    at = datetime(2023, 4, 10, 9, 0, tzinfo=SHANGHAI)
    sent = datetime(2023, 4, 7, 17, 30, tzinfo=SHANGHAI)
    snap = eligible(submitted_at=at, evaluated_at=at, late_entry=late_entry(sent), app=with_postmark())
    r = result(snap, RuleCode.WINDOW)
    assert r.status is RuleStatus.PASS, r.reason_zh
    assert "2023年4月7日 17:30:00（北京时间）寄出" in r.reason_zh and "邮戳.pdf" in r.reason_zh
    assert "wang.mee" in r.reason_zh and r.evidence["late_entry"]["channel"] == "POST"


def test_window_a_package_sent_after_the_deadline_fails_whatever_is_recorded() -> None:
    at = datetime(2023, 4, 10, 9, 0, tzinfo=SHANGHAI)
    sent = datetime(2023, 4, 8, 0, 0, 1, tzinfo=SHANGHAI)
    r = result(
        eligible(submitted_at=at, evaluated_at=at, late_entry=late_entry(sent), app=with_postmark()), RuleCode.WINDOW
    )
    assert r.status is RuleStatus.FAIL and "逾期不予受理" in r.reason_zh


def test_window_a_late_entry_whose_evidence_left_the_package_fails() -> None:
    at = datetime(2023, 4, 10, 9, 0, tzinfo=SHANGHAI)
    sent = datetime(2023, 4, 7, 17, 30, tzinfo=SHANGHAI)
    r = result(eligible(submitted_at=at, evaluated_at=at, late_entry=late_entry(sent)), RuleCode.WINDOW)
    assert r.status is RuleStatus.FAIL and "不在申报材料中" in r.reason_zh


def test_window_before_the_programme_opens_fails() -> None:
    at = datetime(2023, 3, 2, 23, 0, tzinfo=SHANGHAI)
    r = result(eligible(submitted_at=at, evaluated_at=at), RuleCode.WINDOW)
    assert r.status is RuleStatus.FAIL
    assert "尚未开始" in r.reason_zh
