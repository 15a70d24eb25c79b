"""Findings record whether a central inspection named a prominent problem (突出生态环境问题, notice 四(二)).

NULL for findings recorded before: unknown, which CLEAN_RECORD treats as a warning, never a failure.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_prominent_problem"
down_revision = "0002_backbone"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("rm_findings") as table:
        table.add_column(sa.Column("prominent_problem", sa.Boolean(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
