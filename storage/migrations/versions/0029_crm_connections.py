"""CRM connections and the CRM deals they fed (issue 20)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 17:50:00

crm_connections: one per workspace and CRM kind, credentials encrypted (storage/crm_secrets.py).
crm_deal_links: the CRM's modified time per deal (an older event never moves a deal backwards) and
the deals of unmapped owners, kept until an admin maps them. deal_stage_changes.via: the CRM that
made a move (history names its source).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column("deal_stage_changes", sa.Column("via", sa.String(length=32), nullable=True))
    op.create_table(
        "crm_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("owner_map", sa.JSON(), nullable=True),
        sa.Column("stage_map", sa.JSON(), nullable=True),
        sa.Column("pipelines", sa.JSON(), nullable=True),
        sa.Column("cursor", sa.String(length=64), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("admin_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deals_synced", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        workspace_fk("crm_connections"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_connections")),
        sa.UniqueConstraint("workspace_id", "kind", name=op.f("uq_crm_connections_workspace_id_kind")),
    )
    op.create_index("ix_crm_connections_account", "crm_connections", ["kind", "account"])
    op.create_table(
        "crm_deal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_key", sa.String(length=64), nullable=True),
        sa.Column("owner_email", sa.String(length=254), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        workspace_fk("crm_deal_links"),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["crm_connections.id"],
            name=op.f("fk_crm_deal_links_connection_id_crm_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_crm_deal_links_deal_id_deals"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_deal_links")),
        sa.UniqueConstraint(
            "connection_id", "external_id", name=op.f("uq_crm_deal_links_connection_id_external_id")
        ),
    )
    op.create_index(op.f("ix_crm_deal_links_workspace_id"), "crm_deal_links", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("crm_deal_links")
    op.drop_table("crm_connections")
    op.drop_column("deal_stage_changes", "via")
