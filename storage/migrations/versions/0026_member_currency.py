"""members.currency: a member's own currency

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 16:40:00

members.currency: the ISO code an amount without a currency is in for this member
(`/dealbell currency CNY`); NULL: the workspace's (issue 16, item 2). The deals' external key that
re-imports match on (issue 16, item 4) came with 0024.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("currency")
