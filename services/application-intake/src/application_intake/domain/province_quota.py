"""ProvinceQuota: the submission slots of one province in one programme ("原则上不超过5个").

Saved in the same transaction as the submission that takes a slot; optimistic concurrency on this aggregate's
version makes concurrent submissions of one province serialise, so the quota is never exceeded.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from application_intake.domain.errors import IntakeRuleViolation
from pilot_common.aggregate import AuditedAggregate
from pilot_common.rules import ViolationKind


class ProvinceQuota(AuditedAggregate):
    @staticmethod
    def create_id(programme_id: str, province: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/quota/{programme_id}/{province}")

    def __init__(self, programme_id: str, province: str) -> None:
        self.programme_id = programme_id
        self.province = province
        self.holders: list[str] = []  # application ids, in the order their slots were taken

    @property
    def held(self) -> int:
        return len(self.holders)

    def take_slot(self, application_id: str, allowed: int) -> int:
        """Takes a slot for the application and returns its number; refused when all `allowed` are held."""
        if application_id in self.holders:
            return self.holders.index(application_id) + 1
        if self.held >= allowed:
            raise IntakeRuleViolation(
                "QUOTA_EXCEEDED",
                f"本省已提交 {self.held} 个申报，已达上限 {allowed} 个（原则上不超过5个）",
                f"the province already holds {self.held} of its {allowed} submission slots",
                kind=ViolationKind.CONFLICT,
                details={"slots_held": self.held, "slots_allowed": allowed, "rule": "QUOTA"},
            )
        self._slot_taken(application_id=application_id, slot_number=self.held + 1)
        return self.held

    @event("SlotTaken")
    def _slot_taken(self, application_id: str, slot_number: int) -> None:
        self.holders.append(application_id)

    def release_slot(self, application_id: str, reason: str) -> None:
        if application_id in self.holders:
            self._slot_released(application_id=application_id, reason=reason)

    @event("SlotReleased")
    def _slot_released(self, application_id: str, reason: str) -> None:
        self.holders.remove(application_id)
