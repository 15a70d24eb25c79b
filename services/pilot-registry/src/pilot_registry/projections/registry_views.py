from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from pilot_common.projection import Projection, replace_row
from pilot_registry.domain import Finding, Organisation, Pilot, PilotObject, Programme
from pilot_registry.projections.tables import (
    deemed_audit_credits,
    findings,
    metadata,
    organisations,
    pilot_objects,
    pilots,
    programmes,
)


def _replace(session: Session, table: Table, row: dict[str, Any]) -> None:
    replace_row(session, table, row)


def write_programme(p: Programme, session: Session) -> None:
    _replace(
        session,
        programmes,
        {
            "id": str(p.id),
            "code": p.code,
            "name": p.name,
            "year": p.rules.year,
            "batch": p.rules.batch,
            "status": str(p.status),
            "deadline": p.deadline.isoformat(),
            "version": p.version,
            "rules": p.rules_data,
            "quota_exceptions": {
                code: {"extra_slots": e.extra_slots, "reason": e.reason} for code, e in p.quota_exceptions.items()
            },
        },
    )


def write_organisation(o: Organisation, session: Session) -> None:
    _replace(
        session,
        organisations,
        {
            "id": str(o.id),
            "name": o.name,
            "credit_code": o.credit_code,
            "kind": str(o.kind),
            "administrative_level": str(o.administrative_level) if o.administrative_level else None,
            "province_code": o.province_code,
            "division_code": o.division_code,
            "active": o.is_active,
            "version": o.version,
        },
    )


def write_pilot_object(o: PilotObject, session: Session) -> None:
    _replace(
        session,
        pilot_objects,
        {
            "id": str(o.id),
            "kind": str(o.kind),
            "name": o.name,
            "province_code": o.province_code,
            "division_codes": list(o.division_codes),
            "industry_codes": list(o.industry_codes),
            "park_type": o.park_type,
            "key_area_code": o.key_area_code,
            "member_credit_codes": list(o.member_credit_codes),
            "version": o.version,
        },
    )


def write_finding(f: Finding, session: Session) -> None:
    _replace(
        session,
        findings,
        {
            "id": str(f.id),
            "source": str(f.source),
            "media_level": str(f.media_level) if f.media_level else None,
            "disclosed_on": f.disclosed_on.isoformat(),
            "pilot_object_id": str(f.pilot_object_id),
            "enterprise_credit_code": f.enterprise_credit_code,
            "province_code": f.province_code,
            "summary": f.summary,
            "reference": f.reference,
            "prominent_problem": f.prominent_problem,
            "recorded_by": f.recorded_by,
            "disqualifying": f.is_disqualifying,
            "retracted": f.is_retracted,
            "retraction_reason": f.retraction_reason,
            "version": f.version,
        },
    )


def write_pilot(p: Pilot, session: Session) -> None:
    _replace(
        session,
        pilots,
        {
            "id": str(p.id),
            "programme_id": str(p.programme_id),
            "application_id": str(p.application_id),
            "project_name": p.project_name,
            "pilot_type": p.pilot_type,
            "province_code": p.province_code,
            "status": str(p.status),
            "approval_document_number": p.approval_document_number,
            "start_date": p.start_date.isoformat(),
            "end_date": p.end_date.isoformat(),
            "milestones_total": len(p.milestones),
            "milestones_completed": sum(1 for m in p.milestones if m.is_completed),
            "reports_filed": len(p.reports),
            "version": p.version,
        },
    )
    session.execute(delete(deemed_audit_credits).where(deemed_audit_credits.c.pilot_id == str(p.id)))
    for credit in p.deemed_audit_credits:
        session.execute(
            insert(deemed_audit_credits).values(
                credit_code=credit.credit_code,
                pilot_id=str(credit.pilot_id),
                programme_id=str(credit.programme_id),
                project_name=credit.project_name,
                credited_on=credit.credited_on.isoformat(),
                wording=credit.wording,
            )
        )


REGISTRY_VIEWS = Projection(
    "registry-views",
    metadata,
    {
        Programme: write_programme,
        Organisation: write_organisation,
        PilotObject: write_pilot_object,
        Finding: write_finding,
        Pilot: write_pilot,
    },
)

tables = metadata.tables
