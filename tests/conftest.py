"""Fixtures: real databases (SQLite and PostgreSQL), the fake Slack, and the running app.

Every test that uses `db` runs once per database backend. Choose with `--db sqlite|postgresql|all`
(default all). PostgreSQL comes from TEST_DATABASE_URL, else a throwaway database is created on
127.0.0.1:5432; where no server answers, its tests are skipped with the reason shown, unless
DEALBELL_REQUIRE_POSTGRES=1 (set by CI), which turns that into an error. Under pytest-xdist (`make test`)
each worker gets its own SQLite file and PostgreSQL database (`<TEST_DATABASE_URL's name>_gw0`, …).
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import create_app
from bot.server import create_web_app
from bot.settings import Settings
from bot.slack import make_client
from jobs.base import JobServices
from storage import audit, migrate
from storage.db import Database, async_url
from storage.models import Base
from tests.fake_slack import FakeSlack
from tests.serving import serving
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


def _postgres_server() -> tuple[str, int]:
    """Where the throwaway databases are made: 127.0.0.1:5432 unless TEST_POSTGRES_ADMIN_URL says."""
    admin = make_url(PG_ADMIN)
    return admin.host or "127.0.0.1", admin.port or 5432


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(_postgres_server(), timeout=1):
            return True
    except OSError:
        return False


class Databases:
    """One migrated database per backend, made on first use and kept for the whole session.

    Kept here rather than in the session-scoped `database_url` fixture itself: pytest recreates a
    parametrized fixture whenever the parameter changes, and under pytest-xdist a worker may switch
    between SQLite and PostgreSQL tests many times.
    """

    def __init__(self, stack: ExitStack, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._stack = stack
        self._tmp = tmp_path_factory
        self._urls: dict[str, str] = {}
        self._engines: dict[str, Database] = {}

    def url(self, backend: str) -> str:
        if backend not in self._urls:
            if backend == "sqlite":
                url = f"sqlite:///{self._tmp.mktemp('db') / 'dealbell.db'}"
            else:
                url = self._stack.enter_context(_postgres_database())
            migrate.upgrade(url)
            self._urls[backend] = url
        return self._urls[backend]

    def shared_database(self, url: str) -> Database:
        if url not in self._engines:
            self._engines[url] = Database(url)
        return self._engines[url]


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    with ExitStack() as stack:
        yield Databases(stack, tmp_path_factory)


@pytest.fixture(scope="session")
def database_url(backend: str, databases: Databases) -> str:
    """A migrated database per backend for the whole session (migrations run through Alembic).

    Under pytest-xdist every worker has its own session, so its own SQLite file (tmp_path_factory is
    per worker) and its own PostgreSQL database.
    """
    return databases.url(backend)


@contextmanager
def _postgres_database(scratch: bool = False) -> Iterator[str]:
    """TEST_DATABASE_URL itself; under xdist a `<its name>_gw0` database per worker beside it on the same
    server; without it a throwaway database on 127.0.0.1:5432 (TEST_POSTGRES_ADMIN_URL). `scratch`: always
    a database of its own beside those (a test that migrates one from an old revision). Databases created
    here are dropped after."""
    given = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … under pytest-xdist
    if given and not worker and not scratch:
        yield given
        return
    if given:
        server = async_url(given).set(drivername="postgresql")
        admin = server.render_as_string(hide_password=False)
        name = f"{server.database}_{uuid.uuid4().hex[:8]}" if scratch else f"{server.database}_{worker}"
        url = server.set(database=name).render_as_string(hide_password=False)
    else:
        if not _postgres_reachable():
            where = "{}:{}".format(*_postgres_server())
            if os.environ.get("DEALBELL_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required (DEALBELL_REQUIRE_POSTGRES=1) but {where} is closed")
            pytest.skip(f"PostgreSQL not reachable on {where} (set TEST_DATABASE_URL to use another)")
        admin = PG_ADMIN
        name = f"dealbell_test_{uuid.uuid4().hex[:8]}"
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_admin(drop, admin))  # a worker database an interrupted run left behind
    asyncio.run(_admin(f'CREATE DATABASE "{name}"', admin))
    try:
        yield url
    finally:
        asyncio.run(_admin(drop, admin))


async def _admin(sql: str, admin_url: str = PG_ADMIN) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def empty_database(db: Database) -> None:
    """Delete every row and restart the ids, touching only what tests wrote: a TRUNCATE of every table
    costs ~0.1 s per test on PostgreSQL, these few statements a few milliseconds."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]  # children before parents
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text(f"SET LOCAL {audit.PURGING} = 'on'"))  # audit_log refuses DELETE else
        filled = set((await conn.execute(text(probe))).scalars())
        for table in tables:
            if table in filled:
                await conn.execute(text(f"DELETE FROM {table}"))
        if db.dialect == "postgresql":
            await conn.execute(text(RESTART_USED_SEQUENCES))


# Every id sequence that has handed out a value starts again from its first (as RESTART IDENTITY did).
RESTART_USED_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL
"""


@pytest.fixture
async def db(database_url: str, databases: Databases) -> AsyncIterator[Database]:
    # A fresh Database object over the session's engine for this database: the engine keeps its cache
    # of compiled SQL across tests, and dispose() after each test closes the connections this test's
    # event loop opened (an engine may serve a new loop once disposed).
    database = copy.copy(databases.shared_database(database_url))
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
    web_app = create_web_app(bolt_app, db, close_db=False)  # the `db` fixture disposes the engine
    client = make_client(settings)
    services = JobServices(db=db, client_for=lambda _ws: client, claimant="test")
    async with serving(web_app) as url:
        sender = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        yield RunningApp(url, db, fake_slack, settings, sender, services)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
