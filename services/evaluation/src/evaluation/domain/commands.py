"""Everything evaluation can be asked to do, one typed command each (`pilot_common.commands`).

The service's `COMMAND_HANDLERS` (application.py) maps each to its handler. Commands to a score sheet
(`SheetCommand`) need the batch to be in scoring and the application still in evaluation; with `reviewer_id`, only
that reviewer's own sheet may be changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar
from uuid import UUID

from evaluation.domain.score_sheet import ScoreSheet
from pilot_common.commands import AggregateCommand, Command

# --- reviewers ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegisterReviewer(Command):
    name: str
    organisation_id: str
    province: str
    expertise: Sequence[str] = ()
    available: bool = True
    user_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateReviewer(Command):
    reviewer_id: UUID
    available: bool | None = None
    availability_reason: str | None = None
    expertise: Sequence[str] | None = None
    organisation_id: str | None = None
    province: str | None = None


# --- assignment ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AssignReviewers(Command):
    programme_id: str


@dataclass(frozen=True, kw_only=True)
class Reassign(Command):
    application_id: str
    from_reviewer_id: str
    to_reviewer_id: str
    reason: str


# --- score sheets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SheetCommand(AggregateCommand[ScoreSheet]):
    aggregate: ClassVar[type[ScoreSheet]] = ScoreSheet
    sheet_id: UUID
    reviewer_id: str | None = None  # a reviewer acting on their own sheet; None for ministry staff

    @property
    def target(self) -> UUID:
        return self.sheet_id


@dataclass(frozen=True, kw_only=True)
class RecordScores(SheetCommand):
    scores: Mapping[str, float]
    justifications: Mapping[str, str] = field(default_factory=dict)

    def apply(self, sheet: ScoreSheet) -> None:
        sheet.record_scores(self.scores, self.justifications)


@dataclass(frozen=True, kw_only=True)
class SubmitSheet(SheetCommand):
    def apply(self, sheet: ScoreSheet) -> None:
        sheet.submit()


@dataclass(frozen=True, kw_only=True)
class DeclareConflict(SheetCommand):
    reason: str

    def apply(self, sheet: ScoreSheet) -> None:
        sheet.declare_conflict(self.reason)


@dataclass(frozen=True, kw_only=True)
class ConfirmCurrent(SheetCommand):
    def apply(self, sheet: ScoreSheet) -> None:
        sheet.confirm_current()


@dataclass(frozen=True, kw_only=True)
class RequestRescore(SheetCommand):
    reason: str

    def apply(self, sheet: ScoreSheet) -> None:
        sheet.request_rescore(self.reason)


@dataclass(frozen=True, kw_only=True)
class AcceptModeration(SheetCommand):
    reason: str

    def apply(self, sheet: ScoreSheet) -> None:
        sheet.accept_moderation(self.reason)


# --- the scoring due date ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SetScoringDeadline(Command):
    """Sets the programme's scoring due date, or moves it (then with a reason)."""

    programme_id: str
    due_date: date
    reason: str | None = None


# --- selection and publication ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StartSelection(Command):
    programme_id: str
    target_count: int
    type_caps: Mapping[str, int] | None = None
    province_caps: Mapping[str, int] | None = None
    default_province_cap: int | None = None


@dataclass(frozen=True, kw_only=True)
class SetSelectionLimits(Command):
    programme_id: str
    target_count: int | None = None
    type_caps: Mapping[str, int] | None = None
    province_caps: Mapping[str, int] | None = None
    default_province_cap: int | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProposeSelection(Command):
    programme_id: str


@dataclass(frozen=True, kw_only=True)
class IncludeInSelection(Command):
    programme_id: str
    application_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExcludeFromSelection(Command):
    programme_id: str
    application_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SignOff(Command):
    programme_id: str
    party: str  # MEE or NDRC (会签)
    user_id: str


@dataclass(frozen=True, kw_only=True)
class PublishList(Command):
    programme_id: str
    document_number: str
