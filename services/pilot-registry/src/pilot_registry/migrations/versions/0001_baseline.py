"""Baseline: what pilot-registry's code created at start-up before migrations existed (commit affda7c).

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
    create_event_store_tables_v1("pilotregistry")
    # The read models as the code before migrations created them at start-up.
    op.create_table(
        "rm_deemed_audit_credits",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("pilot_id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=False),
        sa.Column("credited_on", sa.String(length=10), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("credit_code", "pilot_id"),
    )
    op.create_table(
        "rm_findings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("media_level", sa.String(length=20), nullable=True),
        sa.Column("disclosed_on", sa.String(length=10), nullable=False),
        sa.Column("pilot_object_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_credit_code", sa.String(length=18), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("disqualifying", sa.Boolean(), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rm_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rm_findings_enterprise_credit_code"), ["enterprise_credit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rm_findings_pilot_object_id"), ["pilot_object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_findings_province_code"), ["province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_findings_source"), ["source"], unique=False)

    op.create_table(
        "rm_organisations",
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
    with op.batch_alter_table("rm_organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_organisations_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_organisations_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_organisations_province_code"), ["province_code"], unique=False)

    op.create_table(
        "rm_pilot_objects",
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
    with op.batch_alter_table("rm_pilot_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_pilot_objects_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_pilot_objects_province_code"), ["province_code"], unique=False)

    op.create_table(
        "rm_pilots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=False),
        sa.Column("pilot_type", sa.String(length=30), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("approval_document_number", sa.Text(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=False),
        sa.Column("milestones_total", sa.Integer(), nullable=False),
        sa.Column("milestones_completed", sa.Integer(), nullable=False),
        sa.Column("reports_filed", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    with op.batch_alter_table("rm_pilots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_pilots_pilot_type"), ["pilot_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_pilots_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_pilots_province_code"), ["province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_pilots_status"), ["status"], unique=False)

    op.create_table(
        "rm_programmes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("quota_exceptions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rm_programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_programmes_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_programmes_status"), ["status"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup instead")
