"""deals.funnel_reached: the furthest funnel stage each deal reached, for the digest's conversion

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 19:10:00

The manager digest's stage conversion took the maximum stage of the whole history of every deal
created in the last 90 days (`python -m bench scale`: 123,000 deals, 415,000 changes, ~90% of the
digest). storage/deals.py, which writes all stage history, now keeps that maximum on the deal;
existing deals are backfilled from their history here. The (workspace, created_at) index also
carries it (and the id), so the cohort's counts read the index alone.

The deals index by (workspace, owner, stage) also carries expected_close: on SQLite the digest's
workload ("open deals past their expected close" per rep) looked up every open deal's row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# lead → qualified → proposal → negotiation → won, as storage.metrics.FUNNEL; lost is not a step
BACKFILL = """
UPDATE deals SET funnel_reached = COALESCE((
    SELECT MAX(CASE c.to_stage WHEN 'lead' THEN 0 WHEN 'qualified' THEN 1 WHEN 'proposal' THEN 2
                               WHEN 'negotiation' THEN 3 WHEN 'won' THEN 4 END)
    FROM deal_stage_changes c
    WHERE c.deal_id = deals.id AND c.workspace_id = deals.workspace_id
), 0)
"""


def upgrade() -> None:
    op.add_column("deals", sa.Column("funnel_reached", sa.Integer(), nullable=True))
    op.execute(BACKFILL)
    op.drop_index("ix_deals_workspace_created", table_name="deals")
    op.create_index(
        "ix_deals_workspace_created", "deals", ["workspace_id", "created_at", "funnel_reached", "id"]
    )
    op.drop_index("ix_deals_workspace_owner_stage", table_name="deals")
    op.create_index(
        "ix_deals_workspace_owner_stage", "deals", ["workspace_id", "owner_id", "stage", "expected_close"]
    )


def downgrade() -> None:
    op.drop_index("ix_deals_workspace_owner_stage", table_name="deals")
    op.create_index("ix_deals_workspace_owner_stage", "deals", ["workspace_id", "owner_id", "stage"])
    op.drop_index("ix_deals_workspace_created", table_name="deals")
    op.create_index("ix_deals_workspace_created", "deals", ["workspace_id", "created_at"])
    with op.batch_alter_table("deals") as batch_op:
        batch_op.drop_column("funnel_reached")
