"""PLAN (notice 二: 时间为1年; 附件 编制大纲): the implementation plan has every outline section and a schedule
that fits the pilot period.

The schedule runs from the earliest milestone start to the latest due date, both inclusive, and fits in M months
(``implementation_months``) iff ``latest_due < earliest_start + M months`` (day clamped to the month's end),
i.e. a schedule starting 2023-08-01 may end 2024-07-31 at the latest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from pilot_common.contracts.programme import OutlineSection

from .. import messages as m
from .._calendar import add_months, zh_date
from ..messages import Text
from ..snapshot import EligibilitySnapshot, Milestone
from ..verdict import RuleCode, RuleResult
from ._result import Issues


def _day(day: date) -> Text:
    return Text(zh_date(day), day.isoformat())


def _missing_sections(section: OutlineSection, has_text: Callable[[str], bool]) -> list[OutlineSection]:
    """A section without subsections needs its own text. A section with subsections is a heading: it is
    present when it or any of its subsections has text, and each subsection needs its own text."""
    if not section.subsections:
        return [] if has_text(section.code) else [section]
    missing_subs = [gap for sub in section.subsections for gap in _missing_sections(sub, has_text)]

    def subtree_empty(sec: OutlineSection) -> bool:
        return not has_text(sec.code) and all(subtree_empty(sub) for sub in sec.subsections)

    return ([section] if subtree_empty(section) else []) + missing_subs


def check_plan(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    app = s.application
    sections = {code.strip(): text for code, text in app.plan_sections.items()}

    def has_text(code: str) -> bool:
        return bool(sections.get(code, "").strip())

    missing = [section for top in rules.plan_outline for section in _missing_sections(top, has_text)]
    months = rules.implementation_months
    evidence: dict[str, Any] = {
        "missing_sections": [{"code": sec.code, "title": sec.title} for sec in missing],
        "implementation_months": months,
        "milestones": len(app.milestones),
    }
    issues = Issues()
    if missing:
        issues.fail(
            m.Plan.MISSING_SECTIONS(
                sections=m.listed(
                    (m.outline_label(sec.code, sec.title) for sec in missing),
                    (f"{sec.code} {sec.title}" for sec in missing),
                )
            )
        )
    span = m.EMPTY
    if not app.milestones:
        issues.fail(m.Plan.NO_SCHEDULE())
    else:
        span = _check_schedule(app.milestones, months, issues, evidence)
    return issues.result(RuleCode.PLAN, m.Plan.COMPLETE(months=months, span=span), evidence)


def _check_schedule(milestones: tuple[Milestone, ...], months: int, issues: Issues, evidence: dict[str, Any]) -> Text:
    """Each milestone runs forwards and the whole schedule fits in ``months``; returns the schedule's span."""
    for milestone in milestones:
        if milestone.due < milestone.start:
            issues.fail(
                m.Plan.MILESTONE_BACKWARDS(title=milestone.title, due=_day(milestone.due), start=_day(milestone.start))
            )
    start = min(milestone.start for milestone in milestones)
    end = max(milestone.due for milestone in milestones)
    latest = add_months(start, months) - timedelta(days=1)
    evidence.update(
        schedule_start=start.isoformat(),
        schedule_end=end.isoformat(),
        latest_allowed_due=latest.isoformat(),
        span_days=(end - start).days + 1,
    )
    if end > latest:
        issues.fail(m.Plan.TOO_LONG(start=_day(start), end=_day(end), months=months, latest=_day(latest)))
    return m.Plan.SPAN(start=_day(start), end=_day(end))
