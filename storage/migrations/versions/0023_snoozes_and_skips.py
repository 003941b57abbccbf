"""follow_up_snoozes, standup_participants.skipped_on: a snooze is the reminder's, a skip is remembered

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 16:40:00

- follow_up_snoozes: "Snooze 3 days" on a deal's follow-up line moved the deal's expected close, so
  the forecast changed without anyone editing the deal (issue 16, item 11). The snooze is now kept
  here, per deal, and the deal is left alone.
- standup_participants.skipped_on: the local date a skipped prompt was due, so `/standup now` does
  not ask someone who skipped today (issue 16, item 10).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up_snoozes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("snoozed_by_id", sa.Integer(), nullable=True),
        sa.Column("snoozed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_follow_up_snoozes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_follow_up_snoozes_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["snoozed_by_id"], ["members.id"], name=op.f("fk_follow_up_snoozes_snoozed_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_snoozes")),
        sa.UniqueConstraint(
            "workspace_id", "deal_id", name=op.f("uq_follow_up_snoozes_workspace_id_deal_id")
        ),
    )
    with op.batch_alter_table("standup_participants") as batch:
        batch.add_column(sa.Column("skipped_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standup_participants") as batch:
        batch.drop_column("skipped_on")
    op.drop_table("follow_up_snoozes")
