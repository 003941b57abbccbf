"""Schema changes of the goals scorecards feature beyond 0011: one goal per subject, metric and period.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = "uq_goals_subject_period"


def upgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.add_column(sa.Column("member_key", sa.Integer(), server_default="0", nullable=False))
    op.execute("UPDATE goals SET member_key = member_id WHERE member_id IS NOT NULL")
    with op.batch_alter_table("goals") as batch:
        batch.create_unique_constraint(
            UNIQUE, ["workspace_id", "member_key", "metric", "period_kind", "period_start"]
        )


def downgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.drop_column("member_key")
