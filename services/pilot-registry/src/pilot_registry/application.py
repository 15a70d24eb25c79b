"""PilotRegistry: the registry service's commands (`domain/commands.py`, handled as `COMMAND_HANDLERS` says) and
what the consumers ask of it.

Thin: load an aggregate, apply the command, save. Rules live in the domain; checks that need other aggregates
(a unique credit code, an existing pilot object, a member enterprise) live here.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import select

from pilot_common.clock import Clock, SystemClock
from pilot_common.commands import AggregateCommand, Command, CommandTable, commands_in
from pilot_common.contracts.programme import batch_2_2023
from pilot_common.publishing import PublicationTable
from pilot_common.rules import ViolationKind
from pilot_common.service import HandlerTable, ServiceApplication
from pilot_registry.domain import (
    Finding,
    Organisation,
    Pilot,
    PilotObject,
    Programme,
    RegistryRuleViolation,
    commands,
    pilot_id_for,
)
from pilot_registry.projections import REGISTRY_VIEWS
from pilot_registry.projections.tables import organisations
from pilot_registry.published import PUBLICATIONS

SERVICE_NAME = "pilot-registry"
BATCH_2_CODE = "2023-B2"


class PilotRegistry(ServiceApplication):
    service: ClassVar[str] = SERVICE_NAME
    publications: ClassVar[PublicationTable] = PUBLICATIONS
    name = "PilotRegistry"

    def __init__(self, database_url: str, handlers: HandlerTable | None = None, clock: Clock | None = None) -> None:
        super().__init__(database_url, handlers, projections=[REGISTRY_VIEWS])
        self.clock = clock or SystemClock()  # business time (the programme's calendar)

    # --- programmes -------------------------------------------------------------------------------------------

    def programme(self, programme_id: UUID) -> Programme:
        return self.load(programme_id, Programme, "试点批次", "programme")

    def handle(self, command: Command) -> Any:
        """Runs one command (`domain/commands.py`) by its entry in `COMMAND_HANDLERS`."""
        return COMMAND_HANDLERS.handle(self, command)

    def change(self, command: AggregateCommand[Any]) -> Any:
        """A command to one aggregate: load it, apply the command, save; returns what the command returned."""
        aggregate = self.load(command.target, command.aggregate, *_NAMES[command.aggregate])
        result = command.apply(aggregate)
        self.save(aggregate)
        return result

    def draft_programme(self, command: commands.DraftProgramme) -> Programme:
        programme = Programme.draft(code=command.code, name=command.name, rules=command.rules)
        try:
            self.save(programme)
        except IntegrityError:
            raise RegistryRuleViolation(
                "DUPLICATE_PROGRAMME_CODE",
                f"批次编号“{command.code}”已存在",
                f"programme code {command.code} exists",
                "code",
                kind=ViolationKind.CONFLICT,
            ) from None
        return programme

    def seed_batch_2(self) -> Programme | None:
        """The second batch (2023) exactly as notice 环办科财函〔2023〕79号 sets it, once, as a draft."""
        if Programme.create_id(BATCH_2_CODE) in self.repository:
            return None
        try:
            return self.draft_programme(
                commands.DraftProgramme(code=BATCH_2_CODE, name="第二批清洁生产审核创新试点", rules=batch_2_2023())
            )
        except RegistryRuleViolation:
            return None  # another worker seeded it a moment ago

    def story_aggregates(self, application_id: str) -> list[tuple[UUID, bool]]:
        """The pilot approved from the application, if any."""
        try:
            pilot_id = pilot_id_for(UUID(application_id))
        except ValueError:
            return []
        return [(pilot_id, True)] if pilot_id in self.repository else []

    # --- organisations ----------------------------------------------------------------------------------------

    def organisation(self, organisation_id: UUID) -> Organisation:
        return self.load(organisation_id, Organisation, "机构", "organisation")

    def _check_credit_code_free(self, credit_code: str, other_than: UUID | None = None) -> None:
        code = credit_code.strip().upper()
        with self.reading() as session:
            rows = session.execute(select(organisations.c.id).where(organisations.c.credit_code == code)).scalars()
            clash = [r for r in rows if other_than is None or r != str(other_than)]
        if clash:
            raise RegistryRuleViolation(
                "DUPLICATE_CREDIT_CODE",
                f"统一社会信用代码 {code} 已登记",
                f"an organisation with credit code {code} is already registered",
                "credit_code",
                kind=ViolationKind.CONFLICT,
            )

    def register_organisation(self, command: commands.RegisterOrganisation) -> Organisation:
        organisation = Organisation.register(**asdict(command))
        self._check_credit_code_free(organisation.credit_code)
        self.save(organisation)
        return organisation

    def amend_organisation(self, command: commands.AmendOrganisation) -> Organisation:
        organisation = self.organisation(command.organisation_id)
        if "credit_code" in command.changes:
            self._check_credit_code_free(command.changes["credit_code"], other_than=command.organisation_id)
        organisation.amend(reason=command.reason, **command.changes)
        self.save(organisation)
        return organisation

    def deactivate_organisation(self, command: commands.DeactivateOrganisation) -> Organisation:
        organisation = self.organisation(command.organisation_id)
        organisation.deactivate(command.reason)
        self.save(organisation)
        return organisation

    # --- pilot objects ----------------------------------------------------------------------------------------

    def pilot_object(self, object_id: UUID) -> PilotObject:
        return self.load(object_id, PilotObject, "试点对象", "pilot object")

    def register_pilot_object(self, command: commands.RegisterPilotObject) -> PilotObject:
        pilot_object = PilotObject.register(**asdict(command))
        self.save(pilot_object)
        return pilot_object

    # --- findings ---------------------------------------------------------------------------------------------

    def finding(self, finding_id: UUID) -> Finding:
        return self.load(finding_id, Finding, "问题记录", "finding")

    def _check_subject(self, pilot_object_id: UUID | str, enterprise_credit_code: str | None) -> None:
        pilot_object = self.pilot_object(UUID(str(pilot_object_id)))
        if enterprise_credit_code and not pilot_object.has_member(enterprise_credit_code):
            raise RegistryRuleViolation(
                "NOT_A_MEMBER",
                f"企业 {enterprise_credit_code} 不在试点对象“{pilot_object.name}”范围内",
                f"enterprise {enterprise_credit_code} is not a member of pilot object {pilot_object.name}",
                "enterprise_credit_code",
            )

    def record_finding(self, command: commands.RecordFinding) -> Finding:
        self._check_subject(command.pilot_object_id, command.enterprise_credit_code)
        finding = Finding.record(**asdict(command))
        self.save(finding)
        return finding

    def correct_finding(self, command: commands.CorrectFinding) -> Finding:
        finding = self.finding(command.finding_id)
        changes = command.changes
        if "pilot_object_id" in changes or "enterprise_credit_code" in changes:
            self._check_subject(
                changes.get("pilot_object_id", finding.pilot_object_id),
                changes.get("enterprise_credit_code", finding.enterprise_credit_code),
            )
        finding.correct(reason=command.reason, **changes)
        self.save(finding)
        return finding

    def retract_finding(self, command: commands.RetractFinding) -> Finding:
        finding = self.finding(command.finding_id)
        finding.retract(command.reason)
        self.save(finding)
        return finding

    # --- pilots -----------------------------------------------------------------------------------------------

    def pilot(self, pilot_id: UUID) -> Pilot:
        return self.load(pilot_id, Pilot, "试点项目", "pilot")

    def approve_pilot(
        self,
        *,
        programme_id: UUID,
        application_id: UUID,
        project_name: str,
        pilot_type: str,
        province_code: str,
        applicant_organisation_id: UUID,
        pilot_object_id: UUID,
        approval_document_number: str,
        start_date: date,
    ) -> Pilot:
        """The pilot of one approved application, unsaved: the caller saves it with its tracking record.
        Idempotent: one pilot per application."""
        existing = pilot_id_for(application_id)
        if existing in self.repository:
            return self.pilot(existing)
        programme = self.programme(programme_id)
        pilot_object = self.pilot_object(pilot_object_id)
        pilot = Pilot.approve(
            programme_id=programme_id,
            application_id=application_id,
            project_name=project_name,
            pilot_type=pilot_type,
            province_code=province_code,
            applicant_organisation_id=applicant_organisation_id,
            pilot_object_id=pilot_object_id,
            member_credit_codes=list(pilot_object.member_credit_codes),
            approval_document_number=approval_document_number,
            start_date=start_date,
            implementation_months=programme.rules.implementation_months,
        )
        return pilot


# How each aggregate is named in a "not found" problem (Chinese, English).
_NAMES: dict[type[Any], tuple[str, str]] = {
    Programme: ("试点批次", "programme"),
    PilotObject: ("试点对象", "pilot object"),
    Pilot: ("试点项目", "pilot"),
}

#: Which handler takes which command: every command of `domain/commands.py`, one handler each (checked below).
COMMAND_HANDLERS: CommandTable[PilotRegistry] = CommandTable(
    {
        commands.DraftProgramme: PilotRegistry.draft_programme,
        commands.ReviseRules: PilotRegistry.change,
        commands.GrantQuotaException: PilotRegistry.change,
        commands.RevokeQuotaException: PilotRegistry.change,
        commands.ExtendDeadline: PilotRegistry.change,
        commands.OpenProgramme: PilotRegistry.change,
        commands.CloseProgramme: PilotRegistry.change,
        commands.StartEvaluation: PilotRegistry.change,
        commands.PublishResults: PilotRegistry.change,
        commands.ConcludeProgramme: PilotRegistry.change,
        commands.RegisterOrganisation: PilotRegistry.register_organisation,
        commands.AmendOrganisation: PilotRegistry.amend_organisation,
        commands.DeactivateOrganisation: PilotRegistry.deactivate_organisation,
        commands.RegisterPilotObject: PilotRegistry.register_pilot_object,
        commands.AmendPilotObject: PilotRegistry.change,
        commands.AddMembers: PilotRegistry.change,
        commands.RemoveMembers: PilotRegistry.change,
        commands.RecordFinding: PilotRegistry.record_finding,
        commands.CorrectFinding: PilotRegistry.correct_finding,
        commands.RetractFinding: PilotRegistry.retract_finding,
        commands.AddMilestone: PilotRegistry.change,
        commands.CompleteMilestone: PilotRegistry.change,
        commands.FileReport: PilotRegistry.change,
        commands.AssessPilot: PilotRegistry.change,
    }
)
COMMAND_HANDLERS.check(commands_in(commands))
