"""scale indexes: the leaderboards', digests' and App Home's period windows, found by `python -m bench scale`

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 17:45:00

- kudos by (workspace, created_at): every "kudos received in a period" count scanned the whole
  workspace's kudos; receiver_id rides along so the count reads the index alone.
- activities by (workspace, occurred_at): the same for "activities logged in a period".
- deals by (workspace, stage, closed_at) now also carry owner, currency, amount and expected close,
  so revenue won, the open pipeline and the workload are answered from the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEALS_COVER = ["workspace_id", "stage", "closed_at", "owner_id", "currency", "amount_minor", "expected_close"]


def upgrade() -> None:
    op.create_index("ix_kudos_workspace_created", "kudos", ["workspace_id", "created_at", "receiver_id"])
    op.create_index(
        "ix_activities_workspace_occurred", "activities", ["workspace_id", "occurred_at", "member_id"]
    )
    op.drop_index("ix_deals_workspace_stage_closed", table_name="deals")
    op.create_index("ix_deals_workspace_stage_closed", "deals", DEALS_COVER)


def downgrade() -> None:
    op.drop_index("ix_deals_workspace_stage_closed", table_name="deals")
    op.create_index("ix_deals_workspace_stage_closed", "deals", ["workspace_id", "stage", "closed_at"])
    op.drop_index("ix_activities_workspace_occurred", table_name="activities")
    op.drop_index("ix_kudos_workspace_created", table_name="kudos")
