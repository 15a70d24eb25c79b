"""Who may see and do what with an application, decided in one place for every route.

A province user sees and changes only its own province's applications; ministry staff read all and act on
submissions; auditors read all and change nothing; a reviewer reads the applications assigned to them (details,
plan, funding, schedule, attachments) and nothing else; services have no business here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy import select

from application_intake.application import ApplicationIntake
from application_intake.domain.pilot_application import PilotApplication
from application_intake.projections.tables import applications, reviewer_access
from pilot_common.auth import BearerCredentials, Principal, authenticated, principal_of
from pilot_common.context import Role
from pilot_common.contracts.events.evaluation import reader_key_of
from pilot_common.problems import forbidden_province, forbidden_role, not_found, refuse_before_validation
from pilot_common.runtime import CommandThreads, command_threads

T = TypeVar("T")


async def intake(request: Request) -> ApplicationIntake:  # async: no thread hop for a lookup
    app: ApplicationIntake = request.app.state.intake
    return app


Intake = Annotated[ApplicationIntake, Depends(intake)]


_READERS = frozenset({Role.PROVINCE, Role.MINISTRY, Role.AUDITOR})


def _reader(principal: Principal) -> Principal:
    if principal.role not in _READERS:
        raise forbidden_role(f"role {principal.role} has no access to applications")
    return principal


def _province_user(principal: Principal) -> Principal:
    if principal.role is not Role.PROVINCE:
        raise forbidden_role("only a province user drafts, submits, amends or withdraws its applications")
    return principal


# Each takes the request and the bearer scheme itself (see `pilot_common.auth.BearerCredentials`).
async def reader(request: Request, _credentials: BearerCredentials = None) -> Principal:
    return _reader(principal_of(request))


async def province_user(request: Request, _credentials: BearerCredentials = None) -> Principal:
    return _province_user(principal_of(request))


async def ministry_user(request: Request, _credentials: BearerCredentials = None) -> Principal:
    principal = principal_of(request)
    if principal.role is not Role.MINISTRY:
        raise forbidden_role("only ministry staff act on submissions")
    return principal


Reader = Annotated[Principal, Depends(reader)]
ProvinceUser = Annotated[Principal, Depends(province_user)]
MinistryUser = Annotated[Principal, Depends(ministry_user)]


def province_scope(principal: Principal) -> str | None:
    return principal.province if principal.role is Role.PROVINCE else None


@dataclass(frozen=True)
class Permitted:
    """An application the caller may act on, as its read-model row says (id, province, status …)."""

    principal: Principal
    application_id: UUID
    province: str
    status: str
    programme_id: str


_ROW = select(applications.c.province, applications.c.status, applications.c.programme_id)


def _require_scope(principal: Principal, province: str) -> None:
    scope = province_scope(principal)
    if scope is not None and scope != province:
        raise forbidden_province(f"this account acts only for province {scope}")


def _permitted(principal: Principal, application_id: UUID, app: ApplicationIntake) -> Permitted:
    row = app.read_first(_ROW.where(applications.c.id == str(application_id)))
    if row is None:
        raise not_found("application", str(application_id))
    _require_scope(principal, row.province)
    return Permitted(principal, application_id, row.province, row.status, row.programme_id)


@dataclass(frozen=True)
class Owned:
    """An application a province user may change, by what never changes after its draft (no status: see
    `Permitted` for a check that needs it)."""

    principal: Principal
    application_id: UUID
    province: str
    programme_id: str


class ProvinceAccess:
    """A province user's command on one application, checked in the same worker-thread call as the command itself,
    instead of in a dependency of its own: one thread hop per request. The check reads the application's read-model
    row (`_permitted`: one SELECT) unless this worker process has committed the application itself. The command
    gets the `Owned` only from `run`, after the check. A request whose input does not validate is checked
    before its 422 is answered (`refuse_before_validation`), so 404/403 come first, as from `province_writable`."""

    __slots__ = ("_application_id", "_principal", "_threads", "intake")

    def __init__(
        self, principal: Principal, application_id: UUID, intake: ApplicationIntake, threads: CommandThreads
    ) -> None:
        self._principal = principal
        self._application_id = application_id
        self.intake = intake
        self._threads = threads

    def check(self) -> Owned:
        # An application this worker's commands committed is known without a read: its existence, province and
        # programme never change, so a copy that is behind the store still answers for them.
        known = self.intake.committed_copy(self._application_id)
        if isinstance(known, PilotApplication):
            _require_scope(self._principal, known.province)
            return Owned(self._principal, self._application_id, known.province, known.programme_id)
        permitted = _permitted(self._principal, self._application_id, self.intake)
        return Owned(self._principal, self._application_id, permitted.province, permitted.programme_id)

    async def run(self, command: Callable[[Owned], T]) -> T:
        """The access check, then `command(owned)`, in one worker-thread call."""
        return await self._threads.run(lambda: command(self.check()))


async def province_access(
    application_id: UUID, request: Request, _credentials: BearerCredentials = None
) -> ProvinceAccess:  # async: no thread hop; the check runs with the command. No sub-dependencies: see `reader`.
    principal = _province_user(principal_of(request))
    access = ProvinceAccess(principal, application_id, request.app.state.intake, command_threads(request))
    refuse_before_validation(request, access.check)
    return access


def readable(application_id: UUID, principal: Reader, app: Intake) -> Permitted:
    return _permitted(principal, application_id, app)


def province_writable(application_id: UUID, principal: ProvinceUser, app: Intake) -> Permitted:
    return _permitted(principal, application_id, app)


def ministry_writable(application_id: UUID, principal: MinistryUser, app: Intake) -> Permitted:
    return _permitted(principal, application_id, app)


def dry_runner(application_id: UUID, principal: Annotated[Principal, Depends(authenticated)], app: Intake) -> Permitted:
    """A province checks its own draft before it takes a slot; ministry staff check any application."""
    if principal.role not in {Role.PROVINCE, Role.MINISTRY}:
        raise forbidden_role("only the province (its own drafts) or ministry staff run a dry run")
    permitted = _permitted(principal, application_id, app)
    if principal.role is Role.PROVINCE and permitted.status != "DRAFT":
        raise forbidden_role("a province runs the dry run on its own drafts (a submission has its verdict)")
    return permitted


def review_readable(
    application_id: UUID, principal: Annotated[Principal, Depends(authenticated)], app: Intake
) -> Permitted:
    """Readers as above, and a reviewer for an application assigned to them (and nothing else: another
    application is reported as not found, so a reviewer learns nothing of what others review)."""
    if principal.role is not Role.REVIEWER:
        return _permitted(_reader(principal), application_id, app)
    with app.reading() as session:
        row = session.execute(
            select(applications.c.province, applications.c.status, applications.c.programme_id)
            .join(reviewer_access, reviewer_access.c.application_id == applications.c.id)
            .where(
                applications.c.id == str(application_id),
                reviewer_access.c.reader_key == reader_key_of(principal.user_id),
            )
        ).first()
    if row is None:
        raise not_found("application", str(application_id))
    return Permitted(principal, application_id, row.province, row.status, row.programme_id)


Readable = Annotated[Permitted, Depends(readable)]
ReviewReadable = Annotated[Permitted, Depends(review_readable)]
DryRunner = Annotated[Permitted, Depends(dry_runner)]
ProvinceWritable = Annotated[Permitted, Depends(province_writable)]
MinistryWritable = Annotated[Permitted, Depends(ministry_writable)]
ProvinceCommand = Annotated[ProvinceAccess, Depends(province_access)]
