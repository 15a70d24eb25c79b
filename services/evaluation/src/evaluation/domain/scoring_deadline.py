"""The scoring due date (评审截止日期) of one programme's review: the ministry's decision, not the notice's.

No source document fixes when experts must have scored (docs/decisions.md), so ministry staff set a business date
(the programme's calendar, Asia/Shanghai) for the whole programme — with the assignment run or when starting the
evaluation — and may move it later with a reason. Scoring after it is not refused (the ministry may still wait):
the sheets only show it as overdue.

Events: ``evaluation.ScoringDeadline.Created`` (``programme_id``, ``due_date``) and ``.Changed`` (``due_date``,
``previous``, ``reason``).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Self

from eventsourcing.domain import event

from evaluation.domain.errors import ErrorCode, EvaluationRuleViolation, require_reason, require_text
from pilot_common.aggregate import AuditedAggregate
from pilot_common.wording import zh_date

_DEADLINE_NS = uuid.UUID("5c2e8a41-7b3d-4f96-a0e1-2d4b6c8e9f13")


def scoring_deadline_id(programme_id: str) -> uuid.UUID:
    """One scoring due date per programme."""
    return uuid.uuid5(_DEADLINE_NS, programme_id)


def _not_before_today(due_date: date, today: date) -> date:
    if not isinstance(due_date, date):
        raise EvaluationRuleViolation(ErrorCode.BLANK_FIELD, "评审截止日期不能为空", "due_date is required", "due_date")
    if due_date < today:
        raise EvaluationRuleViolation(
            ErrorCode.DUE_DATE_PAST,
            f"评审截止日期不能早于今天（{zh_date(today)}）",
            f"the due date must not be before today ({today.isoformat()})",
            "due_date",
        )
    return due_date


class ScoringDeadline(AuditedAggregate):
    """Create with :meth:`set`; the id is :func:`scoring_deadline_id` of the programme."""

    @staticmethod
    def create_id(programme_id: str) -> uuid.UUID:
        return scoring_deadline_id(programme_id)

    def __init__(self, programme_id: str, due_date: date) -> None:
        self.programme_id = programme_id
        self.due_date = due_date
        self.changes: list[dict[str, Any]] = []  # each later change: due_date, previous, reason (ISO dates)

    @classmethod
    def set(cls, programme_id: str, due_date: date, today: date) -> Self:
        """The first due date of the programme's scoring; not before business ``today``."""
        return cls(programme_id=require_text(programme_id, "programme_id"), due_date=_not_before_today(due_date, today))

    @property
    def last_reason(self) -> str | None:
        return str(self.changes[-1]["reason"]) if self.changes else None

    def change(self, due_date: date, reason: str, today: date) -> None:
        """Moves the due date (earlier or later, not before ``today``), with the reason reviewers will see."""
        reason = require_reason(reason)
        due_date = _not_before_today(due_date, today)
        if due_date == self.due_date:
            raise EvaluationRuleViolation(
                ErrorCode.NOTHING_TO_CHANGE,
                f"评审截止日期已是{zh_date(due_date)}",
                f"the due date is already {due_date.isoformat()}",
                "due_date",
            )
        self._changed(due_date=due_date, previous=self.due_date, reason=reason)

    @event("Changed")
    def _changed(self, due_date: date, previous: date, reason: str) -> None:
        self.due_date = due_date
        self.changes.append({"due_date": due_date.isoformat(), "previous": previous.isoformat(), "reason": reason})
