"""An inspection or media finding against a pilot object (or an enterprise inside it), for CLEAN_RECORD.

Notice 003 四(二): the pilot object must not, within 3 years, have been named for a **prominent** problem
(指出突出生态环境问题) by the **central** eco-environmental inspection (中央生态环境保护督察) nor exposed by
**provincial-or-higher** media. Such a finding is *disqualifying*. A central-inspection finding therefore records
whether the inspection named a prominent problem (``prominent_problem``); one that did not (e.g. a complaint
referral, 信访转办件), a provincial inspection finding or a city-level media report is a warning only.
``disclosed_on`` is the day the inspection named the problem or the media exposed it (the look-back counts from
it). A correction changes fields and says why; a retraction (e.g. recorded against the wrong
object) takes the finding out of force for good. Whether the enterprise is in fact a member of the pilot
object is checked by the application service, which holds both aggregates.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from pilot_common.aggregate import AuditedAggregate
from pilot_common.context import current_context
from pilot_registry.domain._checks import (
    UNCHANGED,
    Unchanged,
    check_credit_code,
    check_date,
    check_province,
    check_uuid,
    from_iso,
    given,
    iso,
    require_reason,
    require_text,
)
from pilot_registry.domain.errors import RegistryRuleViolation


class FindingSource(StrEnum):
    CENTRAL_INSPECTION = "CENTRAL_INSPECTION"  # 中央生态环境保护督察
    PROVINCIAL_INSPECTION = "PROVINCIAL_INSPECTION"  # 省级生态环境保护督察
    MEDIA = "MEDIA"  # 媒体曝光


class MediaLevel(StrEnum):
    NATIONAL = "NATIONAL"  # 中央（国家级）媒体
    PROVINCIAL = "PROVINCIAL"  # 省级媒体
    CITY = "CITY"  # 地市级媒体


def is_disqualifying(source: FindingSource, media_level: MediaLevel | None, prominent_problem: bool | None) -> bool:
    """A prominent problem named by the central inspection, or national/provincial media: fails CLEAN_RECORD."""
    if source is FindingSource.CENTRAL_INSPECTION:
        return prominent_problem is True
    return source is FindingSource.MEDIA and media_level in (MediaLevel.NATIONAL, MediaLevel.PROVINCIAL)


def _source(value: FindingSource | str) -> FindingSource:
    try:
        return FindingSource(value)
    except ValueError:
        raise RegistryRuleViolation(
            "UNKNOWN_FINDING_SOURCE", f"未知来源“{value}”。", f"Unknown finding source {value!r}.", field="source"
        ) from None


def _media_level(value: MediaLevel | str | None) -> MediaLevel | None:
    if value is None:
        return None
    try:
        return MediaLevel(value)
    except ValueError:
        raise RegistryRuleViolation(
            "UNKNOWN_MEDIA_LEVEL", f"未知媒体级别“{value}”。", f"Unknown media level {value!r}.", field="media_level"
        ) from None


def finding_fields(
    *,
    source: FindingSource | str,
    media_level: MediaLevel | str | None,
    disclosed_on: date,
    pilot_object_id: UUID | str,
    enterprise_credit_code: str | None,
    province_code: str,
    summary: str,
    reference: str,
    prominent_problem: bool | None = None,
) -> dict[str, Any]:
    """Validated, normalised finding fields as stored in events (the date as an ISO string)."""
    checked_source = _source(source)
    level = _media_level(media_level)
    if checked_source is FindingSource.MEDIA and level is None:
        raise RegistryRuleViolation(
            "MEDIA_LEVEL_REQUIRED",
            "媒体曝光须注明媒体级别（中央、省级或地市级）。",
            "A media finding needs the media level (NATIONAL, PROVINCIAL or CITY).",
            field="media_level",
        )
    if checked_source is not FindingSource.MEDIA and level is not None:
        raise RegistryRuleViolation(
            "MEDIA_LEVEL_NOT_APPLICABLE",
            "督察问题没有媒体级别。",
            "Only a media finding has a media level.",
            field="media_level",
        )
    central = checked_source is FindingSource.CENTRAL_INSPECTION
    if central and not isinstance(prominent_problem, bool):
        raise RegistryRuleViolation(
            "PROMINENT_PROBLEM_REQUIRED",
            "中央生态环境保护督察问题须注明是否被指出为突出生态环境问题（如信访转办件则不是）。",
            "A central-inspection finding must say whether it names a prominent eco-environmental problem "
            "(a complaint referral does not).",
            field="prominent_problem",
        )
    if not central and prominent_problem is not None:
        raise RegistryRuleViolation(
            "PROMINENT_PROBLEM_NOT_APPLICABLE",
            "只有中央生态环境保护督察问题才注明是否为突出生态环境问题。",
            "Only a central-inspection finding says whether it names a prominent problem.",
            field="prominent_problem",
        )
    return {
        "source": checked_source.value,
        "media_level": level.value if level is not None else None,
        "disclosed_on": iso(check_date(disclosed_on, "disclosed_on")),
        "pilot_object_id": check_uuid(pilot_object_id, "pilot_object_id"),
        "enterprise_credit_code": (
            check_credit_code(enterprise_credit_code, "enterprise_credit_code")
            if enterprise_credit_code is not None
            else None
        ),
        "province_code": check_province(province_code, "province_code"),
        "summary": require_text(summary, "summary", "问题摘要", "The summary"),
        "reference": require_text(reference, "reference", "文号或链接", "The reference (document number or link)"),
        "prominent_problem": prominent_problem,
    }


_FIELDS = (
    "source",
    "media_level",
    "disclosed_on",
    "pilot_object_id",
    "enterprise_credit_code",
    "province_code",
    "summary",
    "reference",
    "prominent_problem",
)


class Finding(AuditedAggregate):
    """One finding. Create with :meth:`record`; the constructor only applies the ``Recorded`` event."""

    @event("Recorded")
    def __init__(
        self,
        source: str,
        media_level: str | None,
        disclosed_on: str,
        pilot_object_id: UUID,
        enterprise_credit_code: str | None,
        province_code: str,
        summary: str,
        reference: str,
        recorded_by: str,
        prominent_problem: bool | None = None,  # absent from events recorded before it existed
    ) -> None:
        self._source = source
        self._prominent_problem = prominent_problem
        self._media_level = media_level
        self._disclosed_on = disclosed_on
        self._pilot_object_id = pilot_object_id
        self._enterprise_credit_code = enterprise_credit_code
        self._province_code = province_code
        self._summary = summary
        self._reference = reference
        self._recorded_by = recorded_by
        self._is_retracted = False
        self._retraction_reason: str | None = None

    @classmethod
    def record(
        cls,
        *,
        source: FindingSource | str,
        disclosed_on: date,
        pilot_object_id: UUID | str,
        province_code: str,
        summary: str,
        reference: str,
        media_level: MediaLevel | str | None = None,
        enterprise_credit_code: str | None = None,
        recorded_by: str | None = None,
        prominent_problem: bool | None = None,
    ) -> Finding:
        """Record a finding; ``recorded_by`` defaults to the acting user (who is also in the event's actor)."""
        fields = finding_fields(
            source=source,
            media_level=media_level,
            disclosed_on=disclosed_on,
            pilot_object_id=pilot_object_id,
            enterprise_credit_code=enterprise_credit_code,
            province_code=province_code,
            summary=summary,
            reference=reference,
            prominent_problem=prominent_problem,
        )
        recorder = require_text(
            recorded_by if recorded_by is not None else current_context().actor.user_id,
            "recorded_by",
            "记录人",
            "The recording user",
        )
        return cls(**fields, recorded_by=recorder)

    # --- reading -----------------------------------------------------------------------------------------

    @property
    def source(self) -> FindingSource:
        return FindingSource(self._source)

    @property
    def media_level(self) -> MediaLevel | None:
        return MediaLevel(self._media_level) if self._media_level else None

    @property
    def disclosed_on(self) -> date:
        return from_iso(self._disclosed_on)

    @property
    def pilot_object_id(self) -> UUID:
        return self._pilot_object_id

    @property
    def enterprise_credit_code(self) -> str | None:
        return self._enterprise_credit_code

    @property
    def province_code(self) -> str:
        return self._province_code

    @property
    def summary(self) -> str:
        return self._summary

    @property
    def reference(self) -> str:
        return self._reference

    @property
    def prominent_problem(self) -> bool | None:
        """For a central-inspection finding: whether it names a prominent problem (突出生态环境问题)."""
        return self._prominent_problem

    @property
    def recorded_by(self) -> str:
        return self._recorded_by

    @property
    def is_disqualifying(self) -> bool:
        """The kind of finding that fails CLEAN_RECORD (regardless of retraction: see :attr:`is_in_force`)."""
        return is_disqualifying(self.source, self.media_level, self._prominent_problem)

    @property
    def is_retracted(self) -> bool:
        return self._is_retracted

    @property
    def is_in_force(self) -> bool:
        return not self._is_retracted

    @property
    def retraction_reason(self) -> str | None:
        return self._retraction_reason

    def _fields(self) -> dict[str, Any]:
        return {key: getattr(self, f"_{key}") for key in _FIELDS}

    # --- commands ----------------------------------------------------------------------------------------

    def correct(
        self,
        *,
        reason: str,
        source: FindingSource | str | Unchanged = UNCHANGED,
        media_level: MediaLevel | str | Unchanged | None = UNCHANGED,
        disclosed_on: date | Unchanged = UNCHANGED,
        pilot_object_id: UUID | str | Unchanged = UNCHANGED,
        enterprise_credit_code: str | Unchanged | None = UNCHANGED,
        province_code: str | Unchanged = UNCHANGED,
        summary: str | Unchanged = UNCHANGED,
        reference: str | Unchanged = UNCHANGED,
        prominent_problem: bool | Unchanged | None = UNCHANGED,
    ) -> None:
        """Correct some fields (the rest keep their value); the result is validated as a whole.

        The ``Corrected`` event carries the changed fields and their ``previous`` values, so that a consumer
        can re-check both the old and the new subject.
        """
        if self._is_retracted:
            raise RegistryRuleViolation(
                "FINDING_RETRACTED",
                "该问题记录已撤销，不能再更正。",
                "The finding has been retracted and can no longer be corrected.",
            )
        checked_reason = require_reason(reason, "更正问题记录", "Correcting a finding")
        current = self._fields()
        current_object: UUID | str = self._pilot_object_id
        new = finding_fields(
            source=given(source, self._source),
            media_level=given(media_level, self._media_level),
            disclosed_on=given(disclosed_on, from_iso(self._disclosed_on)),
            pilot_object_id=given(pilot_object_id, current_object),
            enterprise_credit_code=given(enterprise_credit_code, self._enterprise_credit_code),
            province_code=given(province_code, self._province_code),
            summary=given(summary, self._summary),
            reference=given(reference, self._reference),
            prominent_problem=given(prominent_problem, self._prominent_problem),
        )
        changes = {key: new[key] for key in _FIELDS if new[key] != current[key]}
        if not changes:
            raise RegistryRuleViolation("NO_CHANGE", "问题记录没有变化。", "Nothing about the finding changes.")
        previous = {key: current[key] for key in changes}
        self._corrected(changes=changes, previous=previous, reason=checked_reason)

    @event("Corrected")
    def _corrected(self, changes: dict[str, Any], previous: dict[str, Any], reason: str) -> None:
        for key, value in changes.items():
            setattr(self, f"_{key}", value)

    def retract(self, reason: str) -> None:
        """Take the finding out of force for good."""
        if self._is_retracted:
            raise RegistryRuleViolation(
                "FINDING_ALREADY_RETRACTED",
                "该问题记录已撤销。",
                "The finding has already been retracted.",
            )
        checked_reason = require_reason(reason, "撤销问题记录", "Retracting a finding")
        self._retracted(reason=checked_reason)

    @event("Retracted")
    def _retracted(self, reason: str) -> None:
        self._is_retracted = True
        self._retraction_reason = reason
