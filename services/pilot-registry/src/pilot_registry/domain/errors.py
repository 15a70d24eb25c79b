"""The one error the registry's domain raises: a rule of the registry that a command would break.

Each violation has a stable UPPER_SNAKE ``code`` (clients and tests match on it), a message in Chinese and in
English, and, when one input is to blame, the ``field`` it came from (e.g. ``credit_code``,
``member_credit_codes[2]``, ``rules.quota_per_province``). ``details`` carries extra members for the
problem+json body (e.g. ``{"gaps": [...]}`` for incomplete programme rules).

It is a :class:`pilot_common.violations.DomainRuleViolation`, which the web layer renders as problem+json: status
409 when the aggregate's current state forbids the command (:data:`CONFLICT_CODES`), 422 for bad input.

A command that raises has changed nothing: no event is pending and the aggregate's state is as before.
"""

from __future__ import annotations

from pilot_common.violations import DomainRuleViolation

#: Codes that mean "not in this state" rather than "bad input" (HTTP 409).
CONFLICT_CODES = frozenset(
    {
        "INVALID_TRANSITION",
        "NOT_ALLOWED_IN_STATUS",
        "QUOTA_LOCKED_AFTER_CLOSING",
        "RULE_LOCKED",
        "RULES_FROZEN",
        "NO_QUOTA_EXCEPTION",
        "ORGANISATION_INACTIVE",
        "FINDING_ALREADY_RETRACTED",
        "FINDING_RETRACTED",
        "MILESTONE_ALREADY_COMPLETED",
        "FINAL_REPORT_ALREADY_FILED",
        "PILOT_ALREADY_ASSESSED",
    }
)


class RegistryRuleViolation(DomainRuleViolation):
    """A command broke a registry rule; nothing was applied."""

    conflict_codes = CONFLICT_CODES

    def __repr__(self) -> str:
        return f"RegistryRuleViolation(code={self.code!r}, field={self.field!r}, message_en={self.message_en!r})"
