from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

programmes = Table(
    "rm_programmes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(40), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("batch", Integer, nullable=False),
    Column("status", String(30), nullable=False, index=True),
    Column("deadline", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("quota_exceptions", JSON, nullable=False),
)

organisations = Table(
    "rm_organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("credit_code", String(18), nullable=False, index=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("administrative_level", String(20)),
    Column("province_code", String(6), nullable=False, index=True),
    Column("division_code", String(6)),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

pilot_objects = Table(
    "rm_pilot_objects",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("province_code", String(6), nullable=False, index=True),
    Column("division_codes", JSON, nullable=False),
    Column("industry_codes", JSON, nullable=False),
    Column("park_type", String(40)),
    Column("key_area_code", String(40)),
    Column("member_credit_codes", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

findings = Table(
    "rm_findings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(30), nullable=False, index=True),
    Column("media_level", String(20)),
    Column("prominent_problem", Boolean),  # central inspection: names a prominent problem (突出生态环境问题)
    Column("disclosed_on", String(10), nullable=False),
    Column("pilot_object_id", String(36), nullable=False, index=True),
    Column("enterprise_credit_code", String(18), index=True),
    Column("province_code", String(6), nullable=False, index=True),
    Column("summary", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("disqualifying", Boolean, nullable=False),
    Column("retracted", Boolean, nullable=False),
    Column("retraction_reason", Text),
    Column("version", Integer, nullable=False),
)

pilots = Table(
    "rm_pilots",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, index=True),
    Column("application_id", String(36), nullable=False, unique=True),
    Column("project_name", Text, nullable=False),
    Column("pilot_type", String(30), nullable=False, index=True),
    Column("province_code", String(6), nullable=False, index=True),
    Column("status", String(30), nullable=False, index=True),
    Column("approval_document_number", Text, nullable=False),
    Column("start_date", String(10), nullable=False),
    Column("end_date", String(10), nullable=False),
    Column("milestones_total", Integer, nullable=False),
    Column("milestones_completed", Integer, nullable=False),
    Column("reports_filed", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

deemed_audit_credits = Table(
    "rm_deemed_audit_credits",
    metadata,
    Column("credit_code", String(18), primary_key=True),
    Column("pilot_id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False),
    Column("project_name", Text, nullable=False),
    Column("credited_on", String(10), nullable=False),
    Column("wording", Text, nullable=False),
)
