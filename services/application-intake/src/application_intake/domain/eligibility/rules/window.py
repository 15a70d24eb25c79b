"""WINDOW (notice 六: 于2023年4月7日前…寄送…逾期不予受理).

Accepted iff ``opens_at <= submitted_at < closes_at``, ``closes_at`` being 00:00 local time (``rules.timezone``,
Asia/Shanghai for batch 2) on the day after the inclusive deadline: for 2023-04-07 that is 2023-04-07T16:00:00Z.

Notice 六 binds the *sending* ("于…前…寄送…同时…发送"): a package sent on or before the deadline and entered
later (a late entry) passes, with its sending evidence in the package; nothing else late does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import messages as m
from .._calendar import local_iso, zh_date, zh_moment, zone_label
from ..messages import Text
from ..snapshot import EligibilitySnapshot, LateEntryFacts
from ..verdict import RuleCode, RuleResult
from ._result import failed, passed


def _moment(at: datetime, timezone: str) -> Text:
    return Text(zh_moment(at, timezone), local_iso(at, timezone))


def check_window(s: EligibilitySnapshot) -> RuleResult:
    rules = s.programme.rules
    tz = rules.timezone
    opens, closes, at = rules.opens_at, rules.closes_at(), s.submitted_at
    late_entry = s.late_entry
    evidence: dict[str, Any] = {
        "submitted_at": at.isoformat(),
        "submitted_at_local": local_iso(at, tz),
        "opens_at": local_iso(opens, tz),
        "deadline": rules.deadline.isoformat(),
        "closes_at": local_iso(closes, tz),
        "timezone": tz,
        "late": at >= closes,
        "late_entry": late_entry.model_dump(mode="json") if late_entry else None,
    }
    deadline = m.Window.DEADLINE(
        date=Text(zh_date(rules.deadline), rules.deadline.isoformat()), zone=Text(zone_label(tz), tz)
    )
    if at < opens:
        return failed(RuleCode.WINDOW, m.Window.NOT_OPEN(opens=_moment(opens, tz), at=_moment(at, tz)), evidence)
    if at >= closes:
        if late_entry is not None:
            return _judge_late_entry(s, late_entry, evidence, deadline)
        return failed(RuleCode.WINDOW, m.Window.LATE(deadline=deadline, at=_moment(at, tz)), evidence)
    return passed(RuleCode.WINDOW, m.Window.IN_TIME(deadline=deadline, at=_moment(at, tz)), evidence)


def _judge_late_entry(
    s: EligibilitySnapshot, entry: LateEntryFacts, evidence: dict[str, Any], deadline: Text
) -> RuleResult:
    rules = s.programme.rules
    tz = rules.timezone
    verb, proof = m.Window.CHANNEL.get(entry.channel, m.Window.ANY_CHANNEL)
    sent = _moment(entry.sent_on, tz)
    if entry.sent_on >= rules.closes_at():
        return failed(RuleCode.WINDOW, m.Window.SENT_LATE(sent=sent, verb=verb, deadline=deadline), evidence)
    attached = next((a for a in s.application.attachments if a.id == entry.evidence_attachment_id), None)
    if attached is None:
        reason = m.Window.PROOF_MISSING(proof=proof, attachment=entry.evidence_attachment_id, verb=verb)
        return failed(RuleCode.WINDOW, reason, evidence)
    reason = m.Window.SENT_IN_TIME(
        sent=sent,
        verb=verb,
        proof=proof,
        file_name=attached.file_name,
        deadline=deadline,
        entered=_moment(s.submitted_at, tz),
        recorded_by=entry.recorded_by,
    )
    return passed(RuleCode.WINDOW, reason, evidence)
