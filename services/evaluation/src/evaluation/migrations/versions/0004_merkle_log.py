"""The Merkle log over every stored event, the service's signed checkpoints and the checkpoints it witnessed
(issue 14); events already stored become the first leaves, in notification order."""

from pilot_common.migrations import create_merkle_log_tables_v1

revision = "0004_merkle_log"
down_revision = "0002_backbone"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_merkle_log_tables_v1("evaluation")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
