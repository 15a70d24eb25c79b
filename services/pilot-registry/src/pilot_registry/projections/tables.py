from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

from pilot_common.contracts.copies import FINDING, ORGANISATION, PILOT_OBJECT, copy_columns

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
    *copy_columns(ORGANISATION, indexed={"credit_code", "kind", "province_code"}),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

pilot_objects = Table(
    "rm_pilot_objects",
    metadata,
    *copy_columns(PILOT_OBJECT, indexed={"kind", "province_code"}),
    Column("version", Integer, nullable=False),
)

findings = Table(
    "rm_findings",
    metadata,
    *copy_columns(FINDING, indexed={"source", "pilot_object_id", "enterprise_credit_code", "province_code"}),
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
