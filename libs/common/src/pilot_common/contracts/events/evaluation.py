"""What evaluation publishes on `evaluation.events`: that an application entered review (its first score sheet
was opened), that a reviewer may read it (a digest of their login, no identity) or no longer, and the published
list of approved projects. Reviewers, assignments, scores, moderation, ranking and
the selection's drafts are internal: no reviewer's identity or individual scores leave the service."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from pilot_common.contracts.events.base import IntegrationEvent, Upcaster
from pilot_common.contracts.events.checkpoint import CheckpointSignedV1
from pilot_common.contracts.events.intake import ScheduledMilestone

EVALUATION = "evaluation"


def reader_key_of(user_id: str) -> str:
    """What intake needs to open an assigned application to its reviewer without learning who reviews it: a digest
    of the reviewer's login (the token's ``sub``), compared with the digest of the caller's login."""
    return hashlib.sha256(f"pilot-reader:{user_id}".encode()).hexdigest()


class ScoreSheetOpened(IntegrationEvent):
    """A reviewer was assigned to an application (who, and their scores, stay internal)."""

    event_type: ClassVar[str] = f"{EVALUATION}.ScoreSheet.Created"
    application_id: str
    programme_id: str | None
    application_revision: int = Field(description="The revision of the application the sheet scores")
    reader_key: str | None = Field(
        default=None, description="Digest of the assigned reviewer's login (`reader_key_of`): intake lets them read"
    )


class ScoreSheetWithdrawn(IntegrationEvent):
    """A reviewer was taken off an application (a declared conflict, a reassignment): they read it no more."""

    event_type: ClassVar[str] = f"{EVALUATION}.ScoreSheet.Withdrawn"
    application_id: str
    reader_key: str | None = None


class ApprovedProject(BaseModel):
    """One entry of the published list (试点项目名单)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    application_id: str
    position: int = Field(description="Place on the published list, 1..n")
    project_name: str
    pilot_type: str
    province_code: str = Field(description="Province code (GB/T 2260); `province` in v1")
    applicant_organisation_id: str
    pilot_object_id: str
    milestones: list[ScheduledMilestone] = Field(
        default_factory=list, description="The approved schedule (进度安排): the pilot's milestones"
    )


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 names the province `province_code`, as the registry does (v1: `province`)."""
    entries = [
        {**{k: v for k, v in entry.items() if k != "province"}, "province_code": entry["province"]}
        for entry in data["entries"]
    ]
    return {**data, "entries": entries}


class ListPublished(IntegrationEvent):
    """The approved list, published under the notice's document number; the registry creates the pilots."""

    event_type: ClassVar[str] = f"{EVALUATION}.Selection.Published"
    schema_version: ClassVar[int] = 2
    upcasters: ClassVar[dict[int, Upcaster]] = {1: _v1_to_v2}

    programme_id: str
    document_number: str = Field(description="e.g. 环办科财函〔2023〕261号")
    published_at: datetime
    entries: list[ApprovedProject] = Field(description="The approved projects in list order")


class EvaluationCheckpointSigned(CheckpointSignedV1):
    """The service's Merkle log checkpoint (`pilot_common.contracts.events.checkpoint`)."""

    event_type: ClassVar[str] = f"{EVALUATION}.Checkpoint.Signed"


PUBLISHED: tuple[type[IntegrationEvent], ...] = (
    ScoreSheetOpened,
    ScoreSheetWithdrawn,
    ListPublished,
    EvaluationCheckpointSigned,
)
