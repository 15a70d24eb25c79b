"""What the registry does with other services' events: one explicit table, checked at startup.

From evaluation it takes only the published list of approved projects, and creates their pilots.
"""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from pilot_common.contracts.catalogue import EVALUATION, event_types
from pilot_common.contracts.events import evaluation
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.contracts.events.evaluation import ListPublished
from pilot_common.service import Handler, HandlerTable, Handling
from pilot_common.translog import on_checkpoint_signed
from pilot_registry.domain import ProgrammeStatus


def on_list_published(event: ListPublished, handling: Handling) -> None:
    """The approved list (试点项目名单): one pilot per approved application, starting on the approval's business date
    with the approved schedule's milestones; the programme's results published."""
    from pilot_registry.application import PilotRegistry

    registry = handling.app
    assert isinstance(registry, PilotRegistry)
    programme_id = UUID(event.programme_id)
    published_on = event.published_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    for entry in event.entries:
        pilot = registry.approve_pilot(
            programme_id=programme_id,
            application_id=UUID(entry.application_id),
            project_name=entry.project_name,
            pilot_type=entry.pilot_type,
            province_code=entry.province_code,
            applicant_organisation_id=UUID(entry.applicant_organisation_id),
            pilot_object_id=UUID(entry.pilot_object_id),
            approval_document_number=event.document_number,
            start_date=published_on,
        )
        if pilot.pending_events:  # a new pilot (a redelivered list finds it made already)
            # The approved schedule (进度安排) becomes the pilot's milestones; one due before the approval's
            # business date cannot be a plan any more and is left out.
            for milestone in entry.milestones:
                if milestone.due >= pilot.start_date:
                    pilot.add_milestone(milestone.title, milestone.due)
        handling.collect(pilot)
    programme = registry.programme(programme_id)
    if programme.status is ProgrammeStatus.UNDER_EVALUATION:
        programme.publish_results(event.document_number)
        handling.collect(programme)


HANDLES: dict[type[IntegrationEvent], Handler] = {
    ListPublished: on_list_published,
    evaluation.EvaluationCheckpointSigned: on_checkpoint_signed,  # witnessing evaluation's log
}
HANDLERS = HandlerTable(HANDLES, ignores=event_types(EVALUATION) - {model.event_type for model in HANDLES})
CONSUMES = [EVALUATION]
