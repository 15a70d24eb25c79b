from pilot_common.violations import DomainRuleViolation


class IntakeRuleViolation(DomainRuleViolation):
    """A command on an application or a quota that the programme's rules or the lifecycle forbid."""
