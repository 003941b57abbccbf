"""Alembic environment: async engines, URL handed in by storage.migrate (never read from an ini file)."""

import asyncio

from alembic import context
from sqlalchemy.pool import NullPool

from storage.db import create_engine
from storage.migrate import MIGRATION_LOCK_KEY
from storage.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    # Migrations must not import the models: render our UTC type as the column type it stores.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    """Migrate under a lock, so every replica may run `dealbell db upgrade` at start.

    PostgreSQL: a session-level advisory lock queues concurrent upgrades; each later one finds the
    version table at head and does nothing. SQLite: BEGIN IMMEDIATE takes the file's write lock
    for the whole upgrade (others wait out the busy timeout), so no two runs interleave DDL.
    """
    engine = create_engine(config.attributes["url"], poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                await connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
                await connection.commit()  # the lock is the session's: it outlives this transaction
            elif connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                await connection.run_sync(run_with)
                await connection.commit()
            finally:
                if postgres:
                    await connection.rollback()
                    await connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                    await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=str(config.attributes["url"]), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async())
