"""CLEAN_RECORD (notice 四(二)): no prominent problem named by the central inspection, and no exposure by
national or provincial media, within the lookback — for the pilot object or an enterprise in it.

A finding counts iff ``submission_date − N years <= finding.date <= max(submission_date, evaluation_date)``
(N = ``findings_lookback_years``; local dates in ``rules.timezone``; Feb 29 − N years → Feb 28); both ends
inclusive. Findings dated after the submission but not after the evaluation count, because DESIGN says a finding
recorded after submission re-opens the verdict and the object must be clean when it is chosen; a finding dated
after the evaluation date is a data error and is listed as ignored, as are retracted findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pilot_common.credit_code import normalise_credit_code

from .. import messages as m
from .._calendar import local_date, years_before, zh_date
from ..messages import Text
from ..snapshot import EligibilitySnapshot, FindingFacts, FindingSource, MediaLevel, PilotObjectFacts
from ..verdict import RuleCode, RuleResult, RuleStatus
from ._result import Issues, failed


def _day(day: date) -> Text:
    return Text(zh_date(day), day.isoformat())


@dataclass(frozen=True)
class _Lookback:
    years: int
    start: date
    end: date

    def excludes(self, day: date) -> str | None:
        """Why a finding of this date is ignored, or None when it counts."""
        if day < self.start:
            return "BEFORE_LOOKBACK"
        if day > self.end:
            return "AFTER_EVALUATION_DATE"
        return None


def check_clean_record(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    years = rules.findings_lookback_years
    submission_day = local_date(s.submitted_at, rules.timezone)
    evaluation_day = local_date(s.evaluated_at, rules.timezone)
    lookback = _Lookback(years, years_before(submission_day, years), max(submission_day, evaluation_day))
    evidence: dict[str, Any] = {
        "lookback_years": years,
        "submission_date": submission_day.isoformat(),
        "evaluation_date": evaluation_day.isoformat(),
        "window_from": lookback.start.isoformat(),
        "window_to": lookback.end.isoformat(),
    }
    obj = s.pilot_object
    if obj is None:
        reason = m.CleanRecord.OBJECT_UNKNOWN(object_id=m.or_none_named(s.application.pilot_object_id))
        return failed(RuleCode.CLEAN_RECORD, reason, evidence)
    members = {normalise_credit_code(c) for c in obj.member_credit_codes}
    counted: list[dict[str, Any]] = []
    ignored: list[dict[str, Any]] = []
    unrelated = 0
    issues = Issues()
    for f in sorted(s.findings, key=lambda f: (f.date, f.id)):
        entry = _entry(f, obj, members)
        if entry is None:
            unrelated += 1
            continue
        ignored_because = "RETRACTED" if f.retracted else lookback.excludes(f.date)
        if ignored_because is not None:
            ignored.append({**entry, "ignored_because": ignored_because})
            continue
        severity = _severity(f)
        counted.append({**entry, "severity": severity.value})
        _report(f, entry, obj, severity, lookback, issues)
    evidence.update(counted=counted, ignored=ignored, unrelated_findings=unrelated)
    clean = m.CleanRecord.CLEAN(name=obj.name, window_from=_day(lookback.start), window_to=_day(lookback.end))
    return issues.result(RuleCode.CLEAN_RECORD, clean, evidence)


def _entry(f: FindingFacts, obj: PilotObjectFacts, members: set[str]) -> dict[str, Any] | None:
    """The finding as evidence, or None when it is about neither the pilot object nor an enterprise in it."""
    enterprise = normalise_credit_code(f.subject_enterprise_credit_code or "") or None
    about_object = f.subject_pilot_object_id == obj.id
    about_member = enterprise is not None and enterprise in members
    if not (about_object or about_member):
        return None
    return {
        "finding_id": f.id,
        "source": f.source.value,
        "media_level": f.media_level.value if f.media_level else None,
        "prominent_problem": f.prominent_problem,
        "date": f.date.isoformat(),
        "subject": "PILOT_OBJECT" if about_object and not about_member else "MEMBER_ENTERPRISE",
        "enterprise_credit_code": enterprise,
        "reference": f.reference,
        "summary": f.summary,
    }


def _severity(f: FindingFacts) -> RuleStatus:
    """FAIL: a prominent problem (突出生态环境问题) named by the central inspection, or national/provincial media.
    WARNING: a central finding that names no prominent problem (e.g. a complaint referral, 信访转办件) or does
    not record whether it does, a provincial inspection, city media, media of unrecorded level."""
    if f.source is FindingSource.CENTRAL_INSPECTION:
        return RuleStatus.FAIL if f.prominent_problem is True else RuleStatus.WARNING
    if f.source is FindingSource.MEDIA and f.media_level in (MediaLevel.NATIONAL, MediaLevel.PROVINCIAL):
        return RuleStatus.FAIL
    return RuleStatus.WARNING


def _report(
    f: FindingFacts,
    entry: dict[str, Any],
    obj: PilotObjectFacts,
    severity: RuleStatus,
    lookback: _Lookback,
    issues: Issues,
) -> None:
    """One counted finding: who, when, what and where it is recorded; a FAIL or a WARNING for review."""
    if entry["subject"] == "MEMBER_ENTERPRISE":
        who = m.CleanRecord.MEMBER(enterprise=entry["enterprise_credit_code"])
    else:
        who = m.CleanRecord.THE_OBJECT(name=obj.name)
    citation = m.CleanRecord.CITATION(
        finding_id=f.id,
        reference=m.CleanRecord.REFERENCE(reference=f.reference) if f.reference else m.EMPTY,
        summary=m.CleanRecord.SUMMARY(summary=f.summary) if f.summary else m.EMPTY,
    )
    said = {"who": who, "date": _day(f.date), "what": m.finding_source(f), "citation": citation}
    if severity is RuleStatus.FAIL:
        issues.fail(
            m.CleanRecord.DISQUALIFYING(
                **said, window_from=_day(lookback.start), window_to=_day(lookback.end), years=lookback.years
            )
        )
    else:
        issues.warn(m.CleanRecord.FOR_REVIEW(**said))
