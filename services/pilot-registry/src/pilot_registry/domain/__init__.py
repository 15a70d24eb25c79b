"""The pilot-registry's pure domain: programmes and their rules, organisations, pilot objects, findings and
approved pilots. No HTTP, SQL or Kafka here; every command validates fully before it records an event, and
every failure is a :class:`RegistryRuleViolation` with a stable code."""

from pilot_registry.domain._checks import UNCHANGED, Unchanged, division_in_province
from pilot_registry.domain.errors import RegistryRuleViolation
from pilot_registry.domain.event_types import EVENT_TYPES, EVENTS_BY_AGGREGATE, SERVICE
from pilot_registry.domain.finding import Finding, FindingSource, MediaLevel, is_disqualifying
from pilot_registry.domain.organisation import Organisation
from pilot_registry.domain.pilot import (
    DEEMED_AUDIT_WORDING,
    Assessment,
    DeemedAuditCredit,
    Milestone,
    Pilot,
    PilotStatus,
    Report,
    ReportKind,
    add_months,
    pilot_id_for,
)
from pilot_registry.domain.pilot_object import PilotObject, PilotObjectKind, check_industry_code
from pilot_registry.domain.programme import (
    WINDOW_FIELDS,
    Programme,
    ProgrammeStatus,
    QuotaException,
    RuleGap,
    incomplete_rules,
    rule_gaps,
)

__all__ = [
    "DEEMED_AUDIT_WORDING",
    "EVENTS_BY_AGGREGATE",
    "EVENT_TYPES",
    "SERVICE",
    "UNCHANGED",
    "WINDOW_FIELDS",
    "Assessment",
    "DeemedAuditCredit",
    "Finding",
    "FindingSource",
    "MediaLevel",
    "Milestone",
    "Organisation",
    "Pilot",
    "PilotObject",
    "PilotObjectKind",
    "PilotStatus",
    "Programme",
    "ProgrammeStatus",
    "QuotaException",
    "RegistryRuleViolation",
    "Report",
    "ReportKind",
    "RuleGap",
    "Unchanged",
    "add_months",
    "check_industry_code",
    "division_in_province",
    "incomplete_rules",
    "is_disqualifying",
    "pilot_id_for",
    "rule_gaps",
]
