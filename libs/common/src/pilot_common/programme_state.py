"""The batch as one process across the services: what each programme state allows in each service (DESIGN,
"The batch is one process across the services").

The registry owns the programme's state; intake and evaluation keep it from the registry's events and ask
:func:`require_state` before a command. A refusal names the state in a stable code (:func:`refusal_code`):
``PROGRAMME_NOT_<STATE>`` for the state the command needs, or ``PROGRAMME_RESULTS_PUBLISHED`` /
``PROGRAMME_CONCLUDED`` when the batch is past the point where anything new may happen. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from pilot_common.rules import DomainRuleViolation, ViolationKind


class ProgrammeState(StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    UNDER_EVALUATION = "UNDER_EVALUATION"
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"
    CONCLUDED = "CONCLUDED"


STATE_ZH: dict[str, str] = {
    "DRAFT": "草稿",
    "OPEN": "申报受理中",
    "CLOSED": "申报已截止",
    "UNDER_EVALUATION": "评审中",
    "RESULTS_PUBLISHED": "已公布名单",
    "CONCLUDED": "已结束",
}

#: The states after which nothing new may start (DESIGN: "nothing new" once the list is published).
FINAL_STATES = frozenset({ProgrammeState.RESULTS_PUBLISHED, ProgrammeState.CONCLUDED})

_D, _O, _C, _U = ProgrammeState.DRAFT, ProgrammeState.OPEN, ProgrammeState.CLOSED, ProgrammeState.UNDER_EVALUATION

#: Each action of intake and evaluation and the programme states that allow it (DESIGN's table, as data).
ALLOWED: dict[str, tuple[frozenset[ProgrammeState], str, str]] = {
    # intake
    "draft": (frozenset({_D, _O}), "起草或修改申报草稿", "Drafting an application"),
    "submit": (frozenset({_O}), "提交申报", "Submitting an application"),
    "late_entry": (frozenset({_O, _C}), "受理按时寄出的逾期材料", "Accepting a package sent on time"),
    "dry_run": (frozenset({_D, _O, _C, _U}), "预审申报", "A dry run"),
    "withdraw": (frozenset({_O}), "撤回申报", "Withdrawing an application"),
    "discard": (frozenset({_D, _O, _C, _U}), "作废未提交的草稿", "Discarding a draft never submitted"),
    # DESIGN lists amendments under CLOSED and UNDER_EVALUATION; a request while still OPEN is kept allowed (a
    # province may fix a submitted package before the deadline when the ministry asks).
    "amendment": (frozenset({_O, _C, _U}), "要求或完成补正", "Amendments (补正)"),
    # evaluation
    "assignment": (frozenset({_C, _U}), "分配评审专家", "Assigning reviewers"),
    "scoring": (frozenset({_U}), "评分", "Scoring"),
    "selection": (frozenset({_U}), "遴选、会签或公布名单", "Selection, sign-off and publication"),
}


class ProgrammeStateViolation(DomainRuleViolation):
    """A command the programme's current state does not allow (a conflict)."""

    kind = ViolationKind.CONFLICT


def refusal_code(current: str, allowed: Collection[str]) -> str:
    """``PROGRAMME_RESULTS_PUBLISHED`` / ``PROGRAMME_CONCLUDED`` once nothing new may start; else the allowed state
    the programme has not reached yet (``PROGRAMME_NOT_CLOSED``) or, past them, the last one it left
    (``PROGRAMME_NOT_OPEN``)."""
    if current in FINAL_STATES:
        return f"PROGRAMME_{current}"
    order = list(ProgrammeState)
    states = [state for state in order if state in allowed]
    position = order.index(ProgrammeState(current)) if current in order else 0
    target = states[0] if position < order.index(states[0]) else states[-1]
    return f"PROGRAMME_NOT_{target.value}"


def require_state(action: str, current: str | None, programme_id: str | None = None) -> None:
    """Raises :class:`ProgrammeStateViolation` unless the programme's state allows ``action``."""
    allowed, what_zh, what_en = ALLOWED[action]
    state = current or ProgrammeState.DRAFT
    if state in allowed:
        return
    names = [s.value for s in ProgrammeState if s in allowed]
    raise ProgrammeStateViolation(
        refusal_code(state, allowed),
        f"试点批次处于“{STATE_ZH.get(state, state)}”状态，不能{what_zh}"
        f"（须在“{'”或“'.join(STATE_ZH[n] for n in names)}”状态）。",
        f"{what_en} is not allowed while the programme is {state}; it needs {' or '.join(names)}.",
        "programme_id",
        details={"programme_status": str(state), "allowed_states": names, "programme_id": programme_id},
    )
