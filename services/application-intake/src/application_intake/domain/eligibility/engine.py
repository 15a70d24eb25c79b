"""``evaluate``: the eligibility engine as a pure function of its snapshot (no I/O, no clock)."""

from __future__ import annotations

from pilot_common.reference import REFERENCE_DATA_VERSION

from .rules import RULES, check_priority, subject_line
from .snapshot import EligibilitySnapshot
from .verdict import RULE_ORDER, EligibilityVerdict, outcome_of


def evaluate(snapshot: EligibilitySnapshot) -> EligibilityVerdict:
    """Run every rule in :data:`RULE_ORDER` and the PRIORITY mark; the same snapshot gives the same verdict."""
    results = tuple(RULES[code](snapshot) for code in RULE_ORDER)
    for code, result in zip(RULE_ORDER, results, strict=True):
        if result.code is not code:
            raise RuntimeError(f"rule {code} returned a result for {result.code}")
    return EligibilityVerdict(
        application_id=snapshot.application.application_id,
        programme_id=snapshot.programme.programme_id,
        programme_version=snapshot.programme.programme_version,
        registry_position=snapshot.registry_position,
        reference_data_version=REFERENCE_DATA_VERSION,
        submitted_at=snapshot.submitted_at,
        evaluated_at=snapshot.evaluated_at,
        dry_run=snapshot.dry_run,
        outcome=outcome_of(r.status for r in results),
        results=results,
        priority=check_priority(snapshot),
        subject_line=subject_line(snapshot),
    )
