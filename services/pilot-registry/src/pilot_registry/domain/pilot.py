"""An approved pilot and its one-year implementation: milestones, reports, the final assessment, and the
deemed audits it grants.

A pilot is created from the evaluation service's published results (one per approved application); its id
is derived from the application id (:func:`pilot_id_for`), so that a re-delivered result can never make a
second pilot. The member enterprises are a snapshot of the pilot object's members at approval.

Notice 003 五(二): every enterprise within the scope of an approved pilot object is deemed to have carried
out one cleaner-production audit (视同开展一次清洁生产审核). The registry grants this when the pilot passes its
final assessment (通过评估); the ``Assessed`` event lists the credited credit codes, so that a read model can
index credits by credit code across pilots. Once assessed, a pilot takes no more milestones or reports.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.reference import PILOT_TYPES
from pilot_common.wording import zh_date
from pilot_registry.domain._checks import (
    check_credit_codes,
    check_date,
    check_province,
    check_uuid,
    from_iso,
    iso,
    require_reason,
    require_text,
)
from pilot_registry.domain.errors import RegistryRuleViolation

DEEMED_AUDIT_WORDING = "视同开展一次清洁生产审核"
_PILOT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:cleaner-production-pilots:pilot-registry:pilot")


def pilot_id_for(application_id: UUID) -> UUID:
    """The id of the pilot approved from an application (the same every time)."""
    return uuid5(_PILOT_NAMESPACE, str(application_id))


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (2023-08-31 + 6 → 2024-02-29)."""
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class ReportKind(StrEnum):
    PROGRESS = "PROGRESS"  # 进展报告
    FINAL = "FINAL"  # 总结（终期）报告


class PilotStatus(StrEnum):
    IN_IMPLEMENTATION = "IN_IMPLEMENTATION"  # 实施中
    PASSED = "PASSED"  # 通过评估
    FAILED = "FAILED"  # 未通过评估


@dataclass(frozen=True)
class Milestone:
    id: UUID
    title: str
    due: date
    completed_on: date | None
    note: str | None

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None


@dataclass(frozen=True)
class Report:
    id: UUID
    kind: ReportKind
    title: str
    document_ref: str
    filed_on: date


@dataclass(frozen=True)
class Assessment:
    passed: bool
    reason: str
    assessed_on: date


@dataclass(frozen=True)
class DeemedAuditCredit:
    """One enterprise deemed to have carried out one cleaner-production audit thanks to a passed pilot."""

    credit_code: str
    pilot_id: UUID
    programme_id: UUID
    project_name: str
    credited_on: date
    wording: str = DEEMED_AUDIT_WORDING


class Pilot(AuditedAggregate):
    """An approved pilot project. Create with :meth:`approve`; the constructor only applies ``Approved``."""

    @staticmethod
    def create_id(*_: Any, application_id: UUID | None = None, **__: Any) -> UUID:
        return pilot_id_for(application_id) if application_id is not None else uuid4()

    @event("Approved")
    def __init__(
        self,
        programme_id: UUID,
        application_id: UUID,
        project_name: str,
        pilot_type: str,
        province_code: str,
        applicant_organisation_id: UUID,
        pilot_object_id: UUID,
        member_credit_codes: list[str],
        approval_document_number: str,
        start_date: str,
        end_date: str,
        implementation_months: int,
    ) -> None:
        self._programme_id = programme_id
        self._application_id = application_id
        self._project_name = project_name
        self._pilot_type = pilot_type
        self._province_code = province_code
        self._applicant_organisation_id = applicant_organisation_id
        self._pilot_object_id = pilot_object_id
        self._member_credit_codes = list(member_credit_codes)
        self._approval_document_number = approval_document_number
        self._start_date = start_date
        self._end_date = end_date
        self._implementation_months = implementation_months
        self._milestones: dict[str, dict[str, Any]] = {}
        self._reports: list[dict[str, Any]] = []
        self._assessment: dict[str, Any] | None = None

    @classmethod
    def approve(
        cls,
        *,
        programme_id: UUID | str,
        application_id: UUID | str,
        project_name: str,
        pilot_type: str,
        province_code: str,
        applicant_organisation_id: UUID | str,
        pilot_object_id: UUID | str,
        member_credit_codes: list[str],
        approval_document_number: str,
        start_date: date,
        implementation_months: int,
    ) -> Pilot:
        """The pilot approved from one application; it ends ``implementation_months`` after it starts."""
        if pilot_type not in PILOT_TYPES:
            raise RegistryRuleViolation(
                "UNKNOWN_PILOT_TYPE",
                f"未知试点类型“{pilot_type}”。",
                f"Unknown pilot type {pilot_type!r}.",
                "pilot_type",
            )
        if isinstance(implementation_months, bool) or not isinstance(implementation_months, int):
            implementation_months = 0
        if implementation_months < 1:
            raise RegistryRuleViolation(
                "INVALID_IMPLEMENTATION_PERIOD",
                "实施期应至少为1个月。",
                "The implementation period must be at least one month.",
                field="implementation_months",
            )
        start = check_date(start_date, "start_date")
        return cls(
            programme_id=check_uuid(programme_id, "programme_id"),
            application_id=check_uuid(application_id, "application_id"),
            project_name=require_text(project_name, "project_name", "项目名称", "The project name"),
            pilot_type=pilot_type,
            province_code=check_province(province_code, "province_code"),
            applicant_organisation_id=check_uuid(applicant_organisation_id, "applicant_organisation_id"),
            pilot_object_id=check_uuid(pilot_object_id, "pilot_object_id"),
            member_credit_codes=check_credit_codes(member_credit_codes, "member_credit_codes"),
            approval_document_number=require_text(
                approval_document_number, "approval_document_number", "批复文号", "The approval document number"
            ),
            start_date=iso(start),
            end_date=iso(add_months(start, implementation_months)),
            implementation_months=implementation_months,
        )

    # --- reading -----------------------------------------------------------------------------------------

    @property
    def programme_id(self) -> UUID:
        return self._programme_id

    @property
    def application_id(self) -> UUID:
        return self._application_id

    @property
    def project_name(self) -> str:
        return self._project_name

    @property
    def pilot_type(self) -> str:
        return self._pilot_type

    @property
    def province_code(self) -> str:
        return self._province_code

    @property
    def applicant_organisation_id(self) -> UUID:
        return self._applicant_organisation_id

    @property
    def pilot_object_id(self) -> UUID:
        return self._pilot_object_id

    @property
    def member_credit_codes(self) -> list[str]:
        return list(self._member_credit_codes)

    @property
    def approval_document_number(self) -> str:
        return self._approval_document_number

    @property
    def start_date(self) -> date:
        return from_iso(self._start_date)

    @property
    def end_date(self) -> date:
        return from_iso(self._end_date)

    @property
    def implementation_months(self) -> int:
        return self._implementation_months

    @property
    def milestones(self) -> list[Milestone]:
        return [
            Milestone(
                id=UUID(key),
                title=str(data["title"]),
                due=from_iso(str(data["due"])),
                completed_on=from_iso(str(data["completed_on"])) if data.get("completed_on") else None,
                note=data.get("note"),
            )
            for key, data in self._milestones.items()
        ]

    @property
    def reports(self) -> list[Report]:
        return [
            Report(
                id=UUID(str(data["report_id"])),
                kind=ReportKind(str(data["kind"])),
                title=str(data["title"]),
                document_ref=str(data["document_ref"]),
                filed_on=from_iso(str(data["filed_on"])),
            )
            for data in self._reports
        ]

    @property
    def assessment(self) -> Assessment | None:
        if self._assessment is None:
            return None
        return Assessment(
            passed=bool(self._assessment["passed"]),
            reason=str(self._assessment["reason"]),
            assessed_on=from_iso(str(self._assessment["assessed_on"])),
        )

    @property
    def status(self) -> PilotStatus:
        if self._assessment is None:
            return PilotStatus.IN_IMPLEMENTATION
        return PilotStatus.PASSED if self._assessment["passed"] else PilotStatus.FAILED

    @property
    def deemed_audit_credits(self) -> list[DeemedAuditCredit]:
        """For a passed pilot, one credit per member enterprise (dated the assessment); otherwise none."""
        assessment = self.assessment
        if assessment is None or not assessment.passed:
            return []
        return [
            DeemedAuditCredit(
                credit_code=code,
                pilot_id=self.id,
                programme_id=self._programme_id,
                project_name=self._project_name,
                credited_on=assessment.assessed_on,
            )
            for code in self._member_credit_codes
        ]

    # --- commands ----------------------------------------------------------------------------------------

    def _check_not_assessed(self) -> None:
        if self._assessment is not None:
            raise RegistryRuleViolation(
                "PILOT_ALREADY_ASSESSED",
                "该试点已完成评估，不能再变更。",
                "The pilot has been assessed; it takes no further changes.",
            )

    def _check_not_before_start(self, on: date, field: str) -> date:
        checked = check_date(on, field)
        if checked < self.start_date:
            raise RegistryRuleViolation(
                "DATE_BEFORE_PILOT_START",
                f"日期{zh_date(checked)}早于试点开始日期{zh_date(self._start_date)}。",
                f"{checked.isoformat()} is before the pilot starts ({self._start_date}).",
                field=field,
            )
        return checked

    def add_milestone(self, title: str, due: date) -> UUID:
        """Plan a milestone; returns its id."""
        self._check_not_assessed()
        checked_title = require_text(title, "title", "节点名称", "The milestone title")
        checked_due = self._check_not_before_start(due, "due")
        milestone_id = uuid4()
        self._milestone_added(milestone_id=milestone_id, title=checked_title, due=iso(checked_due))
        return milestone_id

    @event("MilestoneAdded")
    def _milestone_added(self, milestone_id: UUID, title: str, due: str) -> None:
        self._milestones = {
            **self._milestones,
            str(milestone_id): {"title": title, "due": due, "completed_on": None, "note": None},
        }

    def complete_milestone(self, milestone_id: UUID | str, on: date, note: str = "") -> None:
        """Mark a milestone done on a day, with an optional note."""
        self._check_not_assessed()
        key = str(check_uuid(milestone_id, "milestone_id"))
        milestone = self._milestones.get(key)
        if milestone is None:
            raise RegistryRuleViolation(
                "UNKNOWN_MILESTONE", "该试点没有此节点。", "The pilot has no such milestone.", field="milestone_id"
            )
        if milestone["completed_on"] is not None:
            raise RegistryRuleViolation(
                "MILESTONE_ALREADY_COMPLETED",
                f"该节点已于{zh_date(milestone['completed_on'])}完成。",
                f"The milestone was already completed on {milestone['completed_on']}.",
                field="milestone_id",
            )
        completed_on = self._check_not_before_start(on, "on")
        checked_note = note.strip() if isinstance(note, str) and note.strip() else None
        self._milestone_completed(milestone_id=UUID(key), completed_on=iso(completed_on), note=checked_note)

    @event("MilestoneCompleted")
    def _milestone_completed(self, milestone_id: UUID, completed_on: str, note: str | None) -> None:
        key = str(milestone_id)
        self._milestones = {
            **self._milestones,
            key: {**self._milestones[key], "completed_on": completed_on, "note": note},
        }

    def file_report(self, kind: ReportKind | str, title: str, document_ref: str, filed_on: date) -> UUID:
        """File a progress or final report (one final report per pilot); returns its id."""
        self._check_not_assessed()
        try:
            report_kind = ReportKind(kind)
        except ValueError:
            raise RegistryRuleViolation(
                "UNKNOWN_REPORT_KIND", f"未知报告类别“{kind}”。", f"Unknown report kind {kind!r}.", field="kind"
            ) from None
        if report_kind is ReportKind.FINAL and any(r["kind"] == ReportKind.FINAL.value for r in self._reports):
            raise RegistryRuleViolation(
                "FINAL_REPORT_ALREADY_FILED",
                "该试点已提交总结报告。",
                "The pilot's final report has already been filed.",
                field="kind",
            )
        checked_title = require_text(title, "title", "报告名称", "The report title")
        checked_ref = require_text(document_ref, "document_ref", "报告文件", "The report document reference")
        checked_on = self._check_not_before_start(filed_on, "filed_on")
        report_id = uuid4()
        self._report_filed(
            report_id=report_id,
            kind=report_kind.value,
            title=checked_title,
            document_ref=checked_ref,
            filed_on=iso(checked_on),
        )
        return report_id

    @event("ReportFiled")
    def _report_filed(self, report_id: UUID, kind: str, title: str, document_ref: str, filed_on: str) -> None:
        report = {"report_id": report_id, "kind": kind, "title": title, "document_ref": document_ref}
        self._reports = [*self._reports, {**report, "filed_on": filed_on}]

    def assess(self, passed: bool, reason: str, assessed_on: date) -> None:
        """The final assessment, once. A passed pilot credits every member enterprise with one audit."""
        self._check_not_assessed()
        if not isinstance(passed, bool):
            raise RegistryRuleViolation(
                "INVALID_VALUE", "评估结论应为通过或不通过。", "passed must be true or false.", field="passed"
            )
        checked_reason = require_reason(reason, "评估结论", "An assessment")
        checked_on = self._check_not_before_start(assessed_on, "assessed_on")
        self._assessed(
            passed=passed,
            reason=checked_reason,
            assessed_on=iso(checked_on),
            programme_id=self._programme_id,
            credited_credit_codes=list(self._member_credit_codes) if passed else [],
        )

    @event("Assessed")
    def _assessed(
        self,
        passed: bool,
        reason: str,
        assessed_on: str,
        programme_id: UUID,
        credited_credit_codes: list[str],
    ) -> None:
        self._assessment = {"passed": passed, "reason": reason, "assessed_on": assessed_on}
