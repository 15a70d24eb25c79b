"""PRIORITY (notice 四(一), not a gate): ranking's first tie-break.

Priority iff a target key industry, or the object's park type, was not covered by earlier batches. Only
industries the application definitely targets count: four-digit classes (or, with a coating process, codes in
divisions 33–43); a division or group only partly in a key industry does not claim it. The park type OTHER
claims nothing (it names no type).
"""

from __future__ import annotations

from typing import Any

from pilot_common.reference import KEY_INDUSTRIES, PARK_TYPES

from .. import messages as m
from ..messages import Text
from ..snapshot import EligibilitySnapshot
from ..verdict import PriorityResult
from ._industries import Scope, classify, in_scope


def check_priority(s: EligibilitySnapshot) -> PriorityResult:
    rules = s.programme.rules
    app, obj = s.application, s.pilot_object
    industries, _ = classify(app.target_industries, app.has_coating_process, rules.key_industry_mapping)
    key = in_scope(industries, Scope.KEY)
    targeted = [c for c in KEY_INDUSTRIES.codes if any(c in i.key_industries for i in key)]
    covered = set(rules.covered_industries)
    covered_park_types = set(rules.covered_park_types)
    uncovered = tuple(c for c in targeted if c not in covered)
    park_type = obj.park_type if obj is not None else None
    uncovered_park = park_type if park_type and park_type != "OTHER" and park_type not in covered_park_types else None
    assumed = {*rules.assumed_covered_industries, *rules.assumed_covered_park_types}
    # "Not covered" rests on the coverage list being complete; "covered" on each item being confirmed.
    relied_on = [c for c in targeted if c in covered and c in assumed]
    if park_type and park_type in covered_park_types and park_type in assumed:
        relied_on.append(park_type)
    rests_on_assumption = rules.coverage_provisional and bool(targeted or park_type)
    evidence: dict[str, Any] = {
        "target_key_industries": targeted,
        "covered_industries": list(rules.covered_industries),
        "park_type": park_type,
        "covered_park_types": list(rules.covered_park_types),
        "coverage_provisional": rules.coverage_provisional,
        "assumed_coverage_relied_on": relied_on,
    }
    note = _assumption_note(relied_on) if rests_on_assumption else m.EMPTY
    reasons = _uncovered(uncovered, uncovered_park)  # none: nothing uncovered, so no priority
    if reasons:
        reason = m.Priority.PRIORITY(reasons=m.joined(reasons, "；", "; "), note=note)
    else:
        reason = m.Priority.NO_PRIORITY(note=note)
    return PriorityResult(
        priority=bool(reasons),
        reason_zh=reason.zh,
        reason_en=reason.en,
        uncovered_industries=uncovered,
        uncovered_park_type=uncovered_park,
        rests_on_assumption=rests_on_assumption,
        evidence=evidence,
    )


def _uncovered(industries: tuple[str, ...], park_type: str | None) -> list[Text]:
    """What earlier batches did not cover, one text for the industries and one for the park type."""
    found: list[Text] = []
    if industries:
        names = m.listed(
            (KEY_INDUSTRIES[c].name for c in industries), (KEY_INDUSTRIES[c].english_name for c in industries)
        )
        found.append(m.Priority.UNCOVERED_INDUSTRIES(names=names))
    if park_type:
        entry = PARK_TYPES.get(park_type)
        name = Text(entry.name, entry.english_name) if entry else Text(park_type, park_type)
        found.append(m.Priority.UNCOVERED_PARK_TYPE(name=name))
    return found


def _assumption_note(relied_on: list[str]) -> Text:
    """The decision rests on coverage that is partly assumed: say so, naming what was assumed covered."""
    which = (
        m.Priority.ASSUMED_WHICH(names=m.listed((_coverage_name(c) for c in relied_on), relied_on))
        if relied_on
        else m.EMPTY
    )
    return m.Priority.ASSUMED(which=which)


def _coverage_name(code: str) -> str:
    industry = KEY_INDUSTRIES.get(code)
    if industry is not None:
        return industry.name
    park = PARK_TYPES.get(code)
    return park.name if park else code
