"""App Home order: a manager's choice of their own numbers before the team's (issue 16, item 9)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:40:00

A manager's Home shows the team section first; a row here says this member chose their own numbers
first (the Home's toggle). A table of its own rather than a members column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_personal_first",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_index("ix_home_personal_first_workspace_id", "home_personal_first", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_home_personal_first_workspace_id", table_name="home_personal_first")
    op.drop_table("home_personal_first")
