"""The eligibility engine: every rule's pass, warning and fail paths, as a provincial submitter would read them.

``eligible()`` builds one fully eligible snapshot (a type 1 pilot from Jiangsu, submitted on time); each test
varies one thing and looks at the verdict the engine gives.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from application_intake.domain.eligibility import (
    RULE_ORDER,
    RULES,
    ApplicationFacts,
    Attachment,
    AttachmentKind,
    EligibilitySnapshot,
    EligibilityVerdict,
    FindingFacts,
    FindingSource,
    FundingSource,
    LateEntryFacts,
    MediaLevel,
    Milestone,
    OrganisationFacts,
    Outcome,
    PilotObjectFacts,
    PilotObjectKind,
    ProgrammeFacts,
    QuotaFacts,
    RuleCode,
    RuleResult,
    RuleStatus,
    evaluate,
)
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, batch_2_2023
from pilot_common.credit_code import credit_code_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES_2023 = batch_2_2023()
MIB_50 = 52_428_800


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


APPLICANT_CODE = credit_code("11320500MB1234567")
MEMBER_A = credit_code("91320585MA1ABCDE1")
MEMBER_B = credit_code("91320585MA1QWERT0")
OUTSIDER = credit_code("91110105MA0012345")

PLAN_SECTIONS = {
    "1": "",  # a chapter heading; its sub-sections carry the text
    "1.1": "范围：苏州工业园区化工片区，区位……",
    "1.2": "产业概况：有机化学原料、化学原料药……",
    "2": "",
    "2.1": "环境现状与主要问题……",
    "2.2": "清洁生产工作基础……",
    "3": "试点工作目标……",
    "4": "",
    "4.1": "试点内容……",
    "4.2": "试点方法及技术路线……",
    "5": "特色及主要创新点……",
    "6": "实施计划……",
    "7": "预期产出成果及效益……",
}


def sha(n: int) -> str:
    return f"{n:064x}"


def attachments(
    *, plan_bytes: int = 10_000_000, letters: tuple[AttachmentKind, ...] | None = None
) -> tuple[Attachment, ...]:
    kinds = (
        letters
        if letters is not None
        else (AttachmentKind.ECO_ENVIRONMENT_DEPARTMENT_LETTER, AttachmentKind.DEVELOPMENT_REFORM_DEPARTMENT_LETTER)
    )
    files = [
        Attachment(
            id="att-plan",
            kind=AttachmentKind.IMPLEMENTATION_PLAN,
            file_name="实施方案.pdf",
            media_type="application/pdf",
            size_bytes=plan_bytes,
            sha256=sha(1),
        ),
        Attachment(
            id="att-funds",
            kind=AttachmentKind.OTHER,
            file_name="资金承诺函.pdf",
            media_type="application/pdf",
            size_bytes=200_000,
            sha256=sha(2),
        ),
    ]
    for n, kind in enumerate(kinds, start=3):
        files.append(
            Attachment(
                id=f"att-{kind.value.lower()}",
                kind=kind,
                file_name=f"{kind.value}.pdf",
                media_type="application/pdf",
                size_bytes=300_000,
                sha256=sha(n),
            )
        )
    return tuple(files)


def application(**changes: Any) -> ApplicationFacts:
    fields: dict[str, Any] = {
        "application_id": "app-1",
        "programme_id": "prog-2023-2",
        "pilot_type": "KEY_INDUSTRY",
        "project_name": "苏州工业园区化工行业清洁生产整体审核创新试点",
        "recommending_province": "320000",
        "applicant_organisation_id": "org-sz",
        "implementer_organisation_id": "org-sz",
        "pilot_object_id": "obj-park",
        "target_industries": ("2614", "2710"),
        "foundation": "园区已完成强制性清洁生产审核企业全覆盖……",
        "funding_sources": (
            FundingSource(
                funder="苏州市财政局",
                amount_cny=Decimal("3000000.00"),
                committed=True,
                evidence_document_id="att-funds",
            ),
        ),
        "plan_sections": dict(PLAN_SECTIONS),
        "milestones": (
            Milestone(title="诊断", start=date(2023, 8, 1), due=date(2023, 12, 31)),
            Milestone(title="方案实施", start=date(2024, 1, 1), due=date(2024, 6, 30)),
            Milestone(title="总结评估", start=date(2024, 7, 1), due=date(2024, 7, 31)),
        ),
        "attachments": attachments(),
    }
    fields.update(changes)
    return ApplicationFacts(**fields)


def organisation(**changes: Any) -> OrganisationFacts:
    fields: dict[str, Any] = {
        "id": "org-sz",
        "name": "苏州市生态环境局",
        "credit_code": APPLICANT_CODE,
        "kind": OrganisationKind.GOVERNMENT_DEPARTMENT,
        "level": AdministrativeLevel.PREFECTURE,
        "province": "320000",
        "division_code": "320500",
    }
    fields.update(changes)
    return OrganisationFacts(**fields)


def pilot_object(**changes: Any) -> PilotObjectFacts:
    fields: dict[str, Any] = {
        "id": "obj-park",
        "kind": PilotObjectKind.INDUSTRIAL_PARK,
        "name": "苏州工业园区",
        "province": "320000",
        "division_codes": ("320571",),
        "industries": ("2614", "2710"),
        "park_type": "CHEMICAL_PARK",
        "member_credit_codes": (MEMBER_A, MEMBER_B),
    }
    fields.update(changes)
    return PilotObjectFacts(**fields)


def finding(**changes: Any) -> FindingFacts:
    fields: dict[str, Any] = {
        "id": "fd-1",
        "source": FindingSource.CENTRAL_INSPECTION,
        "date": date(2022, 6, 1),
        "subject_pilot_object_id": "obj-park",
        "summary": "园区污水处理厂超标排放",
        "reference": "第二轮中央生态环境保护督察反馈意见",
    }
    fields.update(changes)
    if fields["source"] is FindingSource.CENTRAL_INSPECTION:
        fields.setdefault("prominent_problem", True)  # 指出突出生态环境问题
    return FindingFacts(**fields)


SUBMITTED = datetime(2023, 4, 7, 10, 0, tzinfo=SHANGHAI)


def eligible(**changes: Any) -> EligibilitySnapshot:
    """A fully eligible snapshot; keyword arguments replace snapshot fields, ``app=`` application fields."""
    app_changes = changes.pop("app", {})
    fields: dict[str, Any] = {
        "application": application(**app_changes),
        "programme": ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=RULES_2023),
        "applicant": organisation(),
        "implementer": organisation(),
        "pilot_object": pilot_object(),
        "findings": (),
        "quota": QuotaFacts(slots_held=3, slots_allowed=5, slot_number=3),
        "submitted_at": SUBMITTED,
        "evaluated_at": SUBMITTED + timedelta(seconds=1),
        "registry_position": 1234,
    }
    fields.update(changes)
    return EligibilitySnapshot(**fields)


def result(snapshot: EligibilitySnapshot, code: RuleCode) -> RuleResult:
    return evaluate(snapshot).result(code)


# --- the verdict as a whole ---------------------------------------------------------------------------------


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


# --- WINDOW ---------------------------------------------------------------------------------------------------


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


# --- QUOTA ----------------------------------------------------------------------------------------------------


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


# --- APPLICANT_LEVEL ------------------------------------------------------------------------------------------

_K, _L = OrganisationKind, AdministrativeLevel


@pytest.mark.parametrize(
    ("pilot_type", "kind", "level", "expected"),
    [
        ("KEY_INDUSTRY", _K.GOVERNMENT, _L.COUNTY, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.GOVERNMENT_DEPARTMENT, _L.COUNTY, RuleStatus.FAIL),
        ("KEY_INDUSTRY", _K.GOVERNMENT_DEPARTMENT, _L.PREFECTURE, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.PASS),
        ("KEY_INDUSTRY", _K.ENTERPRISE, None, RuleStatus.FAIL),
        ("KEY_INDUSTRY", _K.GOVERNMENT, None, RuleStatus.FAIL),  # level unknown: cannot show county or above
        ("PARK_CLUSTER", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.PASS),
        ("PARK_CLUSTER", _K.GOVERNMENT, _L.PREFECTURE, RuleStatus.PASS),
        ("PARK_CLUSTER", _K.GOVERNMENT_DEPARTMENT, _L.COUNTY, RuleStatus.FAIL),
        ("SIMPLIFIED_ENTERPRISE", _K.GOVERNMENT, _L.COUNTY, RuleStatus.PASS),
        ("SIMPLIFIED_ENTERPRISE", _K.PROVINCIAL_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("SIMPLIFIED_ENTERPRISE", _K.OTHER, _L.PROVINCE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.PROVINCIAL_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("REGION_BASIN", _K.GOVERNMENT_DEPARTMENT, _L.PROVINCE, RuleStatus.PASS),
        ("REGION_BASIN", _K.GOVERNMENT_DEPARTMENT, _L.PREFECTURE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.GOVERNMENT, _L.PROVINCE, RuleStatus.FAIL),
        ("REGION_BASIN", _K.PARK_MANAGEMENT_BODY, None, RuleStatus.FAIL),
    ],
)
def test_applicant_kind_and_level_per_pilot_type(
    pilot_type: str, kind: OrganisationKind, level: AdministrativeLevel | None, expected: RuleStatus
) -> None:
    org = organisation(kind=kind, level=level)
    r = result(eligible(app={"pilot_type": pilot_type}, applicant=org, implementer=org), RuleCode.APPLICANT_LEVEL)
    assert r.status is expected, r.reason_zh


def test_applicant_level_failure_names_what_is_required() -> None:
    org = organisation(kind=OrganisationKind.GOVERNMENT_DEPARTMENT, level=AdministrativeLevel.PREFECTURE)
    r = result(eligible(app={"pilot_type": "REGION_BASIN"}, applicant=org, implementer=org), RuleCode.APPLICANT_LEVEL)
    assert "省级政府组成部门" in r.reason_zh and "第4类" in r.reason_zh
    assert r.evidence["applicant_level"] == "PREFECTURE"


def test_unknown_pilot_type_fails_applicant_level_and_type_scope() -> None:
    verdict = evaluate(eligible(app={"pilot_type": "TYPE_5"}))
    assert verdict.result(RuleCode.APPLICANT_LEVEL).status is RuleStatus.FAIL
    assert verdict.result(RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL


# --- SAME_ENTITY ----------------------------------------------------------------------------------------------


def test_same_entity_different_implementer_fails_naming_both() -> None:
    other = organisation(id="org-park", name="苏州工业园区管理委员会", credit_code=credit_code("11320571MB7654321"))
    r = result(eligible(app={"implementer_organisation_id": "org-park"}, implementer=other), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL
    assert "苏州市生态环境局" in r.reason_zh and "苏州工业园区管理委员会" in r.reason_zh


def test_same_entity_no_implementer_named_fails() -> None:
    r = result(eligible(app={"implementer_organisation_id": None}, implementer=None), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL


def test_same_entity_two_registry_records_with_one_credit_code_is_a_warning() -> None:
    twin = organisation(id="org-sz-dup", credit_code=APPLICANT_CODE.lower())
    r = result(eligible(app={"implementer_organisation_id": "org-sz-dup"}, implementer=twin), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.WARNING
    assert APPLICANT_CODE in r.reason_zh


# --- PROVINCE_MATCH -------------------------------------------------------------------------------------------


def test_province_match_applicant_in_another_province_fails() -> None:
    org = organisation(province="330000", division_code="330100")
    r = result(eligible(applicant=org, implementer=org), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert "浙江省" in r.reason_zh and "江苏省" in r.reason_zh


def test_province_match_object_in_another_province_fails() -> None:
    r = result(eligible(pilot_object=pilot_object(province="340000")), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert "试点对象" in r.reason_zh


def test_province_match_object_reaching_over_the_border_fails_listing_the_division() -> None:
    r = result(eligible(pilot_object=pilot_object(division_codes=("320571", "341100"))), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["division_codes_outside"] == ["341100"]


def test_province_match_corps_units_may_carry_xinjiang_division_codes() -> None:
    org = organisation(province="660000", division_code="659001")
    obj = pilot_object(province="660000", division_codes=("659001",))
    snap = eligible(app={"recommending_province": "660000"}, applicant=org, implementer=org, pilot_object=obj)
    assert result(snap, RuleCode.PROVINCE_MATCH).status is RuleStatus.PASS


def test_province_match_a_xinjiang_city_is_not_the_corps() -> None:
    # The registry's rule, shared: 兵团 is 66xxxx and its cities 659xxx, not all of 65xxxx.
    org = organisation(province="660000", division_code="659001")
    obj = pilot_object(province="660000", division_codes=("650100",))
    snap = eligible(app={"recommending_province": "660000"}, applicant=org, implementer=org, pilot_object=obj)
    r = result(snap, RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["division_codes_outside"] == ["650100"]


def test_province_match_recommending_code_that_is_no_province_fails() -> None:
    r = result(eligible(app={"recommending_province": "710000"}), RuleCode.PROVINCE_MATCH)
    assert r.status is RuleStatus.FAIL


# --- CLEAN_RECORD ---------------------------------------------------------------------------------------------


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


# --- TYPE_SCOPE -----------------------------------------------------------------------------------------------


def scope(**app: Any) -> RuleResult:
    return result(eligible(app=app), RuleCode.TYPE_SCOPE)


def test_type_1_all_key_industries_pass() -> None:
    assert scope(target_industries=("2614", "C2710")).status is RuleStatus.PASS


def test_type_1_some_non_key_industries_warn_naming_them() -> None:
    r = scope(target_industries=("2614", "1810"))
    assert r.status is RuleStatus.WARNING
    assert "1810" in r.reason_zh and "2614" not in r.reason_zh


def test_type_1_no_key_industry_fails() -> None:
    assert scope(target_industries=("1810", "2720")).status is RuleStatus.FAIL


def test_type_1_division_only_partly_key_warns() -> None:
    r = scope(target_industries=("33",))  # 33 holds 3360 (电镀) but also foundry, tools, …
    assert r.status is RuleStatus.WARNING
    assert "四位小类" in r.reason_zh


@pytest.mark.parametrize("code", ["3130", "1391", "1392", "3232", "3214", "2822", "3061", "13"])
def test_type_1_passes_for_industries_the_national_mapping_holds(code: str) -> None:
    # 钢压延加工, 淀粉, 豆制品, 稀土/锡冶炼, 化纤, 玻纤, all of 农副食品加工: not in Shanxi's list, key nationally.
    r = scope(target_industries=(code,))
    assert r.status is RuleStatus.PASS, r.reason_zh


def test_type_3_foundry_is_not_electroplating() -> None:
    r = scope(pilot_type="SIMPLIFIED_ENTERPRISE", target_industries=("3391", "3392"))
    assert r.status is RuleStatus.PASS, r.reason_zh
    assert "电镀" not in r.reason_zh


def test_a_programme_mapping_override_is_used_by_the_rules() -> None:
    narrowed = RULES_2023.model_copy(update={"key_industry_mapping": {"STEEL": ["3110"]}})
    programme = ProgrammeFacts(programme_id="prog-2023-2", programme_version=3, rules=narrowed)
    r = result(eligible(programme=programme, app={"target_industries": ("3130",)}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.FAIL


def test_type_1_no_target_industries_fails() -> None:
    assert scope(target_industries=()).status is RuleStatus.FAIL


def test_type_1_industrial_coating_needs_the_coating_process_claim() -> None:
    assert scope(target_industries=("3670",)).status is RuleStatus.FAIL
    assert scope(target_industries=("3670",), has_coating_process=True).status is RuleStatus.PASS


def test_malformed_industry_code_fails_and_is_listed() -> None:
    r = scope(target_industries=("2614", "26X1"))
    assert r.status is RuleStatus.FAIL
    assert "26X1" in r.reason_zh
    assert r.evidence["invalid_industry_codes"] == ["26X1"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (PilotObjectKind.INDUSTRIAL_PARK, RuleStatus.PASS),
        (PilotObjectKind.INDUSTRIAL_CLUSTER, RuleStatus.PASS),
        (PilotObjectKind.KEY_REGION_PART, RuleStatus.FAIL),
        (PilotObjectKind.ENTERPRISE_GROUP, RuleStatus.FAIL),
    ],
)
def test_type_2_object_must_be_a_park_or_cluster(kind: PilotObjectKind, expected: RuleStatus) -> None:
    snap = eligible(app={"pilot_type": "PARK_CLUSTER"}, pilot_object=pilot_object(kind=kind))
    assert result(snap, RuleCode.TYPE_SCOPE).status is expected


def test_type_2_unknown_object_fails() -> None:
    snap = eligible(app={"pilot_type": "PARK_CLUSTER"}, pilot_object=None)
    assert result(snap, RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL


@pytest.mark.parametrize(
    ("industries", "coating", "expected"),
    [
        (("1810", "2720"), False, RuleStatus.PASS),  # 服装, 化学药品制剂: outside the 13 key industries
        (("1810", "2614"), False, RuleStatus.FAIL),  # 有机化学原料 is 石化化工
        (("3670",), True, RuleStatus.FAIL),  # with a coating process it is 工业涂装
        (("3670",), False, RuleStatus.PASS),
        (("33",), False, RuleStatus.WARNING),  # a division partly key
    ],
)
def test_type_3_industries_must_be_outside_the_key_industries(
    industries: tuple[str, ...], coating: bool, expected: RuleStatus
) -> None:
    r = scope(pilot_type="SIMPLIFIED_ENTERPRISE", target_industries=industries, has_coating_process=coating)
    assert r.status is expected, r.reason_zh


def region(area: str | None = "JJJ_AND_SURROUNDING", **changes: Any) -> EligibilitySnapshot:
    """A type 4 pilot from Hebei, by the provincial eco-environment department, in an air region."""
    dept = organisation(
        id="org-hb",
        name="河北省生态环境厅",
        credit_code=credit_code("11130000MB0099887"),
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        level=AdministrativeLevel.PROVINCE,
        province="130000",
        division_code="130000",
    )
    obj_changes = changes.pop("obj", {})
    obj = pilot_object(
        **{
            "id": "obj-jjj",
            "kind": PilotObjectKind.KEY_REGION_PART,
            "name": "京津冀及周边地区（河北段）",
            "province": "130000",
            "division_codes": ("130100", "130200"),
            "park_type": None,
            "key_area_code": area,
            **obj_changes,
        }
    )
    app = {
        "pilot_type": "REGION_BASIN",
        "recommending_province": "130000",
        "applicant_organisation_id": "org-hb",
        "implementer_organisation_id": "org-hb",
        "pilot_object_id": "obj-jjj",
        "target_industries": ("3110", "3120"),
        "key_area_code": area,
        "target_pollutants": ("PM25", "O3"),
        **changes.pop("app", {}),
    }
    return eligible(**{"app": app, "applicant": dept, "implementer": dept, "pilot_object": obj, **changes})


def test_type_4_air_region_with_focus_industries_and_pollutants_is_fully_eligible() -> None:
    verdict = evaluate(region())
    assert verdict.outcome is Outcome.ELIGIBLE, [
        (r.code, r.reason_zh) for r in verdict.results if r.status is not RuleStatus.PASS
    ]


def test_type_4_basin_section_on_its_focus_passes() -> None:
    snap = region(
        "YELLOW_RIVER",
        obj={"kind": PilotObjectKind.BASIN_SECTION, "province": "140000", "division_codes": ("140100",)},
        app={
            "recommending_province": "140000",
            "target_industries": ("2221", "2710"),
            "target_pollutants": ("NH3N", "TP"),
        },
    )
    assert result(snap, RuleCode.TYPE_SCOPE).status is RuleStatus.PASS


def test_type_4_object_must_be_a_region_or_basin() -> None:
    r = result(region(obj={"kind": PilotObjectKind.INDUSTRIAL_PARK}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.FAIL


def test_type_4_industry_in_area_object_is_accepted() -> None:
    r = result(region(obj={"kind": PilotObjectKind.INDUSTRY_IN_AREA}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.PASS


def test_type_4_without_a_key_area_fails() -> None:
    assert result(region(None), RuleCode.TYPE_SCOPE).status is RuleStatus.FAIL


def test_type_4_unlisted_area_is_a_warning_because_the_list_ends_in_deng() -> None:
    r = result(region("HUAIHE"), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "HUAIHE" in r.reason_zh and "等" in r.reason_zh


def test_type_4_industry_outside_the_area_focus_is_a_warning() -> None:
    r = result(region(app={"target_industries": ("3110", "2221")}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "2221" in r.reason_zh and "3110" not in r.reason_zh


def test_type_4_pollutant_outside_the_area_focus_is_a_warning() -> None:
    r = result(region(app={"target_pollutants": ("PM25", "NH3N")}), RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "NH3-N" in r.reason_zh


def test_type_4_object_province_outside_the_area_is_a_warning() -> None:
    snap = region(
        obj={"province": "320000", "division_codes": ("320500",)},
        app={"recommending_province": "320000"},
    )
    r = result(snap, RuleCode.TYPE_SCOPE)
    assert r.status is RuleStatus.WARNING
    assert "江苏省" in r.reason_zh


def test_type_4_division_outside_a_city_defined_region_is_a_warning() -> None:
    r = result(region(obj={"division_codes": ("130100", "130700")}), RuleCode.TYPE_SCOPE)  # 张家口 is not 2+26
    assert r.status is RuleStatus.WARNING
    assert r.evidence["division_codes_outside_area"] == ["130700"]


# --- FOUNDATION -----------------------------------------------------------------------------------------------


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


# --- PLAN -----------------------------------------------------------------------------------------------------


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


# --- PACKAGE --------------------------------------------------------------------------------------------------

_OTHER_BYTES = 200_000 + 2 * 300_000  # funding letter + the two recommendation letters


def test_package_exactly_at_the_cap_passes_with_total_and_subject_in_evidence() -> None:
    r = result(eligible(app={"attachments": attachments(plan_bytes=MIB_50 - _OTHER_BYTES)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.PASS
    assert r.evidence["total_bytes"] == MIB_50
    assert r.evidence["subject_line"] == "2023+苏州工业园区化工行业清洁生产整体审核创新试点+苏州市生态环境局"


def test_package_one_byte_over_the_cap_fails() -> None:
    r = result(eligible(app={"attachments": attachments(plan_bytes=MIB_50 - _OTHER_BYTES + 1)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert "超过50M的上限（超出1字节）" in r.reason_zh and "MiB" not in r.reason_zh
    assert r.evidence["total_bytes"] == MIB_50 + 1


@pytest.mark.parametrize(
    ("kept", "missing_name"),
    [
        (AttachmentKind.DEVELOPMENT_REFORM_DEPARTMENT_LETTER, "省级生态环境部门推荐函"),
        (AttachmentKind.ECO_ENVIRONMENT_DEPARTMENT_LETTER, "省级发展改革部门推荐函"),
    ],
)
def test_package_missing_either_recommendation_letter_fails_naming_it(kept: AttachmentKind, missing_name: str) -> None:
    r = result(eligible(app={"attachments": attachments(letters=(kept,))}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert missing_name in r.reason_zh
    assert len(r.evidence["missing"]) == 1


def test_package_without_the_implementation_plan_fails() -> None:
    files = tuple(a for a in attachments() if a.kind is not AttachmentKind.IMPLEMENTATION_PLAN)
    r = result(eligible(app={"attachments": files}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert r.evidence["missing"] == ["IMPLEMENTATION_PLAN"]


def test_package_media_type_outside_the_accepted_list_fails() -> None:
    video = Attachment(
        id="att-video",
        kind=AttachmentKind.OTHER,
        file_name="宣传片.mp4",
        media_type="video/mp4",
        size_bytes=1_000,
        sha256=sha(99),
    )
    r = result(eligible(app={"attachments": (*attachments(), video)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.FAIL
    assert "宣传片.mp4" in r.reason_zh


def test_package_same_file_uploaded_twice_warns() -> None:
    files = attachments()
    copy = files[1].model_copy(update={"id": "att-funds-2"})
    r = result(eligible(app={"attachments": (*files, copy)}), RuleCode.PACKAGE)
    assert r.status is RuleStatus.WARNING


# --- PRIORITY (not a gate) ------------------------------------------------------------------------------------


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


# --- SAME_ENTITY for type 4 (notice 三: "同一主体" is asked of types 1–3 only) ------------------------------------


def _hebei_department(org_id: str, name: str, **changes: Any) -> OrganisationFacts:
    fields: dict[str, Any] = {
        "id": org_id,
        "name": name,
        "credit_code": credit_code("11130000MB00" + str(sum(map(ord, org_id))).zfill(5)),
        "kind": OrganisationKind.PROVINCIAL_DEPARTMENT,
        "level": AdministrativeLevel.PROVINCE,
        "province": "130000",
        "division_code": "130000",
        **changes,
    }
    return organisation(**fields)


def test_type_4_two_provincial_departments_of_the_province_pass_same_entity() -> None:
    drc = _hebei_department("org-hb-drc", "河北省发展和改革委员会")
    snap = region(app={"implementer_organisation_id": "org-hb-drc"}, implementer=drc)
    r = result(snap, RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.PASS, r.reason_zh
    assert "不要求为同一主体" in r.reason_zh
    assert evaluate(snap).outcome is Outcome.ELIGIBLE


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": OrganisationKind.GOVERNMENT_DEPARTMENT, "level": AdministrativeLevel.PREFECTURE},  # a city bureau
        {"province": "140000", "division_code": "140000"},  # another province's department
    ],
)
def test_type_4_implementer_must_be_a_provincial_department_of_the_province(changes: dict[str, Any]) -> None:
    other = _hebei_department("org-other", "某部门", **changes)
    r = result(region(app={"implementer_organisation_id": "org-other"}, implementer=other), RuleCode.SAME_ENTITY)
    assert r.status is RuleStatus.FAIL
    assert "省级政府组成部门" in r.reason_zh and "某部门" in r.reason_zh


# --- wording (issue 11 item 9; docs/glossary.md) ---------------------------------------------------------------

_NOT_FOR_READERS = [
    (r"\d{4}-\d{2}-\d{2}", "an ISO date (write 2023年4月7日)"),
    (r"Asia/Shanghai", "a zone name (write 北京时间)"),
    (r"MiB|字节（", "bytes or MiB (write 50M)"),
    (r"application/", "a MIME type (write PDF、OFD、Word（.docx）)"),
    (r"\['|'\]", "Python list syntax"),
    (r"级别未知", "级别未知 (write （行政级别未登记）)"),
    (r"区内企业", "区内企业 (the notice's 所属范围内企业)"),
    (r"里程碑", "里程碑 (the glossary's 进度节点)"),
    (r"四\(", "a half-width citation bracket (write 通知四（二）)"),
    (r"\d元", "yuan (write 万元)"),
    (r"经部级决定", "a ministry override (there is none)"),
]


def _every_reason(snapshots: list[EligibilitySnapshot]) -> list[str]:
    texts = []
    for snapshot in snapshots:
        verdict = evaluate(snapshot)
        texts += [r.reason_zh for r in verdict.results] + [verdict.priority.reason_zh]
    return texts


def test_reasons_read_as_users_write_them() -> None:
    late = datetime(2023, 4, 9, 9, 0, tzinfo=SHANGHAI)
    snapshots = [
        eligible(),
        eligible(submitted_at=late, evaluated_at=late, findings=(finding(), finding(id="fd-2", date=date(2019, 1, 1)))),
        eligible(
            applicant=organisation(level=None, kind=OrganisationKind.PARK_MANAGEMENT_BODY),
            app={
                "target_industries": ("1810",),
                "milestones": (Milestone(title="启动", start=date(2023, 8, 1), due=date(2024, 9, 30)),),
                "attachments": attachments(plan_bytes=MIB_50 + 5_000_000),
            },
            findings=(finding(subject_pilot_object_id=None, subject_enterprise_credit_code=MEMBER_B),),
        ),
        region("YANGTZE", obj={"kind": PilotObjectKind.BASIN_SECTION}),
    ]
    for text in _every_reason(snapshots):
        for pattern, what in _NOT_FOR_READERS:
            assert not re.search(pattern, text), f"{what} in: {text}"
    joined = "".join(_every_reason(snapshots))
    assert "2023年4月7日（含当日，北京时间）" in joined and "所属范围内企业" in joined and "万元" in joined
