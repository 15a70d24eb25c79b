"""Replaying one application's verdicts (issue 14 item 5): each recorded ``VerdictRecorded`` re-evaluated by the
eligibility engine from the snapshot it was made on, and compared with the recorded verdict.

The engine is a pure function of its snapshot (:func:`application_intake.domain.eligibility.evaluate`), and since
version 2 the event keeps that snapshot, which names the programme version it was read at. A verdict recorded
before (no snapshot) is reported NOT_REPLAYABLE, not failed. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from application_intake.domain.eligibility import EligibilitySnapshot, EligibilityVerdict, evaluate
from pilot_common.service import ServiceApplication

REPRODUCED = "REPRODUCED"
DIFFERS = "DIFFERS"
NOT_REPLAYABLE = "NOT_REPLAYABLE"


@dataclass(frozen=True)
class VerdictReplay:
    version: int  # the application's event version that recorded the verdict
    trigger: str
    recorded_outcome: str
    programme_version: int | None  # as the recorded verdict names it
    status: str  # REPRODUCED, DIFFERS, NOT_REPLAYABLE
    replayed_outcome: str | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)  # rule by rule: code, recorded, replayed
    reason: str | None = None


def _rules(verdict: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(r["code"]): r for r in verdict.get("results", [])}


def replay_verdict(version: int, event: Any) -> VerdictReplay:
    recorded: dict[str, Any] = dict(event.verdict)
    base: dict[str, Any] = {
        "version": version,
        "trigger": str(event.trigger),
        "recorded_outcome": str(event.outcome),
        "programme_version": recorded.get("programme_version"),
    }
    snapshot = getattr(event, "snapshot", None)
    if snapshot is None:
        return VerdictReplay(
            **base, status=NOT_REPLAYABLE, reason="recorded before verdicts kept their snapshot (event version 1)"
        )
    try:
        facts = EligibilitySnapshot.model_validate(snapshot)
    except ValidationError as e:
        return VerdictReplay(**base, status=NOT_REPLAYABLE, reason=f"the kept snapshot does not read back: {e}")
    replayed = evaluate(facts).to_dict()
    differences: list[dict[str, Any]] = []
    if facts.programme.programme_version != recorded.get("programme_version"):
        differences.append(
            {
                "field": "programme_version",
                "recorded": recorded.get("programme_version"),
                "replayed": facts.programme.programme_version,
            }
        )
    mine, theirs = _rules(replayed), _rules(recorded)
    for code in sorted(set(mine) | set(theirs)):
        a, b = theirs.get(code), mine.get(code)
        if a != b:
            differences.append({"field": f"results.{code}", "recorded": a, "replayed": b})
    for name in ("outcome", "priority", "evaluated_at", "submitted_at", "registry_position", "subject_line"):
        if recorded.get(name) != replayed.get(name):
            differences.append({"field": name, "recorded": recorded.get(name), "replayed": replayed.get(name)})
    # The recorded verdict must read back as a verdict (its outcome follows from its results).
    try:
        EligibilityVerdict.from_dict(recorded)
    except ValidationError as e:
        differences.append({"field": "verdict", "recorded": "unreadable", "replayed": str(e)})
    return VerdictReplay(
        **base,
        status=DIFFERS if differences else REPRODUCED,
        replayed_outcome=str(replayed["outcome"]),
        differences=differences,
    )


def replay_verdicts(app: ServiceApplication, application_id: UUID) -> list[VerdictReplay]:
    """Every recorded verdict of the application, oldest first, re-evaluated."""
    return [
        replay_verdict(e.originator_version, e)
        for e in app.events.get(application_id)
        if type(e).__name__ == "VerdictRecorded"
    ]
