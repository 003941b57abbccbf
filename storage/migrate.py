"""Alembic, driven from code: `dealbell db upgrade`, `dealbell run` and the tests all come through here."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from storage.db import async_url, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_lock key held while migrating on PostgreSQL (any fixed bigint; "dealbell" in ASCII).
MIGRATION_LOCK_KEY = int.from_bytes(b"dealbell", "big") >> 1


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = async_url(url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking; runs its own event loop, so call it before the app's loop starts or in a thread."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()
