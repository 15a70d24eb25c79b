"""The deployment's business clock (DESIGN "Time"): its offset from the real clock and the latest business time
handed out, so that a restart resumes it and it never runs backwards (`pilot_common.clock.PersistedClock`)."""

from pilot_common.migrations import create_business_clock_table_v1

revision = "0005_business_clock"
down_revision = "0004_merkle_log"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_business_clock_table_v1()


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
