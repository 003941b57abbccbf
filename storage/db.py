"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg) from one code path."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.util import await_

# Slack's budget for an answer: a writer kept waiting longer than this by another process on the
# same file (a `dealbell jobs run`, a migration) gives up, as nobody is waiting for its answer then.
SQLITE_BUSY_TIMEOUT_MS = 3_000
# How long a write waits for its turn behind this process's other writers before it gives up with
# "database is locked". Write transactions take milliseconds, so a burst drains long before; a
# request past Slack's deadline is stopped earlier (handlers.errors); this ends what is really stuck.
SQLITE_WRITER_WAIT = 10.0
# Connections to a SQLite file: enough that a burst queues for its turn to write (cheap: an asyncio
# lock) rather than for a connection; each reader gets its own, as WAL lets readers run beside the writer.
SQLITE_POOL = {"pool_size": 16, "max_overflow": 48}
_WRITER = "dealbell_writer"  # key in a pooled connection's info: the writer lock it holds
# Seconds to open a PostgreSQL connection (asyncpg waits 60 by default): with the database host
# unreachable, a request gets its "try again" answer within Slack's 3-second window... almost;
# it is not left hanging for a minute.
POSTGRES_CONNECT_TIMEOUT = 5
# PostgreSQL connections per process: enough for the requests the server works on at once (Slack's
# 3 s at a few hundred requests a second is a few dozen transactions at a time), so a burst reuses
# connections instead of opening and closing overflow ones, each re-preparing its statements. Last
# used, first reused (LIFO): the busy few stay warm and are rarely old enough to need the idle ping.
# Set with DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW; keep workers x (both) under max_connections.
POSTGRES_POOL = {"pool_size": 20, "max_overflow": 20, "pool_use_lifo": True}
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
    # WAL lets readers run beside the one writer; the busy timeout covers the writers of other processes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class SqliteWriter:
    """One write transaction at a time per engine, the others queued in order, while reads run beside it.

    SQLite allows one writer per file. Left to itself, a write waits in SQLite's busy handler, which
    polls (sleeping up to 100 ms between tries) in no particular order: under a burst some writers
    starve past any deadline and fail with "database is locked" when the busy timeout runs out (and
    a transaction that read before it wrote can find its snapshot stale and fail at once). So each
    connection's transaction starts with BEGIN IMMEDIATE (the
    driver emits it before the first INSERT, UPDATE or DELETE; reads before it need no transaction),
    and before that statement the connection takes its turn from an asyncio lock: writers wait in
    order, without polling, and BEGIN IMMEDIATE finds the file free. The turn ends as the
    transaction's COMMIT or ROLLBACK is sent (SQLite's busy timeout covers the moment the next
    writer's BEGIN overlaps it), or when the connection is invalidated or closed.
    """

    def __init__(self, wait: float = SQLITE_WRITER_WAIT) -> None:
        self.wait = wait
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )  # one per event loop: tests share an engine across their loops

    def attach(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(engine.sync_engine, "commit", self._transaction_ends)
        event.listen(engine.sync_engine, "rollback", self._transaction_ends)
        pool = engine.sync_engine.pool
        event.listen(pool, "reset", self._connection_reset)
        for name in ("invalidate", "close", "detach"):
            event.listen(pool, name, self._connection_ends)

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def _before_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _WRITER in conn.info or not writes(statement):
            return
        lock = self._lock()
        await_(self._take(lock))  # in SQLAlchemy's greenlet: the task waits, the loop runs on
        conn.info[_WRITER] = lock

    async def _take(self, lock: asyncio.Lock) -> None:
        try:
            async with asyncio.timeout(self.wait):
                await lock.acquire()
        except TimeoutError:
            # the driver's own error, so SQLAlchemy wraps it as it wraps SQLite's (OperationalError)
            raise sqlite3.OperationalError(
                f"database is locked: no turn to write within {self.wait:.0f} s"
            ) from None

    def _transaction_ends(self, conn: Any) -> None:
        self._release(conn.info)

    def _connection_reset(self, _dbapi_connection: Any, record: Any, _state: Any) -> None:
        self._release(record.info)  # returned to the pool mid-transaction: rolled back now

    def _connection_ends(self, _dbapi_connection: Any, record: Any, *_args: Any) -> None:
        self._release(record.info)

    @staticmethod
    def _release(info: dict[str, Any]) -> None:
        lock = info.pop(_WRITER, None)
        if lock is not None and lock.locked():
            lock.release()


# What the sqlite3 driver starts a transaction for (it looks at the first word the same way).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def _sqlite_file(target: URL) -> bool:
    return bool(target.database) and target.database != ":memory:" and "mode=memory" not in str(target)


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    target = async_url(url)
    kwargs.setdefault("hide_parameters", True)  # error messages and logs never show stored text
    if target.get_backend_name() == "sqlite":
        # isolation_level: the driver opens each transaction with BEGIN IMMEDIATE (see SqliteWriter)
        kwargs["connect_args"] = {
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "isolation_level": "IMMEDIATE",
            **kwargs.get("connect_args", {}),
        }
        if _sqlite_file(target) and "poolclass" not in kwargs:
            kwargs = {**SQLITE_POOL, **kwargs}
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        SqliteWriter().attach(engine)
        clean_text_parameters(engine)
        return engine
    kwargs.setdefault("connect_args", {"timeout": POSTGRES_CONNECT_TIMEOUT})
    if "poolclass" not in kwargs:
        kwargs = {**POSTGRES_POOL, **kwargs}
    engine = create_async_engine(target, **kwargs)
    clean_text_parameters(engine)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    return engine


# Characters PostgreSQL refuses in text (NUL) or no UTF-8 encoder takes (lone surrogates, which JSON
# escapes like "\ud800" produce): cleaned from every text parameter, on both databases alike.
REFUSED_IN_TEXT = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without NUL, each lone surrogate replaced by U+FFFD."""
    return REFUSED_IN_TEXT.sub(lambda found: "" if found.group() == "\x00" else "\ufffd", value)


def clean_text_parameters(engine: AsyncEngine) -> None:
    """Every statement's text parameters cleaned as they go to the driver: one place for all input
    (commands, forms, events), so text a person typed never fails an insert."""
    event.listen(engine.sync_engine, "before_cursor_execute", _cleaned, retval=True)


def _cleaned(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> Any:
    rows = parameters if many else [parameters]
    if not any(_needs_cleaning(row) for row in rows):
        return statement, parameters
    cleaned = [_clean_row(row) for row in rows]
    return statement, cleaned if many else cleaned[0]


def _values(row: Any) -> Any:
    return row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else ()


def _needs_cleaning(row: Any) -> bool:
    return any(isinstance(v, str) and REFUSED_IN_TEXT.search(v) for v in _values(row))


def _clean_row(row: Any) -> Any:
    def clean(value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    if isinstance(row, dict):
        return {key: clean(value) for key, value in row.items()}
    return type(row)(clean(value) for value in row) if isinstance(row, list | tuple) else row


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


@dataclass
class Commitments:
    """What one unit of work (a Slack request's listener) has made permanent so far: whether a
    commit of something it wrote is under way, and whether one went through. Stopping the work
    before then keeps nothing; after, what it saved stays saved."""

    committing: int = 0
    written: bool = False

    @property
    def permanent(self) -> bool:
        return self.written or self.committing > 0


_commitments: ContextVar[Commitments | None] = ContextVar("dealbell_commitments", default=None)


def track_commitments(commitments: Commitments) -> None:
    """Note in `commitments` the commits of the sessions opened from here on in this task (and in
    the tasks it starts)."""
    _commitments.set(commitments)


_WROTE = "dealbell_wrote"  # key in a session's info: it flushed or executed an INSERT, UPDATE or DELETE


class WritingSession(Session):
    """A Session that notes in its info whether it wrote anything."""


@event.listens_for(WritingSession, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(WritingSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=WritingSession
        )
        # PostgreSQL: a lone statement needs no BEGIN and COMMIT around it (two round trips of three).
        # Not on SQLite: its driver would come back from autocommit opening transactions DEFERRED,
        # not IMMEDIATE (SqliteWriter), and it sends no BEGIN for a read anyway.
        single = self.engine
        if self.dialect == "postgresql":
            single = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.single_statements = async_sessionmaker(
            single, expire_on_commit=False, sync_session_class=WritingSession
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session:
            transaction = await session.begin()
            try:
                yield session
            except BaseException:
                if transaction.is_active:
                    await transaction.rollback()
                raise
            if not transaction.is_active:
                return  # committed or rolled back inside
            commitments = _commitments.get()
            if commitments is None or not session.info.get(_WROTE):
                await transaction.commit()
                return
            commitments.committing += 1
            try:
                await transaction.commit()
                commitments.written = True
            finally:
                commitments.committing -= 1

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncSession]:
        """A session for ONE statement (a lookup, or a single-row write that stands alone), which
        commits by itself: on PostgreSQL without a transaction around it. Several statements that
        must hold together go in `session()`."""
        async with self.single_statements() as session:
            yield session
            await session.commit()

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
