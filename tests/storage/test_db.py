"""Engine set-up: the URLs people write, and SQLite tuned for a bot that writes from many requests."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import Database, async_url


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///dealbell.db", "sqlite+aiosqlite"),
        ("postgres://u:p@db/x", "postgresql+asyncpg"),
        ("postgresql://u:p@db/x", "postgresql+asyncpg"),
        ("postgresql+psycopg2://u@db/x", "postgresql+asyncpg"),
    ],
)
def test_async_url_picks_the_async_driver(given, driver):
    assert async_url(given).drivername == driver


def test_unsupported_database_is_refused():
    with pytest.raises(ValueError, match="unsupported database"):
        async_url("mysql://root@localhost/x")


async def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with db.engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
            busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
        assert (journal, foreign_keys) == ("wal", 1)
        assert busy == 3000  # Slack's budget for an answer
        assert await db.ping()
    finally:
        await db.dispose()


async def test_ping_is_false_when_the_database_is_unreachable():
    db = Database("postgresql://postgres@127.0.0.1:1/nothing")
    try:
        assert await db.ping() is False
    finally:
        await db.dispose()
