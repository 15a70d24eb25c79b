"""The one error the registry's domain raises: a rule of the registry that a command would break.

Each violation has a stable UPPER_SNAKE ``code`` (clients and tests match on it), a message in Chinese and in
English, and, when one input is to blame, the ``field`` it came from (e.g. ``credit_code``,
``member_credit_codes[2]``, ``rules.quota_per_province``). ``details`` lists the individual problems when one
violation stands for several (e.g. every gap of incomplete programme rules).

A command that raises has changed nothing: no event is pending and the aggregate's state is as before.
"""

from __future__ import annotations

from collections.abc import Sequence


class RegistryRuleViolation(Exception):
    """A command broke a registry rule; nothing was applied."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        field: str | None = None,
        *,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        self.details: tuple[str, ...] = tuple(details)

    def __repr__(self) -> str:
        return f"RegistryRuleViolation(code={self.code!r}, field={self.field!r}, message_en={self.message_en!r})"
