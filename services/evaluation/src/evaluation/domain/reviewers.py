"""The reviewer pool: experts kept by ministry staff, assigned to score applications.

A reviewer's conflicts of interest are not kept here: the affiliation (organisation and province) is, and the
assignment rules (:func:`evaluation.domain.assignment.is_conflicted`) compare it with each application; a
conflict the reviewer declares is recorded on the score sheet of that assignment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from eventsourcing.domain import event

from evaluation.domain._checks import require_industries, require_province
from evaluation.domain.errors import require_text
from pilot_common.aggregate import AuditedAggregate


@dataclass(frozen=True)
class ReviewerProfile:
    """What the assignment rules need to know about a reviewer (a value, not the aggregate)."""

    reviewer_id: str
    province: str  # six-digit code of the affiliation's provincial unit
    organisation_id: str
    expertise: frozenset[str] = frozenset()  # key-industry codes
    available: bool = True


class Reviewer(AuditedAggregate):
    """An expert in the pool. Create with :meth:`register` (which validates); events:

    ``evaluation.Reviewer.Created``, ``.AvailabilityChanged``, ``.ExpertiseUpdated``, ``.AffiliationChanged``.
    """

    def __init__(
        self,
        name: str,
        organisation_id: str,
        province: str,
        expertise: list[str],
        available: bool,
        user_id: str | None,
    ) -> None:
        self.name = name
        self.organisation_id = organisation_id
        self.province = province
        self.expertise = list(expertise)
        self.available = available
        self.user_id = user_id

    @classmethod
    def register(
        cls,
        name: str,
        organisation_id: str,
        province: str,
        expertise: Iterable[str] = (),
        *,
        available: bool = True,
        user_id: str | None = None,
    ) -> Self:
        """A new reviewer. ``province`` is the affiliation's provincial unit (e.g. 320000); ``expertise`` key-industry
        codes; ``user_id`` the login the reviewer's bearer tokens carry, if known."""
        return cls(
            name=require_text(name, "name", label_zh="姓名"),
            organisation_id=require_text(organisation_id, "organisation_id", label_zh="所在单位"),
            province=require_province(province),
            expertise=require_industries(expertise),
            available=bool(available),
            user_id=require_text(user_id, "user_id") if user_id is not None else None,
        )

    @property
    def reviewer_id(self) -> str:
        return str(self.id)

    def profile(self) -> ReviewerProfile:
        return ReviewerProfile(
            reviewer_id=self.reviewer_id,
            province=self.province,
            organisation_id=self.organisation_id,
            expertise=frozenset(self.expertise),
            available=self.available,
        )

    # ---- commands -------------------------------------------------------------------------------------------

    def set_availability(self, available: bool, reason: str | None = None) -> None:
        """Marks the reviewer available or not for new assignments; no event when nothing changes."""
        if bool(available) == self.available:
            return
        self._availability_changed(available=bool(available), reason=(reason or "").strip() or None)

    def update_expertise(self, expertise: Iterable[str]) -> None:
        """Replaces the expertise (key-industry codes); no event when nothing changes."""
        codes = require_industries(expertise)
        if codes == self.expertise:
            return
        self._expertise_updated(expertise=codes)

    def update_affiliation(self, organisation_id: str, province: str) -> None:
        """The reviewer moved to another organisation (the conflict rules use the new one from now on)."""
        org = require_text(organisation_id, "organisation_id", label_zh="所在单位")
        prov = require_province(province)
        if (org, prov) == (self.organisation_id, self.province):
            return
        self._affiliation_changed(organisation_id=org, province=prov)

    # ---- events ---------------------------------------------------------------------------------------------

    @event("AvailabilityChanged")
    def _availability_changed(self, available: bool, reason: str | None) -> None:
        self.available = available

    @event("ExpertiseUpdated")
    def _expertise_updated(self, expertise: list[str]) -> None:
        self.expertise = list(expertise)

    @event("AffiliationChanged")
    def _affiliation_changed(self, organisation_id: str, province: str) -> None:
        self.organisation_id = organisation_id
        self.province = province
