"""The one exception every domain raises when a command breaks a rule (pure: no HTTP here).

The web layer turns it into problem+json with the same stable code and both messages.
"""

from __future__ import annotations

from typing import Any


class DomainRuleViolation(Exception):
    #: HTTP status the web layer uses: 422 for bad input, 409 for a state that forbids the command.
    status: int = 422
    #: A domain names its codes that mean "not in this state" (409) and "no such thing" (404), once.
    conflict_codes: frozenset[str] = frozenset()
    not_found_codes: frozenset[str] = frozenset({"NOT_FOUND"})

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        field: str | None = None,
        *,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        code = str(code)  # codes may come as StrEnum members
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        if status is not None:
            self.status = status
        elif code in self.not_found_codes:
            self.status = 404
        elif code in self.conflict_codes:
            self.status = 409
        self.details = dict(details or {})
