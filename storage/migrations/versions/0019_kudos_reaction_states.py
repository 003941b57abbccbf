"""kudos_reaction_states: the latest add or removal seen for each kudos reaction

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 15:20:00

Slack may deliver reaction_removed before its reaction_added, or both at once; a removal seen first
left nothing to take back, and the late add then made a kudos (and its points) that Slack no longer
showed. Each reaction's latest event (by event_ts) is kept here, so an older event changes nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kudos_reaction_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_kudos_reaction_states_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_reaction_states")),
        sa.UniqueConstraint(
            "workspace_id", "source_key", name=op.f("uq_kudos_reaction_states_workspace_id_source_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("kudos_reaction_states")
