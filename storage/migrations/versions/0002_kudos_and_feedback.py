"""kudos and feedback

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:21:09.860343
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["members.id"], name=op.f("fk_feedback_requests_manager_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["members.id"], name=op.f("fk_feedback_requests_subject_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_requests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_requests")),
        sa.UniqueConstraint("source_key", name=op.f("uq_feedback_requests_source_key")),
    )
    op.create_table(
        "kudos_gives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["giver_id"], ["members.id"], name=op.f("fk_kudos_gives_giver_id_members")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_kudos_gives_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_gives")),
        sa.UniqueConstraint(
            "workspace_id", "source_key", name=op.f("uq_kudos_gives_workspace_id_source_key")
        ),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("about_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_hash", sa.String(length=128), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["about_id"], ["members.id"], name=op.f("fk_feedback_about_id_members")),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["members.id"], name=op.f("fk_feedback_receiver_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["feedback_requests.id"],
            name=op.f("fk_feedback_request_id_feedback_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["sender_id"], ["members.id"], name=op.f("fk_feedback_sender_id_members")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("workspace_id", "source_key", name=op.f("uq_feedback_workspace_id_source_key")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_receiver_id"), ["receiver_id"], unique=False)

    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("give_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["give_id"], ["kudos_gives.id"], name=op.f("fk_kudos_give_id_kudos_gives"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["giver_id"], ["members.id"], name=op.f("fk_kudos_giver_id_members")),
        sa.ForeignKeyConstraint(["receiver_id"], ["members.id"], name=op.f("fk_kudos_receiver_id_members")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_kudos_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
        sa.UniqueConstraint(
            "give_id", "giver_id", "receiver_id", name=op.f("uq_kudos_give_id_giver_id_receiver_id")
        ),
    )
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kudos_workspace_giver_created", ["workspace_id", "giver_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_kudos_workspace_receiver_created", ["workspace_id", "receiver_id", "created_at"], unique=False
        )

    op.create_table(
        "kudos_give_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("give_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["give_id"],
            ["kudos_gives.id"],
            name=op.f("fk_kudos_give_values_give_id_kudos_gives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_give_values")),
        sa.UniqueConstraint("give_id", "value", name=op.f("uq_kudos_give_values_give_id_value")),
    )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kudos_emoji", sa.String(length=64), server_default="clap", nullable=False)
        )
        batch_op.add_column(sa.Column("kudos_allowance", sa.Integer(), server_default="5", nullable=False))
        batch_op.add_column(
            sa.Column("kudos_value_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("kudos_values", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("kudos_values")
        batch_op.drop_column("kudos_value_required")
        batch_op.drop_column("kudos_allowance")
        batch_op.drop_column("kudos_emoji")

    op.drop_table("kudos_give_values")
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_workspace_receiver_created")
        batch_op.drop_index("ix_kudos_workspace_giver_created")

    op.drop_table("kudos")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_receiver_id"))

    op.drop_table("feedback")
    op.drop_table("kudos_gives")
    op.drop_table("feedback_requests")
