"""`dealbell db migrate-sqlite-to-postgres`: a SQLite database filled through the running app is copied
into an empty PostgreSQL database, every table's row count checked, and the app goes on there."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import cli
from bot.app import create_app
from bot.server import create_web_app
from storage import migrate
from storage.db import Database
from storage.models import Base, Deal
from tests.conftest import SIGNING_SECRET, make_settings
from tests.serving import serving
from tests.slack_requests import SlackSender

pytestmark = pytest.mark.postgres_only


@asynccontextmanager
async def running_app(url: str, fake) -> AsyncIterator[tuple[SlackSender, Database]]:
    db = Database(url)
    web_app = create_web_app(create_app(make_settings(url, fake), db), db)
    async with serving(web_app) as address:  # its cleanup disposes the engine
        yield SlackSender(address, SIGNING_SECRET, fake.response_url()), db


@pytest.fixture
async def empty_postgres(database_url) -> AsyncIterator[str]:
    """A new, empty database on the suite's PostgreSQL server."""
    name = f"dealbell_transfer_{uuid.uuid4().hex[:8]}"
    server = make_url(database_url).set(drivername="postgresql", database="postgres")
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def to_pg(source: str, target: str) -> int:
    """The CLI, as a shell would run it (it runs its own event loop, so off this one)."""
    return await asyncio.to_thread(cli.main, ["db", "migrate-sqlite-to-postgres", source, target])


async def row_counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.session() as session:
            return {
                t.name: await session.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables
            }
    finally:
        await db.dispose()


async def test_copies_every_row_and_the_app_carries_on_in_postgres(
    tmp_path, empty_postgres, fake_slack, capsys
):
    source = f"sqlite:///{tmp_path / 'dealbell.db'}"
    await asyncio.to_thread(migrate.upgrade, source)
    fake_slack.add_user("U0001", is_admin=True)
    async with running_app(source, fake_slack) as (send, _db):
        for command, text in [
            ("/deal", 'won 12.5k Zebracorp "Annual licence"'),
            ("/deal", "new 40k Quokka stage:proposal"),
            ("/customer", 'add "Zebracorp" segment:vip'),
            ("/kudos", "<@U0002|u0002> for the demo #teamwork"),
            ("/idea", "Call recordings for everyone"),
        ]:
            assert (await send.command(command, text)).status == 200
        await send.event("event_reaction_added", user="U0002", reaction="clap", item_user="U0001")
        await fake_slack.settle()
    before = await row_counts(source)
    assert sum(1 for rows in before.values() if rows) >= 10  # a real spread of tables, not two

    assert await to_pg(source, empty_postgres) == 0
    assert "counts match" in capsys.readouterr().out
    assert await row_counts(empty_postgres) == before

    async with running_app(empty_postgres, fake_slack) as (send, db):
        assert (await send.command("/deal", "won 3k Initech")).status == 200
        await fake_slack.settle()
        async with db.session() as session:
            ids = sorted((await session.execute(select(Deal.id))).scalars())
    assert len(ids) == before["deals"] + 1 and ids[-1] == max(ids[:-1]) + 1  # the id sequence moved on

    # A second copy into the now-filled database is refused and changes nothing.
    after = await row_counts(empty_postgres)
    assert await to_pg(source, empty_postgres) == 2
    assert "already holds rows" in capsys.readouterr().err
    assert await row_counts(empty_postgres) == after


async def test_refuses_a_source_that_is_not_sqlite_or_not_migrated(tmp_path, empty_postgres, capsys):
    assert await to_pg(empty_postgres, empty_postgres) == 2
    assert "must be a SQLite database" in capsys.readouterr().err
    stale = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(migrate.upgrade, stale, "0015")
    assert await to_pg(stale, empty_postgres) == 2
    assert "not at revision" in capsys.readouterr().err
    assert sum((await row_counts(empty_postgres)).values()) == 0
