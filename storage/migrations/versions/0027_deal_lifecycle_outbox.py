"""Deal lifecycle: the deal history, the Slack outbox, the win-approval threshold

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 16:40:00

- deal_history: every change to a deal (who, when, field, before -> after); a deleted deal is
  deleted from `deals` and its history stays, with a snapshot to restore it (issue 16, item 1).
- slack_outbox: Slack posts that must not be lost (a win's celebration first), written in the
  transaction of the change and delivered by the `slack-outbox` job (issue 17, item 14).
- deal_settings: a workspace's deal rules; approval_minor: wins above it are celebrated once a
  manager approves (no row, or NULL: off). A table of its own rather than a workspaces column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("approval_minor", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_deal_settings_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name="pk_deal_settings"),
    )
    op.create_table(
        "deal_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_deal_history_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["members.id"], name="fk_deal_history_changed_by_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deal_history"),
    )
    op.create_index("ix_deal_history_workspace_deal", "deal_history", ["workspace_id", "deal_id", "id"])
    op.create_index(
        "ix_deal_history_workspace_member", "deal_history", ["workspace_id", "changed_by_id", "changed_at"]
    )
    op.create_table(
        "slack_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_channel", sa.String(length=32), nullable=True),
        sa.Column("posted_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_slack_outbox_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_slack_outbox"),
        sa.UniqueConstraint("workspace_id", "dedupe_key", name="uq_slack_outbox_workspace_id_dedupe_key"),
    )
    op.create_index("ix_slack_outbox_status_due", "slack_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_outbox_status_due", table_name="slack_outbox")
    op.drop_table("slack_outbox")
    op.drop_index("ix_deal_history_workspace_member", table_name="deal_history")
    op.drop_index("ix_deal_history_workspace_deal", table_name="deal_history")
    op.drop_table("deal_history")
    op.drop_table("deal_settings")
