"""DESIGN's programme-state table as data: each refusal names the state in a stable code."""

from __future__ import annotations

import pytest

from pilot_common.programme_state import ALLOWED, ProgrammeStateViolation, require_state
from pilot_common.rules import ViolationKind


@pytest.mark.parametrize(
    ("action", "state", "code"),
    [
        ("submit", "DRAFT", "PROGRAMME_NOT_OPEN"),
        ("submit", "CLOSED", "PROGRAMME_NOT_OPEN"),
        ("draft", "UNDER_EVALUATION", "PROGRAMME_NOT_OPEN"),
        ("assignment", "OPEN", "PROGRAMME_NOT_CLOSED"),
        ("scoring", "CLOSED", "PROGRAMME_NOT_UNDER_EVALUATION"),
        ("selection", "OPEN", "PROGRAMME_NOT_UNDER_EVALUATION"),
        ("assignment", "RESULTS_PUBLISHED", "PROGRAMME_RESULTS_PUBLISHED"),
        ("draft", "CONCLUDED", "PROGRAMME_CONCLUDED"),
        ("selection", None, "PROGRAMME_NOT_UNDER_EVALUATION"),  # a state not known yet counts as DRAFT
    ],
)
def test_each_refusal_names_the_state(action: str, state: str | None, code: str) -> None:
    with pytest.raises(ProgrammeStateViolation) as refused:
        require_state(action, state, "P-1")
    assert refused.value.code == code and refused.value.kind is ViolationKind.CONFLICT
    assert refused.value.details["programme_status"] == (state or "DRAFT")
    assert refused.value.message_zh and refused.value.message_en


def test_nothing_new_after_publication_and_each_action_has_its_states() -> None:
    for action, (states, _, _) in ALLOWED.items():
        assert states, action
        assert not {"RESULTS_PUBLISHED", "CONCLUDED"} & set(states), action
        for state in states:
            require_state(action, state)  # allowed: no refusal
