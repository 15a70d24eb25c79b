"""Everything the registry can be asked to do, one typed command each (`pilot_common.commands`).

The service's `COMMAND_HANDLERS` (application.py) maps each to its handler. Commands to one existing aggregate say
which (`target`) and what to do with it (`apply`); those that create an aggregate or need other aggregates to
decide (a unique credit code, a member enterprise) are handled by the service itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from pilot_common.commands import AggregateCommand, Command
from pilot_common.contracts.programme import AdministrativeLevel, OrganisationKind, ProgrammeRules
from pilot_registry.domain.finding import FindingSource, MediaLevel
from pilot_registry.domain.pilot import Pilot, ReportKind
from pilot_registry.domain.pilot_object import PilotObject, PilotObjectKind
from pilot_registry.domain.programme import Programme

# --- programmes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DraftProgramme(Command):
    code: str
    name: str
    rules: ProgrammeRules


@dataclass(frozen=True, kw_only=True)
class ProgrammeCommand(AggregateCommand[Programme]):
    aggregate: ClassVar[type[Programme]] = Programme
    programme_id: UUID

    @property
    def target(self) -> UUID:
        return self.programme_id


@dataclass(frozen=True, kw_only=True)
class ReviseRules(ProgrammeCommand):
    rules: ProgrammeRules
    reason: str | None = None

    def apply(self, programme: Programme) -> None:
        programme.revise_rules(self.rules, self.reason)


@dataclass(frozen=True, kw_only=True)
class GrantQuotaException(ProgrammeCommand):
    province_code: str
    extra_slots: int
    reason: str

    def apply(self, programme: Programme) -> None:
        programme.grant_quota_exception(self.province_code, self.extra_slots, self.reason)


@dataclass(frozen=True, kw_only=True)
class RevokeQuotaException(ProgrammeCommand):
    province_code: str
    reason: str

    def apply(self, programme: Programme) -> None:
        programme.revoke_quota_exception(self.province_code, self.reason)


@dataclass(frozen=True, kw_only=True)
class ExtendDeadline(ProgrammeCommand):
    new_deadline: date
    reason: str

    def apply(self, programme: Programme) -> None:
        programme.extend_deadline(self.new_deadline, self.reason)


@dataclass(frozen=True, kw_only=True)
class OpenProgramme(ProgrammeCommand):
    reason: str | None = None

    def apply(self, programme: Programme) -> None:
        programme.open(self.reason)


@dataclass(frozen=True, kw_only=True)
class CloseProgramme(ProgrammeCommand):
    reason: str | None
    now: datetime  # business time: closing before the deadline's end is early
    early: bool = False

    def apply(self, programme: Programme) -> None:
        programme.close(self.reason, self.now, self.early)


@dataclass(frozen=True, kw_only=True)
class StartEvaluation(ProgrammeCommand):
    def apply(self, programme: Programme) -> None:
        programme.start_evaluation()


@dataclass(frozen=True, kw_only=True)
class PublishResults(ProgrammeCommand):
    document_number: str

    def apply(self, programme: Programme) -> None:
        programme.publish_results(self.document_number)


@dataclass(frozen=True, kw_only=True)
class ConcludeProgramme(ProgrammeCommand):
    reason: str | None = None

    def apply(self, programme: Programme) -> None:
        programme.conclude(self.reason)


# --- organisations ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterOrganisation(Command):
    name: str
    credit_code: str
    kind: OrganisationKind | str
    province_code: str
    administrative_level: AdministrativeLevel | str | None = None
    division_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class AmendOrganisation(Command):
    organisation_id: UUID
    reason: str
    changes: Mapping[str, Any] = field(default_factory=dict)  # only the fields sent (a PATCH)


@dataclass(frozen=True, kw_only=True)
class DeactivateOrganisation(Command):
    organisation_id: UUID
    reason: str


# --- pilot objects ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterPilotObject(Command):
    kind: PilotObjectKind | str
    name: str
    province_code: str
    division_codes: list[str]
    industry_codes: list[str] | None = None
    park_type: str | None = None
    key_area_code: str | None = None
    member_credit_codes: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class PilotObjectCommand(AggregateCommand[PilotObject]):
    aggregate: ClassVar[type[PilotObject]] = PilotObject
    object_id: UUID

    @property
    def target(self) -> UUID:
        return self.object_id


@dataclass(frozen=True, kw_only=True)
class AmendPilotObject(PilotObjectCommand):
    reason: str
    changes: Mapping[str, Any] = field(default_factory=dict)  # only the fields sent (a PATCH)

    def apply(self, pilot_object: PilotObject) -> None:
        pilot_object.amend(reason=self.reason, **self.changes)


@dataclass(frozen=True, kw_only=True)
class AddMembers(PilotObjectCommand):
    credit_codes: list[str]

    def apply(self, pilot_object: PilotObject) -> None:
        pilot_object.add_members(self.credit_codes)


@dataclass(frozen=True, kw_only=True)
class RemoveMembers(PilotObjectCommand):
    credit_codes: list[str]
    reason: str

    def apply(self, pilot_object: PilotObject) -> None:
        pilot_object.remove_members(self.credit_codes, self.reason)


# --- findings -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordFinding(Command):
    source: FindingSource | str
    disclosed_on: date
    pilot_object_id: UUID | str
    province_code: str
    summary: str
    reference: str
    media_level: MediaLevel | str | None = None
    enterprise_credit_code: str | None = None
    recorded_by: str | None = None
    prominent_problem: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CorrectFinding(Command):
    finding_id: UUID
    reason: str
    changes: Mapping[str, Any] = field(default_factory=dict)  # only the fields sent (a PATCH)


@dataclass(frozen=True, kw_only=True)
class RetractFinding(Command):
    finding_id: UUID
    reason: str


# --- pilots -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PilotCommand(AggregateCommand[Pilot]):
    aggregate: ClassVar[type[Pilot]] = Pilot
    pilot_id: UUID

    @property
    def target(self) -> UUID:
        return self.pilot_id


@dataclass(frozen=True, kw_only=True)
class AddMilestone(PilotCommand):
    title: str
    due: date

    def apply(self, pilot: Pilot) -> UUID:
        return pilot.add_milestone(self.title, self.due)


@dataclass(frozen=True, kw_only=True)
class CompleteMilestone(PilotCommand):
    milestone_id: UUID | str
    on: date
    note: str = ""

    def apply(self, pilot: Pilot) -> None:
        pilot.complete_milestone(self.milestone_id, self.on, self.note)


@dataclass(frozen=True, kw_only=True)
class FileReport(PilotCommand):
    kind: ReportKind | str
    title: str
    document_ref: str
    filed_on: date

    def apply(self, pilot: Pilot) -> UUID:
        return pilot.file_report(self.kind, self.title, self.document_ref, self.filed_on)


@dataclass(frozen=True, kw_only=True)
class AssessPilot(PilotCommand):
    passed: bool
    reason: str
    assessed_on: date

    def apply(self, pilot: Pilot) -> None:
        pilot.assess(self.passed, self.reason, self.assessed_on)
