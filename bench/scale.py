"""Scale: a large generated workspace, bulk-loaded, and the heavy reads timed on it.

The generator makes N members (1% managers), M deals created over the last two years with their
stage history (every step from lead to where the deal is now), K kudos (two receivers per give)
and A activities, plus one customer per 20 deals. Two worker processes make the rows (the same rows
one process makes); they go in with COPY (asyncpg) on PostgreSQL and `executemany` in one
transaction on SQLite (without journal or fsync on the loading connection only), into a database
migrated to head, with the plain indexes dropped while loading and built again afterwards from
their own definitions; then ANALYZE (PostgreSQL: VACUUM ANALYZE, as autovacuum would leave a live
database). The load is timed apart from the operations (rows, indexes, analyze on stderr). The
scale and memory scenarios share one such database per backend in a run.

Timed, each in a fresh session, `repeat` times (the median is shown): the weekly leaderboard
(what `weekly-leaderboard` queries and renders), the monthly one (`/leaderboard month`), one
manager's weekly digest (storage.metrics.manager_digest and the goals, as jobs/digests.py does,
rendered) and one manager's App Home (storage.home.member_home and bot.kit.views.home). `--explain`
prints the plan of every statement each of them ran (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN
QUERY PLAN).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import multiprocessing
import random
import sqlite3
import statistics
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import TEAM_ID, backends, fresh_database, markdown_table
from bot.kit.views import digest as digest_view
from bot.kit.views import home as home_view
from bot.kit.views import leaderboard as leaderboard_view
from storage import home, leaderboard, metrics
from storage.db import Database
from storage.goals import goal_attainment
from storage.models import Member, Workspace, utcnow
from storage.periods import Period, member_zone

DAYS = 730  # deals, kudos and activities spread over the last two years
CURRENCIES = ("USD",) * 19 + ("EUR",)
OPEN = ("lead", "qualified", "proposal", "negotiation")
FUNNEL = (*OPEN, "won")
COMPETITORS = ("Globex", "Initech", "Umbrella", "Hooli", "Soylent", "Vandelay", None)
KINDS = ("call", "meeting", "email", "demo", "visit", "note", "customer-feedback")
TARGETS_MS = {"postgresql": 200, "sqlite": 500}


@dataclass(frozen=True)
class Sizes:
    members: int = 2_000
    deals: int = 1_000_000
    kudos: int = 2_000_000
    activities: int = 1_000_000

    @property
    def customers(self) -> int:
        return max(10, self.deals // 20)

    @property
    def managers(self) -> int:
        return max(1, self.members // 100)


# --- the rows --------------------------------------------------------------------------------------


def ints(rng: random.Random, low: int, high: int) -> Callable[[], int]:
    """`rng.randint(low, high)` as a closure: the very same draws (Random._randbelow's getrandbits
    loop), without randint's and randrange's argument checks, which were most of the generator's
    time (tests/test_bench.py checks the draws against randint)."""
    getrandbits = rng.getrandbits
    n = high - low + 1
    k = n.bit_length()

    def draw() -> int:
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return low + r

    return draw


def picks(rng: random.Random, seq: Sequence[Any]) -> Callable[[], Any]:
    """`rng.choice(seq)` as a closure, drawing as `choice` does."""
    index = ints(rng, 0, len(seq) - 1)
    return lambda: seq[index()]


class Generator:
    """Deterministic rows (one seed), as tuples in the column order of COLUMNS.

    The hot loops draw through `ints` and `picks` (the same numbers as randint and choice) and
    compute times from `self.base`: naive UTC on SQLite, formatted once per value, aware on
    PostgreSQL."""

    def __init__(
        self, sizes: Sizes, workspace_id: int, now: dt.datetime, sqlite: bool, seed: int = 2026
    ) -> None:
        self.sizes, self.ws, self.now, self.sqlite = sizes, workspace_id, now, sqlite
        self.seed = seed
        # Values as each driver takes them: asyncpg's COPY wants datetimes and dates; SQLite gets the
        # text SQLAlchemy's SQLite types write ('YYYY-MM-DD HH:MM:SS.ffffff' UTC, ISO dates).
        self.base = now.astimezone(dt.UTC).replace(tzinfo=None) if sqlite else now
        self.at: Callable[[dt.datetime], Any] = (
            (lambda d: d.isoformat(" ", "microseconds")) if sqlite else (lambda d: d)
        )
        self.day: Callable[[dt.date], Any] = dt.date.isoformat if sqlite else (lambda d: d)

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    def moments(self, rng: random.Random) -> Callable[[], dt.datetime]:
        """A moment in the last DAYS, uniformly (one `rng.random()` each)."""
        draw, now, timedelta = rng.random, self.base, dt.timedelta
        return lambda: now - timedelta(seconds=draw() * DAYS * 86400)

    def members(self) -> Iterator[tuple]:
        for n in range(1, self.sizes.members + 1):
            manager = n <= self.sizes.managers
            yield (n, self.ws, f"U{n:07d}", f"rep{n}", f"Rep {n}", "manager" if manager else "rep", "UTC",
                   "en-US", False, False, False, False, "", self.at(self.base), self.at(self.base))  # fmt: skip

    def customers(self) -> Iterator[tuple]:
        rng = self.rng("customers")
        today = self.base.date()
        created = self.at(self.base - dt.timedelta(days=DAYS))
        member = ints(rng, 1, self.sizes.members)
        for n in range(1, self.sizes.customers + 1):
            follow_up = today + dt.timedelta(days=rng.randint(-60, 60))
            yield (n, self.ws, f"Customer {n}", f"customer {n}", rng.choice(("potential", "new", "existing", "vip")),
                   member(), self.day(follow_up), created)  # fmt: skip

    def deals_and_history(self) -> tuple[Iterator[tuple], Iterator[tuple]]:
        """Deals and their stage changes, from one pass (the history follows each deal's path).

        A deal created more than 90 days ago is won (45%), lost (45%) or still open; a newer one
        won 25%, lost 20%. A lost deal got to a random open stage first; an open one is at a random
        open stage. Its history is every step from lead to where it is, at times spread between its
        creation and its close (or now)."""
        history: list[tuple] = []

        def deals() -> Iterator[tuple]:
            rng = self.rng("deals")
            draw, moment = rng.random, self.moments(rng)
            member, customer = ints(rng, 1, self.sizes.members), ints(rng, 1, self.sizes.customers)
            amount, close_in, stage_of = ints(rng, 10, 1000), ints(rng, 20, 120), ints(rng, 1, 4)
            currency, competitor = picks(rng, CURRENCIES), picks(rng, COMPETITORS)
            at, day, ws, now, timedelta = self.at, self.day, self.ws, self.base, dt.timedelta
            add = history.append
            change_id = 0
            for n in range(1, self.sizes.deals + 1):
                created = moment()
                old = (now - created).days > 90
                roll = draw()
                # (stage now, the stages it went through, lead first; the furthest of FUNNEL reached)
                if roll < (0.45 if old else 0.25):
                    stage, path, reached = "won", FUNNEL, 4
                elif roll < (0.90 if old else 0.45):
                    furthest = stage_of()
                    stage, path, reached = "lost", (*OPEN[:furthest], "lost"), furthest - 1
                else:
                    furthest = stage_of()
                    stage, path, reached = OPEN[furthest - 1], OPEN[:furthest], furthest - 1
                lost = stage == "lost"
                # rng.uniform(1, 60) days after creation, at the latest now
                closed = (
                    min(created + timedelta(days=1 + (60 - 1) * draw()), now)
                    if lost or stage == "won"
                    else None
                )
                owner = member()
                yield (n, ws, owner, customer(), f"Deal {n}", amount() * 10_000, currency(), stage,
                       day((created + timedelta(days=close_in())).date()), "", at(closed) if closed else None,
                       "price" if lost else None, competitor() if lost else None, f"gen:{n}", at(created),
                       at(closed or created), reached)  # fmt: skip
                step_at = created
                last = closed or now
                previous = None
                for to_stage in path:
                    change_id += 1
                    add((change_id, ws, n, previous, to_stage, owner, at(step_at)))
                    previous = to_stage
                    step_at = step_at + (last - step_at) * draw()

        def changes() -> Iterator[tuple]:
            yield from history

        return deals(), changes()

    def kudos_gives(self) -> Iterator[tuple]:
        rng = self.rng("gives")
        member, moment, at, ws = ints(rng, 1, self.sizes.members), self.moments(rng), self.at, self.ws
        for n in range(1, self.sizes.kudos // 2 + 1):
            yield (n, ws, member(), "for the demo", "command", f"gen:{n}", "C0001", at(moment()))

    def kudos(self) -> Iterator[tuple]:
        """Two receivers per give, neither the giver, at the give's moment (same seed as the gives)."""
        rng = self.rng("gives")
        member, moment, at, ws = ints(rng, 1, self.sizes.members), self.moments(rng), self.at, self.ws
        receiver = ints(random.Random(f"{self.seed}:receivers"), 1, self.sizes.members)
        everyone = self.sizes.members
        n = 0
        for give in range(1, self.sizes.kudos // 2 + 1):
            giver, when = member(), at(moment())
            # nobody thanks themselves: the giver's turn goes to the next member
            first = receiver()
            first = first if first != giver else first % everyone + 1
            second = first % everyone + 1
            second = second if second != giver else second % everyone + 1
            yield (n + 1, ws, give, giver, first, when)
            yield (n + 2, ws, give, giver, second, when)
            n += 2

    def activities(self) -> Iterator[tuple]:
        rng = self.rng("activities")
        customer, member = ints(rng, 1, self.sizes.customers), ints(rng, 1, self.sizes.members)
        kind, csat, moment = picks(rng, KINDS), picks(rng, (None, 3, 4, 5)), self.moments(rng)
        at, ws = self.at, self.ws
        for n in range(1, self.sizes.activities + 1):
            yield (n, ws, customer(), member(), kind(), "", csat(), at(moment()), f"gen:{n}")


COLUMNS = {
    "members": ("id", "workspace_id", "slack_user_id", "name", "real_name", "role", "timezone", "locale",
                "is_admin", "is_owner", "is_bot", "deleted", "duties", "profile_refreshed_at", "created_at"),
    "customers": ("id", "workspace_id", "name", "name_key", "segment", "owner_id", "next_follow_up", "created_at"),
    "deals": ("id", "workspace_id", "owner_id", "customer_id", "title", "amount_minor", "currency", "stage",
              "expected_close", "notes", "closed_at", "lost_reason", "competitor", "source_key", "created_at",
              "updated_at", "funnel_reached"),
    "deal_stage_changes": ("id", "workspace_id", "deal_id", "from_stage", "to_stage", "changed_by_id", "changed_at"),
    "kudos_gives": ("id", "workspace_id", "giver_id", "message", "source", "source_key", "channel_id", "created_at"),
    "kudos": ("id", "workspace_id", "give_id", "giver_id", "receiver_id", "created_at"),
    "activities": ("id", "workspace_id", "customer_id", "member_id", "kind", "note", "csat", "occurred_at",
                   "source_key"),
}  # fmt: skip


def tables(gen: Generator) -> Iterator[tuple[str, Iterator[tuple]]]:
    """(table, rows) in foreign-key order; the stage history is collected while the deals stream."""
    yield "members", gen.members()
    yield "customers", gen.customers()
    deals, changes = gen.deals_and_history()
    yield "deals", deals
    yield "deal_stage_changes", changes
    yield "kudos_gives", gen.kudos_gives()
    yield "kudos", gen.kudos()
    yield "activities", gen.activities()


# --- loading ---------------------------------------------------------------------------------------


def chunks(rows: Iterator[tuple], size: int = 50_000) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# The generator is pure Python and the deals (with their history) are most of it: two processes make
# the rows, one the deals side and one the kudos and activities, while this one only writes them.
# Each table still comes from its own seeded stream, whole and in id order, so the rows are those a
# single process makes; tables interleave, which neither backend checks while loading (SQLite leaves
# foreign keys off on this connection, PostgreSQL's triggers are off in replica mode).
WORKER_TABLES = (
    ("members", "customers", "deals", "deal_stage_changes"),
    ("kudos_gives", "kudos", "activities"),
)


def make_rows(queue: Any, sizes: Sizes, workspace_id: int, now: dt.datetime, sqlite: bool, seed: int,
              wanted: Sequence[str], size: int) -> None:  # fmt: skip
    """In a worker process: put (table, chunk) for the `wanted` tables, then (None, None), or
    (None, the error) if making them failed."""
    try:
        gen = Generator(sizes, workspace_id, now, sqlite=sqlite, seed=seed)
        for table, rows in tables(gen):
            if table in wanted:
                for chunk in chunks(rows, size):
                    queue.put((table, chunk))
    except BaseException:
        queue.put((None, traceback.format_exc()))
        raise
    queue.put((None, None))


def generated(gen: Generator, size: int) -> Iterator[tuple[str, list[tuple]]]:
    """(table, chunk of `size` rows) for every table, as the worker processes make them (each table's
    chunks in order). The workers are stopped if the caller stops early."""
    context = multiprocessing.get_context("spawn")  # no fork of a process running threads
    queue = context.Queue(8)  # a few chunks ahead of the writer, not the whole data set in memory
    workers = [
        context.Process(
            target=make_rows,
            args=(queue, gen.sizes, gen.ws, gen.now, gen.sqlite, gen.seed, wanted, size),
            name=f"bench-rows-{n}",
            daemon=True,
        )
        for n, wanted in enumerate(WORKER_TABLES)
    ]
    for worker in workers:
        worker.start()
    try:
        running = len(workers)
        while running:
            try:
                table, chunk = queue.get(timeout=1)
            except Empty:
                if any(worker.exitcode not in (None, 0) for worker in workers):
                    raise RuntimeError("a row-generating process died") from None
                continue
            if table is None:
                if chunk is not None:
                    raise RuntimeError(f"generating the rows failed:\n{chunk}")
                running -= 1
                continue
            yield table, chunk
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()


@dataclass
class LoadTimes:
    """Where the load's time went (seconds), printed beside the total."""

    rows: float = 0.0
    indexes: float = 0.0
    analyze: float = 0.0
    each_index: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"rows {self.rows:.0f} s, indexes {self.indexes:.0f} s, analyze {self.analyze:.0f} s"


def load_sqlite(path: str, gen: Generator, times: LoadTimes | None = None) -> dict[str, int]:
    times = times if times is not None else LoadTimes()
    counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # For this connection and this load only: no rollback journal, no fsync, a page cache that
        # holds the tables being built, sorter threads and memory for the index builds. The
        # database file is left in WAL mode, as the app keeps it.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-2000000", "temp_store=MEMORY",
                       "threads=2"):  # fmt: skip
            conn.execute(f"PRAGMA {pragma}")
        # Indexes are dropped while loading and built again afterwards, from the very statements the
        # migrations left in sqlite_master: one sort each instead of millions of B-tree inserts (the
        # unique constraints' own indexes stay).
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join('?' * len(COLUMNS))}) ORDER BY name",
            list(COLUMNS),
        ).fetchall()
        started = time.monotonic()
        conn.execute("BEGIN")
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        inserts = {
            table: f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for table, columns in COLUMNS.items()
        }
        for table, chunk in generated(gen, 50_000):
            conn.executemany(inserts[table], chunk)
            counts[table] += len(chunk)
        times.rows = time.monotonic() - started
        started = time.monotonic()
        for name, sql in indexes:
            begun = time.monotonic()
            conn.execute(sql)
            times.each_index[name] = time.monotonic() - begun
        conn.execute("COMMIT")
        times.indexes = time.monotonic() - started
        started = time.monotonic()
        conn.execute("ANALYZE")
        times.analyze = time.monotonic() - started
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    return counts


async def load_postgres(url: str, gen: Generator, times: LoadTimes | None = None) -> dict[str, int]:
    times = times if times is not None else LoadTimes()
    counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
    conn = await asyncpg.connect(url)
    try:
        # The generator keeps every reference valid; skipping the per-row foreign-key triggers makes
        # COPY several times faster (needs a superuser, as the bench's throwaway database has). Plain
        # indexes are dropped while loading and built afterwards, in one sort each.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute("SET synchronous_commit = off")
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname",
            list(COLUMNS),
        )
        started = time.monotonic()
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        # the rows are made in other processes while COPY sends the previous chunk and the server stores it
        rows = generated(gen, 100_000)
        try:
            while (item := await asyncio.to_thread(next, rows, None)) is not None:
                table, chunk = item
                await conn.copy_records_to_table(table, records=chunk, columns=list(COLUMNS[table]))
                counts[table] += len(chunk)
        finally:
            with contextlib.suppress(ValueError):  # still running in its thread when cancelled
                rows.close()  # type: ignore[attr-defined]
        for table in COLUMNS:
            # ids were given explicitly: move the sequence past them for rows the app adds later
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        times.rows = time.monotonic() - started
        started = time.monotonic()
        for index in indexes:
            begun = time.monotonic()
            await conn.execute(index["indexdef"])
            times.each_index[index["indexname"]] = time.monotonic() - begun
        times.indexes = time.monotonic() - started
        started = time.monotonic()
        # VACUUM sets the visibility map, as autovacuum would on a live database (index-only scans)
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(COLUMNS)}")
        times.analyze = time.monotonic() - started
    finally:
        await conn.close()
    return counts


async def create_workspace(db: Database) -> int:
    async with db.session() as session:
        workspace = Workspace(
            team_id=TEAM_ID, name="Scale", workdays=[0, 1, 2, 3, 4, 5, 6], charts_enabled=False
        )
        session.add(workspace)
        await session.flush()
        return workspace.id


async def generate(
    db: Database, url: str, sizes: Sizes, now: dt.datetime, times: LoadTimes | None = None
) -> tuple[dict[str, int], float]:
    """Create the workspace and bulk-load the rows; returns (rows per table, seconds), and where the
    seconds went in `times`."""
    started = time.monotonic()
    gen = Generator(sizes, await create_workspace(db), now, sqlite=db.dialect == "sqlite")
    await db.dispose()  # SQLite: the load leaves WAL mode for a while, which needs the only connection
    if db.dialect == "postgresql":
        counts = await load_postgres(url, gen, times)
    else:
        counts = await asyncio.to_thread(load_sqlite, url.removeprefix("sqlite:///"), gen, times)
    return counts, time.monotonic() - started


# --- what is timed ---------------------------------------------------------------------------------


async def _boards(
    session: AsyncSession, workspace: Workspace, kind: str, zone: str, now: dt.datetime
) -> tuple[Period, Any]:
    """The period of `kind` containing `now` (so far) and its boards, against the previous one."""
    period = Period.containing(kind, now, zone)
    start, end = period.utc_bounds(zone)
    boards = await leaderboard.boards(
        session,
        workspace,
        leaderboard.WEEKLY_METRICS,
        (start, min(end, now)),
        period.previous().utc_bounds(zone),
    )
    return period, boards


async def weekly_leaderboard(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = workspace.timezone
    period, boards = await _boards(session, workspace, "week", zone, now)
    today = now.astimezone(ZoneInfo(zone)).date()
    leaderboard_view.weekly(boards, period, today, zone, workspace.locale)


async def monthly_leaderboard(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = member_zone(manager, workspace)
    period, boards = await _boards(session, workspace, "month", zone, now)
    leaderboard_view.on_demand(boards, period, zone, manager.locale)


async def manager_digest(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = member_zone(manager, workspace)
    today = now.astimezone(ZoneInfo(zone)).date()
    numbers = await metrics.manager_digest(session, workspace.id, workspace.currency, "weekly", today, zone)
    goals = await goal_attainment(session, workspace, now)
    digest_view.digest(numbers, manager.locale, goals)


async def app_home(session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime) -> None:
    data = await home.member_home(session, workspace, manager, now)
    home_view.home_view(data, manager, manager.locale)


Operation = Callable[[AsyncSession, Workspace, Member, dt.datetime], Awaitable[None]]
OPERATIONS: dict[str, Operation] = {
    "weekly leaderboard": weekly_leaderboard,
    "monthly leaderboard": monthly_leaderboard,
    "manager digest (weekly)": manager_digest,
    "App Home (manager)": app_home,
}


class Recorder:
    """The SQL statements (and their parameters) an operation sends, for EXPLAIN."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if self.on:
            self.statements.append((statement, parameters))


async def explain(db: Database, statements: Sequence[tuple[str, Any]]) -> str:
    prefix = "EXPLAIN (ANALYZE, BUFFERS OFF) " if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    out = []
    async with db.engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
            plan = (
                "\n".join(str(r[0]) for r in rows)
                if db.dialect == "postgresql"
                else "\n".join(f"{'  ' * (r[1] > 0)}{r[3]}" for r in rows)
            )
            out.append(f"{' '.join(statement.split())}\n{plan}")
    return "\n\n".join(out)


async def time_operations(
    db: Database, backend: str, repeat: int, with_plans: bool, now: dt.datetime
) -> list[list[object]]:
    recorder = Recorder(db)
    async with db.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.team_id == TEAM_ID))
        manager = await session.scalar(
            select(Member).where(Member.role == "manager").order_by(Member.id).limit(1)
        )
    assert workspace is not None and manager is not None
    rows: list[list[object]] = []
    target = TARGETS_MS[backend]
    for name, operation in OPERATIONS.items():
        timings = []
        for attempt in range(repeat):
            recorder.on = with_plans and attempt == 0  # the plans of the first run only
            recorder.statements.clear()
            started = time.perf_counter()
            async with db.session() as session:
                await operation(session, workspace, manager, now)
            timings.append((time.perf_counter() - started) * 1000)
            if recorder.on:
                recorder.on = False
                plans = await explain(db, recorder.statements)
                print(
                    f"\n#### {backend}: {name} — {len(recorder.statements)} statements\n\n```\n{plans}\n```",
                    flush=True,
                )
        median = statistics.median(timings)
        rows.append([backend, name, round(timings[0], 1), round(median, 1), round(max(timings), 1), target,
                     "yes" if median < target else "NO"])  # fmt: skip
    return rows


class ScaleData:
    """One generated database per backend for the whole bench run: the scale scenario times on it and
    the memory scenario runs the bot on it; all are dropped when the run's exit stack closes."""

    def __init__(self, workdir: Path, sizes: Sizes, stack: contextlib.AsyncExitStack) -> None:
        self.workdir, self.sizes, self.stack = workdir, sizes, stack
        self.now = utcnow()
        self.loaded: dict[str, tuple[str, dict[str, int], float]] = {}

    async def url(self, backend: str) -> str:
        if backend not in self.loaded:
            url = await self.stack.enter_async_context(fresh_database(backend, self.workdir))
            db = Database(url)
            try:
                times = LoadTimes()
                counts, seconds = await generate(db, url, self.sizes, self.now, times)
            finally:
                await db.dispose()
            print(
                f"  {backend}: loaded {sum(counts.values()):,} rows in {seconds:.0f} s ({times})",
                file=sys.stderr,
                flush=True,
            )
            self.loaded[backend] = (url, counts, seconds)
        return self.loaded[backend][0]


async def run(db_choice: str, data: ScaleData, repeat: int, with_plans: bool) -> str:
    load_rows: list[list[object]] = []
    timing_rows: list[list[object]] = []
    for backend in backends(db_choice):
        db = Database(await data.url(backend))
        try:
            _url, counts, seconds = data.loaded[backend]
            load_rows.append([backend, *(counts[t] for t in COLUMNS), round(seconds, 1)])
            timing_rows += await time_operations(db, backend, repeat, with_plans, data.now)
        finally:
            await db.dispose()
    loaded = markdown_table(["database", *COLUMNS, "load s"], load_rows)
    timed = markdown_table(
        ["database", "operation", "first ms", "median ms", "max ms", "target ms", "under target"], timing_rows
    )
    return f"{loaded}\n\n{timed}"
