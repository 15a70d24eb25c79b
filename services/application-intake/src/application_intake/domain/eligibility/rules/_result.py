"""Building a rule's result, the same way for every rule: a status, both reasons, the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..messages import Text
from ..verdict import RuleCode, RuleResult, RuleStatus


def passed(code: RuleCode, reason: Text, evidence: dict[str, Any]) -> RuleResult:
    return RuleResult(code=code, status=RuleStatus.PASS, reason_zh=reason.zh, reason_en=reason.en, evidence=evidence)


def warned(code: RuleCode, reason: Text, evidence: dict[str, Any]) -> RuleResult:
    return RuleResult(code=code, status=RuleStatus.WARNING, reason_zh=reason.zh, reason_en=reason.en, evidence=evidence)


def failed(code: RuleCode, reason: Text, evidence: dict[str, Any]) -> RuleResult:
    return RuleResult(code=code, status=RuleStatus.FAIL, reason_zh=reason.zh, reason_en=reason.en, evidence=evidence)


@dataclass
class Issues:
    """Problems one rule found; the result's status is the worst of them, its reason all of them (failures
    first, each group in the order found; Chinese sentences run on, English ones are spaced)."""

    items: list[tuple[RuleStatus, Text]] = field(default_factory=list)

    def fail(self, reason: Text) -> None:
        self.items.append((RuleStatus.FAIL, reason))

    def warn(self, reason: Text) -> None:
        self.items.append((RuleStatus.WARNING, reason))

    def result(self, code: RuleCode, if_none: Text, evidence: dict[str, Any]) -> RuleResult:
        """The rule's result: PASS with ``if_none`` when nothing was found."""
        if not self.items:
            return passed(code, if_none, evidence)
        ordered = [i for i in self.items if i[0] is RuleStatus.FAIL] + [
            i for i in self.items if i[0] is RuleStatus.WARNING
        ]
        return RuleResult(
            code=code,
            status=ordered[0][0],
            reason_zh="".join(text.zh for _, text in ordered),
            reason_en=" ".join(text.en for _, text in ordered),
            evidence=evidence,
        )
