"""ApplicationIntake: the intake service's commands (`domain/commands.py`, handled as `COMMAND_HANDLERS` says) and
what the consumers ask of it.

Submission takes a slot from the province's quota aggregate and records the submission and its verdict in one
transaction; two submitters racing for the last slot conflict on the quota's version, and the loser retries on
fresh state, so the quota is never exceeded.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import insert, or_, select

from application_intake import registry_facts
from application_intake.domain import commands
from application_intake.domain.eligibility import (
    ApplicationFacts,
    Attachment,
    EligibilitySnapshot,
    EligibilityVerdict,
    FundingSource,
    LateEntryFacts,
    Milestone,
    QuotaFacts,
    evaluate,
)
from application_intake.domain.eligibility._calendar import zh_date, zh_moment, zone_label
from application_intake.domain.eligibility.rules import format_names, size_zh
from application_intake.domain.errors import IntakeRuleViolation
from application_intake.domain.files import extension_matches, sniff_media_type
from application_intake.domain.pilot_application import FIELD_LABELS_ZH, SUBMITTED_STATES, PilotApplication
from application_intake.domain.province_quota import ProvinceQuota
from application_intake.projections.applications import APPLICATION_VIEWS
from application_intake.projections.tables import applications, attachment_contents
from application_intake.published import PUBLICATIONS
from pilot_common.clock import Clock, SystemClock
from pilot_common.commands import Command, CommandTable, commands_in
from pilot_common.contracts.programme import ProgrammeRules
from pilot_common.programme_state import FINAL_STATES, require_state
from pilot_common.publishing import PublicationTable
from pilot_common.service import HandlerTable, ServiceApplication
from pilot_common.violations import ViolationKind

SERVICE_NAME = "application-intake"
_SUBMIT_ATTEMPTS = 30


def _refused(
    code: str,
    zh: str,
    en: str,
    kind: ViolationKind = ViolationKind.CONFLICT,
    field: str | None = None,
    **details: Any,
) -> Exception:
    return IntakeRuleViolation(code, zh, en, field, kind=kind, details=details or None)


def _submit_busy() -> Exception:
    return _refused(
        "BUSY", "同时提交的申报过多，请稍后重试", "too many concurrent submissions; retry", kind=ViolationKind.BUSY
    )


def _withdraw_busy() -> Exception:
    return _refused("BUSY", "系统繁忙，请稍后重试", "busy; retry", kind=ViolationKind.BUSY)


class ApplicationIntake(ServiceApplication):
    service: ClassVar[str] = SERVICE_NAME
    publications: ClassVar[PublicationTable] = PUBLICATIONS
    name = "ApplicationIntake"

    def __init__(self, database_url: str, handlers: HandlerTable | None = None, clock: Clock | None = None) -> None:
        super().__init__(database_url, handlers, projections=[APPLICATION_VIEWS])
        self.clock = clock or SystemClock()

    # --- reading ------------------------------------------------------------------------------------------------

    def application(self, application_id: UUID) -> PilotApplication:
        return self.load(application_id, PilotApplication, "申报", "application")

    def known_programme(self, programme_id: str) -> registry_facts.KnownProgramme:
        known = registry_facts.programme_of(self.read_first(registry_facts.programme_query(programme_id)))
        if known is None:
            raise _refused(
                "UNKNOWN_PROGRAMME",
                f"尚未获知试点批次 {programme_id}（登记服务的数据尚未同步）",
                f"programme {programme_id} is not known to intake (yet)",
                kind=ViolationKind.INVALID,
                field="programme_id",
            )
        return known

    def _require_known(self, application: PilotApplication, facts: registry_facts.RegistryFacts) -> None:
        """A submission naming an organisation or object intake has not heard of is refused, never crashes."""
        details = application.details
        missing = [
            (field, details[field])
            for field, found in (
                ("applicant_organisation_id", facts.applicant),
                ("implementer_organisation_id", facts.implementer),
                ("pilot_object_id", facts.pilot_object),
            )
            if found is None
        ]
        if missing:
            field, value = missing[0]
            raise _refused(
                "UNKNOWN_REGISTRY_REFERENCE",
                f"登记库中没有{FIELD_LABELS_ZH.get(field, field)}“{value}”的记录（或尚未同步到本服务）",
                f"the registry has no {field} {value} (or intake has not heard of it yet)",
                kind=ViolationKind.INVALID,
                field=field,
                unknown=[f for f, _ in missing],
            )

    # --- drafting -----------------------------------------------------------------------------------------------

    def handle(self, command: Command) -> Any:
        """Runs one command (`domain/commands.py`) by its entry in `COMMAND_HANDLERS`, in one transaction
        (`ServiceApplication.run_command`). A submission or withdrawal that loses a race for the province's quota
        (a conflict on the quota's version) is decided again on fresh state, up to a limit."""
        if isinstance(command, commands.Submit | commands.Withdraw):
            busy = _submit_busy if isinstance(command, commands.Submit) else _withdraw_busy
            return self.run_command(lambda: COMMAND_HANDLERS.handle(self, command), _SUBMIT_ATTEMPTS, busy)
        return self.run_command(lambda: COMMAND_HANDLERS.handle(self, command))

    def create_draft(self, command: commands.CreateDraft) -> PilotApplication:
        require_state("draft", self.known_programme(command.programme_id).status, command.programme_id)
        application = PilotApplication(programme_id=command.programme_id, province=command.province, **command.details)
        self.save(application)
        return application

    def require_state(self, application: PilotApplication, action: str) -> registry_facts.KnownProgramme:
        """Refuses what the programme's state (as the registry last said) does not allow (DESIGN's table); returns
        the programme as known, so that a command reads it once."""
        known = self.known_programme(application.programme_id)
        require_state(action, known.status, application.programme_id)
        return known

    def _require_editable_state(self, application: PilotApplication) -> registry_facts.KnownProgramme:
        # A draft is edited while the batch takes drafts; an amendment (补正) only while amendments are allowed.
        amending = application.status == "AMENDMENT_REQUESTED"
        return self.require_state(application, "amendment" if amending else "draft")

    def edit(self, command: commands.DraftEdit) -> PilotApplication:
        application = self.application(command.application_id)
        self._require_editable_state(application)
        command.apply(application)
        self.save(application)
        return application

    def update_plan_sections(self, command: commands.UpdatePlanSections) -> PilotApplication:
        application = self.application(command.application_id)
        outline = self._require_editable_state(application).rules.plan_outline
        codes = {s.code for s in outline} | {sub.code for s in outline for sub in s.subsections}
        application.update_plan_sections(command.sections, codes)
        self.save(application)
        return application

    def attach_file(self, command: commands.AttachFile) -> dict[str, Any]:
        application_id, content = command.application_id, command.content
        file_name, declared_type, kind = command.file_name, command.declared_type, command.kind
        application = self.application(application_id)
        rules = self._require_editable_state(application).rules
        if len(content) > rules.max_package_bytes:
            raise _refused(
                "FILE_TOO_LARGE",
                f"文件超过材料电子件总大小{size_zh(rules.max_package_bytes)}的上限",
                f"the file is larger than the {rules.max_package_bytes}-byte package limit",
                kind=ViolationKind.TOO_LARGE,
                field="file",
            )
        media_type = sniff_media_type(content)
        if media_type is None or media_type not in rules.accepted_media_types:
            raise _refused(
                "UNSUPPORTED_MEDIA_TYPE",
                f"只接受{format_names(rules.accepted_media_types)}文件（按文件内容判断）",
                "only PDF, OFD and DOCX files are accepted (judged by their content)",
                kind=ViolationKind.UNSUPPORTED_TYPE,
                field="file",
            )
        declared = (declared_type or "").split(";")[0].strip().lower()
        if not extension_matches(file_name, media_type) or (
            declared not in {"", "application/octet-stream", media_type}
        ):
            raise _refused(
                "MEDIA_TYPE_MISMATCH",
                "文件名或声明的类型与文件内容不符",
                f"the file's name or declared type does not match its content ({media_type})",
                kind=ViolationKind.UNSUPPORTED_TYPE,
                field="file",
            )
        attachment = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "file_name": file_name,
            "media_type": media_type,
            "size_bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        application.attach(attachment)
        with self.unit_of_work() as session:  # the content and its event commit together, or neither
            session.execute(
                insert(attachment_contents).values(
                    id=attachment["id"],
                    application_id=str(application.id),
                    sha256=attachment["sha256"],
                    media_type=media_type,
                    size_bytes=len(content),
                    content=content,
                )
            )
            self.save(application)
        return attachment

    def file_content(self, application_id: UUID, attachment_id: str) -> tuple[dict[str, Any], bytes]:
        application = self.application(application_id)
        meta = application.attachments.get(attachment_id)
        if meta is None:
            raise _refused("ATTACHMENT_NOT_FOUND", "附件不存在", "no such attachment", kind=ViolationKind.NOT_FOUND)
        with self.reading() as session:
            content = session.execute(
                select(attachment_contents.c.content).where(attachment_contents.c.id == attachment_id)
            ).scalar_one()
        return meta, bytes(content)

    # --- verdicts -----------------------------------------------------------------------------------------------

    def snapshot(
        self,
        application: PilotApplication,
        quota: QuotaFacts,
        submitted_at: datetime,
        dry_run: bool = False,
        known: registry_facts.KnownProgramme | None = None,
        registry: registry_facts.RegistryFacts | None = None,
    ) -> EligibilitySnapshot:
        known = known or self.known_programme(application.programme_id)
        details = application.details
        if registry is None:
            with self.reading() as session:
                registry = registry_facts.about(session, details)
        found = registry.findings
        facts = ApplicationFacts(
            application_id=str(application.id),
            programme_id=application.programme_id,
            pilot_type=details["pilot_type"],
            project_name=details["project_name"],
            recommending_province=application.province,
            applicant_organisation_id=details["applicant_organisation_id"],
            implementer_organisation_id=details["implementer_organisation_id"],
            pilot_object_id=details["pilot_object_id"],
            target_industries=tuple(details["target_industries"]),
            has_coating_process=details["has_coating_process"],
            key_area_code=details["key_area_code"],
            target_pollutants=tuple(details["target_pollutants"]),
            foundation=application.foundation,
            funding_sources=tuple(FundingSource.model_validate(s) for s in application.funding_sources),
            plan_sections=dict(application.plan_sections),
            milestones=tuple(Milestone.model_validate(m) for m in application.milestones),
            attachments=tuple(Attachment.model_validate(a) for a in application.attachments.values()),
        )
        return EligibilitySnapshot(
            application=facts,
            programme=known.facts,
            applicant=registry.applicant,
            implementer=registry.implementer,
            pilot_object=registry.pilot_object,
            findings=tuple(found),
            quota=quota,
            submitted_at=submitted_at,
            evaluated_at=max(self.clock.now(), submitted_at),
            late_entry=LateEntryFacts.model_validate(application.late_entry) if application.late_entry else None,
            registry_position=registry_facts.describe_position(
                programme=known.version,
                applicant=registry.applicant_version,
                implementer=registry.implementer_version,
                object=registry.object_version,
                findings=len(found),
            ),
            dry_run=dry_run,
        )

    def quota(self, programme_id: str, province: str) -> ProvinceQuota:
        # Every submission and withdrawal of the province changes it, in whichever worker process takes the request:
        # a command catches its copy up (one SELECT) rather than take a stale one, conflict and run a second time.
        try:
            quota: ProvinceQuota = self.get_aggregate(ProvinceQuota.create_id(programme_id, province), current=True)
        except AggregateNotFoundError:
            quota = ProvinceQuota(programme_id=programme_id, province=province)
        return quota

    def _quota_facts(self, application: PilotApplication) -> QuotaFacts:
        known = self.known_programme(application.programme_id)
        quota = self.quota(application.programme_id, application.province)
        held = quota.held + (0 if str(application.id) in quota.holders else 1)
        return QuotaFacts(
            slots_held=held,
            slots_allowed=known.facts.quota_allowed(application.province),
            slot_number=application.slot_number,
        )

    def verdict_history(self, application_id: UUID) -> list[dict[str, Any]]:
        """Every verdict recorded for the application, oldest first, with its trigger and what changed."""
        return [
            {
                "version": e.originator_version,
                **{k: getattr(e, k) for k in ("trigger", "changes", "revision", "outcome", "verdict")},
            }
            for e in self.events.get(application_id)
            if type(e).__name__ == "VerdictRecorded"
        ]

    def dry_run(self, application_id: UUID) -> EligibilityVerdict:
        """The verdict a draft would get if it were submitted now (nothing is recorded)."""
        application = self.application(application_id)
        self.require_state(application, "dry_run")
        quota = self._quota_facts(application)
        return evaluate(self.snapshot(application, quota, application.submitted_at or self.clock.now(), dry_run=True))

    # --- submission and withdrawal ------------------------------------------------------------------------------

    def _check_window(self, application: PilotApplication, at: datetime, rules: ProgrammeRules) -> None:
        if application.late_entry:
            return  # recorded as sent on time: WINDOW judges it with its evidence
        local = at.astimezone(ZoneInfo(rules.timezone))
        if at < rules.opens_at:
            raise _refused(
                "WINDOW_NOT_OPEN",
                f"申报尚未开始（{zh_moment(rules.opens_at, rules.timezone)}起受理）",
                f"submissions open at {rules.opens_at.isoformat()}",
                rule="WINDOW",
            )
        if at >= rules.closes_at():
            raise _refused(
                "WINDOW_CLOSED",
                f"已过申报截止日期{zh_date(rules.deadline)}（{zone_label(rules.timezone)}），逾期不予受理",
                f"the deadline {rules.deadline.isoformat()} (Asia/Shanghai) has passed; it is {local.isoformat()}",
                rule="WINDOW",
            )

    def submit(self, command: commands.Submit) -> PilotApplication:
        """One attempt (a conflict on the quota's version is retried by `handle`)."""
        application = self.application(command.application_id)
        if application.status == "DISCARDED":
            raise _refused("APPLICATION_DISCARDED", "该草稿已作废，不能提交", "the draft was discarded")
        if application.status != "DRAFT":
            raise _refused("ALREADY_SUBMITTED", "申报已提交", f"the application is already {application.status}")
        known = self.known_programme(application.programme_id)
        require_state("late_entry" if application.late_entry else "submit", known.status, application.programme_id)
        with self.reading() as session:
            registry = registry_facts.about(session, application.details)
        self._require_known(application, registry)
        now = self.clock.now()
        self._check_window(application, now, known.rules)
        quota = self.quota(application.programme_id, application.province)
        allowed = known.facts.quota_allowed(application.province)
        slot = quota.take_slot(str(application.id), allowed)
        assert registry.applicant is not None  # _require_known
        subject = known.rules.subject_for(application.details["project_name"], registry.applicant.name)
        application.submit(now, slot, subject)
        snapshot = self.snapshot(
            application,
            QuotaFacts(slots_held=quota.held, slots_allowed=allowed, slot_number=slot),
            now,
            known=known,
            registry=registry,
        )
        verdict = evaluate(snapshot)
        application.record_verdict(verdict, "SUBMISSION", [], snapshot)
        self.save(application, quota)
        return application

    def withdraw(self, command: commands.Withdraw) -> PilotApplication:
        """One attempt (a conflict on the quota's version is retried by `handle`)."""
        application = self.application(command.application_id)
        rules = self.require_state(application, "withdraw").rules
        now = self.clock.now()
        application.withdraw(command.reason, now, deadline_passed=now >= rules.closes_at())
        quota = self.quota(application.programme_id, application.province)
        quota.release_slot(str(application.id), command.reason)
        self.save(application, quota)
        return application

    def discard(self, command: commands.Discard) -> PilotApplication:
        """A draft never submitted, dropped by its province (no slot was ever held)."""
        application = self.application(command.application_id)
        self.require_state(application, "discard")
        application.discard(command.reason)
        self.save(application)
        return application

    def close_out(self, programme_id: str, reason: str) -> list[PilotApplication]:
        """The batch concluded: every application of it that can no longer move is closed out (unsaved)."""
        with self.reading() as session:
            ids = session.execute(
                select(applications.c.id).where(applications.c.programme_id == programme_id).order_by(applications.c.id)
            ).scalars()
            rows = list(ids)
        closed = []
        for application_id in rows:
            application = self.application(UUID(application_id))
            before = application.version
            application.close_out(reason)
            if application.version != before:
                closed.append(application)
        return closed

    def record_late_entry(self, command: commands.RecordLateEntry) -> PilotApplication:
        application = self.application(command.application_id)
        closes_at = self.require_state(application, "late_entry").rules.closes_at()
        application.record_late_entry(
            command.sent_on, command.channel, command.evidence_attachment_id, command.recorded_by, closes_at
        )
        self.save(application)
        return application

    def request_amendment(self, command: commands.RequestAmendment) -> PilotApplication:
        application = self.application(command.application_id)
        self.require_state(application, "amendment")
        application.request_amendment(command.sections, command.reason, command.detail_fields)
        self.save(application)
        return application

    def complete_amendment(self, command: commands.CompleteAmendment) -> PilotApplication:
        application = self.application(command.application_id)
        self.require_state(application, "amendment")
        application.complete_amendment(command.note)
        self._record_new_verdict(application, "AMENDMENT", [f"revision {application.revision}"])
        self.save(application)
        return application

    def _record_new_verdict(self, application: PilotApplication, trigger: str, changes: list[str]) -> None:
        quota = self._quota_facts(application)
        snapshot = self.snapshot(application, quota, application.submitted_at or self.clock.now())
        application.record_verdict(evaluate(snapshot), trigger, changes, snapshot)

    def recheck(self, application_ids: list[str], trigger: str, changes: list[str]) -> list[PilotApplication]:
        """New verdicts for submitted applications after a registry change (the caller saves them)."""
        rechecked = []
        for application_id in application_ids:
            application = self.application(UUID(application_id))
            if not application.holds_slot or application.status == "AMENDMENT_REQUESTED":
                continue
            if self.known_programme(application.programme_id).status in FINAL_STATES:
                continue  # nothing new after publication: the verdicts stand as they were
            self._record_new_verdict(application, trigger, changes)
            rechecked.append(application)
        return rechecked

    def submitted_applications(
        self, *, pilot_object_ids: Sequence[str] = (), organisation_ids: Sequence[str] = ()
    ) -> list[str]:
        """Applications holding a slot that concern these pilot objects or organisations (for re-checks)."""
        conditions = []
        if pilot_object_ids:
            conditions.append(applications.c.pilot_object_id.in_(list(pilot_object_ids)))
        if organisation_ids:
            conditions.append(applications.c.applicant_organisation_id.in_(list(organisation_ids)))
            conditions.append(applications.c.implementer_organisation_id.in_(list(organisation_ids)))
        if not conditions:
            return []
        with self.reading() as session:
            rows = session.execute(
                select(applications.c.id).where(
                    or_(*conditions), applications.c.status.in_([str(s) for s in SUBMITTED_STATES])
                )
            ).scalars()
            return sorted(rows)


#: Which handler takes which command: every command of `domain/commands.py`, one handler each (checked below).
COMMAND_HANDLERS: CommandTable[ApplicationIntake] = CommandTable(
    {
        commands.CreateDraft: ApplicationIntake.create_draft,
        commands.UpdateDetails: ApplicationIntake.edit,
        commands.UpdateFoundation: ApplicationIntake.edit,
        commands.SetFunding: ApplicationIntake.edit,
        commands.SetSchedule: ApplicationIntake.edit,
        commands.Detach: ApplicationIntake.edit,
        commands.UpdatePlanSections: ApplicationIntake.update_plan_sections,
        commands.AttachFile: ApplicationIntake.attach_file,
        commands.Submit: ApplicationIntake.submit,
        commands.Withdraw: ApplicationIntake.withdraw,
        commands.Discard: ApplicationIntake.discard,
        commands.RecordLateEntry: ApplicationIntake.record_late_entry,
        commands.RequestAmendment: ApplicationIntake.request_amendment,
        commands.CompleteAmendment: ApplicationIntake.complete_amendment,
    }
)
COMMAND_HANDLERS.check(commands_in(commands))
