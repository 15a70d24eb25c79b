"""The pilot-registry's pure domain: lifecycle guards, validation, and that a refused command changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from pilot_common.aggregate import AuditedAggregate
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.contracts.programme import (
    AdministrativeLevel,
    OrganisationKind,
    OutlineSection,
    PilotTypeRule,
    batch_2_2023,
)
from pilot_common.credit_code import credit_code_check_char
from pilot_common.rules import DomainRuleViolation, ViolationKind
from pilot_registry.domain import (
    DEEMED_AUDIT_WORDING,
    EVENT_TYPES,
    Finding,
    FindingSource,
    MediaLevel,
    Organisation,
    Pilot,
    PilotObject,
    PilotObjectKind,
    PilotStatus,
    Programme,
    ProgrammeStatus,
    RegistryRuleViolation,
    ReportKind,
    incomplete_rules,
    pilot_id_for,
)

MINISTRY = Actor(user_id="mee-liu", role=Role.MINISTRY, organisation="MEE")

BEIJING = ZoneInfo("Asia/Shanghai")
#: Business times either side of batch 2's deadline (2023-04-07, the whole day in Beijing).
BEFORE_DEADLINE = datetime(2023, 3, 20, 9, 0, tzinfo=BEIJING)
AFTER_DEADLINE = datetime(2023, 4, 8, 0, 0, tzinfo=BEIJING)


def credit_code(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + credit_code_check_char(first17)


def enterprise_code(n: int, division: str = "320100") -> str:
    return credit_code(f"91{division}{n:09d}")


PARK_BODY_CODE = credit_code("11320100MB1234567")  # 11: 机关; 南京市
VALID = credit_code("91320100MA1XXXXX0")


def types_of(aggregate: Aggregate) -> list[str]:
    return [type(e).__qualname__ for e in aggregate.collect_events()]


def payload(domain_event: object) -> dict[str, Any]:
    """An event's attributes, as a consumer would see them."""
    return dict(vars(domain_event))


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    return copy.deepcopy({k: v for k, v in vars(aggregate).items() if k != "_pending_events"})


def refuses(
    aggregate: Aggregate, action: Callable[[], object], code: str, field: str | None = None
) -> RegistryRuleViolation:
    """The command fails with ``code`` and leaves no pending event and no change of state behind."""
    before_state, before_pending = state_of(aggregate), list(aggregate.pending_events)
    with pytest.raises(RegistryRuleViolation) as caught:
        action()
    assert caught.value.code == code, caught.value
    if field is not None:
        assert caught.value.field == field
    assert aggregate.pending_events == before_pending
    assert state_of(aggregate) == before_state
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


def refused(action: Callable[[], object], code: str, field: str | None = None) -> RegistryRuleViolation:
    with pytest.raises(RegistryRuleViolation) as caught:
        action()
    assert caught.value.code == code, caught.value
    if field is not None:
        assert caught.value.field == field
    return caught.value


# --- programme -------------------------------------------------------------------------------------------


def draft() -> Programme:
    return Programme.draft("2023-B2", "第二批清洁生产审核创新试点", batch_2_2023())


def opened() -> Programme:
    programme = draft()
    programme.open()
    return programme


def closed() -> Programme:
    programme = opened()
    programme.close("申报截止", AFTER_DEADLINE)
    return programme


def test_the_batch_2_rules_are_complete() -> None:
    assert incomplete_rules(batch_2_2023()) == []


def test_a_new_programme_is_a_draft_holding_its_rules() -> None:
    programme = draft()
    assert programme.status is ProgrammeStatus.DRAFT
    assert programme.code == "2023-B2"
    assert programme.rules == batch_2_2023()
    assert programme.version == 1
    assert types_of(programme) == ["Programme.Drafted"]
    assert programme.quota_for("320000") == 5


def test_a_programme_goes_through_its_lifecycle_in_order() -> None:
    programme = draft()
    programme.open()
    assert programme.accepts_submissions
    programme.close("2023年4月7日申报截止", AFTER_DEADLINE)
    programme.start_evaluation()
    programme.publish_results("环办科财函〔2023〕261号")
    programme.conclude()
    assert programme.status is ProgrammeStatus.CONCLUDED
    assert programme.results_document_number == "环办科财函〔2023〕261号"
    assert programme.version == 6
    assert types_of(programme) == [
        "Programme.Drafted",
        "Programme.Opened",
        "Programme.Closed",
        "Programme.EvaluationStarted",
        "Programme.ResultsPublished",
        "Programme.Concluded",
    ]


@pytest.mark.parametrize(
    ("setup", "command"),
    [
        (draft, lambda p: p.close("理由", AFTER_DEADLINE)),
        (draft, lambda p: p.start_evaluation()),
        (draft, lambda p: p.conclude()),
        (opened, lambda p: p.open()),
        (opened, lambda p: p.start_evaluation()),
        (opened, lambda p: p.publish_results("环办科财函〔2023〕261号")),
        (closed, lambda p: p.close("再次截止", AFTER_DEADLINE)),
        (closed, lambda p: p.open()),
    ],
)
def test_lifecycle_steps_cannot_be_skipped_or_repeated(
    setup: Callable[[], Programme], command: Callable[[Programme], None]
) -> None:
    programme = setup()
    refuses(programme, lambda: command(programme), "INVALID_TRANSITION")


def test_a_programme_with_incomplete_rules_cannot_open() -> None:
    rules = batch_2_2023()
    broken = rules.model_copy(
        update={
            "quota_per_province": 0,
            "deadline": date(2023, 3, 1),
            "plan_outline": rules.plan_outline[:6],
            "scoring": rules.scoring.model_copy(update={"criteria": rules.scoring.criteria[:3]}),
            "pilot_types": [*rules.pilot_types[:3], PilotTypeRule(pilot_type="REGION_BASIN", applicants=[])],
        }
    )
    gaps = incomplete_rules(broken)
    assert any(gap.startswith("quota_per_province:") for gap in gaps)
    assert any(gap.startswith("deadline:") for gap in gaps)
    assert any(gap.startswith("plan_outline:") and "7" in gap for gap in gaps)
    assert any(gap.startswith("scoring.innovation_criterion:") for gap in gaps)
    assert any(gap.startswith("pilot_types[3].applicants:") for gap in gaps)

    programme = Programme.draft("2023-B2", "第二批清洁生产审核创新试点", broken)
    programme.collect_events()
    error = refuses(programme, programme.open, "PROGRAMME_RULES_INCOMPLETE", field="rules")
    assert error.details == {"gaps": gaps}
    assert error.kind is ViolationKind.CONFLICT
    assert programme.status is ProgrammeStatus.DRAFT


def test_an_outline_section_out_of_place_is_a_gap() -> None:
    rules = batch_2_2023()
    outline = [*rules.plan_outline[:6], OutlineSection(code="8", title="附录")]
    gaps = incomplete_rules(rules.model_copy(update={"plan_outline": outline}))
    assert any("lacks top-level section 7" in gap for gap in gaps)
    assert any("'8'" in gap for gap in gaps)


def test_deadline_before_the_opening_day_in_shanghai_is_a_gap() -> None:
    # 2023-03-03 00:30 in Shanghai is 2023-03-02 in UTC: the opening day is the 3rd, as the programme sees it.
    rules = batch_2_2023().model_copy(
        update={
            "opens_at": datetime(2023, 3, 2, 16, 30, tzinfo=ZoneInfo("UTC")),
            "deadline": date(2023, 3, 2),
        }
    )
    assert [gap.split(":")[0] for gap in incomplete_rules(rules)] == ["deadline"]


def test_a_draft_may_be_revised_without_a_reason_even_into_incomplete_rules() -> None:
    programme = draft()
    programme.revise_rules(batch_2_2023().model_copy(update={"quota_per_province": 0}))
    assert programme.rules.quota_per_province == 0
    events = programme.collect_events()
    revised = events[-1]
    assert type(revised).__qualname__ == "Programme.RulesRevised"
    assert payload(revised)["changed"] == ["quota_per_province"]
    assert payload(revised)["reason"] is None


def test_changes_after_opening_need_a_reason() -> None:
    programme = opened()
    more = batch_2_2023().model_copy(update={"quota_per_province": 6})
    refuses(programme, lambda: programme.revise_rules(more), "REASON_REQUIRED", field="reason")
    refuses(programme, lambda: programme.revise_rules(more, "   "), "REASON_REQUIRED")
    refuses(programme, lambda: programme.close("", BEFORE_DEADLINE, early=True), "REASON_REQUIRED")
    refuses(programme, lambda: programme.grant_quota_exception("320000", 1, ""), "REASON_REQUIRED")
    refuses(programme, lambda: programme.extend_deadline(date(2023, 4, 14), " "), "REASON_REQUIRED")

    programme.revise_rules(more, "部长办公会决定每省推荐6个")
    assert programme.quota_for("110000") == 6
    assert payload(programme.collect_events()[-1])["reason"] == "部长办公会决定每省推荐6个"


def test_an_open_programme_must_keep_complete_rules_and_its_window() -> None:
    programme = opened()
    rules = batch_2_2023()
    refuses(
        programme,
        lambda: programme.revise_rules(
            rules.model_copy(update={"scoring": rules.scoring.model_copy(update={"innovation_criterion": "NOPE"})}),
            "调整评分",
        ),
        "PROGRAMME_RULES_INCOMPLETE",
    )
    refuses(
        programme,
        lambda: programme.revise_rules(rules.model_copy(update={"deadline": date(2023, 4, 1)}), "提前截止"),
        "RULE_LOCKED",
        field="rules.deadline",
    )
    refuses(programme, lambda: programme.revise_rules(rules, "无变化"), "NO_CHANGE")


def test_the_quota_is_locked_after_closing_but_other_rules_may_change_with_a_reason() -> None:
    programme = closed()
    rules = batch_2_2023()
    refuses(
        programme,
        lambda: programme.revise_rules(rules.model_copy(update={"quota_per_province": 6}), "增加名额"),
        "QUOTA_LOCKED_AFTER_CLOSING",
        field="rules.quota_per_province",
    )
    refuses(programme, lambda: programme.grant_quota_exception("320000", 1, "部批准"), "QUOTA_LOCKED_AFTER_CLOSING")

    scoring = rules.scoring.model_copy(update={"outlier_threshold": 12.0})
    programme.revise_rules(rules.model_copy(update={"scoring": scoring}), "专家组建议收紧离群阈值")
    assert programme.rules.scoring.outlier_threshold == 12.0

    programme.start_evaluation()
    refuses(
        programme,
        lambda: programme.revise_rules(rules, "恢复原阈值"),
        "RULE_LOCKED",
        field="rules.scoring",
    )
    programme.publish_results("环办科财函〔2023〕261号")
    refuses(programme, lambda: programme.revise_rules(rules, "事后修改"), "RULES_FROZEN")


def test_a_quota_exception_raises_the_province_quota_until_revoked() -> None:
    programme = opened()
    programme.grant_quota_exception("320000", 2, "江苏省园区数量多，部同意增加2个名额")
    assert programme.quota_for("320000") == 7
    assert programme.quota_for("330000") == 5
    assert programme.quota_exceptions["320000"].reason == "江苏省园区数量多，部同意增加2个名额"
    refuses(programme, lambda: programme.grant_quota_exception("320000", 2, "重复"), "NO_CHANGE")
    refuses(programme, lambda: programme.grant_quota_exception("710000", 1, "理由"), "UNKNOWN_PROVINCE")
    refuses(programme, lambda: programme.grant_quota_exception("330000", 0, "理由"), "INVALID_QUOTA_EXCEPTION")
    refuses(programme, lambda: programme.revoke_quota_exception("330000", "理由"), "NO_QUOTA_EXCEPTION")
    refuses(programme, lambda: programme.revoke_quota_exception("320000", ""), "REASON_REQUIRED")

    programme.revoke_quota_exception("320000", "江苏已调整推荐计划")
    assert programme.quota_for("320000") == 5
    assert types_of(programme)[-2:] == ["Programme.QuotaExceptionGranted", "Programme.QuotaExceptionRevoked"]
    with pytest.raises(RegistryRuleViolation):
        programme.quota_for("990000")


def test_the_deadline_can_only_be_extended_while_open() -> None:
    programme = draft()
    refuses(programme, lambda: programme.extend_deadline(date(2023, 4, 14), "延期"), "NOT_ALLOWED_IN_STATUS")
    programme.open()
    refuses(programme, lambda: programme.extend_deadline(date(2023, 4, 7), "延期"), "DEADLINE_NOT_LATER")
    programme.extend_deadline(date(2023, 4, 14), "部分省份推荐函未及时印发")
    assert programme.deadline == date(2023, 4, 14)
    assert programme.rules.deadline == date(2023, 4, 14)
    extended = programme.collect_events()[-1]
    assert (payload(extended)["previous_deadline"], payload(extended)["new_deadline"]) == ("2023-04-07", "2023-04-14")
    programme.close("截止", datetime(2023, 4, 15, tzinfo=BEIJING))
    refuses(programme, lambda: programme.extend_deadline(date(2023, 4, 21), "延期"), "NOT_ALLOWED_IN_STATUS")


def test_results_need_a_document_number_and_the_code_is_checked() -> None:
    programme = closed()
    programme.start_evaluation()
    refuses(programme, lambda: programme.publish_results("  "), "FIELD_REQUIRED", field="document_number")
    refused(lambda: Programme.draft("2023 B2", "第二批", batch_2_2023()), "INVALID_PROGRAMME_CODE", "code")
    refused(lambda: Programme.draft("2023-B2", "", batch_2_2023()), "FIELD_REQUIRED", "name")


def test_each_change_is_a_new_version_that_verdicts_can_cite() -> None:
    programme = opened()
    version_when_open = programme.version
    programme.grant_quota_exception("440000", 1, "广东省申请")
    assert programme.version == version_when_open + 1


# --- organisation ----------------------------------------------------------------------------------------


def test_an_organisation_is_registered_with_a_normalised_credit_code() -> None:
    typed = VALID.lower().replace("9", "９", 1)  # lower case, one full-width digit pasted from a document
    organisation = Organisation.register(
        name="南京江北新区管理委员会",
        credit_code=typed,
        kind=OrganisationKind.PARK_MANAGEMENT_BODY,
        province_code="320000",
        division_code="320111",
    )
    assert organisation.credit_code == VALID
    assert organisation.kind is OrganisationKind.PARK_MANAGEMENT_BODY
    assert organisation.administrative_level is None
    assert organisation.is_active
    assert types_of(organisation) == ["Organisation.Registered"]


def organisation_with(**overrides: Any) -> Organisation:
    fields: dict[str, Any] = {
        "name": "南京市生态环境局",
        "credit_code": PARK_BODY_CODE,
        "kind": OrganisationKind.GOVERNMENT_DEPARTMENT,
        "administrative_level": AdministrativeLevel.PREFECTURE,
        "province_code": "320000",
        "division_code": "320100",
    }
    fields.update(overrides)
    return Organisation.register(**fields)


def test_a_credit_code_with_a_wrong_check_character_is_refused() -> None:
    body = VALID[:17]
    wrong = body + ("0" if VALID[17] != "0" else "1")
    error = refused(lambda: organisation_with(credit_code=wrong), "INVALID_CREDIT_CODE", "credit_code")
    assert VALID[17] in error.message_zh
    assert "Check character" in error.message_en


@pytest.mark.parametrize("bad", ["91320100MA1XXXXXO1", "91320100MA1IXXXX01", "91320100-A1XXXXX01", "9132010"])
def test_a_credit_code_with_characters_outside_the_alphabet_or_of_wrong_length_is_refused(bad: str) -> None:
    error = refused(lambda: organisation_with(credit_code=bad), "INVALID_CREDIT_CODE", "credit_code")
    assert "统一社会信用代码" in error.message_zh or "位" in error.message_zh


def test_organisation_province_and_division_must_agree() -> None:
    refused(lambda: organisation_with(province_code="710000"), "UNKNOWN_PROVINCE", "province_code")
    refused(lambda: organisation_with(province_code="320100"), "UNKNOWN_PROVINCE", "province_code")
    refused(lambda: organisation_with(division_code="330100"), "DIVISION_OUTSIDE_PROVINCE", "division_code")
    refused(lambda: organisation_with(division_code="3201"), "INVALID_DIVISION_CODE", "division_code")
    corps = organisation_with(
        name="新疆生产建设兵团第八师石河子市人民政府",
        kind=OrganisationKind.GOVERNMENT,
        province_code="660000",
        division_code="659001",
    )
    assert corps.province_code == "660000"
    provincial = organisation_with(
        name="江苏省生态环境厅",
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        administrative_level=None,
        division_code=None,
    )
    assert provincial.administrative_level is AdministrativeLevel.PROVINCE
    assert provincial.division_code == "320000"


def test_administrative_level_follows_the_kind() -> None:
    refused(
        lambda: organisation_with(kind=OrganisationKind.GOVERNMENT, administrative_level=None),
        "ADMINISTRATIVE_LEVEL_REQUIRED",
        "administrative_level",
    )
    refused(
        lambda: organisation_with(kind=OrganisationKind.ENTERPRISE, administrative_level=AdministrativeLevel.COUNTY),
        "ADMINISTRATIVE_LEVEL_NOT_APPLICABLE",
    )
    refused(
        lambda: organisation_with(
            kind=OrganisationKind.PROVINCIAL_DEPARTMENT, administrative_level=AdministrativeLevel.COUNTY
        ),
        "ADMINISTRATIVE_LEVEL_MISMATCH",
    )


def test_an_organisation_is_amended_with_a_reason_and_revalidated() -> None:
    organisation = organisation_with()
    organisation.collect_events()
    refuses(organisation, lambda: organisation.amend(reason="", name="南京市生态环境局（新）"), "REASON_REQUIRED")
    refuses(
        organisation,
        lambda: organisation.amend(reason="更正", name="新名称", credit_code="91320100MA1XXXXX01"),
        "INVALID_CREDIT_CODE",
    )
    refuses(organisation, lambda: organisation.amend(reason="无变化", name="南京市生态环境局"), "NO_CHANGE")

    organisation.amend(reason="机构改革后更名", name="南京市生态环境局（江北）", division_code="320111")
    assert organisation.name == "南京市生态环境局（江北）"
    assert organisation.division_code == "320111"
    amended = organisation.collect_events()[0]
    assert type(amended).__qualname__ == "Organisation.Amended"
    assert payload(amended)["changes"] == {"name": "南京市生态环境局（江北）", "division_code": "320111"}
    assert payload(amended)["previous"] == {"name": "南京市生态环境局", "division_code": "320100"}

    # Moving to another province without a new division code moves the division code along.
    refuses(
        organisation,
        lambda: organisation.amend(reason="搬迁", province_code="330000", division_code="320100"),
        "DIVISION_OUTSIDE_PROVINCE",
    )
    organisation.amend(reason="登记地变更", province_code="330000", credit_code=credit_code("11330100MB1234567"))
    assert organisation.division_code == "330000"


def test_a_deactivated_organisation_takes_no_changes() -> None:
    organisation = organisation_with()
    refuses(organisation, lambda: organisation.deactivate(" "), "REASON_REQUIRED")
    organisation.deactivate("机构撤销")
    assert not organisation.is_active
    refuses(organisation, lambda: organisation.amend(reason="更名", name="新"), "ORGANISATION_INACTIVE")
    refuses(organisation, lambda: organisation.deactivate("再次"), "ORGANISATION_INACTIVE")


# --- pilot object ----------------------------------------------------------------------------------------


def park(**overrides: Any) -> PilotObject:
    fields: dict[str, Any] = {
        "kind": PilotObjectKind.INDUSTRIAL_PARK,
        "name": "南京江北新材料科技园",
        "province_code": "320000",
        "division_codes": ["320111", "320116"],
        "industry_codes": ["C2614", "2710"],
        "park_type": "CHEMICAL_PARK",
        "member_credit_codes": [enterprise_code(1), enterprise_code(2)],
    }
    fields.update(overrides)
    return PilotObject.register(**fields)


def test_a_pilot_object_is_registered_with_normalised_codes() -> None:
    obj = park()
    assert obj.industry_codes == ["2614", "2710"]
    assert obj.division_codes == ["320111", "320116"]
    assert obj.member_credit_codes == [enterprise_code(1), enterprise_code(2)]
    assert types_of(obj) == ["PilotObject.Registered"]


def test_pilot_object_divisions_must_lie_in_its_province() -> None:
    refused(lambda: park(division_codes=["320111", "340100"]), "DIVISION_OUTSIDE_PROVINCE", "division_codes[1]")
    refused(lambda: park(division_codes=[]), "FIELD_REQUIRED", "division_codes")
    refused(lambda: park(division_codes=["320111", "320111"]), "DUPLICATE_DIVISION_CODE", "division_codes[1]")
    refused(lambda: park(province_code="999999"), "UNKNOWN_PROVINCE")


@pytest.mark.parametrize("bad", ["99", "00", "A2614", "26x4", "26145", ""])
def test_industry_codes_must_be_gbt4754(bad: str) -> None:
    refused(lambda: park(industry_codes=["2614", bad]), "UNKNOWN_INDUSTRY_CODE", "industry_codes[1]")


def test_park_type_and_key_area_fit_the_object() -> None:
    refused(lambda: park(park_type="THEME_PARK"), "UNKNOWN_PARK_TYPE", "park_type")
    refused(lambda: park(kind=PilotObjectKind.BASIN_SECTION, park_type="CHEMICAL_PARK"), "PARK_TYPE_NOT_APPLICABLE")
    refused(
        lambda: park(kind=PilotObjectKind.KEY_REGION_PART, park_type=None, key_area_code="YANGTZE"),
        "KEY_AREA_KIND_MISMATCH",
    )
    refused(
        lambda: park(kind=PilotObjectKind.KEY_REGION_PART, park_type=None, key_area_code="PEARL_RIVER_DELTA"),
        "KEY_AREA_OUTSIDE_PROVINCE",
    )
    refused(lambda: park(key_area_code="ATLANTIS"), "UNKNOWN_KEY_AREA")
    region = park(kind=PilotObjectKind.KEY_REGION_PART, park_type=None, key_area_code="YANGTZE_RIVER_DELTA")
    assert region.key_area_code == "YANGTZE_RIVER_DELTA"


@pytest.mark.parametrize(("province", "division"), [("610000", "610902"), ("630000", "630100"), ("410000", "411300")])
def test_a_yangtze_basin_object_outside_the_economic_belt_is_registered(province: str, division: str) -> None:
    # 长江保护法 art. 2 names 陕西 (汉江), 青海, 河南 (南阳) among the basin's 19 provincial units.
    basin = park(
        kind=PilotObjectKind.BASIN_SECTION,
        park_type=None,
        key_area_code="YANGTZE",
        province_code=province,
        division_codes=[division],
    )
    assert basin.key_area_code == "YANGTZE"


def test_a_basin_that_does_not_reach_the_province_is_refused_by_name() -> None:
    refusal = refused(
        lambda: park(
            kind=PilotObjectKind.BASIN_SECTION,
            park_type=None,
            key_area_code="YELLOW_RIVER",
            province_code="320000",
            division_codes=["320111"],
        ),
        "KEY_AREA_OUTSIDE_PROVINCE",
    )
    assert "黄河流域不涉及江苏省" in refusal.message_zh


def test_members_are_valid_and_never_twice() -> None:
    refused(
        lambda: park(member_credit_codes=[enterprise_code(1), enterprise_code(1)]),
        "DUPLICATE_MEMBER",
        "member_credit_codes[1]",
    )
    obj = park()
    obj.collect_events()
    refuses(obj, lambda: obj.add_members([enterprise_code(3), enterprise_code(1)]), "DUPLICATE_MEMBER")
    refuses(obj, lambda: obj.add_members([enterprise_code(3), "91320100000000003X"]), "INVALID_CREDIT_CODE")
    refuses(obj, lambda: obj.add_members([]), "FIELD_REQUIRED")
    obj.add_members([enterprise_code(3).lower()])
    assert obj.member_credit_codes == [enterprise_code(1), enterprise_code(2), enterprise_code(3)]

    refuses(obj, lambda: obj.remove_members([enterprise_code(4)], "迁出"), "NOT_A_MEMBER", "credit_codes[0]")
    refuses(obj, lambda: obj.remove_members([enterprise_code(2)], ""), "REASON_REQUIRED")
    obj.remove_members([enterprise_code(2)], "企业已迁出园区")
    assert obj.member_credit_codes == [enterprise_code(1), enterprise_code(3)]
    assert types_of(obj) == ["PilotObject.MembersAdded", "PilotObject.MembersRemoved"]


def test_a_pilot_object_is_amended_as_a_whole() -> None:
    obj = park()
    refuses(obj, lambda: obj.amend(reason="扩区", province_code="340000"), "DIVISION_OUTSIDE_PROVINCE")
    refuses(obj, lambda: obj.amend(reason="", name="新名称"), "REASON_REQUIRED")
    obj.amend(reason="园区扩区", division_codes=["320111", "320116", "320117"], park_type=None)
    assert obj.division_codes == ["320111", "320116", "320117"]
    assert obj.park_type is None


# --- finding ---------------------------------------------------------------------------------------------


def finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "source": FindingSource.MEDIA,
        "media_level": MediaLevel.CITY,
        "disclosed_on": date(2022, 6, 1),
        "pilot_object_id": uuid4(),
        "enterprise_credit_code": enterprise_code(1),
        "province_code": "320000",
        "summary": "某企业夜间偷排废水被曝光",
        "reference": "https://example.org/news/1",
        "recorded_by": "mee-liu",
    }
    fields.update(overrides)
    return Finding.record(**fields)


def test_media_level_is_required_exactly_for_media_findings() -> None:
    refused(lambda: finding(media_level=None), "MEDIA_LEVEL_REQUIRED", "media_level")
    refused(
        lambda: finding(source=FindingSource.CENTRAL_INSPECTION, media_level=MediaLevel.NATIONAL),
        "MEDIA_LEVEL_NOT_APPLICABLE",
    )
    inspection = finding(source=FindingSource.CENTRAL_INSPECTION, media_level=None, prominent_problem=True)
    assert inspection.media_level is None
    assert types_of(inspection) == ["Finding.Recorded"]


def test_a_central_finding_says_whether_it_names_a_prominent_problem() -> None:
    refused(
        lambda: finding(source=FindingSource.CENTRAL_INSPECTION, media_level=None),
        "PROMINENT_PROBLEM_REQUIRED",
        "prominent_problem",
    )
    refused(lambda: finding(prominent_problem=True), "PROMINENT_PROBLEM_NOT_APPLICABLE", "prominent_problem")
    referral = finding(source=FindingSource.CENTRAL_INSPECTION, media_level=None, prominent_problem=False)
    assert referral.prominent_problem is False and not referral.is_disqualifying
    assert payload(referral.collect_events()[0])["prominent_problem"] is False
    referral.correct(reason="督察反馈意见列为突出问题", prominent_problem=True)
    assert referral.is_disqualifying
    assert payload(referral.collect_events()[0])["changes"] == {"prominent_problem": True}


@pytest.mark.parametrize(
    ("source", "level", "prominent", "disqualifying"),
    [
        (FindingSource.CENTRAL_INSPECTION, None, True, True),
        (FindingSource.CENTRAL_INSPECTION, None, False, False),  # e.g. a complaint referral (信访转办件)
        (FindingSource.PROVINCIAL_INSPECTION, None, None, False),
        (FindingSource.MEDIA, MediaLevel.NATIONAL, None, True),
        (FindingSource.MEDIA, MediaLevel.PROVINCIAL, None, True),
        (FindingSource.MEDIA, MediaLevel.CITY, None, False),
    ],
)
def test_which_findings_disqualify(
    source: FindingSource, level: MediaLevel | None, prominent: bool | None, disqualifying: bool
) -> None:
    found = finding(source=source, media_level=level, prominent_problem=prominent)
    assert found.is_disqualifying is disqualifying


def test_a_finding_subject_is_checked() -> None:
    refused(lambda: finding(enterprise_credit_code="91320100MA1XXXXX0Z"), "INVALID_CREDIT_CODE")
    refused(lambda: finding(province_code="720000"), "UNKNOWN_PROVINCE")
    refused(lambda: finding(pilot_object_id="not-a-uuid"), "INVALID_ID", "pilot_object_id")
    refused(lambda: finding(summary=" "), "FIELD_REQUIRED", "summary")
    refused(lambda: finding(disclosed_on=datetime(2022, 6, 1, 8, 0)), "INVALID_DATE", "disclosed_on")


def test_a_correction_changes_fields_with_a_reason_and_keeps_what_was_there() -> None:
    item = finding()
    item.collect_events()
    assert not item.is_disqualifying
    refuses(item, lambda: item.correct(reason="", media_level=MediaLevel.PROVINCIAL), "REASON_REQUIRED")
    refuses(
        item,
        lambda: item.correct(reason="改为督察", source=FindingSource.PROVINCIAL_INSPECTION),
        "MEDIA_LEVEL_NOT_APPLICABLE",
    )
    refuses(item, lambda: item.correct(reason="无变化", media_level=MediaLevel.CITY), "NO_CHANGE")

    item.correct(reason="实为省级电视台报道", media_level=MediaLevel.PROVINCIAL)
    assert item.is_disqualifying
    corrected = item.collect_events()[0]
    assert type(corrected).__qualname__ == "Finding.Corrected"
    assert payload(corrected)["changes"] == {"media_level": "PROVINCIAL"}
    assert payload(corrected)["previous"] == {"media_level": "CITY"}
    item.correct(reason="日期有误", disclosed_on=date(2022, 6, 2))
    assert item.disclosed_on == date(2022, 6, 2)


def test_a_retracted_finding_cannot_be_retracted_again_or_corrected() -> None:
    item = finding()
    refuses(item, lambda: item.retract("  "), "REASON_REQUIRED")
    item.retract("记录对象有误")
    assert item.is_retracted and not item.is_in_force
    refuses(item, lambda: item.retract("再次撤销"), "FINDING_ALREADY_RETRACTED")
    refuses(item, lambda: item.correct(reason="更正", summary="新摘要"), "FINDING_RETRACTED")
    assert types_of(item) == ["Finding.Recorded", "Finding.Retracted"]


def test_recorded_by_defaults_to_the_acting_user() -> None:
    with acting(CallContext(actor=MINISTRY)):
        item = finding(recorded_by=None)
    assert item.recorded_by == "mee-liu"


# --- pilot -----------------------------------------------------------------------------------------------


MEMBERS = [enterprise_code(1), enterprise_code(2), enterprise_code(3)]


def pilot(**overrides: Any) -> Pilot:
    fields: dict[str, Any] = {
        "programme_id": uuid4(),
        "application_id": uuid4(),
        "project_name": "南京江北新材料科技园清洁生产整体审核创新试点",
        "pilot_type": "PARK_CLUSTER",
        "province_code": "320000",
        "applicant_organisation_id": uuid4(),
        "pilot_object_id": uuid4(),
        "member_credit_codes": MEMBERS,
        "approval_document_number": "环办科财函〔2023〕261号",
        "start_date": date(2023, 8, 1),
        "implementation_months": 12,
    }
    fields.update(overrides)
    return Pilot.approve(**fields)


def test_an_approved_pilot_runs_for_the_programme_s_implementation_period() -> None:
    application_id = uuid4()
    item = pilot(application_id=application_id)
    assert item.id == pilot_id_for(application_id)
    assert item.start_date == date(2023, 8, 1)
    assert item.end_date == date(2024, 8, 1)
    assert item.status is PilotStatus.IN_IMPLEMENTATION
    assert item.deemed_audit_credits == []
    assert types_of(item) == ["Pilot.Approved"]
    assert pilot(start_date=date(2023, 8, 31), implementation_months=6).end_date == date(2024, 2, 29)
    refused(lambda: pilot(pilot_type="TYPE_5"), "UNKNOWN_PILOT_TYPE")
    refused(lambda: pilot(implementation_months=0), "INVALID_IMPLEMENTATION_PERIOD")
    refused(lambda: pilot(member_credit_codes=[MEMBERS[0], MEMBERS[0]]), "DUPLICATE_MEMBER")


def test_milestones_and_reports_are_followed() -> None:
    item = pilot()
    refuses(item, lambda: item.add_milestone("完成诊断", date(2023, 7, 1)), "DATE_BEFORE_PILOT_START", "due")
    milestone = item.add_milestone("完成园区整体诊断", date(2023, 12, 31))
    refuses(item, lambda: item.complete_milestone(uuid4(), date(2023, 12, 20), ""), "UNKNOWN_MILESTONE")
    item.complete_milestone(milestone, date(2023, 12, 20), "提前完成")
    refuses(item, lambda: item.complete_milestone(milestone, date(2023, 12, 21), ""), "MILESTONE_ALREADY_COMPLETED")
    [done] = item.milestones
    assert done.is_completed and done.completed_on == date(2023, 12, 20) and done.note == "提前完成"

    item.file_report(ReportKind.PROGRESS, "中期进展报告", "doc://progress-1", date(2024, 2, 1))
    item.file_report(ReportKind.FINAL, "试点总结报告", "doc://final", date(2024, 8, 10))
    refuses(
        item,
        lambda: item.file_report(ReportKind.FINAL, "总结报告（修订）", "doc://final-2", date(2024, 8, 12)),
        "FINAL_REPORT_ALREADY_FILED",
    )
    assert [r.kind for r in item.reports] == [ReportKind.PROGRESS, ReportKind.FINAL]
    assert types_of(item)[1:] == [
        "Pilot.MilestoneAdded",
        "Pilot.MilestoneCompleted",
        "Pilot.ReportFiled",
        "Pilot.ReportFiled",
    ]


def test_a_passed_pilot_credits_every_member_enterprise_once() -> None:
    item = pilot()
    item.collect_events()
    refuses(item, lambda: item.assess(True, "", date(2024, 9, 1)), "REASON_REQUIRED")
    item.assess(True, "通过评估", date(2024, 9, 1))
    assert item.status is PilotStatus.PASSED
    credits = item.deemed_audit_credits
    assert [c.credit_code for c in credits] == MEMBERS
    assert {(c.pilot_id, c.programme_id, c.credited_on, c.wording) for c in credits} == {
        (item.id, item.programme_id, date(2024, 9, 1), DEEMED_AUDIT_WORDING)
    }
    assert DEEMED_AUDIT_WORDING == "视同开展一次清洁生产审核"
    assessed = item.collect_events()[0]
    assert type(assessed).__qualname__ == "Pilot.Assessed"
    assert payload(assessed)["credited_credit_codes"] == MEMBERS

    refuses(item, lambda: item.assess(False, "复核不通过", date(2024, 9, 2)), "PILOT_ALREADY_ASSESSED")
    refuses(item, lambda: item.add_milestone("补充节点", date(2024, 9, 3)), "PILOT_ALREADY_ASSESSED")


def test_a_failed_pilot_grants_no_credit() -> None:
    item = pilot()
    item.assess(False, "未完成试点目标", date(2024, 9, 1))
    assert item.status is PilotStatus.FAILED
    assert item.deemed_audit_credits == []
    assert payload(item.collect_events()[-1])["credited_credit_codes"] == []


# --- audit metadata, storage and the published contract ---------------------------------------------------


def test_events_carry_the_acting_user_and_the_business_process() -> None:
    province_user = Actor(user_id="js-wang", role=Role.PROVINCE, province="320000")
    with acting(CallContext(actor=MINISTRY, correlation_id="corr-1", causation_id="req-1")):
        programme = draft()
        programme.open("按通知开始受理")
    with acting(CallContext(actor=province_user, correlation_id="corr-2")):
        obj = park()
    first, second = programme.collect_events()
    assert payload(first)["actor"] == MINISTRY.as_dict()
    assert payload(second)["actor"]["user_id"] == "mee-liu"
    assert (payload(second)["correlation_id"], payload(second)["causation_id"]) == ("corr-1", "req-1")
    [registered] = obj.collect_events()
    assert payload(registered)["actor"] == province_user.as_dict()
    assert payload(registered)["correlation_id"] == "corr-2"


def test_every_aggregate_survives_storage_and_replay() -> None:
    app: Application[UUID] = Application()
    programme = opened()
    programme.grant_quota_exception("320000", 1, "部批准")
    programme.extend_deadline(date(2023, 4, 14), "延期")
    obj = park()
    obj.add_members([enterprise_code(9)])
    item = finding()
    item.correct(reason="更正", disclosed_on=date(2022, 6, 3), pilot_object_id=obj.id)
    organisation = organisation_with()
    organisation.amend(reason="更名", name="新名称")
    approved = pilot()
    milestone = approved.add_milestone("诊断", date(2023, 10, 1))
    approved.complete_milestone(milestone, date(2023, 9, 30), "")
    approved.file_report("FINAL", "总结报告", "doc://final", date(2024, 8, 1))
    approved.assess(True, "通过评估", date(2024, 9, 1))
    aggregates: list[AuditedAggregate] = [programme, obj, item, organisation, approved]
    app.save(*aggregates)
    for aggregate in aggregates:
        replayed: Aggregate = app.repository.get(aggregate.id)
        assert state_of(replayed) == state_of(aggregate)
    replayed_pilot: Aggregate = app.repository.get(approved.id)
    assert isinstance(replayed_pilot, Pilot)
    assert replayed_pilot.deemed_audit_credits == approved.deemed_audit_credits
    replayed_programme: Aggregate = app.repository.get(programme.id)
    assert isinstance(replayed_programme, Programme)
    assert replayed_programme.rules.deadline == date(2023, 4, 14)


def test_the_published_event_types_are_exactly_those_the_aggregates_define() -> None:
    defined = {
        f"pilot-registry.{aggregate.__name__}.{name}"
        for aggregate in (Programme, Organisation, PilotObject, Finding, Pilot)
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, AuditedAggregate.Event)
        and name not in {"Event", "Created", "Snapshot"}
    }
    assert defined == set(EVENT_TYPES)
    assert "pilot-registry.Finding.Recorded" in EVENT_TYPES


def test_rules_incomplete_error_lists_the_gaps_in_both_languages() -> None:
    rules = batch_2_2023().model_copy(update={"quota_per_province": 0})
    programme = Programme.draft("2023-B2", "第二批", rules)
    error = refuses(programme, programme.open, "PROGRAMME_RULES_INCOMPLETE")
    assert "quota_per_province" in error.message_en
    assert "名额" in error.message_zh


def test_violations_render_as_conflicts_or_bad_input() -> None:
    programme = draft()
    conflict = refuses(programme, lambda: programme.close("理由", AFTER_DEADLINE), "INVALID_TRANSITION")
    bad_input = refused(lambda: organisation_with(credit_code="91320100MA1XXXXX01"), "INVALID_CREDIT_CODE")
    assert isinstance(conflict, DomainRuleViolation)
    assert (conflict.kind, bad_input.kind) == (ViolationKind.CONFLICT, ViolationKind.INVALID)


def test_closing_before_the_deadline_needs_early_and_a_reason_both_recorded() -> None:
    programme = opened()
    refused = refuses(programme, lambda: programme.close("申报截止", BEFORE_DEADLINE), "DEADLINE_NOT_PASSED")
    assert refused.kind is ViolationKind.CONFLICT
    refuses(programme, lambda: programme.close(None, BEFORE_DEADLINE, early=True), "REASON_REQUIRED")
    # The last instant of the deadline day is still before the end.
    last = datetime(2023, 4, 7, 23, 59, 59, tzinfo=BEIJING)
    refuses(programme, lambda: programme.close("截止", last), "DEADLINE_NOT_PASSED")
    programme.close("疫情原因，经部领导批准提前截止", BEFORE_DEADLINE, early=True)
    closed_event = programme.collect_events()[-1]
    assert payload(closed_event)["before_deadline"] is True
    assert payload(closed_event)["reason"] == "疫情原因，经部领导批准提前截止"


def test_closing_after_the_deadline_needs_no_reason() -> None:
    programme = opened()
    programme.close(None, AFTER_DEADLINE)
    assert programme.status is ProgrammeStatus.CLOSED
    assert payload(programme.collect_events()[-1])["before_deadline"] is False
