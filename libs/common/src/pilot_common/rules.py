"""The one exception every domain raises when a command breaks a rule (pure: no HTTP here).

A violation names its kind — invalid input, a state that forbids the command, something that does not exist, … —
and the edge (`pilot_common.problems`) maps each kind to an HTTP status; the stable code and both messages travel
unchanged into problem+json.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ViolationKind(StrEnum):
    """What kind of refusal a rule violation is, in the domain's words."""

    INVALID = "INVALID"  # the input breaks a rule (a missing reason, an unknown section)
    CONFLICT = "CONFLICT"  # the current state forbids the command (already submitted, programme closed)
    NOT_FOUND = "NOT_FOUND"  # no such aggregate or item
    TOO_LARGE = "TOO_LARGE"  # a file above the programme's size limit
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"  # a file of a type the programme does not accept
    BUSY = "BUSY"  # too many concurrent changes of the same thing; retry


class DomainRuleViolation(Exception):
    #: The kind when neither the raiser nor the code lists below say otherwise.
    kind: ViolationKind = ViolationKind.INVALID
    #: A domain names its codes that mean "not in this state" (CONFLICT) and "no such thing" (NOT_FOUND), once.
    conflict_codes: frozenset[str] = frozenset()
    not_found_codes: frozenset[str] = frozenset({"NOT_FOUND"})

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        field: str | None = None,
        *,
        kind: ViolationKind | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        code = str(code)  # codes may come as StrEnum members
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        if kind is not None:
            self.kind = kind
        elif code in self.not_found_codes:
            self.kind = ViolationKind.NOT_FOUND
        elif code in self.conflict_codes:
            self.kind = ViolationKind.CONFLICT
        self.details = dict(details or {})
