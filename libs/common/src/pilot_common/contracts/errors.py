"""Errors of the published contract, shared by publishers and consumers."""

from __future__ import annotations


class ContractViolation(Exception):
    """An incoming message does not match the published contract of its event type and schema version.

    It can never succeed on a retry: the consumer sends it to the dead-letter topic at once, with this reason.
    """

    def __init__(self, event_type: str, schema_version: int | None, reason: str) -> None:
        super().__init__(f"{event_type} v{schema_version}: {reason}")
        self.event_type = event_type
        self.schema_version = schema_version
        self.reason = reason
