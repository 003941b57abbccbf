"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg) from one code path."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Seconds to open a PostgreSQL connection (asyncpg waits 60 by default): with the database host
# unreachable, a request gets its "try again" answer within Slack's 3-second window... almost;
# it is not left hanging for a minute.
POSTGRES_CONNECT_TIMEOUT = 5
PING_AFTER_IDLE = 1.0  # seconds a pooled connection may sit unused and still be taken unpinged
_IDLE_SINCE = "dealbell_idle_since"
DRIVER_MODULES = ("sqlalchemy", "asyncpg", "aiosqlite")
# asyncpg's errors for a connection lost or refused (SQLAlchemy wraps them in a plain DBAPIError)
OUT_OF_REACH = (
    asyncpg.exceptions.PostgresConnectionError,  # the connection does not exist, failed, was rejected
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def async_url(url: str | URL) -> URL:
    """Accept the URLs people write (`sqlite:///x.db`, `postgres://…`) and pick the async driver."""
    raw = str(url) if isinstance(url, URL) else url
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    parsed = make_url(raw)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///file.db or postgresql://…")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside one writer; the busy timeout makes writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    kwargs.setdefault("connect_args", {"timeout": POSTGRES_CONNECT_TIMEOUT})
    engine = create_async_engine(target, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    return engine


def ping_when_idle(engine: AsyncEngine, idle: float = PING_AFTER_IDLE) -> None:
    """Ping a pooled connection at checkout if it sat unused for `idle` seconds; replace it if the
    ping fails. A connection the database dropped (a restart, a network cut) is found this way and
    replaced, so the process recovers by itself once the database is back.

    SQLAlchemy's pool_pre_ping pings at every checkout, and on asyncpg a ping is three round trips
    (BEGIN, an empty query, ROLLBACK): more than a third of a busy request's. A connection used a
    moment ago is alive; should the database have dropped it in that moment, the statement fails
    (the user is told to try again) and SQLAlchemy discards the whole pool, as pre-ping would have."""
    pool = engine.sync_engine.pool

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle:
            return  # new, or in use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError("the database dropped an idle connection") from error

    event.listen(pool, "checkin", checked_in)
    event.listen(pool, "checkout", checked_out)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is out of reach (refused, dropped mid-transaction, timed
    out, locked) rather than a bug or bad data: what "try again in a minute" is the answer to."""
    for cause in _causes(error):
        if isinstance(cause, exc.DBAPIError) and (
            cause.connection_invalidated or isinstance(cause, exc.OperationalError | exc.InterfaceError)
        ):
            return True
        if isinstance(cause, OUT_OF_REACH):
            return True  # asyncpg's "connection was closed in the middle of operation", and its kin
        if isinstance(cause, OSError | TimeoutError) and _raised_by_driver(cause, DRIVER_MODULES):
            return True  # refused or timed out while connecting (Slack's own OSErrors are not ours)
    return False


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """`error`, what caused it, and the driver's error a SQLAlchemy error wraps (`orig`)."""
    pending, seen = [error], set()
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        pending += [error.__cause__ or error.__context__, getattr(error, "orig", None)]


def _raised_by_driver(error: BaseException, modules: tuple[str, ...]) -> bool:
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(modules):
            return True
        tb = tb.tb_next
    return False


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert_ignoring_conflicts(session: AsyncSession, table: Any, conflict_columns: Iterable[str]) -> Any:
    """`INSERT … ON CONFLICT (cols) DO NOTHING` for the session's dialect.

    Idempotent writes (claims, dedupe rows, once-per-person clicks) use this instead of catching
    IntegrityError, so the surrounding transaction stays usable on both databases.
    """
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
