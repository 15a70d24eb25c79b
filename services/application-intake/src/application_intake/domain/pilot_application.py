"""PilotApplication (试点申报): drafted by a province, submitted, judged eligible or not, evaluated, decided.

Lifecycle: DRAFT → SUBMITTED → ELIGIBLE | ELIGIBLE_WITH_WARNINGS | INELIGIBLE → IN_EVALUATION → APPROVED |
NOT_APPROVED; WITHDRAWN by the province before the deadline; AMENDMENT_REQUESTED (补正) by the ministry naming
sections, amended by the province, then judged again. Every step is an event with its actor and reason.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from eventsourcing.domain import event

from application_intake.domain.eligibility import EligibilitySnapshot, EligibilityVerdict, Outcome
from application_intake.domain.errors import IntakeRuleViolation
from pilot_common.aggregate import AuditedAggregate, business_time_of
from pilot_common.violations import ViolationKind


class ApplicationStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    ELIGIBLE = "ELIGIBLE"
    ELIGIBLE_WITH_WARNINGS = "ELIGIBLE_WITH_WARNINGS"
    INELIGIBLE = "INELIGIBLE"
    AMENDMENT_REQUESTED = "AMENDMENT_REQUESTED"
    IN_EVALUATION = "IN_EVALUATION"
    APPROVED = "APPROVED"
    NOT_APPROVED = "NOT_APPROVED"
    WITHDRAWN = "WITHDRAWN"
    DISCARDED = "DISCARDED"  # a draft the province discarded, never submitted: hidden from lists, kept in history
    CLOSED_OUT = "CLOSED_OUT"  # left where it could no longer move when the batch concluded

    @property
    def label_zh(self) -> str:
        return STATUS_LABELS_ZH[self]


STATUS_LABELS_ZH = {
    ApplicationStatus.DRAFT: "草稿",
    ApplicationStatus.SUBMITTED: "已提交",
    ApplicationStatus.ELIGIBLE: "符合申报条件",
    ApplicationStatus.ELIGIBLE_WITH_WARNINGS: "符合申报条件（有提示事项）",
    ApplicationStatus.INELIGIBLE: "不符合申报条件",
    ApplicationStatus.AMENDMENT_REQUESTED: "待补正",
    ApplicationStatus.IN_EVALUATION: "评审中",
    ApplicationStatus.APPROVED: "已入选",
    ApplicationStatus.NOT_APPROVED: "未入选",
    ApplicationStatus.WITHDRAWN: "已撤回",
    ApplicationStatus.DISCARDED: "已作废（未提交）",
    ApplicationStatus.CLOSED_OUT: "已结案（批次结束）",
}

#: States in which the application holds a quota slot and is judged by the rules.
SUBMITTED_STATES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.ELIGIBLE_WITH_WARNINGS,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.AMENDMENT_REQUESTED,
        ApplicationStatus.IN_EVALUATION,
    }
)
#: Where an application has reached its end; anything else is closed out when the batch concludes.
FINISHED_STATES = frozenset(
    {
        ApplicationStatus.APPROVED,
        ApplicationStatus.NOT_APPROVED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.DISCARDED,
        ApplicationStatus.CLOSED_OUT,
    }
)
_EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.AMENDMENT_REQUESTED})
_VERDICT_STATUS = {
    Outcome.ELIGIBLE: ApplicationStatus.ELIGIBLE,
    Outcome.ELIGIBLE_WITH_WARNINGS: ApplicationStatus.ELIGIBLE_WITH_WARNINGS,
    Outcome.INELIGIBLE: ApplicationStatus.INELIGIBLE,
}

#: How a package is sent (notice 六: 寄送 the bound copies, 发送 the electronic files by e-mail).
LATE_ENTRY_CHANNELS = frozenset({"POST", "EMAIL"})

#: The parts of an application the ministry can name in an amendment request (补正).
AMENDABLE_SECTIONS = frozenset({"DETAILS", "FOUNDATION", "FUNDING", "PLAN", "SCHEDULE", "ATTACHMENTS"})
SECTION_LABELS_ZH = {
    "DETAILS": "基本信息",
    "FOUNDATION": "清洁生产工作基础",
    "FUNDING": "资金计划",
    "PLAN": "实施方案",
    "SCHEDULE": "进度安排",
    "ATTACHMENTS": "附件",
}
#: What a submission fixes: DESIGN "the pilot type, applicant, implementer and pilot object never change after
#: submission", not even by an amendment (补正).
FIXED_AFTER_SUBMISSION = frozenset(
    {"pilot_type", "applicant_organisation_id", "implementer_organisation_id", "pilot_object_id"}
)
FIELD_LABELS_ZH = {
    "project_name": "项目名称",
    "pilot_type": "试点类型",
    "applicant_organisation_id": "申报主体",
    "implementer_organisation_id": "实施主体",
    "pilot_object_id": "试点对象",
    "target_industries": "目标行业",
    "has_coating_process": "是否涉及工业涂装工序",
    "key_area_code": "重点区域或流域",
    "target_pollutants": "重点污染物",
}
DETAIL_FIELDS = frozenset(
    {
        "project_name",
        "pilot_type",
        "applicant_organisation_id",
        "implementer_organisation_id",
        "pilot_object_id",
        "target_industries",
        "has_coating_process",
        "key_area_code",
        "target_pollutants",
    }
)


def _violation(
    code: str, zh: str, en: str, field: str | None = None, kind: ViolationKind = ViolationKind.CONFLICT
) -> IntakeRuleViolation:
    return IntakeRuleViolation(code, zh, en, field, kind=kind)


class PilotApplication(AuditedAggregate):
    def __init__(
        self,
        programme_id: str,
        province: str,
        pilot_type: str,
        project_name: str,
        applicant_organisation_id: str,
        implementer_organisation_id: str,
        pilot_object_id: str,
    ) -> None:
        self.programme_id = programme_id
        self.province = province
        self.details: dict[str, Any] = {
            "project_name": project_name,
            "pilot_type": pilot_type,
            "applicant_organisation_id": applicant_organisation_id,
            "implementer_organisation_id": implementer_organisation_id,
            "pilot_object_id": pilot_object_id,
            "target_industries": [],
            "has_coating_process": False,
            "key_area_code": None,
            "target_pollutants": [],
        }
        self.foundation = ""
        self.funding_sources: list[dict[str, Any]] = []
        self.plan_sections: dict[str, str] = {}
        self.milestones: list[dict[str, Any]] = []
        self.attachments: dict[str, dict[str, Any]] = {}
        self.status = ApplicationStatus.DRAFT
        self.revision = 1
        self.submitted_at: datetime | None = None
        self.slot_number: int | None = None
        self.subject_line: str | None = None
        self.verdict: dict[str, Any] | None = None
        self.verdict_count = 0
        self.late_entry_override: str | None = None  # legacy LateEntryAccepted events only; no longer accepted
        self.late_entry: dict[str, Any] | None = None
        self.amendment_sections: list[str] = []
        self.amendment_detail_fields: list[str] = []
        # The open 补正 request: sections, detail_fields, reason, requested_by (the actor), requested_at (business
        # time, ISO 8601); None when none is open.
        self.amendment_request: dict[str, Any] | None = None
        self.outcome_document: str | None = None
        self.withdrawal_reason: str | None = None

    # --- views ------------------------------------------------------------------------------------------------

    @property
    def holds_slot(self) -> bool:
        return self.status in SUBMITTED_STATES

    @property
    def current_verdict(self) -> EligibilityVerdict | None:
        return EligibilityVerdict.from_dict(self.verdict) if self.verdict else None

    def _editable(self, section: str) -> None:
        if self.status not in _EDITABLE:
            raise _violation(
                "APPLICATION_NOT_EDITABLE",
                f"申报{self.status.label_zh}，不能修改",
                f"the application is {self.status} and cannot be changed",
            )
        if self.status is ApplicationStatus.AMENDMENT_REQUESTED and section not in self.amendment_sections:
            raise _violation(
                "SECTION_NOT_UNDER_AMENDMENT",
                f"补正要求未包括“{SECTION_LABELS_ZH.get(section, section)}”部分",
                f"the amendment request does not name section {section}",
                field=section,
            )

    # --- drafting -----------------------------------------------------------------------------------------------

    def update_details(self, **changes: Any) -> None:
        unknown = set(changes) - DETAIL_FIELDS
        if unknown:
            raise _violation(
                "UNKNOWN_FIELD",
                f"未知字段：{'、'.join(sorted(unknown))}",
                f"unknown fields {sorted(unknown)}",
                kind=ViolationKind.INVALID,
            )
        self._editable("DETAILS")
        changed = {k: v for k, v in changes.items() if self.details.get(k) != v}
        if self.status is ApplicationStatus.AMENDMENT_REQUESTED:
            self._only_named_fields(changed)
        if changed:
            self._details_updated(changes=changed)

    def _only_named_fields(self, changed: dict[str, Any]) -> None:
        """补正 changes only what the request names; the type, applicant, implementer and object never."""
        fixed = sorted(set(changed) & FIXED_AFTER_SUBMISSION)
        if fixed:
            raise _violation(
                "FIXED_AFTER_SUBMISSION",
                f"申报提交后不能更改{'、'.join(FIELD_LABELS_ZH[f] for f in fixed)}（补正也不能）",
                f"{', '.join(fixed)} cannot change after submission, not even by an amendment",
                field=fixed[0],
            )
        outside = sorted(set(changed) - set(self.amendment_detail_fields))
        if outside:
            raise _violation(
                "FIELD_NOT_UNDER_AMENDMENT",
                f"补正要求未包括{'、'.join(FIELD_LABELS_ZH.get(f, f) for f in outside)}",
                f"the amendment request does not name {', '.join(outside)}",
                field=outside[0],
            )

    @event("DetailsUpdated")
    def _details_updated(self, changes: dict[str, Any]) -> None:
        self.details.update(changes)

    def update_foundation(self, text: str) -> None:
        self._editable("FOUNDATION")
        self._foundation_updated(text=text)

    @event("FoundationUpdated")
    def _foundation_updated(self, text: str) -> None:
        self.foundation = text

    def set_funding(self, sources: list[dict[str, Any]]) -> None:
        self._editable("FUNDING")
        self._funding_set(sources=sources)

    @event("FundingSet")
    def _funding_set(self, sources: list[dict[str, Any]]) -> None:
        self.funding_sources = list(sources)

    def update_plan_sections(self, sections: dict[str, str], outline_codes: set[str]) -> None:
        unknown = set(sections) - outline_codes
        if unknown:
            raise _violation(
                "UNKNOWN_PLAN_SECTION",
                f"编制大纲中没有这些章节：{'、'.join(sorted(unknown))}",
                f"the plan outline has no sections {sorted(unknown)}",
                field="sections",
                kind=ViolationKind.INVALID,
            )
        self._editable("PLAN")
        self._plan_updated(sections=sections)

    @event("PlanSectionsUpdated")
    def _plan_updated(self, sections: dict[str, str]) -> None:
        self.plan_sections.update(sections)

    def set_schedule(self, milestones: list[dict[str, Any]]) -> None:
        self._editable("SCHEDULE")
        self._schedule_set(milestones=milestones)

    @event("ScheduleSet")
    def _schedule_set(self, milestones: list[dict[str, Any]]) -> None:
        self.milestones = list(milestones)

    def attach(self, attachment: dict[str, Any]) -> None:
        """`attachment`: id, kind, file_name, media_type, size_bytes, sha256 (the content is stored beside)."""
        self._editable("ATTACHMENTS")
        self._attached(attachment=attachment)

    @event("FileAttached")
    def _attached(self, attachment: dict[str, Any]) -> None:
        self.attachments[attachment["id"]] = attachment

    def detach(self, attachment_id: str) -> None:
        self._editable("ATTACHMENTS")
        if attachment_id not in self.attachments:
            raise _violation("ATTACHMENT_NOT_FOUND", "附件不存在", "no such attachment", kind=ViolationKind.NOT_FOUND)
        self._detached(attachment_id=attachment_id)

    @event("FileDetached")
    def _detached(self, attachment_id: str) -> None:
        del self.attachments[attachment_id]

    # --- submission and verdicts --------------------------------------------------------------------------------

    def submit(self, submitted_at: datetime, slot_number: int, subject_line: str) -> None:
        if self.status is not ApplicationStatus.DRAFT:
            raise _violation(
                "ALREADY_SUBMITTED", "申报已提交，不能重复提交", f"the application is already {self.status}"
            )
        # The schedule as submitted travels with the submission: the approved pilot's milestones come from it.
        self._submitted(
            submitted_at=submitted_at,
            slot_number=slot_number,
            subject_line=subject_line,
            milestones=[dict(m) for m in self.milestones],
        )

    @event("Submitted")
    def _submitted(
        self,
        submitted_at: datetime,
        slot_number: int,
        subject_line: str,
        milestones: list[dict[str, Any]] | None = None,
    ) -> None:
        self.status = ApplicationStatus.SUBMITTED
        self.submitted_at = submitted_at
        self.slot_number = slot_number
        self.subject_line = subject_line

    def record_verdict(
        self,
        verdict: EligibilityVerdict,
        trigger: str,
        changes: list[str],
        snapshot: EligibilitySnapshot | None = None,
    ) -> None:
        """A new eligibility verdict; `trigger` says why it was made (SUBMISSION, AMENDMENT, FINDING_RECORDED…).

        The event keeps the snapshot the verdict was made on (everything the engine read), so that an auditor can
        re-evaluate it later with the same engine (`application_intake.replay`)."""
        if self.status not in SUBMITTED_STATES - {ApplicationStatus.AMENDMENT_REQUESTED}:
            raise _violation("NOT_SUBMITTED", "申报未处于已提交状态", f"the application is {self.status}")
        keep_status = self.status is ApplicationStatus.IN_EVALUATION and verdict.outcome is not Outcome.INELIGIBLE
        self._verdict_recorded(
            verdict=verdict.to_dict(),
            outcome=str(verdict.outcome),
            trigger=trigger,
            changes=changes,
            revision=self.revision,
            status=str(self.status if keep_status else _VERDICT_STATUS[verdict.outcome]),
            snapshot=snapshot.model_dump(mode="json") if snapshot is not None else None,
        )

    class VerdictRecorded(AuditedAggregate.Event):
        """A verdict. Version 2 added ``snapshot`` (the engine's whole input); older verdicts have none."""

        verdict: dict[str, Any]
        outcome: str
        trigger: str
        changes: list[str]
        revision: int
        status: str
        snapshot: dict[str, Any] | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["snapshot"] = None  # recorded before verdicts kept their snapshot: not replayable

    @event(VerdictRecorded)
    def _verdict_recorded(
        self,
        verdict: dict[str, Any],
        outcome: str,
        trigger: str,
        changes: list[str],
        revision: int,
        status: str,
        snapshot: dict[str, Any] | None = None,
    ) -> None:
        self.verdict = verdict
        self.verdict_count += 1
        self.status = ApplicationStatus(status)

    def record_late_entry(
        self, sent_on: datetime, channel: str, evidence_attachment_id: str, recorded_by: str, closes_at: datetime
    ) -> None:
        """The only late entry (notice 六, DESIGN WINDOW): a package sent on or before the deadline, with evidence.

        Anything sent later is refused here (逾期不予受理); there is no other override.
        """
        if self.status is not ApplicationStatus.DRAFT:
            raise _violation(
                "LATE_ENTRY_NOT_APPLICABLE",
                "只有尚未提交的申报才能登记为按时寄送的材料",
                "only an application not yet submitted can be recorded as sent on time",
            )
        if channel not in LATE_ENTRY_CHANNELS:
            raise _violation(
                "UNKNOWN_CHANNEL",
                "寄送方式须为邮寄或电子邮件",
                "the channel is POST or EMAIL",
                "channel",
                ViolationKind.INVALID,
            )
        if self.attachments.get(evidence_attachment_id, {}).get("kind") != "SENDING_EVIDENCE":
            raise _violation(
                "SENDING_EVIDENCE_REQUIRED",
                "须附寄送凭证（邮戳或邮件发送记录），并在登记时指明该附件",
                "the sending evidence (postmark or e-mail record) must be attached and named",
                "evidence_attachment_id",
                ViolationKind.INVALID,
            )
        if sent_on >= closes_at:
            raise _violation(
                "SENT_AFTER_DEADLINE",
                "寄送（发送）时间晚于申报截止日期，逾期不予受理",
                f"sent at {sent_on.isoformat()}, after the deadline (before {closes_at.isoformat()}); refused",
                "sent_on",
                ViolationKind.INVALID,
            )
        self._late_entry_recorded(
            sent_on=sent_on, channel=channel, evidence_attachment_id=evidence_attachment_id, recorded_by=recorded_by
        )

    @event("LateEntryRecorded")
    def _late_entry_recorded(
        self, sent_on: datetime, channel: str, evidence_attachment_id: str, recorded_by: str
    ) -> None:
        self.late_entry = {
            "sent_on": sent_on,
            "channel": channel,
            "evidence_attachment_id": evidence_attachment_id,
            "recorded_by": recorded_by,
        }

    @event("LateEntryAccepted")
    def _late_entry_accepted(self, reason: str) -> None:
        # Replays stores written before the override was removed; it lets nothing through any more.
        self.late_entry_override = reason

    def withdraw(self, reason: str, at: datetime, deadline_passed: bool) -> None:
        if not self.holds_slot or self.status is ApplicationStatus.IN_EVALUATION:
            raise _violation(
                "CANNOT_WITHDRAW", "当前状态不能撤回", f"an application that is {self.status} cannot be withdrawn"
            )
        if deadline_passed:
            raise _violation("DEADLINE_PASSED", "申报截止后不能撤回", "withdrawal is possible only before the deadline")
        self._withdrawn(reason=reason, at=at)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, at: datetime) -> None:
        self.status = ApplicationStatus.WITHDRAWN
        self.withdrawal_reason = reason

    # --- amendment (补正) -----------------------------------------------------------------------------------------

    def request_amendment(self, sections: list[str], reason: str, detail_fields: list[str] | None = None) -> None:
        """补正: the sections to amend and, for DETAILS, which fields (default: every field that may change)."""
        unknown = set(sections) - AMENDABLE_SECTIONS
        if not sections or unknown:
            raise _violation(
                "INVALID_SECTIONS",
                "补正部分须为" + "、".join(SECTION_LABELS_ZH[s] for s in sorted(AMENDABLE_SECTIONS)) + "之一",
                f"sections must be among {sorted(AMENDABLE_SECTIONS)}",
                field="sections",
                kind=ViolationKind.INVALID,
            )
        fields = self._amendable_fields(sections, detail_fields)
        if not reason.strip():
            raise _violation(
                "REASON_REQUIRED", "需填写理由", "a reason is required", field="reason", kind=ViolationKind.INVALID
            )
        if self.status not in SUBMITTED_STATES - {ApplicationStatus.AMENDMENT_REQUESTED}:
            raise _violation("CANNOT_REQUEST_AMENDMENT", "当前状态不能要求补正", f"the application is {self.status}")
        self._amendment_requested(sections=sorted(set(sections)), reason=reason, detail_fields=fields)

    @staticmethod
    def _amendable_fields(sections: list[str], detail_fields: list[str] | None) -> list[str]:
        if detail_fields is None:
            return sorted(DETAIL_FIELDS - FIXED_AFTER_SUBMISSION) if "DETAILS" in sections else []
        if "DETAILS" not in sections:
            raise _violation(
                "FIELDS_WITHOUT_DETAILS",
                "只有补正“基本信息”时才能指明字段",
                "detail fields can be named only when DETAILS is",
                "detail_fields",
                ViolationKind.INVALID,
            )
        fixed = sorted(set(detail_fields) & FIXED_AFTER_SUBMISSION)
        if fixed:
            raise _violation(
                "FIXED_AFTER_SUBMISSION",
                f"申报提交后不能更改{'、'.join(FIELD_LABELS_ZH[f] for f in fixed)}，补正不能要求更改",
                f"{', '.join(fixed)} cannot change after submission; an amendment cannot ask for it",
                "detail_fields",
                ViolationKind.INVALID,
            )
        unknown = sorted(set(detail_fields) - DETAIL_FIELDS)
        if unknown or not detail_fields:
            raise _violation(
                "UNKNOWN_FIELD", "未知字段", f"unknown detail fields {unknown}", "detail_fields", ViolationKind.INVALID
            )
        return sorted(set(detail_fields))

    class AmendmentRequested(AuditedAggregate.Event):
        """补正 asked for. Applied by hand (not by ``@event``) so that the open request keeps who asked and when:
        the province answering it reads them beside the reason."""

        sections: list[str]
        reason: str
        detail_fields: list[str] | None

        def apply(self, aggregate: Any) -> None:
            application: PilotApplication = aggregate
            sections = list(self.sections)
            detail_fields: list[str] | None = getattr(self, "detail_fields", None)  # absent in the oldest requests
            application.status = ApplicationStatus.AMENDMENT_REQUESTED
            application.amendment_sections = sections
            # Requests recorded before fields were named opened every changeable field of DETAILS.
            application.amendment_detail_fields = (
                list(detail_fields)
                if detail_fields is not None
                else (sorted(DETAIL_FIELDS - FIXED_AFTER_SUBMISSION) if "DETAILS" in sections else [])
            )
            asked_at = business_time_of(self) or self.timestamp
            application.amendment_request = {
                "sections": sections,
                "detail_fields": list(application.amendment_detail_fields),
                "reason": self.reason,
                "requested_by": dict(self.actor),
                "requested_at": asked_at.isoformat(),
            }

    def _amendment_requested(self, sections: list[str], reason: str, detail_fields: list[str]) -> None:
        self.trigger_event(self.AmendmentRequested, sections=sections, reason=reason, detail_fields=detail_fields)

    def complete_amendment(self, note: str) -> None:
        if self.status is not ApplicationStatus.AMENDMENT_REQUESTED:
            raise _violation("NO_AMENDMENT_REQUESTED", "没有待补正的要求", "no amendment was requested")
        self._amended(
            note=note,
            revision=self.revision + 1,
            sections=self.amendment_sections,
            milestones=[dict(m) for m in self.milestones],
        )

    @event("Amended")
    def _amended(
        self, note: str, revision: int, sections: list[str], milestones: list[dict[str, Any]] | None = None
    ) -> None:
        self.revision = revision
        self.amendment_sections = []
        self.amendment_detail_fields = []
        self.amendment_request = None
        self.status = ApplicationStatus.SUBMITTED

    # --- discarding a draft, closing out at the batch's end ----------------------------------------------------------

    def discard(self, reason: str) -> None:
        """The province drops a draft it never submitted; the events stay for auditors."""
        if self.status is not ApplicationStatus.DRAFT:
            raise _violation(
                "NOT_A_DRAFT",
                f"申报{self.status.label_zh}，只有未提交的草稿可以作废（已提交的可撤回）",
                f"only a draft never submitted can be discarded; this one is {self.status}",
            )
        if not isinstance(reason, str) or not reason.strip():
            raise _violation(
                "REASON_REQUIRED", "需填写理由", "a reason is required", field="reason", kind=ViolationKind.INVALID
            )
        self._discarded(reason=reason.strip())

    @event("Discarded")
    def _discarded(self, reason: str) -> None:
        self.status = ApplicationStatus.DISCARDED

    def close_out(self, reason: str) -> None:
        """The batch concluded with this application still open (a draft, an ineligible or unassessed one)."""
        if self.status in FINISHED_STATES:
            return
        self._closed_out(reason=reason, previous_status=str(self.status))

    @event("ClosedOut")
    def _closed_out(self, reason: str, previous_status: str) -> None:
        self.status = ApplicationStatus.CLOSED_OUT

    # --- evaluation and outcome ------------------------------------------------------------------------------------

    def enter_evaluation(self) -> None:
        if self.status not in {ApplicationStatus.ELIGIBLE, ApplicationStatus.ELIGIBLE_WITH_WARNINGS}:
            return  # only eligible applications are evaluated; anything else is left as it is
        self._entered_evaluation()

    @event("EnteredEvaluation")
    def _entered_evaluation(self) -> None:
        self.status = ApplicationStatus.IN_EVALUATION

    def record_outcome(self, approved: bool, document_number: str) -> None:
        if self.status in {ApplicationStatus.APPROVED, ApplicationStatus.NOT_APPROVED}:
            return
        self._outcome_recorded(approved=approved, document_number=document_number)

    @event("OutcomeRecorded")
    def _outcome_recorded(self, approved: bool, document_number: str) -> None:
        self.status = ApplicationStatus.APPROVED if approved else ApplicationStatus.NOT_APPROVED
        self.outcome_document = document_number
