"""What the registry does with other services' events: one explicit table, checked at startup.

From evaluation it takes only the published list of approved projects, and creates their pilots.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from pilot_common.contracts.catalogue import EVALUATION, event_types
from pilot_common.envelope import EventEnvelope
from pilot_common.service import HandlerTable, Handling
from pilot_registry.domain import ProgrammeStatus

SELECTION_PUBLISHED = "evaluation.Selection.Published"


def on_selection_published(envelope: EventEnvelope, handling: Handling) -> None:
    """The approved list (试点项目名单): one pilot per approved application; the programme's results published."""
    from pilot_registry.application import PilotRegistry

    registry = handling.app
    assert isinstance(registry, PilotRegistry)
    data = envelope.data
    programme_id = UUID(data["programme_id"])
    published_on = datetime.fromisoformat(data["published_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    for entry in data["entries"]:
        pilot = registry.approve_pilot(
            programme_id=programme_id,
            application_id=UUID(entry["application_id"]),
            project_name=entry["project_name"],
            pilot_type=entry["pilot_type"],
            province_code=entry["province"],
            applicant_organisation_id=UUID(entry["applicant_organisation_id"]),
            pilot_object_id=UUID(entry["pilot_object_id"]),
            approval_document_number=data["document_number"],
            start_date=published_on,
        )
        handling.collect(pilot)
    programme = registry.programme(programme_id)
    if programme.status is ProgrammeStatus.UNDER_EVALUATION:
        programme.publish_results(data["document_number"])
        handling.collect(programme)


HANDLERS = HandlerTable(
    {SELECTION_PUBLISHED: on_selection_published},
    ignores=event_types(EVALUATION) - {SELECTION_PUBLISHED},
)
CONSUMES = [EVALUATION]
