"""One reviewer's score sheet for one application.

Life of a sheet (``status``): OPEN (the reviewer records scores) → SUBMITTED (locked) → OPEN again in a new
``scoring_round`` when a moderator requests a rescore, or when the reviewer rescores an amended application →
SUBMITTED … A sheet is WITHDRAWN (for good) when the reviewer declares a conflict of interest or ministry staff
reassign the application to someone else. Every submission is kept in ``submissions``.

Staleness: when the application is amended after the sheet was scored (``mark_stale``), the sheet is stale until
the reviewer either confirms the scores against the new revision (``confirm_current``) or records new scores
(``record_scores``). A stale sheet cannot be submitted; a stale submitted sheet still shows its submission.

Events: ``evaluation.ScoreSheet.Created``, ``.ScoresRecorded``, ``.Submitted``, ``.RescoreRequested``,
``.ReopenedForAmendment``, ``.ModerationAccepted``, ``.RevisionAdvanced``, ``.MarkedStale``,
``.CurrentRevisionConfirmed``, ``.ConflictDeclared``, ``.Withdrawn``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from eventsourcing.domain import event

from evaluation.domain._checks import now_or
from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation, require_reason, require_text
from evaluation.domain.scoring import Criterion, CriterionLike, criteria_of, validate_scores, weighted_total
from pilot_common.aggregate import AuditedAggregate

_SHEET_NS = uuid.UUID("0b7e3c4a-5d2f-4e61-9a8b-7c1d2e3f4a5b")


class SheetStatus(StrEnum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"
    WITHDRAWN = "WITHDRAWN"


def score_sheet_id(reviewer_id: str, application_id: str) -> uuid.UUID:
    """The id of the one sheet of this reviewer on this application (a second assignment cannot create another)."""
    return uuid.uuid5(_SHEET_NS, f"{reviewer_id}/{application_id}")


def _require_revision(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EvaluationRuleViolation(
            ErrorCode.INVALID_REVISION,
            "申报版本号必须是正整数",
            "application revision must be a positive integer",
            field,
        )
    return value


class ScoreSheet(AuditedAggregate):
    """Create with :meth:`open` (validates the criteria). The id is :func:`score_sheet_id` (reviewer, application)."""

    @staticmethod
    def create_id(reviewer_id: str, application_id: str) -> uuid.UUID:
        return score_sheet_id(reviewer_id, application_id)

    def __init__(
        self,
        reviewer_id: str,
        application_id: str,
        criteria: list[dict[str, Any]],
        application_revision: int,
        programme_id: str | None,
        reader_key: str | None = None,
    ) -> None:
        self.reviewer_id = reviewer_id
        self.reader_key = reader_key  # digest of the reviewer's login: intake opens the application to them
        self.application_id = application_id
        self.programme_id = programme_id
        self.criteria: list[dict[str, Any]] = [dict(c) for c in criteria]
        self.application_revision = application_revision
        self.status = SheetStatus.OPEN
        self.scoring_round = 1
        self.scores: dict[str, float] = {}
        self.justifications: dict[str, str] = {}
        self.stale = False
        self.pending_revision: int | None = None
        self.stale_reason: str | None = None
        self.submissions: list[dict[str, Any]] = []
        self.rescore_requests: list[dict[str, Any]] = []
        self.moderation_accepted_round: int | None = None
        self.conflict_declared = False
        self.withdrawal_reason: str | None = None

    @classmethod
    def open(
        cls,
        reviewer_id: str,
        application_id: str,
        criteria: Sequence[CriterionLike],
        application_revision: int,
        programme_id: str | None = None,
        reader_key: str | None = None,
    ) -> Self:
        """The sheet of a new assignment: the programme's criteria and the application revision it will score."""
        return cls(
            reviewer_id=require_text(reviewer_id, "reviewer_id"),
            application_id=require_text(application_id, "application_id"),
            criteria=[c.as_dict() for c in criteria_of(criteria)],
            application_revision=_require_revision(application_revision, "application_revision"),
            programme_id=programme_id,
            reader_key=reader_key,
        )

    # ---- queries --------------------------------------------------------------------------------------------

    @property
    def criteria_list(self) -> list[Criterion]:
        return [Criterion.from_dict(c) for c in self.criteria]

    @property
    def submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED

    @property
    def withdrawn(self) -> bool:
        return self.status == SheetStatus.WITHDRAWN

    @property
    def weighted_total(self) -> float | None:
        """Σ score × weight of the current scores; None before any score is recorded."""
        return weighted_total(self.scores, self.criteria_list) if self.scores else None

    @property
    def latest_submission(self) -> dict[str, Any] | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def moderation_accepted(self) -> bool:
        """A moderator accepted the current submission's total although it is an outlier."""
        return self.submitted and self.moderation_accepted_round == self.scoring_round

    # ---- commands -------------------------------------------------------------------------------------------

    def _refuse_if_withdrawn(self) -> None:
        if self.withdrawn:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_WITHDRAWN, "该评分表已撤回", "this score sheet has been withdrawn", "status"
            )

    def record_scores(self, scores: Mapping[str, float], justifications: Mapping[str, str]) -> None:
        """Records a complete set of scores (every criterion within [0, max], each with a non-blank justification),
        replacing the previous draft. Refused once submitted, unless the sheet is stale: then it is a rescore of the
        amended application and opens a new round."""
        self._refuse_if_withdrawn()
        if self.submitted and not self.stale:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_SUBMITTED, "评分表已提交，不能修改", "the score sheet is submitted and locked", "status"
            )
        clean_scores, clean_reasons = validate_scores(scores, justifications, self.criteria_list)
        revision = self.pending_revision if self.stale and self.pending_revision else self.application_revision
        if self.submitted:
            self._reopened_for_amendment(scoring_round=self.scoring_round + 1, application_revision=revision)
        self._scores_recorded(scores=clean_scores, justifications=clean_reasons, application_revision=revision)

    def submit(self, at: datetime | None = None) -> None:
        """Locks the sheet; its scores, total and time are added to ``submissions``."""
        self._refuse_if_withdrawn()
        if self.submitted:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_SUBMITTED, "评分表已提交", "the score sheet is already submitted", "status"
            )
        if not self.scores:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_INCOMPLETE, "尚未打分，不能提交", "nothing scored yet: cannot submit", "scores"
            )
        if self.stale:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_STALE,
                f"申报已更新为第 {self.pending_revision} 版，请确认或重新打分后再提交",
                f"the application was amended (revision {self.pending_revision}): confirm or rescore before submitting",
                "application_revision",
            )
        total = weighted_total(self.scores, self.criteria_list)
        self._submitted(submitted_at=now_or(at), weighted_total=total, scoring_round=self.scoring_round)

    def request_rescore(self, reason: str, at: datetime | None = None) -> None:
        """A moderator sends a submitted sheet back to its reviewer: it reopens as a new round (history kept)."""
        self._refuse_if_withdrawn()
        why = require_reason(reason)
        if not self.submitted:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_NOT_SUBMITTED,
                "评分表尚未提交，无需重评",
                "the score sheet is not submitted: nothing to rescore",
                "status",
            )
        self._rescore_requested(reason=why, requested_at=now_or(at), scoring_round=self.scoring_round + 1)

    def accept_moderation(self, reason: str) -> None:
        """A moderator keeps the submitted total although it is an outlier (recorded with the reason)."""
        self._refuse_if_withdrawn()
        why = require_reason(reason)
        if not self.submitted:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_NOT_SUBMITTED, "评分表尚未提交", "the score sheet is not submitted", "status"
            )
        self._moderation_accepted(reason=why, scoring_round=self.scoring_round)

    def mark_stale(self, new_revision: int, reason: str) -> None:
        """The application was amended to ``new_revision``. Idempotent: an older or known revision, or a withdrawn
        sheet, changes nothing. A sheet not yet scored simply moves to the new revision."""
        _require_revision(new_revision, "new_revision")
        why = require_reason(reason)
        known = max(self.application_revision, self.pending_revision or 0)
        if self.withdrawn or new_revision <= known:
            return
        if not self.scores and not self.submissions:
            self._revision_advanced(application_revision=new_revision, reason=why)
        else:
            self._marked_stale(new_revision=new_revision, reason=why)

    def confirm_current(self) -> None:
        """The reviewer confirms the scores still hold for the amended application: keeps them, records the new
        revision and clears the staleness."""
        self._refuse_if_withdrawn()
        if not self.stale or self.pending_revision is None:
            raise EvaluationRuleViolation(
                ErrorCode.SHEET_NOT_STALE, "评分表不需要确认", "the score sheet is not stale", "stale"
            )
        self._current_revision_confirmed(application_revision=self.pending_revision)

    def declare_conflict(self, reason: str) -> None:
        """The reviewer declares a conflict of interest: the sheet is withdrawn and its scores no longer count."""
        self._refuse_if_withdrawn()
        self._conflict_declared(
            reason=require_reason(reason),
            reader_key=getattr(self, "reader_key", None),
            application_id=self.application_id,
        )

    def withdraw(self, reason: str) -> None:
        """Ministry staff take the application from this reviewer (manual reassignment): the sheet is withdrawn."""
        self._refuse_if_withdrawn()
        self._withdrawn(
            reason=require_reason(reason),
            reader_key=getattr(self, "reader_key", None),
            application_id=self.application_id,
        )

    # ---- events ---------------------------------------------------------------------------------------------

    @event("ScoresRecorded")
    def _scores_recorded(
        self, scores: dict[str, float], justifications: dict[str, str], application_revision: int
    ) -> None:
        self.scores = dict(scores)
        self.justifications = dict(justifications)
        if application_revision != self.application_revision or self.stale:
            self.application_revision = application_revision
            self.stale = False
            self.pending_revision = None
            self.stale_reason = None

    @event("Submitted")
    def _submitted(self, submitted_at: datetime, weighted_total: float, scoring_round: int) -> None:
        self.status = SheetStatus.SUBMITTED
        self.submissions.append(
            {
                "scoring_round": scoring_round,
                "scores": dict(self.scores),
                "justifications": dict(self.justifications),
                "weighted_total": weighted_total,
                "application_revision": self.application_revision,
                "submitted_at": submitted_at,
            }
        )

    @event("RescoreRequested")
    def _rescore_requested(self, reason: str, requested_at: datetime, scoring_round: int) -> None:
        self.status = SheetStatus.OPEN
        self.scoring_round = scoring_round
        self.rescore_requests.append({"scoring_round": scoring_round, "reason": reason, "requested_at": requested_at})

    @event("ReopenedForAmendment")
    def _reopened_for_amendment(self, scoring_round: int, application_revision: int) -> None:
        self.status = SheetStatus.OPEN
        self.scoring_round = scoring_round

    @event("ModerationAccepted")
    def _moderation_accepted(self, reason: str, scoring_round: int) -> None:
        self.moderation_accepted_round = scoring_round

    @event("RevisionAdvanced")
    def _revision_advanced(self, application_revision: int, reason: str) -> None:
        self.application_revision = application_revision

    @event("MarkedStale")
    def _marked_stale(self, new_revision: int, reason: str) -> None:
        self.stale = True
        self.pending_revision = new_revision
        self.stale_reason = reason

    @event("CurrentRevisionConfirmed")
    def _current_revision_confirmed(self, application_revision: int) -> None:
        self.application_revision = application_revision
        self.stale = False
        self.pending_revision = None
        self.stale_reason = None

    @event("ConflictDeclared")
    def _conflict_declared(self, reason: str, reader_key: str | None = None, application_id: str | None = None) -> None:
        self.status = SheetStatus.WITHDRAWN
        self.conflict_declared = True
        self.withdrawal_reason = reason

    @event("Withdrawn")
    def _withdrawn(self, reason: str, reader_key: str | None = None, application_id: str | None = None) -> None:
        self.status = SheetStatus.WITHDRAWN
        self.withdrawal_reason = reason
