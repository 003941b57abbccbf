"""Contests: an index for the announcements job, which reads the contests not long ended.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contests_workspace_ends", "contests", ["workspace_id", "ends_on"])


def downgrade() -> None:
    op.drop_index("ix_contests_workspace_ends", table_name="contests")
