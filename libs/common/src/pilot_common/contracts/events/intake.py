"""What intake publishes on `application-intake.events`: each application's life as evaluation needs it (who
applies, where, what type, its revision, eligibility outcome and priority, submission, withdrawal, outcome).
Drafting details (foundation, funding, plan text, files), the full verdict and quota slots are internal; the schedule
travels with the submission and each amendment (the approved pilot's milestones come from it).
Every event carries `application_id`, so one application's story can be followed across services."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.contracts.events.checkpoint import CheckpointSignedV1

INTAKE = "application-intake"


class ApplicationCreated(IntegrationEvent):
    """A pilot application drafted by a province."""

    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.Created"
    application_id: str
    programme_id: str
    province: str = Field(description="Province code (GB/T 2260) of the applying department")
    pilot_type: str
    project_name: str
    applicant_organisation_id: str
    implementer_organisation_id: str
    pilot_object_id: str


class ApplicationDetailsUpdated(IntegrationEvent):
    """The fields named in `changed` have the values given here; the others did not change (and are null)."""

    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.DetailsUpdated"
    application_id: str
    changed: list[str]
    project_name: str | None = None
    pilot_type: str | None = None
    applicant_organisation_id: str | None = None
    implementer_organisation_id: str | None = None
    pilot_object_id: str | None = None
    target_industries: list[str] | None = Field(default=None, description="GB/T 4754 industry codes")
    has_coating_process: bool | None = None


class ScheduledMilestone(BaseModel):
    """One milestone of the application's schedule (进度安排): the approved pilot's milestones come from these."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str
    start: date
    due: date


class ApplicationSubmitted(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.Submitted"
    application_id: str
    submitted_at: datetime = Field(description="Business time of the submission")
    milestones: list[ScheduledMilestone] = Field(default_factory=list, description="The schedule as submitted")


class ApplicationVerdictRecorded(IntegrationEvent):
    """An eligibility verdict (at submission, amendment or a re-check): its outcome and priority, not its detail."""

    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.VerdictRecorded"
    application_id: str
    outcome: str = Field(description="ELIGIBLE, ELIGIBLE_WITH_WARNINGS or INELIGIBLE")
    status: str = Field(description="The application's status after the verdict")
    revision: int
    trigger: str = Field(description="Why it was made: SUBMISSION, AMENDMENT, FINDING_RECORDED, …")
    priority: bool = Field(description="PRIORITY: the first tie-break of the ranking")
    priority_reason_zh: str | None = None


class ApplicationWithdrawn(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.Withdrawn"
    application_id: str
    reason: str


class ApplicationAmendmentRequested(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.AmendmentRequested"
    application_id: str


class ApplicationAmended(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.Amended"
    application_id: str
    revision: int
    note: str
    milestones: list[ScheduledMilestone] = Field(default_factory=list, description="The schedule as amended")


class ApplicationEnteredEvaluation(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.EnteredEvaluation"
    application_id: str


class ApplicationOutcomeRecorded(IntegrationEvent):
    event_type: ClassVar[str] = f"{INTAKE}.PilotApplication.OutcomeRecorded"
    application_id: str
    approved: bool
    document_number: str


class IntakeCheckpointSigned(CheckpointSignedV1):
    """The service's Merkle log checkpoint (`pilot_common.contracts.events.checkpoint`)."""

    event_type: ClassVar[str] = f"{INTAKE}.Checkpoint.Signed"


PUBLISHED: tuple[type[IntegrationEvent], ...] = (
    ApplicationCreated,
    ApplicationDetailsUpdated,
    ApplicationSubmitted,
    ApplicationVerdictRecorded,
    ApplicationWithdrawn,
    ApplicationAmendmentRequested,
    ApplicationAmended,
    ApplicationEnteredEvaluation,
    ApplicationOutcomeRecorded,
    IntakeCheckpointSigned,
)
