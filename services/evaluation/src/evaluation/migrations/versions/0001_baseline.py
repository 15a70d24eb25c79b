"""Baseline: what evaluation's code created at start-up before migrations existed (commit affda7c).

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
    create_event_store_tables_v1("evaluation")
    # The read models as the code before migrations created them at start-up.
    op.create_table(
        "ev_application_scores",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("spread", sa.Float(), nullable=True),
        sa.Column("innovation_score", sa.Float(), nullable=True),
        sa.Column("criterion_means", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("outliers", sa.JSON(), nullable=False),
        sa.Column("pending_moderation", sa.JSON(), nullable=False),
        sa.Column("sheet_count", sa.Integer(), nullable=False),
        sa.Column("open_sheets", sa.Integer(), nullable=False),
        sa.Column("required_sheets", sa.Integer(), nullable=False),
        sa.Column("aggregation", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("application_id"),
    )
    with op.batch_alter_table("ev_application_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ev_application_scores_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_application_scores_state"), ["state"], unique=False)

    op.create_table(
        "ev_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=False),
        sa.Column("pilot_type", sa.String(length=30), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=False),
        sa.Column("applicant_organisation_id", sa.String(length=100), nullable=False),
        sa.Column("implementer_organisation_id", sa.String(length=100), nullable=False),
        sa.Column("pilot_object_id", sa.String(length=100), nullable=False),
        sa.Column("target_industries", sa.JSON(), nullable=False),
        sa.Column("has_coating_process", sa.Boolean(), nullable=False),
        sa.Column("key_industries", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.String(length=40), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("intake_status", sa.String(length=30), nullable=False),
        sa.Column("eligibility_outcome", sa.String(length=30), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("priority_reason_zh", sa.Text(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("outcome_document_number", sa.Text(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("intake_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ev_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ev_applications_pilot_type"), ["pilot_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_applications_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_applications_province"), ["province"], unique=False)

    op.create_table(
        "ev_programmes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ev_reviewers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("ev_reviewers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ev_reviewers_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_reviewers_province"), ["province"], unique=False)

    op.create_table(
        "ev_score_sheets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reviewer_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scoring_round", sa.Integer(), nullable=False),
        sa.Column("application_revision", sa.Integer(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("pending_revision", sa.Integer(), nullable=True),
        sa.Column("stale_reason", sa.Text(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("justifications", sa.JSON(), nullable=False),
        sa.Column("weighted_total", sa.Float(), nullable=True),
        sa.Column("submitted_total", sa.Float(), nullable=True),
        sa.Column("submitted_at", sa.String(length=40), nullable=True),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("rescore_reason", sa.Text(), nullable=True),
        sa.Column("moderation_accepted", sa.Boolean(), nullable=False),
        sa.Column("conflict_declared", sa.Boolean(), nullable=False),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ev_score_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ev_score_sheets_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_score_sheets_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_score_sheets_reviewer_id"), ["reviewer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ev_score_sheets_status"), ["status"], unique=False)

    op.create_table(
        "ev_selections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("target_count", sa.Integer(), nullable=False),
        sa.Column("type_caps", sa.JSON(), nullable=False),
        sa.Column("province_caps", sa.JSON(), nullable=False),
        sa.Column("default_province_cap", sa.Integer(), nullable=True),
        sa.Column("approved", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("inclusions", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("sign_offs", sa.JSON(), nullable=False),
        sa.Column("voided_sign_offs", sa.JSON(), nullable=False),
        sa.Column("tied_at_cut", sa.JSON(), nullable=False),
        sa.Column("limit_violations", sa.JSON(), nullable=False),
        sa.Column("document_number", sa.Text(), nullable=True),
        sa.Column("published_at", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup instead")
