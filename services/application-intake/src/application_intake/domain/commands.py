"""Everything intake can be asked to do, one typed command each (`pilot_common.commands`).

The service's `COMMAND_HANDLERS` (application.py) maps each to its handler. Edits of a draft (`DraftEdit`) change
one application and need only the batch to take drafts (or amendments); the others need more of the service: the
programme's outline, the quota, the registry's facts, the business clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from application_intake.domain.pilot_application import PilotApplication
from pilot_common.commands import AggregateCommand, Command


@dataclass(frozen=True, kw_only=True)
class CreateDraft(Command):
    province: str
    programme_id: str
    details: Mapping[str, Any] = field(default_factory=dict)  # project name, type, applicant, object, …


@dataclass(frozen=True, kw_only=True)
class ApplicationCommand(Command):
    application_id: UUID


@dataclass(frozen=True, kw_only=True)
class DraftEdit(ApplicationCommand, AggregateCommand[PilotApplication]):
    """An edit of a draft (or, while an amendment is asked for, of the sections it names)."""

    aggregate: ClassVar[type[PilotApplication]] = PilotApplication

    @property
    def target(self) -> UUID:
        return self.application_id


@dataclass(frozen=True, kw_only=True)
class UpdateDetails(DraftEdit):
    changes: Mapping[str, Any]  # only the fields sent (a PATCH)

    def apply(self, application: PilotApplication) -> None:
        application.update_details(**self.changes)


@dataclass(frozen=True, kw_only=True)
class UpdateFoundation(DraftEdit):
    text: str

    def apply(self, application: PilotApplication) -> None:
        application.update_foundation(self.text)


@dataclass(frozen=True, kw_only=True)
class SetFunding(DraftEdit):
    sources: list[dict[str, Any]]

    def apply(self, application: PilotApplication) -> None:
        application.set_funding(self.sources)


@dataclass(frozen=True, kw_only=True)
class SetSchedule(DraftEdit):
    milestones: list[dict[str, Any]]

    def apply(self, application: PilotApplication) -> None:
        application.set_schedule(self.milestones)


@dataclass(frozen=True, kw_only=True)
class Detach(DraftEdit):
    attachment_id: str

    def apply(self, application: PilotApplication) -> None:
        application.detach(self.attachment_id)


@dataclass(frozen=True, kw_only=True)
class UpdatePlanSections(ApplicationCommand):
    """Sections of the programme's outline by code; the service checks the codes against the outline."""

    sections: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class AttachFile(ApplicationCommand):
    kind: str
    file_name: str
    declared_type: str | None
    content: bytes = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class Submit(ApplicationCommand):
    pass


@dataclass(frozen=True, kw_only=True)
class Withdraw(ApplicationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class Discard(ApplicationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordLateEntry(ApplicationCommand):
    sent_on: datetime
    channel: str
    evidence_attachment_id: str
    recorded_by: str


@dataclass(frozen=True, kw_only=True)
class RequestAmendment(ApplicationCommand):
    sections: list[str]
    reason: str
    detail_fields: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class CompleteAmendment(ApplicationCommand):
    note: str
