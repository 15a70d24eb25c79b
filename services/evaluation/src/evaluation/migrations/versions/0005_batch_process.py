"""Evaluation keeps the programme's state from the registry's events (DESIGN: the batch is one process), and each
application's schedule as submitted (the approved pilot's milestones come from it).

NULL for programmes kept before: their state was not kept; evaluation treats an unknown state as DRAFT (nothing
allowed) until the registry's next state event, so a deployment upgraded mid-batch replays the registry's topic.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_batch_process"
down_revision = "0004_merkle_log"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("ev_programmes") as table:
        table.add_column(sa.Column("status", sa.String(30), nullable=True))
    with op.batch_alter_table("ev_applications") as table:
        table.add_column(sa.Column("milestones", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
