"""members.currency, and deals.external_source + external_id: a member's own currency; deals known by another system's id

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-02 16:40:00

- members.currency: the ISO code an amount without a currency is in for this member
  (`/dealbell currency CNY`); NULL: the workspace's (issue 16, item 2).
- deals.external_source + external_id: the id a deal has in another system (a CSV's
  `external_id` column, source 'csv' unless the file names one; a CRM sync), unique per workspace
  and source, so importing the same rows again updates them instead of adding (issue 16, item 4).
  Both NULL for deals logged in Slack; a unique constraint lets any number of NULLs through.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = "uq_deals_workspace_id_external_source_external_id"


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    with op.batch_alter_table("deals") as batch:
        batch.add_column(sa.Column("external_source", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(UNIQUE, ["workspace_id", "external_source", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("deals") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.drop_column("external_id")
        batch.drop_column("external_source")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("currency")
