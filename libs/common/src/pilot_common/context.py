"""Who is acting and why: carried through a request or a consumed message into every event it causes.

The web layer (auth) and the consumers set it; the event store reads it when it records events, so that
the domain never has to pass it around.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Role(StrEnum):
    PROVINCE = "province"
    MINISTRY = "ministry"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    SERVICE = "service"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role
    province: str | None = None  # GB/T 2260 six-digit code, for province users
    organisation: str | None = None  # e.g. "MEE" or "NDRC" for ministry staff

    def as_dict(self) -> dict[str, str | None]:
        return {
            "user_id": self.user_id,
            "role": str(self.role),
            "province": self.province,
            "organisation": self.organisation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> Actor:
        return cls(
            user_id=str(data["user_id"]),
            role=Role(str(data["role"])),
            province=data.get("province"),
            organisation=data.get("organisation"),
        )


SYSTEM_ACTOR = Actor(user_id="system", role=Role.SERVICE)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class CallContext:
    """The actor, the business process (correlation) and the message or request that caused this work."""

    actor: Actor = SYSTEM_ACTOR
    correlation_id: str = field(default_factory=new_id)
    causation_id: str | None = None
    #: W3C trace context of the span doing this work (stored on events so the relay can carry the trace on).
    traceparent: str | None = None


_current: ContextVar[CallContext | None] = ContextVar("pilot_call_context", default=None)


def current_context() -> CallContext:
    """The context of the current call; outside any call, the system actor in a fresh business process."""
    return _current.get() or CallContext()


@contextmanager
def acting(ctx: CallContext) -> Iterator[CallContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def caused_by(causation_id: str) -> Iterator[CallContext]:
    """Narrows the current context to one cause (a consumed message or a request) for nested work."""
    with acting(replace(current_context(), causation_id=causation_id)) as ctx:
        yield ctx
