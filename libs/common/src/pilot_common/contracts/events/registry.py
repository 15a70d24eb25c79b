"""What the registry publishes on `pilot-registry.events`: programmes (rules and state), organisations, pilot
objects and findings, which intake and evaluation keep their own copies of. Pilots' implementation is internal."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.contracts.events.checkpoint import CheckpointSignedV1
from pilot_common.contracts.programme import ProgrammeRules

REGISTRY = "pilot-registry"

# --- programmes --------------------------------------------------------------------------------------------------


class ProgrammeDrafted(IntegrationEvent):
    """A new programme (试点批次) in DRAFT, with its rules as data."""

    event_type: ClassVar[str] = f"{REGISTRY}.Programme.Drafted"
    programme_id: str
    code: str = Field(description="e.g. 2023-B2")
    name: str
    rules: ProgrammeRules


class ProgrammeRulesRevised(IntegrationEvent):
    """The programme's rules as a whole after a revision."""

    event_type: ClassVar[str] = f"{REGISTRY}.Programme.RulesRevised"
    programme_id: str
    rules: ProgrammeRules
    changed: list[str] = Field(default_factory=list, description="Top-level rule fields the revision changed")


class QuotaExceptionGranted(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.QuotaExceptionGranted"
    programme_id: str
    province_code: str
    extra_slots: int


class QuotaExceptionRevoked(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.QuotaExceptionRevoked"
    programme_id: str
    province_code: str


class DeadlineExtended(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.DeadlineExtended"
    programme_id: str
    new_deadline: date = Field(description="Last day of submission (inclusive), in the programme's timezone")


class ProgrammeOpened(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.Opened"
    programme_id: str


class ProgrammeClosed(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.Closed"
    programme_id: str
    reason: str | None = None
    #: Closed before the deadline's end (the ministry said so, with its reason).
    before_deadline: bool = False


class EvaluationStarted(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.EvaluationStarted"
    programme_id: str


class ResultsPublished(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.ResultsPublished"
    programme_id: str
    document_number: str


class ProgrammeConcluded(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Programme.Concluded"
    programme_id: str
    #: Why the batch concluded; applications still open are closed out citing it.
    reason: str | None = None


# --- organisations -----------------------------------------------------------------------------------------------


class OrganisationRegistered(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Organisation.Registered"
    organisation_id: str
    name: str
    credit_code: str = Field(description="统一社会信用代码 (18 characters)")
    kind: str
    administrative_level: str | None
    province_code: str
    division_code: str


class OrganisationAmended(IntegrationEvent):
    """The fields named in `changed` have the values given here; the others did not change (and are null)."""

    event_type: ClassVar[str] = f"{REGISTRY}.Organisation.Amended"
    organisation_id: str
    changed: list[str]
    name: str | None = None
    credit_code: str | None = None
    kind: str | None = None
    administrative_level: str | None = None
    province_code: str | None = None
    division_code: str | None = None


class OrganisationDeactivated(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Organisation.Deactivated"
    organisation_id: str


# --- pilot objects -----------------------------------------------------------------------------------------------


class PilotObjectRegistered(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.PilotObject.Registered"
    pilot_object_id: str
    kind: str
    name: str
    province_code: str
    division_codes: list[str]
    industry_codes: list[str]
    park_type: str | None
    key_area_code: str | None
    member_credit_codes: list[str]


class PilotObjectAmended(IntegrationEvent):
    """The fields named in `changed` have the values given here; the others did not change (and are null)."""

    event_type: ClassVar[str] = f"{REGISTRY}.PilotObject.Amended"
    pilot_object_id: str
    changed: list[str]
    kind: str | None = None
    name: str | None = None
    province_code: str | None = None
    division_codes: list[str] | None = None
    industry_codes: list[str] | None = None
    park_type: str | None = None
    key_area_code: str | None = None


class PilotObjectMembersAdded(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.PilotObject.MembersAdded"
    pilot_object_id: str
    credit_codes: list[str]


class PilotObjectMembersRemoved(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.PilotObject.MembersRemoved"
    pilot_object_id: str
    credit_codes: list[str]


# --- findings ----------------------------------------------------------------------------------------------------


class FindingRecorded(IntegrationEvent):
    """An inspection or media finding (督察/曝光) about a pilot object or one of its enterprises."""

    event_type: ClassVar[str] = f"{REGISTRY}.Finding.Recorded"
    finding_id: str
    source: str
    media_level: str | None
    disclosed_on: date
    pilot_object_id: str
    enterprise_credit_code: str | None
    province_code: str
    summary: str
    reference: str
    #: For a central inspection: whether it named a prominent problem (突出生态环境问题); None when not recorded.
    prominent_problem: bool | None = None


class FindingCorrected(IntegrationEvent):
    """The fields named in `changed` have the values given here; `previous_*` say what a moved finding was
    about before, so that a consumer can re-check the old subject too."""

    event_type: ClassVar[str] = f"{REGISTRY}.Finding.Corrected"
    finding_id: str
    changed: list[str]
    source: str | None = None
    media_level: str | None = None
    disclosed_on: date | None = None
    pilot_object_id: str | None = None
    enterprise_credit_code: str | None = None
    province_code: str | None = None
    summary: str | None = None
    reference: str | None = None
    prominent_problem: bool | None = None
    previous_pilot_object_id: str | None = None
    previous_enterprise_credit_code: str | None = None


class FindingRetracted(IntegrationEvent):
    event_type: ClassVar[str] = f"{REGISTRY}.Finding.Retracted"
    finding_id: str


class RegistryCheckpointSigned(CheckpointSignedV1):
    """The service's Merkle log checkpoint (`pilot_common.contracts.events.checkpoint`)."""

    event_type: ClassVar[str] = f"{REGISTRY}.Checkpoint.Signed"


PUBLISHED: tuple[type[IntegrationEvent], ...] = (
    ProgrammeDrafted,
    ProgrammeRulesRevised,
    QuotaExceptionGranted,
    QuotaExceptionRevoked,
    DeadlineExtended,
    ProgrammeOpened,
    ProgrammeClosed,
    EvaluationStarted,
    ResultsPublished,
    ProgrammeConcluded,
    OrganisationRegistered,
    OrganisationAmended,
    OrganisationDeactivated,
    PilotObjectRegistered,
    PilotObjectAmended,
    PilotObjectMembersAdded,
    PilotObjectMembersRemoved,
    FindingRecorded,
    FindingCorrected,
    FindingRetracted,
    RegistryCheckpointSigned,
)
