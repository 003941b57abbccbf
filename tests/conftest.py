"""Fixtures: real databases (SQLite and PostgreSQL), the fake Slack, and the running app.

Every test that uses `db` runs once per database backend. Choose with `--db sqlite|postgresql|all`
(default all). PostgreSQL comes from TEST_DATABASE_URL, else a throwaway database is created on
127.0.0.1:5432; where no server answers, its tests are skipped with the reason shown, unless
DEALBELL_REQUIRE_POSTGRES=1 (set by CI), which turns that into an error.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web
from sqlalchemy import text

from bot.app import create_app
from bot.server import create_web_app
from bot.settings import Settings
from bot.slack import make_client
from jobs.base import JobServices
from storage import migrate
from storage.db import Database
from storage.models import Base
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender

SIGNING_SECRET = "test-signing-secret"
PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default="all", choices=[*BACKENDS, "all"], help="database backends to test on")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        backends = BACKENDS if chosen == "all" else (chosen,)
        marker = metafunc.definition.get_closest_marker("postgres_only")
        if marker:
            backends = tuple(b for b in backends if b == "postgresql")
        metafunc.parametrize("backend", backends, scope="session")


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database per backend for the whole session (migrations run through Alembic)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'dealbell.db'}"
        migrate.upgrade(url)
        yield url
        return
    url = os.environ.get("TEST_DATABASE_URL")
    created = None
    if not url:
        if not _postgres_reachable():
            if os.environ.get("DEALBELL_REQUIRE_POSTGRES") == "1":
                pytest.fail(
                    "PostgreSQL is required (DEALBELL_REQUIRE_POSTGRES=1) but 127.0.0.1:5432 is closed"
                )
            pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432 (set TEST_DATABASE_URL to use another)")
        created = f"dealbell_test_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(f'CREATE DATABASE "{created}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{created}"
    migrate.upgrade(url)
    yield url
    if created:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def empty_database(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await empty_database(database)
    yield database
    await database.dispose()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


def make_settings(database_url: str, fake: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "database_url": database_url,
        "slack_app_token": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningApp:
    url: str
    db: Database
    fake: FakeSlack
    settings: Settings
    send: SlackSender
    services: JobServices


@pytest.fixture
async def app(db: Database, database_url: str, fake_slack: FakeSlack) -> AsyncIterator[RunningApp]:
    """The real Bolt app behind aiohttp on a random local port, talking to the fake Slack."""
    settings = make_settings(database_url, fake_slack)
    bolt_app = create_app(settings, db)
    web_app = create_web_app(bolt_app, db)
    web_app.on_cleanup.clear()  # the `db` fixture disposes the engine
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    client = make_client(settings)
    services = JobServices(db=db, client_for=lambda _ws: client, claimant="test")
    yield RunningApp(
        url, db, fake_slack, settings, SlackSender(url, SIGNING_SECRET, fake_slack.response_url()), services
    )
    await runner.cleanup()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
