"""One small pure function per eligibility rule, ``(snapshot) -> RuleResult``, and the table of them.

Sources are notice 环办科财函〔2023〕79号 (seed 003) and DESIGN's rules table; where they differ the notice
wins (see the package docstring). Every figure comes from ``snapshot.programme.rules`` (a later batch changes
data, not code). A rule that needs registry facts the snapshot does not have FAILs and says so; no rule
raises on missing or malformed data.

Date windows (all calendar dates are local dates in ``rules.timezone``, Asia/Shanghai for batch 2):

* WINDOW — accepted iff ``opens_at <= submitted_at < closes_at``, ``closes_at`` being 00:00 local time on the
  day after the (inclusive) deadline: for 2023-04-07 that is 2023-04-07T16:00:00Z.
* CLEAN_RECORD — a finding counts iff ``submission_date − N years <= finding.date <= max(submission_date,
  evaluation_date)`` (N = ``findings_lookback_years``; Feb 29 − N years → Feb 28). Both ends inclusive.
  Findings dated after the submission but not after the evaluation count, because DESIGN says a finding
  recorded after submission re-opens the verdict and the object must be clean when it is chosen; a finding
  dated after the evaluation date is a data error and is listed as ignored.
* PLAN — the schedule runs from the earliest milestone start to the latest due date, both inclusive, and fits
  in M months (``implementation_months``) iff ``latest_due < earliest_start + M months`` (day clamped to the
  month's end), i.e. a schedule starting 2023-08-01 may end 2024-07-31 at the latest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from pilot_common.contracts.programme import (
    LETTER_DEVELOPMENT_REFORM,
    LETTER_ECO_ENVIRONMENT,
    AdministrativeLevel,
    OrganisationKind,
    OutlineSection,
)
from pilot_common.credit_code import normalise_credit_code
from pilot_common.reference import (
    KEY_AREAS,
    KEY_INDUSTRIES,
    PARK_TYPES,
    PILOT_TYPES,
    POLLUTANTS,
    AreaKind,
    InvalidIndustryCodeError,
    KeyIndustryOverrides,
    UnknownDivisionError,
    division_in_unit,
    key_industries_containing,
    key_industries_of,
    normalise_gbt4754_code,
    province_of,
    provincial_unit,
)

from ._calendar import add_months, local_date, local_iso, years_before, zh_date, zh_moment, zone_label
from .snapshot import (
    AttachmentKind,
    EligibilitySnapshot,
    FindingFacts,
    FindingSource,
    LateEntryFacts,
    MediaLevel,
    OrganisationFacts,
    PilotObjectKind,
    PilotTypeCode,
)
from .verdict import RULE_ORDER, PriorityResult, RuleCode, RuleResult, RuleStatus

RuleFunction = Callable[[EligibilitySnapshot], RuleResult]

# --- labels -----------------------------------------------------------------------------------------------

_KIND_ZH = {
    OrganisationKind.PARK_MANAGEMENT_BODY: "园区管理机构",
    OrganisationKind.GOVERNMENT: "政府",
    OrganisationKind.GOVERNMENT_DEPARTMENT: "政府组成部门",
    OrganisationKind.PROVINCIAL_DEPARTMENT: "省级政府组成部门",
    OrganisationKind.ENTERPRISE: "企业",
    OrganisationKind.OTHER: "其他机构",
}
_KIND_EN = {
    OrganisationKind.PARK_MANAGEMENT_BODY: "park management body",
    OrganisationKind.GOVERNMENT: "government",
    OrganisationKind.GOVERNMENT_DEPARTMENT: "government department",
    OrganisationKind.PROVINCIAL_DEPARTMENT: "provincial government department",
    OrganisationKind.ENTERPRISE: "enterprise",
    OrganisationKind.OTHER: "other organisation",
}
_LEVEL_ZH = {
    AdministrativeLevel.COUNTY: "县级",
    AdministrativeLevel.PREFECTURE: "地市级",
    AdministrativeLevel.PROVINCE: "省级",
}
_LEVEL_EN = {
    AdministrativeLevel.COUNTY: "county level",
    AdministrativeLevel.PREFECTURE: "prefecture level",
    AdministrativeLevel.PROVINCE: "provincial level",
}
_LETTER_NAMES: Mapping[str, tuple[str, str]] = {
    LETTER_ECO_ENVIRONMENT: (
        "省级生态环境部门推荐函",
        "recommendation letter of the provincial eco-environment department",
    ),
    LETTER_DEVELOPMENT_REFORM: (
        "省级发展改革部门推荐函",
        "recommendation letter of the provincial development-and-reform department",
    ),
}
_OBJECT_KIND_ZH = {
    PilotObjectKind.INDUSTRIAL_PARK: "工业园区",
    PilotObjectKind.INDUSTRIAL_CLUSTER: "产业集群",
    PilotObjectKind.KEY_REGION_PART: "重点区域",
    PilotObjectKind.BASIN_SECTION: "重点流域",
    PilotObjectKind.INDUSTRY_IN_AREA: "区域内的行业企业",
    PilotObjectKind.ENTERPRISE_GROUP: "企业群",
}
_CN_NUMERALS = "一二三四五六七八九十"


def _type_number(pilot_type: str) -> int | None:
    entry = PILOT_TYPES.get(pilot_type)
    return entry.number if entry else None


def _org_label_zh(org: OrganisationFacts) -> str:
    if org.level is None:
        return f"{_KIND_ZH[org.kind]}（行政级别未登记）"
    return f"{_LEVEL_ZH[org.level]}{_KIND_ZH[org.kind]}"


def _org_label_en(org: OrganisationFacts) -> str:
    level = _LEVEL_EN[org.level] if org.level else "level unknown"
    return f"{_KIND_EN[org.kind]}, {level}"


def _province_name(code: str) -> str:
    unit = provincial_unit(code)
    return unit.name if unit else code


def _province_name_en(code: str) -> str:
    unit = provincial_unit(code)
    return unit.english_name if unit else code


# --- composing a result -----------------------------------------------------------------------------------


@dataclass
class _Issues:
    """Problems one rule found; the result's status is the worst of them, its reason all of them."""

    items: list[tuple[RuleStatus, str, str]] = field(default_factory=list)

    def fail(self, zh: str, en: str) -> None:
        self.items.append((RuleStatus.FAIL, zh, en))

    def warn(self, zh: str, en: str) -> None:
        self.items.append((RuleStatus.WARNING, zh, en))

    @property
    def failed(self) -> bool:
        return any(status is RuleStatus.FAIL for status, _, _ in self.items)

    def result(self, code: RuleCode, pass_zh: str, pass_en: str, evidence: dict[str, Any]) -> RuleResult:
        if not self.items:
            return RuleResult(
                code=code, status=RuleStatus.PASS, reason_zh=pass_zh, reason_en=pass_en, evidence=evidence
            )
        ordered = [i for i in self.items if i[0] is RuleStatus.FAIL] + [
            i for i in self.items if i[0] is RuleStatus.WARNING
        ]
        status = ordered[0][0]
        return RuleResult(
            code=code,
            status=status,
            reason_zh="".join(zh for _, zh, _ in ordered),
            reason_en=" ".join(en for _, _, en in ordered),
            evidence=evidence,
        )


def _fail(code: RuleCode, zh: str, en: str, evidence: dict[str, Any]) -> RuleResult:
    return RuleResult(code=code, status=RuleStatus.FAIL, reason_zh=zh, reason_en=en, evidence=evidence)


# --- WINDOW (notice 六: 于2023年4月7日前…寄送…逾期不予受理) ---------------------------------------------------


def check_window(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    tz = rules.timezone
    opens, closes, at = rules.opens_at, rules.closes_at(), s.submitted_at
    late_entry = s.late_entry
    evidence: dict[str, Any] = {
        "submitted_at": at.isoformat(),
        "submitted_at_local": local_iso(at, tz),
        "opens_at": local_iso(opens, tz),
        "deadline": rules.deadline.isoformat(),
        "closes_at": local_iso(closes, tz),
        "timezone": tz,
        "late": at >= closes,
        "late_entry": late_entry.model_dump(mode="json") if late_entry else None,
    }
    shown = zh_moment(at, tz)
    deadline_zh = f"{zh_date(rules.deadline)}（含当日，{zone_label(tz)}）"
    deadline_en = f"{rules.deadline.isoformat()} inclusive ({tz})"
    if at < opens:
        return _fail(
            RuleCode.WINDOW,
            f"申报尚未开始：本批次自{zh_moment(opens, tz)}起受理，提交时间为{shown}。",
            f"The programme is not open yet: it accepts submissions from {local_iso(opens, tz)}; "
            f"this one was made at {local_iso(at, tz)}.",
            evidence,
        )
    if at >= closes:
        if late_entry is not None:
            return _judge_late_entry(s, late_entry, evidence, deadline_zh, deadline_en)
        return _fail(
            RuleCode.WINDOW,
            f"逾期不予受理：申报截止日期为{deadline_zh}，提交时间为{shown}。",
            f"Late submissions are refused (逾期不予受理): the deadline was {deadline_en}; "
            f"this one was made at {local_iso(at, tz)}.",
            evidence,
        )
    return RuleResult(
        code=RuleCode.WINDOW,
        status=RuleStatus.PASS,
        reason_zh=f"在申报期内提交（截止日期{deadline_zh}；提交时间{shown}）。",
        reason_en=f"Submitted within the window (deadline {deadline_en}; submitted {local_iso(at, tz)}).",
        evidence=evidence,
    )


_CHANNEL_ZH = {"POST": ("寄出", "邮戳"), "EMAIL": ("发出", "邮件发送记录")}


def _judge_late_entry(
    s: EligibilitySnapshot, entry: LateEntryFacts, evidence: dict[str, Any], deadline_zh: str, deadline_en: str
) -> RuleResult:
    """Notice 六 binds the *sending* ("于…前…寄送…同时…发送"): a package sent on or before the deadline and
    entered later passes, with its evidence attached; nothing else does."""
    rules = s.programme.rules
    tz = rules.timezone
    verb, proof = _CHANNEL_ZH.get(entry.channel, ("寄送", "寄送凭证"))
    attached = next((a for a in s.application.attachments if a.id == entry.evidence_attachment_id), None)
    sent_zh = zh_moment(entry.sent_on, tz)
    if entry.sent_on >= rules.closes_at():
        return _fail(
            RuleCode.WINDOW,
            f"逾期不予受理：材料于{sent_zh}{verb}，晚于申报截止日期{deadline_zh}。",
            f"Refused as late: sent at {local_iso(entry.sent_on, tz)}, after the deadline {deadline_en}.",
            evidence,
        )
    if attached is None:
        return _fail(
            RuleCode.WINDOW,
            f"登记的{proof}（附件{entry.evidence_attachment_id}）不在申报材料中，无法证明按时{verb}，逾期不予受理。",
            f"The sending evidence (attachment {entry.evidence_attachment_id}) is not in the package; refused as late.",
            evidence,
        )
    return RuleResult(
        code=RuleCode.WINDOW,
        status=RuleStatus.PASS,
        reason_zh=f"材料于{sent_zh}{verb}（{proof}：“{attached.file_name}”），未晚于申报截止日期{deadline_zh}；"
        f"系统于{zh_moment(s.submitted_at, tz)}录入，由{entry.recorded_by}登记。",
        reason_en=f"Sent at {local_iso(entry.sent_on, tz)} (evidence {attached.file_name!r}), not after the deadline "
        f"{deadline_en}; entered at {local_iso(s.submitted_at, tz)}, recorded by {entry.recorded_by}.",
        evidence=evidence,
    )


# --- QUOTA (notice 四(一): 数量原则上不超过5个) ------------------------------------------------------------


def check_quota(s: EligibilitySnapshot) -> RuleResult:
    province = s.application.recommending_province
    base = s.programme.rules.quota_per_province
    exception = s.programme.quota_exceptions.get(province, 0)
    programme_allowed = base + exception
    held, recorded = s.quota.slots_held, s.quota.slots_allowed
    allowed = min(programme_allowed, recorded)
    slot = s.quota.slot_number if s.quota.slot_number is not None else held
    evidence: dict[str, Any] = {
        "province": province,
        "slots_held": held,
        "slots_allowed": allowed,
        "base_quota": base,
        "exception_slots": exception,
        "quota_record_allowed": recorded,
        "slot_number": s.quota.slot_number,
        "dry_run": s.dry_run,
    }
    name, name_en = _province_name(province), _province_name_en(province)
    issues = _Issues()
    if held > allowed:
        issues.fail(
            f"{name}已占用{held}个推荐名额，超过允许的{allowed}个（每省原则上不超过{base}个"
            + (f"，另经批准增加{exception}个" if exception else "")
            + "）。",
            f"{name_en} holds {held} slots, more than the {allowed} allowed (at most {base} per province"
            + (f", plus {exception} granted as an exception" if exception else "")
            + ").",
        )
    if recorded != programme_allowed:
        issues.warn(
            f"名额记录允许{recorded}个，与批次规则（{base}+{exception}={programme_allowed}）不一致，按较少的{allowed}个计。",
            f"The quota record allows {recorded} slots but the programme rules give {base}+{exception}="
            f"{programme_allowed}; the smaller, {allowed}, is applied.",
        )
    return issues.result(
        RuleCode.QUOTA,
        f"占用{name}第{slot}个推荐名额（共{allowed}个）。",
        f"Holds slot {slot} of {allowed} for {name_en}.",
        evidence,
    )


# --- APPLICANT_LEVEL (notice 三) ---------------------------------------------------------------------------


def check_applicant_level(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    number = _type_number(app.pilot_type)
    type_rule = s.programme.rules.pilot_type_rule(app.pilot_type)
    evidence: dict[str, Any] = {"pilot_type": app.pilot_type, "applicant_id": app.applicant_organisation_id}
    if type_rule is None or number is None:
        return _fail(
            RuleCode.APPLICANT_LEVEL,
            f"试点类型“{app.pilot_type}”不是本批次的试点类型，无法确定申报主体要求。",
            f"Pilot type {app.pilot_type!r} is not one of this programme's types; the applicant cannot be checked.",
            evidence,
        )
    accepted = [
        {"kind": r.kind.value, "min_level": r.min_level.value if r.min_level else None, "label_zh": r.label_zh}
        for r in type_rule.applicants
    ]
    evidence["accepted"] = accepted
    labels_zh = "、".join(dict.fromkeys(r.label_zh for r in type_rule.applicants))
    labels_en = " or a ".join(
        dict.fromkeys(
            _KIND_EN[r.kind] + (f" at {_LEVEL_EN[r.min_level]} or above" if r.min_level else "")
            for r in type_rule.applicants
        )
    )
    org = s.applicant
    if org is None:
        return _fail(
            RuleCode.APPLICANT_LEVEL,
            f"申报主体{app.applicant_organisation_id}的登记信息未知（本服务尚未从登记库获知），无法核对其类别和级别。",
            f"The applicant {app.applicant_organisation_id} is not known from the registry yet; its kind and level "
            "cannot be checked.",
            evidence,
        )
    evidence.update(applicant_kind=org.kind.value, applicant_level=org.level.value if org.level else None)
    for req in type_rule.applicants:
        if org.kind is req.kind and (
            req.min_level is None or (org.level is not None and org.level.at_least(req.min_level))
        ):
            evidence["matched"] = req.label_zh
            return RuleResult(
                code=RuleCode.APPLICANT_LEVEL,
                status=RuleStatus.PASS,
                reason_zh=f"申报主体“{org.name}”为{_org_label_zh(org)}，属于第{number}类试点的申报主体（{req.label_zh}）。",
                reason_en=f"The applicant {org.name} ({_org_label_en(org)}) may apply for a type {number} pilot.",
                evidence=evidence,
            )
    evidence["matched"] = None
    return _fail(
        RuleCode.APPLICANT_LEVEL,
        f"申报主体“{org.name}”为{_org_label_zh(org)}，不符合第{number}类试点的要求：申报主体应为{labels_zh}。",
        f"The applicant {org.name} ({_org_label_en(org)}) may not apply for a type {number} pilot; it must be a "
        f"{labels_en}.",
        evidence,
    )


# --- SAME_ENTITY (notice 三: 第（一）（二）（三）类…且为同一主体; 第（四）类…为省级政府组成部门) ---------------


def _is_provincial_department(org: OrganisationFacts | None) -> bool:
    """A provincial government department (省级政府组成部门), as type 4's applicant requirement accepts it."""
    return org is not None and (
        org.kind is OrganisationKind.PROVINCIAL_DEPARTMENT
        or (org.kind is OrganisationKind.GOVERNMENT_DEPARTMENT and org.level is AdministrativeLevel.PROVINCE)
    )


def _check_type_4_bodies(s: EligibilitySnapshot, evidence: dict[str, Any]) -> RuleResult:
    """Type 4 does not ask for one body; both must be provincial departments of the recommending province."""
    app = s.application
    province = app.recommending_province
    p_zh, p_en = _province_name(province), _province_name_en(province)
    evidence["same_body_required"] = False
    issues = _Issues()
    for role_zh, role_en, org_id, org in (
        ("申报主体", "applicant", app.applicant_organisation_id, s.applicant),
        ("实施主体", "implementer", app.implementer_organisation_id, s.implementer),
    ):
        if org_id is None:
            issues.fail(f"未填写{role_zh}。", f"No {role_en} is named.")
        elif org is None:
            issues.fail(
                f"{role_zh}{org_id}的登记信息未知，无法核对其是否为省级政府组成部门。",
                f"The {role_en} {org_id} is not known from the registry; it cannot be checked.",
            )
        elif not _is_provincial_department(org) or not _division_in_province(org.province, province):
            issues.fail(
                f"{role_zh}“{org.name}”不是{p_zh}的省级政府组成部门（通知三：第（四）类试点申报与实施主体为省级政府组成部门）。",
                f"The {role_en} {org.name} is not a provincial government department of {p_en} (notice section 3: "
                "a type 4 pilot's applicant and implementer are provincial government departments).",
            )
    same = app.applicant_organisation_id == app.implementer_organisation_id
    return issues.result(
        RuleCode.SAME_ENTITY,
        f"申报主体与实施主体均为{p_zh}省级政府组成部门"
        + ("（同一部门）。" if same else "；第（四）类试点不要求为同一主体。"),
        f"The applicant and the implementer are both provincial government departments of {p_en}"
        + (" (the same one)." if same else "; a type 4 pilot does not require them to be the same body."),
        evidence,
    )


def check_same_entity(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    applicant_id, implementer_id = app.applicant_organisation_id, app.implementer_organisation_id
    evidence: dict[str, Any] = {"applicant_id": applicant_id, "implementer_id": implementer_id}
    if app.pilot_type == PilotTypeCode.REGION_BASIN.value:
        return _check_type_4_bodies(s, evidence)
    evidence["same_body_required"] = True
    if implementer_id is None:
        return _fail(
            RuleCode.SAME_ENTITY,
            "未填写实施主体；申报主体与实施主体须为同一主体。",
            "No implementer is named; the applicant and the implementer must be the same organisation.",
            evidence,
        )
    if implementer_id == applicant_id:
        return RuleResult(
            code=RuleCode.SAME_ENTITY,
            status=RuleStatus.PASS,
            reason_zh="申报主体与实施主体为同一主体。",
            reason_en="The applicant and the implementer are the same organisation.",
            evidence=evidence,
        )
    a, i = s.applicant, s.implementer
    a_name = a.name if a else applicant_id
    i_name = i.name if i else implementer_id
    if a and i and a.credit_code and i.credit_code:
        code_a, code_i = normalise_credit_code(a.credit_code), normalise_credit_code(i.credit_code)
        evidence.update(applicant_credit_code=code_a, implementer_credit_code=code_i)
        if code_a == code_i:
            return RuleResult(
                code=RuleCode.SAME_ENTITY,
                status=RuleStatus.WARNING,
                reason_zh=f"申报主体“{a_name}”与实施主体“{i_name}”在登记库中为两条记录，但统一社会信用代码相同（{code_a}），"
                "按同一主体处理；请合并登记记录。",
                reason_en=f"The applicant {a_name} and the implementer {i_name} are two registry records with the "
                f"same credit code {code_a}; treated as one organisation — the records should be merged.",
                evidence=evidence,
            )
    return _fail(
        RuleCode.SAME_ENTITY,
        f"申报主体“{a_name}”与实施主体“{i_name}”不是同一主体（通知三：第（一）（二）（三）类试点申报与实施主体须为同一主体）。",
        f"The applicant {a_name} and the implementer {i_name} are different organisations; notice section 3 "
        "requires them to be the same for types 1–3.",
        evidence,
    )


# --- PROVINCE_MATCH (notice 四(四), 六) --------------------------------------------------------------------


def _normalised_province(code: str) -> str | None:
    try:
        return province_of(code)
    except UnknownDivisionError:
        return None


def _division_in_province(code: str, province: str) -> bool | None:
    """None for a malformed code; else the shared rule (兵团: 66xxxx and its cities 659xxx)."""
    if _normalised_province(code) is None:
        return None
    return division_in_unit(code, province)


def check_province_match(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    recommending = app.recommending_province
    evidence: dict[str, Any] = {"recommending_province": recommending}
    if provincial_unit(recommending) is None:
        return _fail(
            RuleCode.PROVINCE_MATCH,
            f"推荐省份代码“{recommending}”不是32个省级单位之一。",
            f"The recommending province {recommending!r} is not one of the 32 provincial units.",
            evidence,
        )
    p_zh, p_en = _province_name(recommending), _province_name_en(recommending)
    issues = _Issues()

    org = s.applicant
    if org is None:
        evidence["applicant_province"] = None
        issues.fail(
            f"申报主体{app.applicant_organisation_id}的登记信息未知，无法核对其所在省份。",
            f"The applicant {app.applicant_organisation_id} is not known from the registry; its province cannot be "
            "checked.",
        )
    else:
        evidence["applicant_province"] = org.province
        if not _division_in_province(org.province, recommending):
            issues.fail(
                f"申报主体“{org.name}”所在省份（{_province_name(org.province)}）不是推荐省份{p_zh}。",
                f"The applicant {org.name} is in {_province_name_en(org.province)}, not in the recommending "
                f"province {p_en}.",
            )

    obj = s.pilot_object
    if obj is None:
        evidence["pilot_object_province"] = None
        if app.pilot_object_id is None:
            issues.fail("未指定试点对象。", "No pilot object is named.")
        else:
            issues.fail(
                f"试点对象{app.pilot_object_id}的登记信息未知，无法核对其所在省份。",
                f"The pilot object {app.pilot_object_id} is not known from the registry; its province cannot be "
                "checked.",
            )
    else:
        evidence["pilot_object_province"] = obj.province
        if not _division_in_province(obj.province, recommending):
            issues.fail(
                f"试点对象“{obj.name}”所在省份（{_province_name(obj.province)}）不是推荐省份{p_zh}。",
                f"The pilot object {obj.name} is in {_province_name_en(obj.province)}, not in the recommending "
                f"province {p_en}.",
            )
        malformed = [c for c in obj.division_codes if _division_in_province(c, recommending) is None]
        outside = [c for c in obj.division_codes if _division_in_province(c, recommending) is False]
        evidence.update(malformed_division_codes=malformed, division_codes_outside=outside)
        if malformed:
            issues.fail(
                f"试点对象的行政区划代码无效：{'、'.join(malformed)}。",
                f"The pilot object has invalid division codes: {', '.join(malformed)}.",
            )
        if outside:
            issues.fail(
                f"试点对象范围包含推荐省份{p_zh}以外的行政区划：{'、'.join(outside)}。",
                f"The pilot object extends outside {p_en}: {', '.join(outside)}.",
            )
    return issues.result(
        RuleCode.PROVINCE_MATCH,
        f"申报主体和试点对象均在推荐省份{p_zh}。",
        f"The applicant and the pilot object are both in the recommending province {p_en}.",
        evidence,
    )


# --- CLEAN_RECORD (notice 四(二)) ---------------------------------------------------------------------------


def _finding_severity(f: FindingFacts) -> RuleStatus:
    """FAIL: a prominent problem (突出生态环境问题) named by the central inspection, or national/provincial media.
    WARNING: a central finding that names no prominent problem (e.g. a complaint referral, 信访转办件) or does
    not record whether it does, a provincial inspection, city media, media of unrecorded level."""
    if f.source is FindingSource.CENTRAL_INSPECTION:
        return RuleStatus.FAIL if f.prominent_problem is True else RuleStatus.WARNING
    if f.source is FindingSource.MEDIA and f.media_level in (MediaLevel.NATIONAL, MediaLevel.PROVINCIAL):
        return RuleStatus.FAIL
    return RuleStatus.WARNING


def _finding_source_zh(f: FindingFacts) -> tuple[str, str]:
    if f.source is FindingSource.CENTRAL_INSPECTION:
        if f.prominent_problem is True:
            return (
                "被中央生态环境保护督察指出突出生态环境问题",
                "named for a prominent problem by the central inspection",
            )
        if f.prominent_problem is False:
            return (
                "被中央生态环境保护督察记录问题（未被指出为突出生态环境问题，如信访转办件）",
                "recorded by the central inspection, not as a prominent problem (e.g. a complaint referral)",
            )
        return (
            "被中央生态环境保护督察记录问题（未登记是否为突出生态环境问题，请核实）",
            "recorded by the central inspection; whether it is a prominent problem is not recorded (to be checked)",
        )
    if f.source is FindingSource.PROVINCIAL_INSPECTION:
        return "被省级生态环境保护督察指出问题", "named by a provincial eco-environmental inspection"
    level_zh = {MediaLevel.NATIONAL: "国家级", MediaLevel.PROVINCIAL: "省级", MediaLevel.CITY: "地市级"}
    level_en = {MediaLevel.NATIONAL: "national", MediaLevel.PROVINCIAL: "provincial", MediaLevel.CITY: "city-level"}
    if f.media_level is None:
        return "被媒体（级别未登记）曝光环境问题", "exposed by media of unrecorded level"
    return f"被{level_zh[f.media_level]}媒体曝光环境问题", f"exposed by {level_en[f.media_level]} media"


def check_clean_record(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    years = rules.findings_lookback_years
    submission_day = local_date(s.submitted_at, rules.timezone)
    evaluation_day = local_date(s.evaluated_at, rules.timezone)
    window_from = years_before(submission_day, years)
    window_to = max(submission_day, evaluation_day)
    evidence: dict[str, Any] = {
        "lookback_years": years,
        "submission_date": submission_day.isoformat(),
        "evaluation_date": evaluation_day.isoformat(),
        "window_from": window_from.isoformat(),
        "window_to": window_to.isoformat(),
    }
    obj = s.pilot_object
    if obj is None:
        return _fail(
            RuleCode.CLEAN_RECORD,
            f"试点对象{s.application.pilot_object_id or '（未指定）'}的登记信息未知，"
            "无法核对其3年内是否被督察指出或媒体曝光。",
            f"The pilot object {s.application.pilot_object_id or '(none named)'} is not known from the registry; "
            "its inspection and media record cannot be checked.",
            evidence,
        )
    members = {normalise_credit_code(c) for c in obj.member_credit_codes}
    counted: list[dict[str, Any]] = []
    ignored: list[dict[str, Any]] = []
    unrelated = 0
    issues = _Issues()
    for f in sorted(s.findings, key=lambda f: (f.date, f.id)):
        enterprise = normalise_credit_code(f.subject_enterprise_credit_code or "") or None
        about_object = f.subject_pilot_object_id == obj.id
        about_member = enterprise is not None and enterprise in members
        if not (about_object or about_member):
            unrelated += 1
            continue
        entry: dict[str, Any] = {
            "finding_id": f.id,
            "source": f.source.value,
            "media_level": f.media_level.value if f.media_level else None,
            "prominent_problem": f.prominent_problem,
            "date": f.date.isoformat(),
            "subject": "PILOT_OBJECT" if about_object and not about_member else "MEMBER_ENTERPRISE",
            "enterprise_credit_code": enterprise,
            "reference": f.reference,
            "summary": f.summary,
        }
        if f.retracted:
            ignored.append({**entry, "ignored_because": "RETRACTED"})
            continue
        if f.date < window_from:
            ignored.append({**entry, "ignored_because": "BEFORE_LOOKBACK"})
            continue
        if f.date > window_to:
            ignored.append({**entry, "ignored_because": "AFTER_EVALUATION_DATE"})
            continue
        severity = _finding_severity(f)
        counted.append({**entry, "severity": severity.value})
        who_zh = (
            f"试点对象所属范围内企业（{enterprise}）"
            if entry["subject"] == "MEMBER_ENTERPRISE"
            else f"试点对象“{obj.name}”"
        )
        who_en = (
            f"an enterprise in the pilot object ({enterprise})"
            if entry["subject"] == "MEMBER_ENTERPRISE"
            else (f"the pilot object {obj.name}")
        )
        what_zh, what_en = _finding_source_zh(f)
        ref_zh = (
            f"（{f.id}" + (f"，{f.reference}" if f.reference else "") + (f"：{f.summary}" if f.summary else "") + "）"
        )
        ref_en = f" ({f.id}" + (f", {f.reference}" if f.reference else "") + ")"
        if severity is RuleStatus.FAIL:
            issues.fail(
                f"{who_zh}于{zh_date(f.date)}{what_zh}{ref_zh}，在{zh_date(window_from)}至"
                f"{zh_date(window_to)}的{years}年期限内，不符合通知四（二）。",
                f"On {f.date.isoformat()} {who_en} was {what_en}{ref_en}, within the {years}-year lookback "
                f"({window_from.isoformat()} to {window_to.isoformat()}); notice section 4(2) excludes it.",
            )
        else:
            issues.warn(
                f"{who_zh}于{zh_date(f.date)}{what_zh}{ref_zh}，不属于否决情形，提请评审关注。",
                f"On {f.date.isoformat()} {who_en} was {what_en}{ref_en}; not disqualifying, shown for review.",
            )
    evidence.update(counted=counted, ignored=ignored, unrelated_findings=unrelated)
    return issues.result(
        RuleCode.CLEAN_RECORD,
        f"试点对象“{obj.name}”及其所属范围内企业在{zh_date(window_from)}至{zh_date(window_to)}期间未被中央生态环境保护督察"
        "指出突出生态环境问题，也未被省级以上媒体曝光。",
        f"Neither the pilot object {obj.name} nor an enterprise in it was named by the central inspection or "
        f"exposed by provincial-or-higher media between {window_from.isoformat()} and {window_to.isoformat()}.",
        evidence,
    )


# --- TYPE_SCOPE (notice 二) ---------------------------------------------------------------------------------

_KEY = "KEY"
_PARTIAL = "PARTIAL"  # a division/group code some of whose listed classes are key
_NON_KEY = "NON_KEY"


@dataclass(frozen=True)
class _Industry:
    given: str
    code: str
    scope: str
    key_industries: tuple[str, ...]

    def evidence(self) -> dict[str, Any]:
        return {"code": self.given, "normalised": self.code, "scope": self.scope, "key_industries": self.key_industries}

    @property
    def label(self) -> str:
        names = "、".join(KEY_INDUSTRIES[c].name for c in self.key_industries)
        return f"{self.code}（{names}）" if names else self.code


def _classify(
    codes: Iterable[str], coating: bool, overrides: KeyIndustryOverrides | None = None
) -> tuple[list[_Industry], list[str]]:
    """KEY: the code lies wholly in a key industry's GB/T 4754 heading (3130 in 31 钢铁; 13 农副食品加工), or (with
    a coating process) in a coating division; PARTIAL: a division/group with a key heading under it (33 ⊃ 3360);
    NON_KEY: none. Malformed codes are returned separately (never taken for "not key")."""
    classified: list[_Industry] = []
    invalid: list[str] = []
    for given in codes:
        try:
            digits = normalise_gbt4754_code(given)
        except InvalidIndustryCodeError:
            invalid.append(given)
            continue
        containing = key_industries_containing(digits, has_coating_process=coating, overrides=overrides)
        overlapping = key_industries_of(digits, has_coating_process=coating, overrides=overrides)
        if containing:
            scope, found = _KEY, containing
        elif overlapping:
            scope, found = _PARTIAL, overlapping
        else:
            scope, found = _NON_KEY, ()
        classified.append(_Industry(given, digits, scope, tuple(k.code for k in found)))
    return classified, invalid


def _codes(items: Iterable[_Industry]) -> str:
    return "、".join(i.label for i in items)


def _codes_en(items: Iterable[_Industry]) -> str:
    return ", ".join(i.code for i in items)


_AREA_OBJECT_KINDS = (PilotObjectKind.KEY_REGION_PART, PilotObjectKind.BASIN_SECTION, PilotObjectKind.INDUSTRY_IN_AREA)
_PARK_OBJECT_KINDS = (PilotObjectKind.INDUSTRIAL_PARK, PilotObjectKind.INDUSTRIAL_CLUSTER)


def _scope_key_industry(industries: list[_Industry], issues: _Issues, any_given: bool) -> None:
    if not any_given:
        issues.fail(
            "第1类试点须列明目标行业（13个重点行业）。",
            "A type 1 pilot must name its target industries (among the 13 key industries).",
        )
        return
    key = [i for i in industries if i.scope == _KEY]
    partial = [i for i in industries if i.scope == _PARTIAL]
    non_key = [i for i in industries if i.scope == _NON_KEY]
    if industries and not key and not partial:
        issues.fail(
            f"目标行业{_codes(non_key)}{'均' if len(non_key) > 1 else ''}不属于13个重点行业，"
            "不符合第1类（重点行业）试点。",
            f"None of the target industries ({_codes_en(non_key)}) is a key industry; a type 1 pilot targets key "
            "industries.",
        )
        return
    if non_key:
        issues.warn(
            f"目标行业{_codes(non_key)}不属于13个重点行业。",
            f"Target industries {_codes_en(non_key)} are not key industries.",
        )
    if partial:
        issues.warn(
            f"目标行业{_codes(partial)}为行业大类或中类，其中仅部分小类属于重点行业，请列明四位小类代码。",
            f"Target industries {_codes_en(partial)} are divisions/groups only partly in key industries; "
            "name the four-digit classes.",
        )


def _scope_simplified(industries: list[_Industry], issues: _Issues, any_given: bool) -> None:
    if not any_given:
        issues.fail(
            "第3类试点须列明目标行业（非重点行业）。",
            "A type 3 pilot must name its target industries (outside the key industries).",
        )
        return
    key = [i for i in industries if i.scope == _KEY]
    partial = [i for i in industries if i.scope == _PARTIAL]
    if key:
        issues.fail(
            f"目标行业{_codes(key)}属于重点行业，第3类（企业简易审核）试点限于非重点行业领域。",
            f"Target industries {_codes_en(key)} are key industries; a type 3 (simplified) pilot is for "
            "non-key industries only.",
        )
    if partial:
        issues.warn(
            f"目标行业{_codes(partial)}为行业大类或中类，其中部分小类属于重点行业，请列明四位小类代码以确认属于非重点行业。",
            f"Target industries {_codes_en(partial)} are divisions/groups partly in key industries; name the "
            "four-digit classes to show they are non-key.",
        )


def _area_name(code: str) -> str:
    area = KEY_AREAS.get(code)
    return area.name if area else code


def _scope_region_basin(
    s: EligibilitySnapshot, industries: list[_Industry], issues: _Issues, ev: dict[str, Any]
) -> None:
    app, obj = s.application, s.pilot_object
    if obj is None:
        issues.fail(
            f"试点对象{app.pilot_object_id or '（未指定）'}的登记信息未知；第4类试点的试点对象须为重点区域或流域。",
            f"The pilot object {app.pilot_object_id or '(none named)'} is not known; a type 4 pilot's object must "
            "be a key region or basin.",
        )
    elif obj.kind not in _AREA_OBJECT_KINDS:
        issues.fail(
            f"试点对象“{obj.name}”为{_OBJECT_KIND_ZH[obj.kind]}，第4类试点的试点对象须为重点区域或流域（或其中的行业企业）。",
            f"The pilot object {obj.name} is a {obj.kind.value}; a type 4 pilot's object must be a key region, "
            "a basin, or the industry in one.",
        )
    area_code = app.key_area_code or (obj.key_area_code if obj else None)
    ev["key_area_code"] = area_code
    if area_code is None:
        issues.fail("第4类试点须指定重点区域或流域。", "A type 4 pilot must name its key region or basin.")
        return
    if obj is not None and app.key_area_code and obj.key_area_code and app.key_area_code != obj.key_area_code:
        issues.warn(
            f"申报所填区域/流域（{_area_name(app.key_area_code)}）与试点对象登记的（{_area_name(obj.key_area_code)}）不一致。",
            f"The application names area {app.key_area_code} but the pilot object is registered in "
            f"{obj.key_area_code}.",
        )
    area = KEY_AREAS.get(area_code)
    ev["key_area_known"] = area is not None
    if area is None:
        issues.warn(
            f"“{area_code}”不在通知列举的重点区域和流域中（列举以“等”结尾），请评审确认。",
            f"{area_code!r} is not among the key regions and basins the notice lists (the list ends in 等); "
            "for review.",
        )
        focus_industries: tuple[str, ...] = KEY_INDUSTRIES.codes
        focus_pollutants: tuple[str, ...] = POLLUTANTS.codes
        area_zh, area_en = area_code, area_code
    else:
        focus_industries, focus_pollutants = area.focus_industries, area.focus_pollutants
        area_zh, area_en = area.name, area.english_name
        if obj is not None:
            expected_kind = (
                PilotObjectKind.KEY_REGION_PART if area.kind is AreaKind.AIR_REGION else PilotObjectKind.BASIN_SECTION
            )
            if (
                obj.kind in (PilotObjectKind.KEY_REGION_PART, PilotObjectKind.BASIN_SECTION)
                and obj.kind != expected_kind
            ):
                issues.warn(
                    f"试点对象登记为{_OBJECT_KIND_ZH[obj.kind]}，而{area.name}是"
                    f"{'重点区域' if area.kind is AreaKind.AIR_REGION else '重点流域'}。",
                    f"The pilot object is registered as {obj.kind.value} but {area.english_name} is a "
                    f"{area.kind.value}.",
                )
            if not area.touches_province(obj.province):
                issues.warn(
                    f"试点对象所在省份（{_province_name(obj.province)}）不在{area.name}范围内。",
                    f"The pilot object's province ({_province_name_en(obj.province)}) is not in {area.english_name}.",
                )
            else:
                outside = [c for c in obj.division_codes if not area.contains(c)]
                ev["division_codes_outside_area"] = outside
                if outside:
                    issues.warn(
                        f"试点对象的行政区划{'、'.join(outside)}不在{area.name}的界定范围内。",
                        f"Divisions {', '.join(outside)} of the pilot object lie outside {area.english_name}.",
                    )
    ev["focus_industries"] = list(focus_industries)
    ev["focus_pollutants"] = list(focus_pollutants)
    if not industries:
        issues.warn(
            f"未列明目标行业（{area_zh}的重点行业）。",
            f"No target industries are named (the focus industries of {area_en}).",
        )
    else:
        off_focus = [i for i in industries if not set(i.key_industries) & set(focus_industries)]
        if off_focus and area is None:
            issues.warn(
                f"目标行业{_codes(off_focus)}不属于13个重点行业。",
                f"Target industries {_codes_en(off_focus)} are not key industries.",
            )
        elif off_focus:
            names = "、".join(KEY_INDUSTRIES[c].name for c in focus_industries)
            issues.warn(
                f"目标行业{_codes(off_focus)}不在{area_zh}的重点行业（{names}等）之列。",
                f"Target industries {_codes_en(off_focus)} are outside the focus industries of {area_en}.",
            )
    unknown_pollutants = [p for p in app.target_pollutants if p not in POLLUTANTS]
    off_pollutants = [p for p in app.target_pollutants if p in POLLUTANTS and p not in focus_pollutants]
    ev.update(target_pollutants=list(app.target_pollutants), unknown_pollutants=unknown_pollutants)
    if not app.target_pollutants:
        issues.warn(
            "未列明重点污染物"
            + (f"（{area.name}重点推进{'、'.join(POLLUTANTS[p].symbol for p in focus_pollutants)}）" if area else "")
            + "。",
            "No target pollutants are named"
            + (
                f" ({area.english_name} focuses on {', '.join(POLLUTANTS[p].symbol for p in focus_pollutants)})"
                if area
                else ""
            )
            + ".",
        )
    if unknown_pollutants:
        issues.warn(
            f"污染物代码{'、'.join(unknown_pollutants)}不在参考数据中。",
            f"Pollutant codes {', '.join(unknown_pollutants)} are not in the reference data.",
        )
    if off_pollutants:
        issues.warn(
            f"污染物{'、'.join(POLLUTANTS[p].symbol for p in off_pollutants)}不是{area_zh}的重点污染物。",
            f"Pollutants {', '.join(POLLUTANTS[p].symbol for p in off_pollutants)} are not the focus of {area_en}.",
        )


def check_type_scope(s: EligibilitySnapshot) -> RuleResult:
    app, obj = s.application, s.pilot_object
    industries, invalid = _classify(
        app.target_industries, app.has_coating_process, s.programme.rules.key_industry_mapping
    )
    evidence: dict[str, Any] = {
        "pilot_type": app.pilot_type,
        "has_coating_process": app.has_coating_process,
        "industries": [i.evidence() for i in industries],
        "invalid_industry_codes": invalid,
        "pilot_object_kind": obj.kind.value if obj else None,
    }
    issues = _Issues()
    if app.pilot_type not in tuple(PilotTypeCode):
        return _fail(
            RuleCode.TYPE_SCOPE,
            f"试点类型“{app.pilot_type}”不是通知所列的4类试点之一。",
            f"Pilot type {app.pilot_type!r} is not one of the notice's four types.",
            evidence,
        )
    if invalid:
        issues.fail(
            f"以下行业代码不是有效的GB/T 4754-2017代码：{'、'.join(invalid)}。",
            f"These are not valid GB/T 4754-2017 industry codes: {', '.join(invalid)}.",
        )
    pilot_type = PilotTypeCode(app.pilot_type)
    any_given = bool(app.target_industries)
    if pilot_type is PilotTypeCode.KEY_INDUSTRY:
        _scope_key_industry(industries, issues, any_given)
    elif pilot_type is PilotTypeCode.SIMPLIFIED_ENTERPRISE:
        _scope_simplified(industries, issues, any_given)
    elif pilot_type is PilotTypeCode.PARK_CLUSTER:
        if obj is None:
            issues.fail(
                f"试点对象{app.pilot_object_id or '（未指定）'}的登记信息未知；"
                "第2类试点的试点对象须为工业园区或产业集群。",
                f"The pilot object {app.pilot_object_id or '(none named)'} is not known; a type 2 pilot's object "
                "must be an industrial park or cluster.",
            )
        elif obj.kind not in _PARK_OBJECT_KINDS:
            issues.fail(
                f"试点对象“{obj.name}”为{_OBJECT_KIND_ZH[obj.kind]}，第2类试点的试点对象须为工业园区或产业集群。",
                f"The pilot object {obj.name} is a {obj.kind.value}; a type 2 pilot's object must be an "
                "industrial park or cluster.",
            )
    else:
        _scope_region_basin(s, industries, issues, evidence)
    number = _type_number(pilot_type)
    return issues.result(
        RuleCode.TYPE_SCOPE,
        f"试点对象与目标行业符合第{number}类试点的范围。",
        f"The pilot object and target industries fit a type {number} pilot.",
        evidence,
    )


# --- FOUNDATION (notice 四(三)) ------------------------------------------------------------------------------


def _wan_yuan(amount: Decimal) -> str:
    """Money as Chinese readers expect it: 300万元, 12.5万元."""
    wan = (amount / Decimal(10000)).quantize(Decimal("0.01")).normalize()
    return f"{wan:f}万元"


def check_foundation(s: EligibilitySnapshot) -> RuleResult:
    app = s.application
    attachment_ids = {a.id for a in app.attachments}
    sources = [
        {
            "funder": f.funder,
            "amount_cny": str(f.amount_cny),
            "committed": f.committed,
            "evidence_document_id": f.evidence_document_id,
            "qualifies": f.committed and f.amount_cny > 0 and bool(f.funder.strip()),
            "evidence_in_package": f.evidence_document_id in attachment_ids,
        }
        for f in app.funding_sources
    ]
    qualifying = [f for f in app.funding_sources if f.committed and f.amount_cny > 0 and f.funder.strip()]
    committed_total = sum((f.amount_cny for f in qualifying), Decimal(0))
    evidence: dict[str, Any] = {
        "foundation_chars": len(app.foundation.strip()),
        "funding_sources": sources,
        "committed_total_cny": str(committed_total),
    }
    issues = _Issues()
    if not app.foundation.strip():
        issues.fail(
            "未描述清洁生产工作基础（通知四（三）：须具有良好的清洁生产工作基础）。",
            "No cleaner-production work foundation is described (notice 4(3)).",
        )
    if not qualifying:
        issues.fail(
            "资金计划中没有已落实且金额大于0的资金来源（通知四（三）：须有明确的资金支持）。",
            "The funding plan names no committed source with an amount above zero (notice 4(3): clear funding).",
        )
    elif not any(f.evidence_document_id in attachment_ids for f in qualifying):
        issues.warn(
            ("已落实的资金来源均未附证明材料" if len(qualifying) > 1 else "已落实的资金来源未附证明材料")
            + "（或证明材料不在申报材料中）。",
            "No committed funding source has a supporting document in the package.",
        )
    return issues.result(
        RuleCode.FOUNDATION,
        f"已描述清洁生产工作基础，已落实资金{_wan_yuan(committed_total)}（{len(qualifying)}项来源）。",
        f"A work foundation is described and CNY {committed_total} is committed from {len(qualifying)} source(s).",
        evidence,
    )


# --- PLAN (notice 二: 时间为1年; 附件 编制大纲) -----------------------------------------------------------------


def _outline_label(code: str, title: str) -> str:
    """The outline's own numbering: 1 → 一、试点对象基本概况; 1.1 → 一（一）试点对象范围与区位."""
    parts = code.split(".")
    if not all(p.isdigit() and 1 <= int(p) <= len(_CN_NUMERALS) for p in parts) or len(parts) > 2:
        return f"{code} {title}"
    head = _CN_NUMERALS[int(parts[0]) - 1]
    if len(parts) == 1:
        return f"{head}、{title}"
    return f"{head}（{_CN_NUMERALS[int(parts[1]) - 1]}）{title}"


def _missing_sections(section: OutlineSection, has_text: Callable[[str], bool]) -> list[OutlineSection]:
    """A section without subsections needs its own text. A section with subsections is a heading: it is
    present when it or any of its subsections has text, and each subsection needs its own text."""
    if not section.subsections:
        return [] if has_text(section.code) else [section]
    missing_subs = [m for sub in section.subsections for m in _missing_sections(sub, has_text)]

    def subtree_empty(sec: OutlineSection) -> bool:
        return not has_text(sec.code) and all(subtree_empty(sub) for sub in sec.subsections)

    return ([section] if subtree_empty(section) else []) + missing_subs


def check_plan(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    app = s.application
    sections = {code.strip(): text for code, text in app.plan_sections.items()}

    def has_text(code: str) -> bool:
        return bool(sections.get(code, "").strip())

    missing = [m for sec in rules.plan_outline for m in _missing_sections(sec, has_text)]
    months = rules.implementation_months
    evidence: dict[str, Any] = {
        "missing_sections": [{"code": m.code, "title": m.title} for m in missing],
        "implementation_months": months,
        "milestones": len(app.milestones),
    }
    issues = _Issues()
    if missing:
        issues.fail(
            "实施方案缺少编制大纲要求的章节：" + "、".join(_outline_label(m.code, m.title) for m in missing) + "。",
            "The implementation plan lacks outline sections: "
            + ", ".join(f"{m.code} {m.title}" for m in missing)
            + ".",
        )
    if not app.milestones:
        issues.fail("实施方案未给出进度安排（进度节点）。", "The implementation plan has no schedule (milestones).")
    else:
        backwards = [m for m in app.milestones if m.due < m.start]
        for m in backwards:
            issues.fail(
                f"进度节点“{m.title}”的完成日期{zh_date(m.due)}早于开始日期{zh_date(m.start)}。",
                f"Milestone {m.title!r} is due ({m.due.isoformat()}) before it starts ({m.start.isoformat()}).",
            )
        start = min(m.start for m in app.milestones)
        end = max(m.due for m in app.milestones)
        latest = add_months(start, months) - timedelta(days=1)
        evidence.update(
            schedule_start=start.isoformat(),
            schedule_end=end.isoformat(),
            latest_allowed_due=latest.isoformat(),
            span_days=(end - start).days + 1,
        )
        if end > latest:
            issues.fail(
                f"进度安排自{zh_date(start)}至{zh_date(end)}，超过{months}个月的试点期限"
                f"（自{zh_date(start)}起最迟应于{zh_date(latest)}完成）。",
                f"The schedule runs from {start.isoformat()} to {end.isoformat()}, longer than {months} months "
                f"(starting {start.isoformat()} it must end by {latest.isoformat()}).",
            )
    span_zh = (
        f"（{zh_date(min(m.start for m in app.milestones))}至{zh_date(max(m.due for m in app.milestones))}）"
        if app.milestones
        else ""
    )
    return issues.result(
        RuleCode.PLAN,
        f"实施方案涵盖编制大纲全部章节，进度安排不超过{months}个月{span_zh}。",
        f"The plan covers every outline section and its schedule fits in {months} months "
        f"({evidence.get('schedule_start')} to {evidence.get('schedule_end')}).",
        evidence,
    )


# --- PACKAGE (notice 六) -------------------------------------------------------------------------------------


def subject_line(s: EligibilitySnapshot) -> str | None:
    """邮件题目 "2023+项目名称+申报单位名称"; None while the applicant's name is unknown."""
    if s.applicant is None:
        return None
    return s.programme.rules.subject_for(s.application.project_name, s.applicant.name)


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def size_zh(size: int) -> str:
    """The notice's unit: "不超过50M" (M = 1024 × 1024 bytes, see docs/decisions.md)."""
    mega = size / (1024 * 1024)
    return f"{mega:.0f}M" if mega == int(mega) else f"{mega:.1f}M" if mega >= 0.1 else "不足0.1M"


def _excess_zh(size: int) -> str:
    if size < 1024:
        return f"{size}字节"
    return f"{size / 1024:.0f}K" if size < 1024 * 1024 else size_zh(size)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MiB"


_FORMAT_NAMES = {
    "application/pdf": "PDF",
    "application/ofd": "OFD",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word（.docx）",
}


def format_names(media_types: Iterable[str]) -> str:
    """Accepted formats as users know them: PDF、OFD、Word（.docx）."""
    return "、".join(_FORMAT_NAMES.get(_media_type(m), _media_type(m)) for m in media_types)


def check_package(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    attachments = s.application.attachments
    kinds = {a.kind.value for a in attachments}
    total = sum(a.size_bytes for a in attachments)
    accepted = {_media_type(m) for m in rules.accepted_media_types}
    rejected = [a for a in attachments if _media_type(a.media_type) not in accepted]
    missing_letters = [code for code in rules.required_letters if code not in kinds]
    subject = subject_line(s)
    evidence: dict[str, Any] = {
        "total_bytes": total,
        "max_package_bytes": rules.max_package_bytes,
        "attachments": [
            {
                "id": a.id,
                "kind": a.kind.value,
                "file_name": a.file_name,
                "media_type": a.media_type,
                "size_bytes": a.size_bytes,
            }
            for a in attachments
        ],
        "missing": (
            [] if AttachmentKind.IMPLEMENTATION_PLAN.value in kinds else [AttachmentKind.IMPLEMENTATION_PLAN.value]
        )
        + missing_letters,
        "rejected_media_types": [{"id": a.id, "file_name": a.file_name, "media_type": a.media_type} for a in rejected],
        "subject_line": subject,
    }
    issues = _Issues()
    if AttachmentKind.IMPLEMENTATION_PLAN.value not in kinds:
        issues.fail("申报材料缺少试点实施方案。", "The package has no implementation plan.")
    for code in missing_letters:
        zh, en = _LETTER_NAMES.get(code, (code, code))
        issues.fail(f"申报材料缺少{zh}。", f"The package lacks the {en}.")
    if total > rules.max_package_bytes:
        issues.fail(
            f"材料电子件总大小{size_zh(total)}，超过{size_zh(rules.max_package_bytes)}的上限"
            f"（超出{_excess_zh(total - rules.max_package_bytes)}）。",
            f"The package totals {total} bytes ({_mib(total)}), over the {rules.max_package_bytes}-byte "
            f"({_mib(rules.max_package_bytes)}) limit.",
        )
    for a in rejected:
        issues.fail(
            f"文件“{a.file_name}”的格式不在可接受的格式之列（{format_names(rules.accepted_media_types)}）。",
            f"File {a.file_name!r} has media type {a.media_type}, which is not accepted "
            f"({', '.join(rules.accepted_media_types)}).",
        )
    empty = [a for a in attachments if a.size_bytes == 0]
    evidence["empty_files"] = [a.id for a in empty]
    for a in empty:
        issues.warn(f"文件“{a.file_name}”为空文件（0字节）。", f"File {a.file_name!r} is empty (0 bytes).")
    seen: dict[str, str] = {}
    duplicates: list[list[str]] = []
    for a in attachments:
        digest = a.sha256.strip().lower()
        if digest in seen:
            duplicates.append([seen[digest], a.id])
            issues.warn(
                f"文件“{a.file_name}”与附件{seen[digest]}内容相同（重复上传）。",
                f"File {a.file_name!r} has the same content as attachment {seen[digest]} (uploaded twice).",
            )
        else:
            seen[digest] = a.id
    evidence["duplicate_attachments"] = duplicates
    return issues.result(
        RuleCode.PACKAGE,
        f"材料齐全（实施方案及{'、'.join(_LETTER_NAMES.get(c, (c, c))[0] for c in rules.required_letters)}），"
        f"总大小{size_zh(total)}，未超过{size_zh(rules.max_package_bytes)}；"
        f"邮件题目：{subject or '（申报单位未知）'}。",
        f"The package is complete (implementation plan and both recommendation letters), {total} bytes of at most "
        f"{rules.max_package_bytes}; e-mail subject: {subject or '(applicant unknown)'}.",
        evidence,
    )


# --- PRIORITY (notice 四(一), not a gate) ------------------------------------------------------------------


def check_priority(s: EligibilitySnapshot) -> PriorityResult:
    """Priority iff a target key industry, or the object's park type, was not covered by earlier batches.

    Only industries the application definitely targets count: four-digit classes (or, with a coating process,
    codes in divisions 33–43); a division or group only partly in a key industry does not claim it. The park
    type OTHER claims nothing (it names no type).
    """
    rules = s.programme.rules
    app, obj = s.application, s.pilot_object
    industries, _ = _classify(app.target_industries, app.has_coating_process, rules.key_industry_mapping)
    targeted = [c for c in KEY_INDUSTRIES.codes if any(c in i.key_industries for i in industries if i.scope == _KEY)]
    covered = set(rules.covered_industries)
    uncovered = tuple(c for c in targeted if c not in covered)
    park_type = obj.park_type if obj is not None else None
    uncovered_park = (
        park_type if park_type and park_type != "OTHER" and park_type not in set(rules.covered_park_types) else None
    )
    assumed = {*rules.assumed_covered_industries, *rules.assumed_covered_park_types}
    # "Not covered" rests on the coverage list being complete; "covered" on each item being confirmed.
    relied_on = [c for c in targeted if c in covered and c in assumed]
    if park_type and park_type in set(rules.covered_park_types) and park_type in assumed:
        relied_on.append(park_type)
    rests_on_assumption = rules.coverage_provisional and bool(targeted or park_type)
    evidence: dict[str, Any] = {
        "target_key_industries": targeted,
        "covered_industries": list(rules.covered_industries),
        "park_type": park_type,
        "covered_park_types": list(rules.covered_park_types),
        "coverage_provisional": rules.coverage_provisional,
        "assumed_coverage_relied_on": relied_on,
    }
    note_zh = note_en = ""
    if rests_on_assumption:
        assumed_names = "、".join(_coverage_name(c) for c in relied_on)
        note_zh = "（此前批次覆盖范围部分为推定，尚未按第一批名单核实" + (
            f"；其中{assumed_names}的覆盖为推定）" if assumed_names else "）"
        )
        note_en = " (earlier batches' coverage is partly assumed, not yet checked against batch 1's list" + (
            f"; the coverage of {', '.join(relied_on)} is assumed)" if relied_on else ")"
        )
    zh: list[str] = []
    en: list[str] = []
    if uncovered:
        zh.append("目标重点行业" + "、".join(KEY_INDUSTRIES[c].name for c in uncovered) + "未被此前批次覆盖")
        en.append("target key industries " + ", ".join(KEY_INDUSTRIES[c].english_name for c in uncovered))
    if uncovered_park:
        entry = PARK_TYPES.get(uncovered_park)
        zh.append(f"园区类型{entry.name if entry else uncovered_park}未被此前批次覆盖")
        en.append(f"park type {entry.english_name if entry else uncovered_park}")
    if zh:
        return PriorityResult(
            priority=True,
            reason_zh="优先支持：" + "；".join(zh) + note_zh + "。",
            reason_en="Priority: not covered by earlier batches — " + "; ".join(en) + note_en + ".",
            uncovered_industries=uncovered,
            uncovered_park_type=uncovered_park,
            rests_on_assumption=rests_on_assumption,
            evidence=evidence,
        )
    return PriorityResult(
        priority=False,
        reason_zh="目标重点行业和园区类型已被此前批次覆盖（或未涉及），不属于优先支持" + note_zh + "。",
        reason_en="Every targeted key industry and park type was covered by earlier batches (or none is targeted); "
        "no priority" + note_en + ".",
        rests_on_assumption=rests_on_assumption,
        evidence=evidence,
    )


def _coverage_name(code: str) -> str:
    industry = KEY_INDUSTRIES.get(code)
    if industry is not None:
        return industry.name
    park = PARK_TYPES.get(code)
    return park.name if park else code


# --- the table ------------------------------------------------------------------------------------------------

RULES: Mapping[RuleCode, RuleFunction] = MappingProxyType(
    {
        RuleCode.WINDOW: check_window,
        RuleCode.QUOTA: check_quota,
        RuleCode.APPLICANT_LEVEL: check_applicant_level,
        RuleCode.SAME_ENTITY: check_same_entity,
        RuleCode.PROVINCE_MATCH: check_province_match,
        RuleCode.CLEAN_RECORD: check_clean_record,
        RuleCode.TYPE_SCOPE: check_type_scope,
        RuleCode.FOUNDATION: check_foundation,
        RuleCode.PLAN: check_plan,
        RuleCode.PACKAGE: check_package,
    }
)


def _check_table(table: Mapping[RuleCode, RuleFunction]) -> None:
    missing = [c for c in RULE_ORDER if c not in table]
    extra = [c for c in table if c not in RULE_ORDER]
    if missing or extra:
        raise RuntimeError(f"eligibility rule table out of step: missing {missing}, unexpected {extra}")


_check_table(RULES)

__all__ = [
    "RULES",
    "RuleFunction",
    "check_applicant_level",
    "check_clean_record",
    "check_foundation",
    "check_package",
    "check_plan",
    "check_priority",
    "check_province_match",
    "check_quota",
    "check_same_entity",
    "check_type_scope",
    "check_window",
    "format_names",
    "size_zh",
    "subject_line",
]
