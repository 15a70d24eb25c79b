"""CLEAN_RECORD (notice 四(二)): no disqualifying inspection finding or media exposure in the lookback."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from application_intake.domain.eligibility import (
    FindingSource,
    MediaLevel,
    ProgrammeFacts,
    RuleCode,
    RuleStatus,
)
from tests.intake.eligibility.snapshots import (
    MEMBER_B,
    OUTSIDER,
    RULES_2023,
    SHANGHAI,
    eligible,
    finding,
    result,
)


@pytest.mark.parametrize(
    ("found_on", "expected"),
    [
        (date(2020, 4, 8), RuleStatus.FAIL),  # one day inside the 3-year lookback
        (date(2020, 4, 7), RuleStatus.FAIL),  # the first day of the lookback (inclusive)
        (date(2020, 4, 6), RuleStatus.PASS),  # one day outside
    ],
)
def test_clean_record_lookback_edges(found_on: date, expected: RuleStatus) -> None:
    r = result(eligible(findings=(finding(date=found_on),)), RuleCode.CLEAN_RECORD)
    assert r.status is expected
    assert r.evidence["window_from"] == "2020-04-07"


def test_clean_record_finding_outside_the_lookback_is_listed_as_ignored() -> None:
    r = result(eligible(findings=(finding(date=date(2020, 4, 6)),)), RuleCode.CLEAN_RECORD)
    assert r.evidence["ignored"][0]["ignored_because"] == "BEFORE_LOOKBACK"


def test_clean_record_lookback_starts_from_the_shanghai_calendar_date() -> None:
    at = datetime(2023, 4, 6, 16, 30, tzinfo=UTC)  # already 2023-04-07 00:30 in Shanghai
    r = result(
        eligible(submitted_at=at, evaluated_at=at, findings=(finding(date=date(2020, 4, 6)),)), RuleCode.CLEAN_RECORD
    )
    assert r.evidence["submission_date"] == "2023-04-07"
    assert r.status is RuleStatus.PASS


def test_clean_record_leap_day_submission_looks_back_to_feb_28() -> None:
    rules = RULES_2023.model_copy(
        update={"opens_at": datetime(2024, 1, 1, tzinfo=SHANGHAI), "deadline": date(2024, 3, 31)}
    )
    programme = ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=rules)
    at = datetime(2024, 2, 29, 12, 0, tzinfo=SHANGHAI)
    inside = eligible(
        programme=programme, submitted_at=at, evaluated_at=at, findings=(finding(date=date(2021, 2, 28)),)
    )
    outside = eligible(
        programme=programme, submitted_at=at, evaluated_at=at, findings=(finding(date=date(2021, 2, 27)),)
    )
    assert result(inside, RuleCode.CLEAN_RECORD).evidence["window_from"] == "2021-02-28"
    assert result(inside, RuleCode.CLEAN_RECORD).status is RuleStatus.FAIL
    assert result(outside, RuleCode.CLEAN_RECORD).status is RuleStatus.PASS


def test_clean_record_central_inspection_fails_citing_id_date_and_source() -> None:
    r = result(eligible(findings=(finding(id="fd-77", date=date(2022, 6, 1)),)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.FAIL
    assert (
        "fd-77" in r.reason_zh
        and "2022年6月1日" in r.reason_zh
        and "通知四（二）" in r.reason_zh
        and "中央生态环境保护督察" in r.reason_zh
    )
    assert "central" in r.reason_en
    assert r.evidence["counted"][0]["finding_id"] == "fd-77"


@pytest.mark.parametrize("prominent", [False, None])
def test_clean_record_central_finding_without_a_prominent_problem_is_only_a_warning(prominent: bool | None) -> None:
    # Notice 四(二): "未被中央生态环境保护督察指出突出生态环境问题"; a complaint referral (信访转办件) is not one.
    r = result(eligible(findings=(finding(prominent_problem=prominent, summary="信访转办件"),)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.WARNING
    assert ("未被指出为突出生态环境问题" if prominent is False else "请核实") in r.reason_zh
    assert r.evidence["counted"][0]["prominent_problem"] is prominent


def test_clean_record_provincial_inspection_is_only_a_warning() -> None:
    r = result(eligible(findings=(finding(source=FindingSource.PROVINCIAL_INSPECTION),)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.WARNING
    assert "省级生态环境保护督察" in r.reason_zh


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (MediaLevel.NATIONAL, RuleStatus.FAIL),
        (MediaLevel.PROVINCIAL, RuleStatus.FAIL),
        (MediaLevel.CITY, RuleStatus.WARNING),
        (None, RuleStatus.WARNING),  # level not recorded: shown for review, not disqualifying
    ],
)
def test_clean_record_media_exposure_by_level(level: MediaLevel | None, expected: RuleStatus) -> None:
    f = finding(source=FindingSource.MEDIA, media_level=level)
    assert result(eligible(findings=(f,)), RuleCode.CLEAN_RECORD).status is expected


def test_clean_record_finding_against_a_member_enterprise_counts() -> None:
    f = finding(subject_pilot_object_id=None, subject_enterprise_credit_code=MEMBER_B)
    r = result(eligible(findings=(f,)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.FAIL
    assert MEMBER_B in r.reason_zh
    assert r.evidence["counted"][0]["subject"] == "MEMBER_ENTERPRISE"


def test_clean_record_finding_against_an_enterprise_outside_the_object_is_not_counted() -> None:
    f = finding(subject_pilot_object_id=None, subject_enterprise_credit_code=OUTSIDER)
    r = result(eligible(findings=(f,)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.PASS
    assert r.evidence["unrelated_findings"] == 1


def test_clean_record_retracted_finding_is_ignored_but_listed() -> None:
    r = result(eligible(findings=(finding(retracted=True),)), RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.PASS
    assert [(i["finding_id"], i["ignored_because"]) for i in r.evidence["ignored"]] == [("fd-1", "RETRACTED")]


def test_clean_record_finding_dated_after_submission_counts_until_the_evaluation_date() -> None:
    later = datetime(2023, 5, 20, 9, 0, tzinfo=SHANGHAI)
    counted = eligible(evaluated_at=later, findings=(finding(date=date(2023, 5, 10)),))
    assert result(counted, RuleCode.CLEAN_RECORD).status is RuleStatus.FAIL
    future = eligible(evaluated_at=later, findings=(finding(date=date(2023, 5, 21)),))
    r = result(future, RuleCode.CLEAN_RECORD)
    assert r.status is RuleStatus.PASS
    assert r.evidence["ignored"][0]["ignored_because"] == "AFTER_EVALUATION_DATE"
