"""The one exception every domain raises when a command breaks a rule (pure: no HTTP here).

The web layer turns it into problem+json with the same stable code and both messages.
"""

from __future__ import annotations

from typing import Any


class DomainRuleViolation(Exception):
    #: HTTP status the web layer uses: 422 for bad input, 409 for a state that forbids the command.
    status: int = 422

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
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        if status is not None:
            self.status = status
        self.details = dict(details or {})
