"""The eligibility engine: ``evaluate(snapshot) -> verdict``, a pure, deterministic function.

Rules (codes and order): WINDOW, QUOTA, APPLICANT_LEVEL, SAME_ENTITY, PROVINCE_MATCH, CLEAN_RECORD, TYPE_SCOPE,
FOUNDATION, PLAN, PACKAGE; plus PRIORITY, which is not a gate. Each rule is one module of :mod:`.rules`
(``rules/clean_record.py`` for CLEAN_RECORD), whose docstring defines its dates and windows; every sentence a
rule says, in Chinese and English, is in :mod:`.messages`.

Where DESIGN.md and the notice (环办科财函〔2023〕79号, seed 003) differ, the notice wins:

* 六 "于2023年4月7日前…寄送" is about posting the bound paper copies; DESIGN reads it as an inclusive deadline
  for the electronic submission (2023-04-07 Asia/Shanghai). Kept, as programme data (``rules.deadline``).
* 六 "材料电子件总大小不超过50M": "50M" is read as 50 MiB (52,428,800 bytes), the programme's
  ``max_package_bytes``; the notice does not say MB or MiB.
* 三 lists applicants ending in "等" (园区管理机构、县级及以上政府或地市级及以上政府组成部门等); DESIGN makes the
  list closed. The engine follows the programme's ``ApplicantRequirement`` list, so other kinds FAIL.
* 四(三) asks the foundation of the pilot object *and* the applicant/implementer; the snapshot carries one
  foundation text for the application.
"""

from __future__ import annotations

from .engine import evaluate
from .rules import RULES, RuleFunction, check_priority, subject_line
from .snapshot import (
    ApplicationFacts,
    Attachment,
    AttachmentKind,
    EligibilitySnapshot,
    FindingFacts,
    FindingSource,
    FundingSource,
    LateEntryFacts,
    MediaLevel,
    Milestone,
    OrganisationFacts,
    PilotObjectFacts,
    PilotObjectKind,
    PilotTypeCode,
    ProgrammeFacts,
    QuotaFacts,
)
from .verdict import (
    PRIORITY_CODE,
    RULE_ORDER,
    EligibilityVerdict,
    Outcome,
    PriorityResult,
    RuleCode,
    RuleResult,
    RuleStatus,
    outcome_of,
)

__all__ = [
    "PRIORITY_CODE",
    "RULES",
    "RULE_ORDER",
    "ApplicationFacts",
    "Attachment",
    "AttachmentKind",
    "EligibilitySnapshot",
    "EligibilityVerdict",
    "FindingFacts",
    "FindingSource",
    "FundingSource",
    "LateEntryFacts",
    "MediaLevel",
    "Milestone",
    "OrganisationFacts",
    "Outcome",
    "PilotObjectFacts",
    "PilotObjectKind",
    "PilotTypeCode",
    "PriorityResult",
    "ProgrammeFacts",
    "QuotaFacts",
    "RuleCode",
    "RuleFunction",
    "RuleResult",
    "RuleStatus",
    "check_priority",
    "evaluate",
    "outcome_of",
    "subject_line",
]
