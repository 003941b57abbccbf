"""Members' privacy choices and the workspace's retention setting

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 16:30:00

Issue 17, items 7 and 8: each member may be left out of public leaderboards and weekly posts
(`members.hidden_from_boards`) and have kudos to them announced by DM (`members.kudos_by_dm`);
a workspace may delete feedback and standup answers older than N months
(`workspaces.retention_months`, NULL: off).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("hidden_from_boards", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("kudos_by_dm", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("retention_months")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("kudos_by_dm")
        batch.drop_column("hidden_from_boards")
