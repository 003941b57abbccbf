"""Scale: a large generated workspace, bulk-loaded, and the heavy reads timed on it.

The generator makes N members (1% managers), M deals created over the last two years with their
stage history (every step from lead to where the deal is now), K kudos (two receivers per give)
and A activities, plus one customer per 20 deals. Rows go in with COPY (asyncpg) on PostgreSQL and
`executemany` in one transaction on SQLite, into a database migrated to head, with the plain
indexes dropped while loading and built again afterwards; then ANALYZE (PostgreSQL: VACUUM ANALYZE,
as autovacuum would leave a live database). The scale and memory scenarios share one such database
per backend in a run.

Timed, each in a fresh session, `repeat` times (the median is shown): the weekly leaderboard
(what `weekly-leaderboard` queries and renders), the monthly one (`/leaderboard month`), one
manager's weekly digest (storage.metrics.manager_digest and the goals, as jobs/digests.py does,
rendered) and one manager's App Home (storage.home.member_home and bot.views.home). `--explain`
prints the plan of every statement each of them ran (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN
QUERY PLAN).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import TEAM_ID, backends, fresh_database, markdown_table
from bot.views import digest as digest_view
from bot.views import home as home_view
from bot.views import leaderboard as leaderboard_view
from storage import home, leaderboard, metrics
from storage.db import Database
from storage.goals import goal_attainment
from storage.models import Member, Workspace, utcnow
from storage.periods import Period

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


class Generator:
    """Deterministic rows (one seed), as tuples in the column order of COLUMNS."""

    def __init__(
        self, sizes: Sizes, workspace_id: int, now: dt.datetime, sqlite: bool, seed: int = 2026
    ) -> None:
        self.sizes, self.ws, self.now = sizes, workspace_id, now
        self.seed = seed
        # Values as each driver takes them: asyncpg's COPY wants datetimes and dates; SQLite gets the
        # text SQLAlchemy's SQLite types write ('YYYY-MM-DD HH:MM:SS.ffffff' UTC, ISO dates).
        self.at: Callable[[dt.datetime], Any] = (
            (lambda d: d.replace(tzinfo=None).isoformat(" ", "microseconds")) if sqlite else (lambda d: d)
        )
        self.day: Callable[[dt.date], Any] = dt.date.isoformat if sqlite else (lambda d: d)

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    def moment(self, rng: random.Random) -> dt.datetime:
        return self.now - dt.timedelta(seconds=rng.random() * DAYS * 86400)

    def member(self, rng: random.Random) -> int:
        return rng.randint(1, self.sizes.members)

    def members(self) -> Iterator[tuple]:
        for n in range(1, self.sizes.members + 1):
            manager = n <= self.sizes.managers
            yield (n, self.ws, f"U{n:07d}", f"rep{n}", f"Rep {n}", "manager" if manager else "rep", "UTC",
                   "en-US", False, False, False, False, "", self.at(self.now), self.at(self.now))  # fmt: skip

    def customers(self) -> Iterator[tuple]:
        rng = self.rng("customers")
        today = self.now.date()
        for n in range(1, self.sizes.customers + 1):
            follow_up = today + dt.timedelta(days=rng.randint(-60, 60))
            yield (n, self.ws, f"Customer {n}", f"customer {n}", rng.choice(("potential", "new", "existing", "vip")),
                   self.member(rng), self.day(follow_up), self.at(self.now - dt.timedelta(days=DAYS)))  # fmt: skip

    def deal_path(self, rng: random.Random, created: dt.datetime) -> tuple[str, list[str]]:
        """The deal's stage now and the stages it went through (lead first)."""
        old = (self.now - created).days > 90
        roll = rng.random()
        if roll < (0.45 if old else 0.25):
            return "won", list(FUNNEL)
        if roll < (0.90 if old else 0.45):
            furthest = rng.randint(1, 4)
            return "lost", [*OPEN[:furthest], "lost"]
        reached = rng.randint(1, 4)
        return OPEN[reached - 1], list(OPEN[:reached])

    def deals_and_history(self) -> tuple[Iterator[tuple], Iterator[tuple]]:
        """Deals and their stage changes, from one pass (the history follows each deal's path)."""
        history: list[tuple] = []

        def deals() -> Iterator[tuple]:
            rng = self.rng("deals")
            change_id = 0
            for n in range(1, self.sizes.deals + 1):
                created = self.moment(rng)
                stage, path = self.deal_path(rng, created)
                closed = (
                    min(created + dt.timedelta(days=rng.uniform(1, 60)), self.now)
                    if stage in ("won", "lost")
                    else None
                )
                owner = self.member(rng)
                lost = stage == "lost"
                yield (n, self.ws, owner, rng.randint(1, self.sizes.customers), f"Deal {n}",
                       rng.randint(10, 1000) * 10_000, rng.choice(CURRENCIES), stage,
                       self.day((created + dt.timedelta(days=rng.randint(20, 120))).date()), "",
                       self.at(closed) if closed else None, "price" if lost else None,
                       rng.choice(COMPETITORS) if lost else None, f"gen:{n}", self.at(created),
                       self.at(closed or created),
                       max((FUNNEL.index(s) for s in path if s in FUNNEL), default=0))  # fmt: skip
                step_at = created
                last = closed or self.now
                previous = None
                for to_stage in path:
                    change_id += 1
                    history.append((change_id, self.ws, n, previous, to_stage, owner, self.at(step_at)))
                    previous = to_stage
                    step_at = step_at + (last - step_at) * rng.random()

        def changes() -> Iterator[tuple]:
            yield from history

        return deals(), changes()

    def kudos_gives(self) -> Iterator[tuple]:
        rng = self.rng("gives")
        for n in range(1, self.sizes.kudos // 2 + 1):
            yield (
                n,
                self.ws,
                self.member(rng),
                "for the demo",
                "command",
                f"gen:{n}",
                "C0001",
                self.at(self.moment(rng)),
            )

    def kudos(self) -> Iterator[tuple]:
        """Two receivers per give, neither the giver, at the give's moment (same seed as the gives)."""
        rng = self.rng("gives")
        pick = random.Random(f"{self.seed}:receivers")
        n = 0
        for give in range(1, self.sizes.kudos // 2 + 1):
            giver, at = self.member(rng), self.moment(rng)
            first = self.other(pick.randint(1, self.sizes.members), giver)
            for receiver in (first, self.other(first % self.sizes.members + 1, giver)):
                n += 1
                yield (n, self.ws, give, giver, receiver, self.at(at))

    def other(self, member: int, giver: int) -> int:
        """`member`, or the next one when that is the giver (nobody thanks themselves)."""
        return member if member != giver else member % self.sizes.members + 1

    def activities(self) -> Iterator[tuple]:
        rng = self.rng("activities")
        for n in range(1, self.sizes.activities + 1):
            yield (n, self.ws, rng.randint(1, self.sizes.customers), self.member(rng), rng.choice(KINDS), "",
                   rng.choice((None, 3, 4, 5)), self.at(self.moment(rng)), f"gen:{n}")  # fmt: skip


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


def load_sqlite(path: str, gen: Generator) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        # Indexes are dropped while loading and built again afterwards: one sort instead of millions
        # of B-tree inserts (the unique constraints' own indexes stay).
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join('?' * len(COLUMNS))})",
            list(COLUMNS),
        ).fetchall()
        with conn:
            for name, _sql in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            for table, rows in tables(gen):
                columns = COLUMNS[table]
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                counts[table] = 0
                for chunk in chunks(rows):
                    conn.executemany(sql, chunk)
                    counts[table] += len(chunk)
            for _name, sql in indexes:
                conn.execute(sql)
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return counts


async def load_postgres(url: str, gen: Generator) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = await asyncpg.connect(url)
    try:
        # The generator keeps every reference valid; skipping the per-row foreign-key triggers makes
        # COPY several times faster (needs a superuser, as the bench's throwaway database has). Plain
        # indexes are dropped while loading and built afterwards, in one sort each.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET maintenance_work_mem = '256MB'")
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            list(COLUMNS),
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        for table, rows in tables(gen):
            counts[table] = 0
            for chunk in chunks(rows, 200_000):
                await conn.copy_records_to_table(table, records=chunk, columns=list(COLUMNS[table]))
                counts[table] += len(chunk)
            # ids were given explicitly: move the sequence past them for rows the app adds later
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        for index in indexes:
            await conn.execute(index["indexdef"])
        # VACUUM sets the visibility map, as autovacuum would on a live database (index-only scans)
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(COLUMNS)}")
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


async def generate(db: Database, url: str, sizes: Sizes, now: dt.datetime) -> tuple[dict[str, int], float]:
    """Create the workspace and bulk-load the rows; returns (rows per table, seconds)."""
    started = time.monotonic()
    gen = Generator(sizes, await create_workspace(db), now, sqlite=db.dialect == "sqlite")
    if db.dialect == "postgresql":
        counts = await load_postgres(url, gen)
    else:
        counts = await asyncio.to_thread(load_sqlite, url.removeprefix("sqlite:///"), gen)
    return counts, time.monotonic() - started


# --- what is timed ---------------------------------------------------------------------------------


async def weekly_leaderboard(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = workspace.timezone
    period = Period.containing("week", now, zone)
    start, end = period.utc_bounds(zone)
    boards = await leaderboard.boards(
        session,
        workspace,
        leaderboard.WEEKLY_METRICS,
        (start, min(end, now)),
        period.previous().utc_bounds(zone),
    )
    today = now.astimezone(ZoneInfo(zone)).date()
    leaderboard_view.weekly(boards, period, today, zone, workspace.locale)


async def monthly_leaderboard(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = leaderboard.zone_of(manager, workspace)
    period = Period.containing("month", now, zone)
    start, end = period.utc_bounds(zone)
    boards = await leaderboard.boards(
        session,
        workspace,
        leaderboard.WEEKLY_METRICS,
        (start, min(end, now)),
        period.previous().utc_bounds(zone),
    )
    leaderboard_view.on_demand(boards, period, zone, manager.locale)


async def manager_digest(
    session: AsyncSession, workspace: Workspace, manager: Member, now: dt.datetime
) -> None:
    zone = leaderboard.zone_of(manager, workspace)
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
                counts, seconds = await generate(db, url, self.sizes, self.now)
            finally:
                await db.dispose()
            print(
                f"  {backend}: loaded {sum(counts.values()):,} rows in {seconds:.0f} s",
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
