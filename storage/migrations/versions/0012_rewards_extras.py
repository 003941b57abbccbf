"""Rewards: kudos ids are never reused on SQLite, so the points ledger's `kudos:<id>` keys stay unique.

SQLite hands a deleted row's id to the next insert when the table has no AUTOINCREMENT; an undone
kudos whose id came back would then find its `kudos:<id>` ledger entry taken and earn nothing.
PostgreSQL sequences never go back, so there is nothing to do there.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("kudos", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("kudos", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
