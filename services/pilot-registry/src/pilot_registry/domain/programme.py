"""A programme batch (试点批次) and its rules.

Lifecycle: ``DRAFT → OPEN → CLOSED → UNDER_EVALUATION → RESULTS_PUBLISHED → CONCLUDED``, one step at a time.

What may change when (every change once the programme is open needs a reason, recorded in the event):

* **DRAFT** — anything; the rules may be incomplete; a reason is optional.
* **OPEN** (opening needs complete rules, see :func:`incomplete_rules`) — rules may be revised but must stay
  complete; the submission window (``year``, ``batch``, ``opens_at``, ``timezone``, ``deadline``) is locked
  and the deadline moves only by :meth:`Programme.extend_deadline` (later, never earlier); quota exceptions
  may be granted or revoked.
* **CLOSED** — as OPEN, but the quota (``quota_per_province`` and every exception) is locked
  (``QUOTA_LOCKED_AFTER_CLOSING``) and the deadline can no longer be extended.
* **UNDER_EVALUATION** — as CLOSED, and the scoring rules (``scoring``) are locked too: reviewers score
  against them.
* **RESULTS_PUBLISHED**, **CONCLUDED** — the rules are frozen (``RULES_FROZEN``).

Every state of the programme is one version of the aggregate (:attr:`Programme.version`); an eligibility
verdict or a ranking cites the version of the rules it applied.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.contracts.programme import ProgrammeRules
from pilot_common.reference import KEY_INDUSTRIES, PARK_TYPES, PILOT_TYPES, is_valid_gbt4754_code
from pilot_common.rules import ViolationKind
from pilot_common.wording import zh_date
from pilot_registry.domain._checks import (
    check_date,
    check_province,
    from_iso,
    iso,
    optional_reason,
    require_reason,
    require_text,
)
from pilot_registry.domain.errors import RegistryRuleViolation


class ProgrammeStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    OPEN = "OPEN"  # 申报受理中
    CLOSED = "CLOSED"  # 申报已截止
    UNDER_EVALUATION = "UNDER_EVALUATION"  # 评审中
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"  # 已公布名单
    CONCLUDED = "CONCLUDED"  # 已结束


_STATUS_ZH = {
    ProgrammeStatus.DRAFT: "草稿",
    ProgrammeStatus.OPEN: "申报受理中",
    ProgrammeStatus.CLOSED: "申报已截止",
    ProgrammeStatus.UNDER_EVALUATION: "评审中",
    ProgrammeStatus.RESULTS_PUBLISHED: "已公布名单",
    ProgrammeStatus.CONCLUDED: "已结束",
}

_PREVIOUS: dict[ProgrammeStatus, ProgrammeStatus] = {
    ProgrammeStatus.OPEN: ProgrammeStatus.DRAFT,
    ProgrammeStatus.CLOSED: ProgrammeStatus.OPEN,
    ProgrammeStatus.UNDER_EVALUATION: ProgrammeStatus.CLOSED,
    ProgrammeStatus.RESULTS_PUBLISHED: ProgrammeStatus.UNDER_EVALUATION,
    ProgrammeStatus.CONCLUDED: ProgrammeStatus.RESULTS_PUBLISHED,
}

_QUOTA_OPEN = frozenset({ProgrammeStatus.DRAFT, ProgrammeStatus.OPEN})
_RULES_FROZEN = frozenset({ProgrammeStatus.RESULTS_PUBLISHED, ProgrammeStatus.CONCLUDED})

#: Rule fields locked once the programme is open (the deadline moves only by extend_deadline).
WINDOW_FIELDS = ("year", "batch", "opens_at", "timezone", "deadline")
#: The number of top-level sections of the implementation-plan outline (附件 编制大纲: 一 … 七).
OUTLINE_SECTIONS = 7


# --- completeness of the rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleGap:
    """One thing the rules lack before the programme may open; ``path`` names the rule field."""

    path: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message_en}"


def _pilot_type_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    gaps: list[RuleGap] = []
    if not rules.pilot_types:
        gaps.append(RuleGap("pilot_types", "未启用任何试点类型", "no pilot type is enabled"))
    seen: set[str] = set()
    for index, rule in enumerate(rules.pilot_types):
        path = f"pilot_types[{index}]"
        if rule.pilot_type not in PILOT_TYPES:
            gaps.append(
                RuleGap(f"{path}.pilot_type", f"未知试点类型“{rule.pilot_type}”", f"unknown type {rule.pilot_type!r}")
            )
        if rule.pilot_type in seen:
            gaps.append(
                RuleGap(f"{path}.pilot_type", f"试点类型“{rule.pilot_type}”重复", f"{rule.pilot_type!r} given twice")
            )
        seen.add(rule.pilot_type)
        if not rule.applicants:
            gaps.append(
                RuleGap(
                    f"{path}.applicants",
                    f"试点类型“{rule.pilot_type}”未规定申报主体",
                    f"pilot type {rule.pilot_type!r} names no applicant",
                )
            )
    return gaps


def _outline_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    gaps: list[RuleGap] = []
    expected = [str(n) for n in range(1, OUTLINE_SECTIONS + 1)]
    codes = [section.code for section in rules.plan_outline]
    for code in expected:
        if code not in codes:
            gaps.append(
                RuleGap("plan_outline", f"编制大纲缺少第{code}部分", f"the outline lacks top-level section {code}")
            )
    for index, section in enumerate(rules.plan_outline):
        path = f"plan_outline[{index}]"
        if section.code not in expected or codes.count(section.code) > 1:
            gaps.append(
                RuleGap(
                    f"{path}.code",
                    f"编制大纲第一级应为1–{OUTLINE_SECTIONS}部分各一次，出现“{section.code}”",
                    f"top-level sections are 1–{OUTLINE_SECTIONS}, each once; got {section.code!r}",
                )
            )
        if not section.title.strip():
            gaps.append(RuleGap(f"{path}.title", f"第{section.code}部分无标题", f"section {section.code} has no title"))
        for sub_index, sub in enumerate(section.subsections):
            sub_path = f"{path}.subsections[{sub_index}]"
            if not sub.code.startswith(f"{section.code}."):
                gaps.append(
                    RuleGap(
                        f"{sub_path}.code",
                        f"第{section.code}部分的子项编号应以“{section.code}.”开头，实际为“{sub.code}”",
                        f"subsections of {section.code} are numbered {section.code}.n; got {sub.code!r}",
                    )
                )
            if not sub.title.strip():
                gaps.append(
                    RuleGap(f"{sub_path}.title", f"子项{sub.code}无标题", f"subsection {sub.code} has no title")
                )
    return gaps


def _scoring_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    gaps: list[RuleGap] = []
    codes = [criterion.code for criterion in rules.scoring.criteria]
    if not codes:
        gaps.append(RuleGap("scoring.criteria", "未设评分项", "no scoring criterion"))
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        gaps.append(RuleGap("scoring.criteria", f"评分项“{code}”重复", f"scoring criterion {code!r} given twice"))
    if rules.scoring.innovation_criterion not in codes:
        gaps.append(
            RuleGap(
                "scoring.innovation_criterion",
                f"创新评分项“{rules.scoring.innovation_criterion}”不在评分项中",
                f"innovation criterion {rules.scoring.innovation_criterion!r} is not among the scoring criteria",
            )
        )
    return gaps


def opens_on(rules: ProgrammeRules) -> date:
    """The calendar day the programme opens, in its own time zone."""
    at: datetime = rules.opens_at
    if at.tzinfo is None:
        return at.date()
    try:
        return at.astimezone(ZoneInfo(rules.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return at.date()


def _window_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    gaps: list[RuleGap] = []
    try:
        ZoneInfo(rules.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        gaps.append(RuleGap("timezone", f"未知时区“{rules.timezone}”", f"unknown time zone {rules.timezone!r}"))
    first_day = opens_on(rules)
    if rules.deadline < first_day:
        gaps.append(
            RuleGap(
                "deadline",
                f"截止日期{zh_date(rules.deadline)}早于开始受理日期{zh_date(first_day)}",
                f"deadline {rules.deadline.isoformat()} is before the opening date {first_day.isoformat()}",
            )
        )
    return gaps


def _subject_template_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(rules.subject_template) if name is not None}
        rules.subject_for("项目", "单位")
    except (ValueError, KeyError, IndexError):
        return [RuleGap("subject_template", "邮件题目模板无法使用", "the subject template cannot be filled in")]
    missing = sorted({"project_name", "applicant_name"} - names)
    if missing:
        return [
            RuleGap(
                "subject_template",
                f"邮件题目模板缺少{'、'.join(missing)}",
                f"the subject template lacks {', '.join(missing)}",
            )
        ]
    return []


def _other_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    gaps: list[RuleGap] = []
    if rules.quota_per_province < 1:
        gaps.append(RuleGap("quota_per_province", "每省推荐名额至少为1", "the quota per province must be at least 1"))
    if rules.findings_lookback_years < 1:
        gaps.append(
            RuleGap("findings_lookback_years", "督察与曝光回溯年限至少为1年", "the findings look-back must be ≥ 1 year")
        )
    if not rules.required_letters:
        gaps.append(RuleGap("required_letters", "未规定须附的推荐函", "no recommendation letter is required"))
    if not rules.accepted_media_types:
        gaps.append(RuleGap("accepted_media_types", "未规定可接受的文件格式", "no accepted file type"))
    gaps.extend(
        RuleGap("covered_industries", f"未知重点行业“{code}”", f"unknown key industry {code!r}")
        for code in rules.covered_industries
        if code not in KEY_INDUSTRIES
    )
    for code, headings in rules.key_industry_mapping.items():
        if code not in KEY_INDUSTRIES:
            gaps.append(RuleGap("key_industry_mapping", f"未知重点行业“{code}”", f"unknown key industry {code!r}"))
        bad = [h for h in headings if not is_valid_gbt4754_code(h)]
        if bad or not headings:
            gaps.append(
                RuleGap(
                    "key_industry_mapping",
                    f"重点行业“{code}”的国民经济行业代码无效：{'、'.join(bad) or '（空）'}",
                    f"key industry {code!r} has invalid GB/T 4754 codes: {', '.join(bad) or '(none)'}",
                )
            )
    gaps.extend(
        RuleGap("covered_park_types", f"未知园区类型“{code}”", f"unknown park type {code!r}")
        for code in rules.covered_park_types
        if code not in PARK_TYPES
    )
    return gaps


def rule_gaps(rules: ProgrammeRules) -> list[RuleGap]:
    """Everything the rules lack before a programme may open (empty when complete)."""
    return [
        *_pilot_type_gaps(rules),
        *_outline_gaps(rules),
        *_scoring_gaps(rules),
        *_window_gaps(rules),
        *_subject_template_gaps(rules),
        *_other_gaps(rules),
    ]


def incomplete_rules(rules: ProgrammeRules) -> list[str]:
    """What the rules lack before a programme may open, one ``"<field>: <what>"`` line each; empty when complete.

    Checked: at least one pilot type, each known, once, naming at least one applicant kind; the plan outline
    has top-level sections 1–7, each once and titled, with subsections numbered under their section; scoring
    criteria non-empty, unique, and the innovation criterion among them; a known time zone and a deadline on
    or after the opening date; a subject template with ``{project_name}`` and ``{applicant_name}``; a quota
    and a findings look-back of at least 1; at least one required letter and accepted file type; known codes
    in the earlier batches' coverage.
    """
    return [str(gap) for gap in rule_gaps(rules)]


def _incomplete_violation(gaps: list[RuleGap], kind: ViolationKind) -> RegistryRuleViolation:
    return RegistryRuleViolation(
        "PROGRAMME_RULES_INCOMPLETE",
        "批次规则不完整：" + "；".join(f"{gap.path}：{gap.message_zh}" for gap in gaps) + "。",
        "The programme's rules are incomplete: " + "; ".join(str(gap) for gap in gaps) + ".",
        field="rules",
        kind=kind,
        details={"gaps": [str(gap) for gap in gaps]},
    )


# --- the aggregate -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaException:
    """Extra recommendation slots the ministry granted one province, with its reason."""

    province_code: str
    extra_slots: int
    reason: str


class Programme(AuditedAggregate):
    """One batch of the pilot programme (e.g. ``2023-B2`` 第二批清洁生产审核创新试点) and its rules.

    Create with :meth:`draft`; the constructor only applies the ``Drafted`` event.
    """

    @staticmethod
    def create_id(code: str) -> UUID:
        """One programme per code: a second draft with the same code cannot be stored."""
        return uuid5(NAMESPACE_URL, f"/programmes/{code}")

    @event("Drafted")
    def __init__(self, code: str, name: str, rules: dict[str, Any]) -> None:
        self._code = code
        self._name = name
        self._rules: dict[str, Any] = dict(rules)
        self._status = ProgrammeStatus.DRAFT.value
        self._quota_exceptions: dict[str, dict[str, Any]] = {}
        self._results_document_number: str | None = None

    @classmethod
    def draft(cls, code: str, name: str, rules: ProgrammeRules) -> Programme:
        """A new programme in DRAFT. The rules may still be incomplete."""
        checked_code = require_text(code, "code", "批次代码", "The programme code")
        if not all(char.isascii() and (char.isalnum() or char in "-_.") for char in checked_code):
            raise RegistryRuleViolation(
                "INVALID_PROGRAMME_CODE",
                f"批次代码只用字母、数字和“-_.”，如2023-B2；实际为“{code}”。",
                f"A programme code uses letters, digits and -_. only, e.g. 2023-B2; got {code!r}.",
                field="code",
            )
        checked_name = require_text(name, "name", "批次名称", "The programme name")
        return cls(code=checked_code, name=checked_name, rules=rules.model_dump(mode="json"))

    # --- reading -----------------------------------------------------------------------------------------

    @property
    def code(self) -> str:
        return self._code

    @property
    def name(self) -> str:
        return self._name

    @property
    def status(self) -> ProgrammeStatus:
        return ProgrammeStatus(self._status)

    @property
    def rules(self) -> ProgrammeRules:
        return ProgrammeRules.model_validate(self._rules)

    @property
    def rules_data(self) -> dict[str, Any]:
        """The rules as stored (JSON-friendly), a copy."""
        return dict(self._rules)

    @property
    def deadline(self) -> date:
        return from_iso(str(self._rules["deadline"]))

    @property
    def quota_exceptions(self) -> dict[str, QuotaException]:
        return {
            province: QuotaException(province, int(data["extra_slots"]), str(data["reason"]))
            for province, data in self._quota_exceptions.items()
        }

    def quota_for(self, province_code: str) -> int:
        """Recommendations a province may submit: the base quota plus any ministry-granted exception."""
        province = check_province(province_code)
        extra = self._quota_exceptions.get(province, {}).get("extra_slots", 0)
        return int(self._rules["quota_per_province"]) + int(extra)

    @property
    def results_document_number(self) -> str | None:
        return self._results_document_number

    @property
    def accepts_submissions(self) -> bool:
        """Whether the programme is open (the deadline itself is checked by application intake)."""
        return self.status is ProgrammeStatus.OPEN

    # --- rules, quota and deadline -----------------------------------------------------------------------

    def revise_rules(self, rules: ProgrammeRules, reason: str | None = None) -> None:
        """Replace the rules (see the module docstring for what each status allows)."""
        status = self.status
        if status in _RULES_FROZEN:
            raise RegistryRuleViolation(
                "RULES_FROZEN",
                f"批次处于“{_STATUS_ZH[status]}”状态，规则不能再修改。",
                f"The programme is {status.value}; its rules can no longer change.",
                field="rules",
            )
        checked_reason = (
            optional_reason(reason)
            if status is ProgrammeStatus.DRAFT
            else require_reason(reason, "批次开始受理后修改规则", "Revising the rules after opening")
        )
        new = rules.model_dump(mode="json")
        changed = [key for key in new if new[key] != self._rules.get(key)]
        if not changed:
            raise RegistryRuleViolation("NO_CHANGE", "规则没有变化。", "The rules are unchanged.", field="rules")
        if status is not ProgrammeStatus.DRAFT:
            self._check_locks(status, changed)
            gaps = rule_gaps(rules)
            if gaps:
                raise _incomplete_violation(gaps, kind=ViolationKind.INVALID)
        self._rules_revised(rules=new, changed=changed, reason=checked_reason)

    def _check_locks(self, status: ProgrammeStatus, changed: list[str]) -> None:
        if "quota_per_province" in changed and status not in _QUOTA_OPEN:
            raise _quota_locked(status, "rules.quota_per_province")
        window = [key for key in WINDOW_FIELDS if key in changed]
        if window:
            raise RegistryRuleViolation(
                "RULE_LOCKED",
                f"批次开始受理后不能修改{'、'.join(window)}（截止日期只能通过延期推后）。",
                f"Once the programme is open {', '.join(window)} cannot change "
                "(the deadline moves only by extending it).",
                field=f"rules.{window[0]}",
            )
        if "scoring" in changed and status is ProgrammeStatus.UNDER_EVALUATION:
            raise RegistryRuleViolation(
                "RULE_LOCKED",
                "评审开始后不能修改评分规则。",
                "The scoring rules cannot change once the evaluation has started.",
                field="rules.scoring",
            )

    @event("RulesRevised")
    def _rules_revised(self, rules: dict[str, Any], changed: list[str], reason: str | None) -> None:
        self._rules = dict(rules)

    def grant_quota_exception(self, province_code: str, extra_slots: int, reason: str) -> None:
        """Grant (or re-set) a province extra slots above the base quota. Not after closing."""
        self._check_quota_open()
        province = check_province(province_code)
        if isinstance(extra_slots, bool) or not isinstance(extra_slots, int) or extra_slots < 1:
            raise RegistryRuleViolation(
                "INVALID_QUOTA_EXCEPTION",
                "额外名额应为正整数。",
                f"Extra slots must be a whole number of at least 1; got {extra_slots!r}.",
                field="extra_slots",
            )
        checked_reason = require_reason(reason, "准予增加推荐名额", "Granting a quota exception")
        current = self._quota_exceptions.get(province)
        if current is not None and current["extra_slots"] == extra_slots:
            raise RegistryRuleViolation(
                "NO_CHANGE",
                f"该省已有{extra_slots}个额外名额。",
                f"The province already has {extra_slots} extra slots.",
                field="extra_slots",
            )
        self._quota_exception_granted(province_code=province, extra_slots=extra_slots, reason=checked_reason)

    @event("QuotaExceptionGranted")
    def _quota_exception_granted(self, province_code: str, extra_slots: int, reason: str) -> None:
        self._quota_exceptions = {
            **self._quota_exceptions,
            province_code: {"extra_slots": extra_slots, "reason": reason},
        }

    def revoke_quota_exception(self, province_code: str, reason: str) -> None:
        """Withdraw a province's exception. Not after closing."""
        self._check_quota_open()
        province = check_province(province_code)
        if province not in self._quota_exceptions:
            raise RegistryRuleViolation(
                "NO_QUOTA_EXCEPTION",
                "该省没有额外推荐名额可撤销。",
                "The province has no quota exception to revoke.",
                field="province_code",
            )
        checked_reason = require_reason(reason, "撤销额外推荐名额", "Revoking a quota exception")
        self._quota_exception_revoked(province_code=province, reason=checked_reason)

    @event("QuotaExceptionRevoked")
    def _quota_exception_revoked(self, province_code: str, reason: str) -> None:
        self._quota_exceptions = {k: v for k, v in self._quota_exceptions.items() if k != province_code}

    def _check_quota_open(self) -> None:
        if self.status not in _QUOTA_OPEN:
            raise _quota_locked(self.status, "province_code")

    def extend_deadline(self, new_deadline: date, reason: str) -> None:
        """Move the deadline later while the programme is open."""
        if self.status is not ProgrammeStatus.OPEN:
            raise _not_in_status(self.status, "延长截止日期", "The deadline can be extended only while open")
        checked = check_date(new_deadline, "new_deadline")
        previous = self.deadline
        if checked <= previous:
            raise RegistryRuleViolation(
                "DEADLINE_NOT_LATER",
                f"新的截止日期应晚于{zh_date(previous)}。",
                f"The new deadline must be after {previous.isoformat()}.",
                field="new_deadline",
            )
        checked_reason = require_reason(reason, "延长截止日期", "Extending the deadline")
        self._deadline_extended(previous_deadline=iso(previous), new_deadline=iso(checked), reason=checked_reason)

    @event("DeadlineExtended")
    def _deadline_extended(self, previous_deadline: str, new_deadline: str, reason: str) -> None:
        self._rules = {**self._rules, "deadline": new_deadline}

    # --- lifecycle ---------------------------------------------------------------------------------------

    def _check_transition(self, target: ProgrammeStatus) -> None:
        if self.status is not _PREVIOUS[target]:
            raise RegistryRuleViolation(
                "INVALID_TRANSITION",
                f"批次不能从“{_STATUS_ZH[self.status]}”转为“{_STATUS_ZH[target]}”。",
                f"A programme cannot go from {self.status.value} to {target.value}.",
                field="status",
            )

    def open(self, reason: str | None = None) -> None:
        """DRAFT → OPEN; the rules must be complete."""
        self._check_transition(ProgrammeStatus.OPEN)
        gaps = rule_gaps(self.rules)
        if gaps:
            raise _incomplete_violation(gaps, kind=ViolationKind.CONFLICT)
        self._opened(reason=optional_reason(reason))

    @event("Opened")
    def _opened(self, reason: str | None) -> None:
        self._status = ProgrammeStatus.OPEN.value

    def close(self, reason: str | None, now: datetime, early: bool = False) -> None:
        """OPEN → CLOSED (no more submissions; the quota is locked from now on).

        ``now`` is business time. After the deadline's end (in the programme's time zone) the reason may be left
        out; before it the ministry must say so (``early``) and give its reason, both recorded in the event."""
        self._check_transition(ProgrammeStatus.CLOSED)
        closes_at = self.rules.closes_at()
        before_deadline = now < closes_at
        if before_deadline and not early:
            raise RegistryRuleViolation(
                "DEADLINE_NOT_PASSED",
                f"申报截止日期{zh_date(self.deadline)}尚未过去；提前截止须注明提前（early）并说明理由。",
                f"The deadline {self.deadline.isoformat()} has not passed; closing early needs early=true "
                "and a reason.",
                field="early",
                kind=ViolationKind.CONFLICT,
                details={"deadline": self.deadline.isoformat(), "closes_at": closes_at.isoformat()},
            )
        if before_deadline:
            checked_reason = require_reason(reason, "提前截止申报", "Closing before the deadline")
        else:
            checked_reason = optional_reason(reason) or "申报截止"
        self._closed(reason=checked_reason, before_deadline=before_deadline, closed_at=now.isoformat())

    @event("Closed")
    def _closed(self, reason: str, before_deadline: bool = False, closed_at: str | None = None) -> None:
        self._status = ProgrammeStatus.CLOSED.value

    def start_evaluation(self) -> None:
        """CLOSED → UNDER_EVALUATION."""
        self._check_transition(ProgrammeStatus.UNDER_EVALUATION)
        self._evaluation_started()

    @event("EvaluationStarted")
    def _evaluation_started(self) -> None:
        self._status = ProgrammeStatus.UNDER_EVALUATION.value

    def publish_results(self, document_number: str) -> None:
        """UNDER_EVALUATION → RESULTS_PUBLISHED, citing the approval notice (e.g. 环办科财函〔2023〕261号)."""
        self._check_transition(ProgrammeStatus.RESULTS_PUBLISHED)
        number = require_text(document_number, "document_number", "公布名单的文号", "The document number")
        self._results_published(document_number=number)

    @event("ResultsPublished")
    def _results_published(self, document_number: str) -> None:
        self._status = ProgrammeStatus.RESULTS_PUBLISHED.value
        self._results_document_number = document_number

    def conclude(self, reason: str | None = None) -> None:
        """RESULTS_PUBLISHED → CONCLUDED; the other services close out what is still open, citing the reason."""
        self._check_transition(ProgrammeStatus.CONCLUDED)
        self._concluded(reason=optional_reason(reason))

    @event("Concluded")
    def _concluded(self, reason: str | None = None) -> None:
        self._status = ProgrammeStatus.CONCLUDED.value


def _quota_locked(status: ProgrammeStatus, field: str) -> RegistryRuleViolation:
    return RegistryRuleViolation(
        "QUOTA_LOCKED_AFTER_CLOSING",
        f"批次处于“{_STATUS_ZH[status]}”状态，截止申报后推荐名额不能再改变。",
        f"The programme is {status.value}; the quota cannot change after closing.",
        field=field,
    )


def _not_in_status(status: ProgrammeStatus, what_zh: str, what_en: str) -> RegistryRuleViolation:
    return RegistryRuleViolation(
        "NOT_ALLOWED_IN_STATUS",
        f"批次处于“{_STATUS_ZH[status]}”状态，不能{what_zh}。",
        f"{what_en}; the programme is {status.value}.",
        field="status",
    )
