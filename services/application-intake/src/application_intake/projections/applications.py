from __future__ import annotations

from sqlalchemy.orm import Session

from application_intake.domain.pilot_application import PilotApplication
from application_intake.projections.tables import applications, own
from pilot_common.projection import Projection, replace_row


def write_application(a: PilotApplication, session: Session) -> None:
    replace_row(
        session,
        applications,
        dict(
            id=str(a.id),
            programme_id=a.programme_id,
            province=a.province,
            pilot_type=a.details["pilot_type"],
            project_name=a.details["project_name"],
            applicant_organisation_id=a.details["applicant_organisation_id"],
            implementer_organisation_id=a.details["implementer_organisation_id"],
            pilot_object_id=a.details["pilot_object_id"],
            status=str(a.status),
            revision=a.revision,
            submitted_at=a.submitted_at.isoformat() if a.submitted_at else None,
            slot_number=a.slot_number,
            subject_line=a.subject_line,
            outcome=a.verdict["outcome"] if a.verdict else None,
            verdict_count=a.verdict_count,
            version=a.version,
        ),
    )


APPLICATION_VIEWS = Projection("application-views", own, {PilotApplication: write_application})
