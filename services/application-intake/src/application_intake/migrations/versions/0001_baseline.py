"""Baseline: what application-intake's code created at start-up before migrations existed (commit affda7c).

The event store (events, tracking, audit chain) and every read-model table. A database made by that code is
recognised by `pilot_common.migrations.migrate` and stamped at this revision instead of running it.
"""

import sqlalchemy as sa
from alembic import op

from pilot_common.migrations import create_event_store_tables_v1

revision = "0001_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_event_store_tables_v1("applicationintake")
    # The read models as the code before migrations created them at start-up.
    op.create_table(
        "attachment_contents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment_contents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_contents_application_id"), ["application_id"], unique=False)

    op.create_table(
        "reg_findings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("media_level", sa.String(length=20), nullable=True),
        sa.Column("disclosed_on", sa.String(length=10), nullable=False),
        sa.Column("pilot_object_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_credit_code", sa.String(length=18), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reg_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reg_findings_enterprise_credit_code"), ["enterprise_credit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reg_findings_pilot_object_id"), ["pilot_object_id"], unique=False)

    op.create_table(
        "reg_organisations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("administrative_level", sa.String(length=20), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reg_pilot_objects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("division_codes", sa.JSON(), nullable=False),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("park_type", sa.String(length=40), nullable=True),
        sa.Column("key_area_code", sa.String(length=40), nullable=True),
        sa.Column("member_credit_codes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reg_programmes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("quota_exceptions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rm_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=False),
        sa.Column("pilot_type", sa.String(length=30), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=False),
        sa.Column("applicant_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("implementer_organisation_id", sa.String(length=36), nullable=True),
        sa.Column("pilot_object_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.String(length=40), nullable=True),
        sa.Column("slot_number", sa.Integer(), nullable=True),
        sa.Column("subject_line", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("verdict_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rm_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rm_applications_applicant_organisation_id"), ["applicant_organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rm_applications_implementer_organisation_id"), ["implementer_organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rm_applications_pilot_object_id"), ["pilot_object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_applications_pilot_type"), ["pilot_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_applications_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_applications_province"), ["province"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_applications_status"), ["status"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup instead")
