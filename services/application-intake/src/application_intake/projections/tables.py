from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

from pilot_common.contracts.copies import FINDING, ORGANISATION, PILOT_OBJECT, copy_columns

# --- own read model (rebuilt from intake's own events by the audit rebuild check) ---------------------------
own = MetaData()

applications = Table(
    "rm_applications",
    own,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), nullable=False, index=True),
    Column("province", String(6), nullable=False, index=True),
    Column("pilot_type", String(30), nullable=False, index=True),
    Column("project_name", Text, nullable=False),
    Column("applicant_organisation_id", String(36), nullable=False, index=True),
    Column("implementer_organisation_id", String(36), index=True),
    Column("pilot_object_id", String(36), index=True),
    Column("status", String(30), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("submitted_at", String(40)),
    Column("slot_number", Integer),
    Column("subject_line", Text),
    Column("outcome", String(30)),
    Column("verdict_count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

# --- stored files (written with the FileAttached event, in the same transaction) -----------------------------
files = MetaData()

attachment_contents = Table(
    "attachment_contents",
    files,
    Column("id", String(36), primary_key=True),
    Column("application_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# --- copy of the registry, from its events ------------------------------------------------------------------
registry_copy = MetaData()

programmes = Table(
    "reg_programmes",
    registry_copy,
    Column("id", String(36), primary_key=True),
    Column("code", String(40), nullable=False),
    Column("status", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("quota_exceptions", JSON, nullable=False),
)

organisations = Table(
    "reg_organisations",
    registry_copy,
    *copy_columns(ORGANISATION),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

pilot_objects = Table(
    "reg_pilot_objects",
    registry_copy,
    *copy_columns(PILOT_OBJECT),
    Column("version", Integer, nullable=False),
)

findings = Table(
    "reg_findings",
    registry_copy,
    *copy_columns(FINDING, indexed={"pilot_object_id", "enterprise_credit_code"}),
    Column("retracted", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True)),
)

# --- who may read an application for review, from evaluation's events ---------------------------------------------
evaluation_copy = MetaData()

#: An assigned reviewer reads the application (details, plan, funding, schedule, attachments): the digest of their
#: login (`reader_key_of`), from `evaluation.ScoreSheet.Created`; removed by `evaluation.ScoreSheet.Withdrawn`.
reviewer_access = Table(
    "in_reviewer_access",
    evaluation_copy,
    Column("application_id", String(36), primary_key=True),
    Column("reader_key", String(64), primary_key=True),
)
