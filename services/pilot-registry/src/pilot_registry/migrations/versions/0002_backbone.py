"""The event backbone's tables: the relay's lease with its fencing token, the consumed topics' partition layout.

Shared by every service (`pilot_common.backbone_schema`); the code before migrations never created them.
"""

from pilot_common.migrations import create_backbone_tables_v1

revision = "0002_backbone"
down_revision = "0001_baseline"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_backbone_tables_v1()


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup instead")
