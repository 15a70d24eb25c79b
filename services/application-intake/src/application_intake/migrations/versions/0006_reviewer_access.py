"""Assigned reviewers read the applications assigned to them (DESIGN: each role sees what its work needs): the
digest of each assigned reviewer's login, kept from evaluation's score-sheet events."""

import sqlalchemy as sa
from alembic import op

revision = "0006_reviewer_access"
down_revision = "0005_business_clock"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "in_reviewer_access",
        sa.Column("application_id", sa.String(36), primary_key=True),
        sa.Column("reader_key", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
