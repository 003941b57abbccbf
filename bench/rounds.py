"""`/kudos` against the fair peer (bench/peer_kudos.py, ORM and Core) and bare Bolt, interleaved.

All four servers run at once, each on a database of its own; the bench sends one block of requests
to each in turn (dealbell, peer ORM, peer Core, bare Bolt, then again), so a busy neighbour on a
shared machine slows every contender of a round alike, and the per-round ratios are fairer than
one long run each. Every block is measured the same way: req/s and latency as the client sees them;
the server's CPU per request (user + system, from /proc, its whole process tree, including the work
after the ack: the bench waits for the card posts before reading it); the PostgreSQL backends' CPU
per request (those serving its database, from /proc); the statements it sent per request (its
/metrics); the rows the database shows (every measured request must write one); and the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import peer_kudos, seed
from bench.common import (
    Server,
    bot_env,
    cpu_spent,
    dealbell_server,
    free_port,
    fresh_database,
    markdown_table,
    percentile,
    postgres_backend_cpu,
    tree_cpu_seconds,
)
from bench.request import Options, Requests, applied_count, load
from bot.sandbox.fake_slack import FakeSlack
from storage.db import Database

DEALBELL, PEER_ORM, PEER_CORE, BARE = "dealbell", "peer ORM", "peer Core", "bare Bolt"
TARGETS = {PEER_ORM: 1.0, PEER_CORE: 0.9}  # issue 18: dealbell's /kudos ≥ these × the peer's req/s


@dataclass
class Contender:
    name: str
    server: Server
    database_url: str | None  # None: no database (bare Bolt)
    build: Callable[[int], tuple[bytes, str]]
    rows: Callable[[], Awaitable[int]] | None  # rows written so far (None: writes nothing)


@dataclass
class Block:
    round: int
    name: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]
    errors: int
    busy: int  # answered "busy, nothing was saved" (guarded stopped it at Slack's deadline): no row
    server_cpu: float
    db_cpu: float | None
    statements: int | None
    written: int | None
    load: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def per_request(self, seconds: float | None) -> float | str:
        return "—" if seconds is None else round(seconds * 1000 / self.requests, 2)


async def statements_sent(server: Server) -> int | None:
    """dealbell_db_statements_total from the server's /metrics (summed over lines); None without one."""
    async with aiohttp.ClientSession() as session, session.get(server.url + "/metrics") as response:
        if response.status != 200:
            return None
        body = await response.text()
    values = [
        line.rsplit(" ", 1)[1]
        for line in body.splitlines()
        if line.startswith("dealbell_db_statements_total")
    ]
    return int(sum(float(v) for v in values)) if values else None


async def measure(
    contender: Contender, round_number: int, fake: FakeSlack, requests: int, concurrency: int
) -> Block:
    db_before = await postgres_backend_cpu(contender.database_url) if _postgres(contender) else None
    cpu_before = tree_cpu_seconds(contender.server.pid)
    statements_before = await statements_sent(contender.server)
    rows_before = await contender.rows() if contender.rows else None
    seconds, latencies, errors, busy = await load(
        contender.server.url, contender.build, requests, concurrency
    )
    await fake.settle(0.2)  # the card posts after the acks belong to these requests' cost
    cpu = tree_cpu_seconds(contender.server.pid) - cpu_before
    db_cpu = (
        cpu_spent(db_before, await postgres_backend_cpu(contender.database_url))
        if db_before is not None
        else None
    )
    statements_after = await statements_sent(contender.server)
    statements = (
        statements_after - statements_before
        if statements_before is not None and statements_after is not None
        else None
    )
    written = await contender.rows() - rows_before if contender.rows and rows_before is not None else None
    block = Block(round_number, contender.name, requests, concurrency, seconds, latencies, errors, busy, cpu,
                  db_cpu, statements, written, os.getloadavg()[0])  # fmt: skip
    print(
        f"  round {round_number} {contender.name}: {block.rps:.0f} req/s, load {block.load:.1f}",
        file=sys.stderr,
    )
    return block


def _postgres(contender: Contender) -> bool:
    return bool(contender.database_url and contender.database_url.startswith("postgresql"))


async def interleaved(backend: str, fake: FakeSlack, workdir: Path, options: Options) -> str:
    """The rounds on one backend, as two Markdown tables (each block, then the ratios per round)."""
    async with (
        fresh_database(backend, workdir) as dealbell_url,
        fresh_database(backend, workdir, migrated=False) as peer_orm_url,
        fresh_database(backend, workdir, migrated=False) as peer_core_url,
    ):
        db = Database(dealbell_url)
        servers: list[Server] = []
        try:
            seeded = await seed.seed_workspace(db, options.users)
            for url in (peer_orm_url, peer_core_url):
                await peer_kudos.seed(url, seeded.users)
            requests = Requests(seeded.users, [], fake.response_url())
            servers.append(await dealbell_server(dealbell_url, fake.api_url, workdir / "rounds-dealbell.log",
                                                 options.workers))  # fmt: skip
            for variant, url in (("orm", peer_orm_url), ("core", peer_core_url)):
                servers.append(
                    await _python_server(
                        ["-m", "bench.peer_kudos", variant], url, fake, workdir / f"peer-{variant}.log"
                    )
                )
            servers.append(
                await _python_server(
                    ["-m", "bench.bare_bolt"], "sqlite://", fake, workdir / "rounds-bare.log"
                )
            )

            async def dealbell_rows() -> int:
                return await applied_count(db, "/kudos")

            contenders = [
                Contender(DEALBELL, servers[0], dealbell_url, requests.kudos, dealbell_rows),
                Contender(PEER_ORM, servers[1], peer_orm_url, requests.kudos, _peer_rows(peer_orm_url)),
                Contender(PEER_CORE, servers[2], peer_core_url, requests.kudos, _peer_rows(peer_core_url)),
                Contender(BARE, servers[3], None, requests.noop, None),
            ]
            for contender in contenders:  # warm each up once: imports, pools, prepared statements
                await load(
                    contender.server.url,
                    contender.build,
                    options.warmup,
                    min(options.concurrency, options.warmup),
                )
            await fake.settle(0.2)
            blocks = [
                await measure(contender, n, fake, options.requests, options.concurrency)
                for n in range(1, options.rounds + 1)
                for contender in contenders
            ]
        finally:
            for server in servers:
                await server.stop()
            await db.dispose()
    return blocks_table(backend, blocks, options.workers) + "\n\n" + ratios_table(blocks)


async def _python_server(args: list[str], database_url: str, fake: FakeSlack, log_path: Path) -> Server:
    port = free_port()
    env = bot_env(database_url, fake.api_url, port)
    return await Server([sys.executable, *args], env, port, log_path).start()


def _peer_rows(url: str) -> Callable[[], Awaitable[int]]:
    async def rows() -> int:
        engine = create_async_engine(peer_kudos.driver_url(url))
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT count(*) FROM peer_kudos"))).scalar_one())
        finally:
            await engine.dispose()

    return rows


def blocks_table(backend: str, blocks: list[Block], workers: int) -> str:
    rows = [
        [b.round, b.name, b.requests, b.concurrency, round(b.rps, 1),
         round(percentile(b.latencies, 50) * 1000, 1), round(percentile(b.latencies, 99) * 1000, 1),
         b.per_request(b.server_cpu), b.per_request(b.db_cpu),
         "—" if b.statements is None else round(b.statements / b.requests, 1),
         "—" if b.written is None else b.written, b.busy, b.errors, round(b.load, 1)]
        for b in blocks
    ]  # fmt: skip
    headers = ["round", "server", "requests", "concurrency", "req/s", "p50 ms", "p99 ms", "server CPU ms/req",
               "PG CPU ms/req", "statements/req", "rows written", "busy", "non-200", "load (1 min)"]  # fmt: skip
    return (
        f"`/kudos` interleaved on {backend} (dealbell with {workers} worker(s); peer = bench/peer_kudos.py; "
        "bare Bolt = a no-op command):\n\n" + markdown_table(headers, rows)
    )


def ratios(blocks: list[Block]) -> dict[str, list[float]]:
    """dealbell's req/s over each other contender's, round by round."""
    by_round: dict[int, dict[str, Block]] = {}
    for b in blocks:
        by_round.setdefault(b.round, {})[b.name] = b
    found: dict[str, list[float]] = {name: [] for name in (PEER_ORM, PEER_CORE, BARE)}
    for contenders in by_round.values():
        for name in found:
            if contenders.get(name) and contenders[name].rps and contenders.get(DEALBELL):
                found[name].append(contenders[DEALBELL].rps / contenders[name].rps)
    return found


def ratios_table(blocks: list[Block]) -> str:
    found = ratios(blocks)
    rounds = len(next(iter(found.values()), []))
    rows = [[n + 1, *(round(found[name][n], 2) for name in found)] for n in range(rounds)]
    medians = {name: statistics.median(values) for name, values in found.items() if values}
    rows.append(["median", *(round(medians.get(name, 0.0), 2) for name in found)])
    verdicts = [
        f"{medians[name]:.2f} × {name} (target ≥ {target})"
        for name, target in TARGETS.items()
        if name in medians
    ]
    cpu = statistics.median(b.server_cpu * 1000 / b.requests for b in blocks if b.name == DEALBELL)
    return (
        markdown_table(["round", *(f"dealbell × {name}" for name in found)], rows)
        + f"\n\nMedian: {'; '.join(verdicts)}; dealbell's server CPU {cpu:.1f} ms per request (target ≤ 7)."
    )
