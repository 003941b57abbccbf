"""Database operations: `dealbell db upgrade` on every replica at once, and `dealbell db backup`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import Workspace
from tests.conftest import PG_ADMIN, _admin, _postgres_reachable
from tests.factories import WorkspaceFactory
from tests.test_server import clean_env, dealbell

REPLICAS = 3


def alembic_versions(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


async def pg_versions(url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [row[0] for row in await conn.fetch("SELECT version_num FROM alembic_version")]
    finally:
        await conn.close()


async def upgrade_all_at_once(url: str, cwd: Path) -> None:
    env = clean_env(DATABASE_URL=url)
    results = await asyncio.gather(
        *(dealbell("db", "upgrade", cwd=cwd, env=env, timeout=90) for _ in range(REPLICAS))
    )
    for code, out, err in results:
        assert code == 0, err[-2000:]
        assert f"database at revision {migrate.head_revision()}" in out


async def test_concurrent_upgrades_all_succeed_and_leave_the_head(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        database = tmp_path / "fresh.db"
        await upgrade_all_at_once(f"sqlite:///{database}", tmp_path)
        assert alembic_versions(database) == [migrate.head_revision()]
        return
    if not _postgres_reachable():
        if os.environ.get("DEALBELL_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (DEALBELL_REQUIRE_POSTGRES=1) but 127.0.0.1:5432 is closed")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    name = f"dealbell_upgrade_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        await upgrade_all_at_once(url, tmp_path)
        assert await pg_versions(url) == [migrate.head_revision()]
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- dealbell db backup -----------------------------------------------------------------------------


async def test_backup_copies_a_live_sqlite_database_while_a_writer_holds_a_transaction(
    tmp_path: Path,
) -> None:
    source = tmp_path / "live.db"
    url = f"sqlite:///{source}"
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    try:
        async with db.session() as session:
            session.add_all(
                [WorkspaceFactory(team_id="T1", name="One"), WorkspaceFactory(team_id="T2", name="Two")]
            )
        backup = tmp_path / "copy.db"
        async with db.session() as session:
            session.add(WorkspaceFactory(team_id="T3", name="In flight"))
            await session.flush()  # the write transaction is open (and holds the write lock) from here
            code, out, err = await dealbell(
                "db", "backup", str(backup), cwd=tmp_path, env=clean_env(DATABASE_URL=url), timeout=30
            )
        async with db.session() as session:
            live = sorted(await session.scalars(select(Workspace.team_id)))
    finally:
        await db.dispose()
    assert code == 0, err
    assert f"to {backup}" in out
    assert live == ["T1", "T2", "T3"]  # the writer was not disturbed

    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT team_id, name FROM workspaces ORDER BY team_id").fetchall()
    assert rows == [("T1", "One"), ("T2", "Two")]  # committed rows only: one consistent snapshot
    assert alembic_versions(backup) == [migrate.head_revision()]
    assert await migrate.current_revision(f"sqlite:///{backup}") == migrate.head_revision()


async def test_backup_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    await asyncio.to_thread(migrate.upgrade, f"sqlite:///{source}")
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    env = clean_env(DATABASE_URL=f"sqlite:///{source}")
    code, _out, err = await dealbell("db", "backup", str(existing), cwd=tmp_path, env=env)
    assert code == 2
    assert "already exists" in err
    assert existing.read_bytes() == b"precious"


async def test_backup_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'nowhere.db'}")
    code, _out, err = await dealbell("db", "backup", "copy.db", cwd=tmp_path, env=env)
    assert code == 2
    assert "no database at" in err
    assert not (tmp_path / "nowhere.db").exists() and not (tmp_path / "copy.db").exists()


async def test_backup_refuses_postgresql_and_prints_the_pg_dump_command(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL="postgresql+asyncpg://sales:s3cret@db.example:5432/dealbell")
    code, out, err = await dealbell("db", "backup", "nightly.dump", cwd=tmp_path, env=env)
    assert code == 2
    assert out == ""
    assert "SQLite databases only" in err
    assert (
        'pg_dump --format=custom --file=nightly.dump "postgresql://sales:***@db.example:5432/dealbell"' in err
    )
    assert "+asyncpg" not in err and "s3cret" not in err
    assert not (tmp_path / "nightly.dump").exists()
