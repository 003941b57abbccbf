"""App Home order: a manager's choice of their own numbers before the team's (issue 16, item 9)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:40:00

A manager's Home shows the team section first; the toggle on it stores the member's choice here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("home_personal_first", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("home_personal_first")
