"""The verdict as a whole: every rule code once, in order; the outcome from the statuses; a stored verdict
reads back equal."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from pydantic import ValidationError

from application_intake.domain.eligibility import (
    RULE_ORDER,
    RULES,
    EligibilityVerdict,
    FindingSource,
    MediaLevel,
    Outcome,
    QuotaFacts,
    RuleCode,
    RuleStatus,
    evaluate,
)
from tests.intake.eligibility.snapshots import (
    eligible,
    finding,
    organisation,
)


def test_the_baseline_is_eligible_and_every_rule_passes() -> None:
    verdict = evaluate(eligible())
    assert verdict.outcome is Outcome.ELIGIBLE
    assert [(r.code, r.status) for r in verdict.results] == [(c, RuleStatus.PASS) for c in RULE_ORDER]


def test_the_verdict_lists_every_rule_code_in_the_fixed_order() -> None:
    verdict = evaluate(eligible(applicant=None, pilot_object=None))
    assert [r.code.value for r in verdict.results] == [
        "WINDOW",
        "QUOTA",
        "APPLICANT_LEVEL",
        "SAME_ENTITY",
        "PROVINCE_MATCH",
        "CLEAN_RECORD",
        "TYPE_SCOPE",
        "FOUNDATION",
        "PLAN",
        "PACKAGE",
    ]


def test_the_rule_table_covers_every_code() -> None:
    assert set(RULES) == set(RULE_ORDER)
    assert len(RULE_ORDER) == 10


def test_every_result_has_reasons_in_both_languages() -> None:
    verdict = evaluate(eligible(applicant=None, pilot_object=None, findings=(finding(),)))
    for r in verdict.results:
        assert r.reason_zh.strip() and r.reason_en.strip(), r.code


def test_one_warning_makes_the_outcome_eligible_with_warnings() -> None:
    verdict = evaluate(eligible(findings=(finding(source=FindingSource.PROVINCIAL_INSPECTION),)))
    assert verdict.warned == (RuleCode.CLEAN_RECORD,)
    assert verdict.failed == ()
    assert verdict.outcome is Outcome.ELIGIBLE_WITH_WARNINGS
    assert verdict.eligible


def test_any_fail_makes_the_outcome_ineligible_even_with_warnings() -> None:
    snapshot = eligible(
        findings=(finding(source=FindingSource.PROVINCIAL_INSPECTION),),
        quota=QuotaFacts(slots_held=6, slots_allowed=5, slot_number=6),
    )
    verdict = evaluate(snapshot)
    assert verdict.warned == (RuleCode.CLEAN_RECORD,)
    assert verdict.failed == (RuleCode.QUOTA,)
    assert verdict.outcome is Outcome.INELIGIBLE
    assert not verdict.eligible


def test_the_verdict_records_programme_registry_position_time_and_subject_line() -> None:
    snapshot = eligible(registry_position="intake#p3:991", dry_run=True)
    verdict = evaluate(snapshot)
    assert verdict.application_id == "app-1"
    assert verdict.programme_id == "prog-2023-2"
    assert verdict.programme_version == 3
    assert verdict.registry_position == "intake#p3:991"
    assert verdict.evaluated_at == snapshot.evaluated_at
    assert verdict.dry_run is True
    assert verdict.subject_line == "2023+苏州工业园区化工行业清洁生产整体审核创新试点+苏州市生态环境局"


def test_the_engine_is_deterministic() -> None:
    snapshot = eligible(findings=(finding(source=FindingSource.MEDIA, media_level=MediaLevel.CITY),))
    assert evaluate(snapshot) == evaluate(snapshot)
    assert evaluate(snapshot).to_dict() == evaluate(snapshot).to_dict()


def test_verdict_json_round_trip() -> None:
    snapshot = eligible(
        findings=(finding(source=FindingSource.PROVINCIAL_INSPECTION), finding(id="fd-2", retracted=True)),
        app={"target_industries": ("2221", "1810")},
    )
    verdict = evaluate(snapshot)
    stored = json.dumps(verdict.to_dict(), ensure_ascii=False)
    back = EligibilityVerdict.from_dict(json.loads(stored))
    assert back == verdict
    assert back.to_dict() == verdict.to_dict()
    assert back.result(RuleCode.CLEAN_RECORD).evidence["ignored"][0]["finding_id"] == "fd-2"


def test_int_registry_position_stays_an_int_after_the_round_trip() -> None:
    verdict = evaluate(eligible(registry_position=1234))
    assert EligibilityVerdict.from_dict(json.loads(json.dumps(verdict.to_dict()))).registry_position == 1234


def test_a_stored_verdict_missing_a_rule_or_with_a_wrong_outcome_is_refused() -> None:
    data = evaluate(eligible()).to_dict()
    missing = dict(data, results=data["results"][:-1])
    with pytest.raises(ValidationError):
        EligibilityVerdict.from_dict(missing)
    wrong = dict(data, outcome="INELIGIBLE")
    with pytest.raises(ValidationError):
        EligibilityVerdict.from_dict(wrong)


def test_snapshot_refuses_facts_about_another_organisation_and_naive_times() -> None:
    with pytest.raises(ValidationError):
        eligible(applicant=organisation(id="org-other"))
    with pytest.raises(ValidationError):
        eligible(submitted_at=datetime(2023, 4, 7, 10, 0))


def test_unknown_applicant_and_object_fail_the_dependent_rules_without_crashing() -> None:
    verdict = evaluate(eligible(applicant=None, implementer=None, pilot_object=None))
    assert verdict.outcome is Outcome.INELIGIBLE
    for code in (RuleCode.APPLICANT_LEVEL, RuleCode.PROVINCE_MATCH, RuleCode.CLEAN_RECORD):
        assert verdict.result(code).status is RuleStatus.FAIL, code
        assert "未知" in verdict.result(code).reason_zh
    assert "not known" in verdict.result(RuleCode.APPLICANT_LEVEL).reason_en
    assert verdict.result(RuleCode.SAME_ENTITY).status is RuleStatus.PASS  # decided by ids alone
    assert verdict.subject_line is None
