"""Schema changes of the standups feature beyond 0007: who was asked on a run's day, and when.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("prompted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_standup_prompts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["standup_runs.id"],
            name=op.f("fk_standup_prompts_run_id_standup_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_standup_prompts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_prompts")),
        sa.UniqueConstraint("run_id", "member_id", name=op.f("uq_standup_prompts_run_id_member_id")),
    )
    with op.batch_alter_table("standup_prompts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_standup_prompts_workspace_prompted", ["workspace_id", "prompted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("standup_prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_standup_prompts_workspace_prompted")
    op.drop_table("standup_prompts")
