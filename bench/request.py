"""Request path: signed Slack requests at fixed concurrency against `dealbell run --http`.

dealbell runs as its own process (the installed `dealbell` script), talking to a fake Slack served
from this process; the baseline is a bare Bolt app with one no-op command (bench/bare_bolt.py) in
a process of its own, served the same way. Latency is from sending a request to reading its whole
HTTP response (Slack's 3-second budget is about exactly that). After each request kind the bench
waits for the work dealbell does after its ack (posting cards, updating messages) to drain, so one
kind's background work does not slow the next; then it counts in the database what was written.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import func, select

from bench import seed
from bench.common import (
    NO_ANSWER,
    SIGNING_SECRET,
    Server,
    backends,
    bot_env,
    dealbell_server,
    free_port,
    fresh_database,
    markdown_table,
    percentile,
)
from bot.kit.i18n import t
from bot.sandbox.fake_slack import FakeSlack
from storage.db import Database
from storage.models import Deal, DealCongratulation, Kudos, KudosGive
from tests.slack_requests import payload, sign

KINDS = ("/kudos", "/deal won", "Congratulate", "reaction_added")
Body = tuple[bytes, str]  # the request body and its content type
P99_TARGET = 0.100  # seconds
RATIO_TARGET = 0.5


@dataclass
class Result:
    backend: str
    kind: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]
    errors: int
    applied: int | None = None  # rows the database shows for these requests
    busy: int = 0  # answered 200 with "busy, nothing was saved, try again in a moment"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the requests --------------------------------------------------------------------------------


class Requests:
    """Builds each kind's i-th request: distinct users, triggers, event ids and messages."""

    def __init__(self, users: list[str], deal_ids: list[int], response_url: str, seed_value: int = 7) -> None:
        self.users, self.deal_ids, self.response_url = users, deal_ids, response_url
        self.random = random.Random(seed_value)
        self.serial = itertools.count(1)
        self.congratulations = itertools.count(self.random.randrange(len(users) or 1))

    def two_people(self) -> tuple[str, str]:
        giver, receiver = self.random.sample(self.users, 2)
        return giver, receiver

    def command(self, command: str, text: str, user: str) -> Body:
        fields = payload("slash_command")
        fields.update(command=command, text=text, user_id=user, user_name=user.lower(),
                      trigger_id=f"bench.{next(self.serial)}", response_url=self.response_url)  # fmt: skip
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"

    def kudos(self, i: int) -> Body:
        giver, receiver = self.two_people()
        return self.command("/kudos", f"<@{receiver}> for the bench demo #teamwork", giver)

    def deal_won(self, i: int) -> Body:
        return self.command(
            "/deal", f'won 12.5k Customer{i % 50} "Annual licence"', self.random.choice(self.users)
        )

    def congratulation(self) -> tuple[str, int]:
        """A (clicker, deal) pair not sent before, the clicker not the deal's owner (refused, nothing
        written): bench.seed gives deal n to user n, round robin."""
        while True:
            k = next(self.congratulations)
            user, deal = k % len(self.users), (k // len(self.users)) % len(self.deal_ids)
            if deal % len(self.users) != user:
                return self.users[user], self.deal_ids[deal]

    def congratulate(self, i: int) -> Body:
        data = payload("block_actions")
        user, deal_id = self.congratulation()
        data["user"].update(id=user, username=user.lower(), name=user.lower())
        data["trigger_id"] = f"bench.{next(self.serial)}"
        data["response_url"] = self.response_url
        data["actions"][0].update(action_id="deal_congratulate", value=str(deal_id),
                                  action_ts=f"{time.time():.6f}")  # fmt: skip
        return urlencode({"payload": json.dumps(data)}).encode(), "application/x-www-form-urlencoded"

    def reaction(self, i: int) -> Body:
        data = payload("event_reaction_added")
        serial = next(self.serial)
        reactor, author = self.two_people()
        data["event_id"] = f"EvBench{serial:08d}"
        data["event"].update(user=reactor, item_user=author,
                             item={"type": "message", "channel": "C0001", "ts": f"1800000000.{serial:06d}"})  # fmt: skip
        return json.dumps(data).encode(), "application/json"

    def noop(self, i: int) -> Body:
        return self.command("/noop", "", self.random.choice(self.users))

    def mixed(self, i: int) -> Body:
        """The burst's interleaved mix: `/deal won`, then `/kudos`, and so on."""
        return self.deal_won(i // 2) if i % 2 == 0 else self.kudos(i // 2)

    def builder(self, kind: str) -> Callable[[int], Body]:
        return {"/kudos": self.kudos, "/deal won": self.deal_won, "Congratulate": self.congratulate,
                "reaction_added": self.reaction, "/noop": self.noop}[kind]  # fmt: skip


async def load(
    url: str, build: Callable[[int], Body], total: int, concurrency: int
) -> tuple[float, list[float], int, int]:
    """Send `total` requests from `concurrency` workers over kept-alive connections. Returns (wall
    seconds, per-request latencies in seconds, requests not answered 200, answered "busy")."""
    latencies: list[float] = []
    errors = busy = 0
    numbers = iter(range(total))
    endpoint = url + "/slack/events"

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, busy
        for i in numbers:
            body, content_type = build(i)
            timestamp = str(int(time.time()))
            headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                       "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body)}  # fmt: skip
            started = time.perf_counter()
            try:
                async with session.post(endpoint, data=body, headers=headers) as response:
                    text = await response.text()
                    ok = response.status == 200
                    busy += ok and BUSY in text
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, errors, busy


# --- counting what was written ---------------------------------------------------------------------


async def applied_count(db: Database, kind: str) -> int:
    """Rows in the database for one kind: kudos by command, deals won by /deal, congratulations, and
    kudos by reaction."""
    async with db.session() as session:
        if kind == "/kudos":
            query = select(func.count()).select_from(KudosGive).where(KudosGive.source == "command")
        elif kind == "/deal won":
            query = select(func.count()).select_from(Deal).where(Deal.source_key.like("command:%"))
        elif kind == "Congratulate":
            query = select(func.count()).select_from(DealCongratulation)
        else:
            query = (
                select(func.count())
                .select_from(Kudos)
                .join(KudosGive, KudosGive.id == Kudos.give_id)
                .where(KudosGive.source == "reaction")
            )
        return int(await session.scalar(query) or 0)


# --- the scenario ----------------------------------------------------------------------------------


@dataclass
class Options:
    requests: int = 500
    concurrency: int = 32
    warmup: int = 50
    users: int = 500
    burst_requests: int = 400  # of each kind in the burst
    burst_concurrency: tuple[int, ...] = (8, 32)
    rounds: int = 5  # interleaved rounds of /kudos against the fair peer (0: none)
    workers: int = 1  # dealbell's processes (`dealbell run --workers N`)


async def measure(
    backend: str, server: Server, requests: Requests, kinds: tuple[str, ...], options: Options,
    fake: FakeSlack, db: Database | None,
) -> list[Result]:  # fmt: skip
    results = []
    for kind in kinds:
        build = requests.builder(kind)
        await load(server.url, build, options.warmup, min(options.concurrency, options.warmup))
        await fake.settle(0.2)
        before = await applied_count(db, kind) if db else None
        seconds, latencies, errors, busy = await load(
            server.url, build, options.requests, options.concurrency
        )
        await fake.settle(0.2)  # the work after the acks, before the next kind starts
        applied = (await applied_count(db, kind) - before) if db and before is not None else None
        results.append(Result(backend, kind, options.requests, options.concurrency, seconds, latencies,
                              errors, applied, busy))  # fmt: skip
        print(f"  {backend} {kind}: {results[-1].rps:.0f} req/s", file=sys.stderr)
    return results


async def bare_bolt(fake: FakeSlack, workdir: Path, options: Options) -> Result:
    port = free_port()
    env = bot_env("sqlite://", fake.api_url, port)
    server = await Server(
        [sys.executable, "-m", "bench.bare_bolt"], env, port, workdir / "bare-bolt.log"
    ).start()
    try:
        requests = Requests([seed.user_id(n) for n in range(options.users)], [], fake.response_url())
        (result,) = await measure("—", server, requests, ("/noop",), options, fake, None)
    finally:
        await server.stop()
    result.backend = "bare Bolt"
    return result


async def dealbell(backend: str, fake: FakeSlack, workdir: Path, options: Options) -> list[Result]:
    async with fresh_database(backend, workdir) as url:
        db = Database(url)
        try:
            seeded = await seed.seed_workspace(db, options.users, won_deals=500)
            server = await dealbell_server(
                url, fake.api_url, workdir / f"dealbell-{backend}.log", options.workers
            )
            try:
                requests = Requests(seeded.users, seeded.deal_ids, fake.response_url())
                return await measure(backend, server, requests, KINDS, options, fake, db)
            finally:
                await server.stop()
        finally:
            await db.dispose()


# --- the burst: `/deal won` and `/kudos` interleaved, every one a write --------------------------------

BURST_KINDS = ("/deal won", "/kudos")
DEADLINE = 3.0  # seconds: Slack shows the user an error when no answer came by then
BUSY = t("en", "error.busy")  # the seeded members are en-US
FAILED = (t("en", "error.try_again"), t("en", "error.database_unavailable"))
LOG_COUNTS = {  # what the server's log shows, counted per run
    '"database is locked"': "database is locked",
    "pool timeouts": "QueuePool limit",
    "Bolt suggestions": "[Suggestion] You can handle this type of event",
}


@dataclass
class Answer:
    kind: str
    seconds: float
    status: int | None  # None: no answer within NO_ANSWER seconds
    text: str

    @property
    def busy(self) -> bool:
        return self.status == 200 and BUSY in self.text

    @property
    def failed(self) -> bool:
        return self.status == 200 and any(text in self.text for text in FAILED)

    @property
    def accepted(self) -> bool:
        return self.status == 200 and not self.busy and not self.failed


@dataclass
class Burst:
    backend: str
    concurrency: int
    seconds: float
    answers: list[Answer]
    written: dict[str, int]  # kind -> rows the database shows afterwards
    logged: dict[str, int]  # LOG_COUNTS' names -> lines in the server's log


async def send_mix(url: str, requests: Requests, total: int, concurrency: int) -> tuple[float, list[Answer]]:
    """Send the interleaved mix from `concurrency` workers; each answer with its text (the user's)."""
    answers: list[Answer] = []
    numbers = iter(range(total))
    endpoint = url + "/slack/events"

    async def worker(session: aiohttp.ClientSession) -> None:
        for i in numbers:
            body, content_type = requests.mixed(i)
            timestamp = str(int(time.time()))
            headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                       "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body)}  # fmt: skip
            started = time.perf_counter()
            status, text = None, ""
            try:
                async with session.post(endpoint, data=body, headers=headers) as response:
                    status, text = response.status, await response.text()
            except (aiohttp.ClientError, TimeoutError):
                pass
            answers.append(Answer(BURST_KINDS[i % 2], time.perf_counter() - started, status, text))

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=NO_ANSWER)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return time.perf_counter() - started, answers


async def burst(backend: str, concurrency: int, fake: FakeSlack, workdir: Path, options: Options) -> Burst:
    """`options.burst_requests` of each kind at `concurrency` against a fresh `dealbell run --http`
    on a fresh database (a default SQLite file, or PostgreSQL)."""
    log_path = workdir / f"burst-{backend}-{concurrency}.log"
    log_path.unlink(missing_ok=True)
    async with fresh_database(backend, workdir) as url:
        db = Database(url)
        try:
            seeded = await seed.seed_workspace(db, options.users)
            server = await dealbell_server(url, fake.api_url, log_path)
            try:
                requests = Requests(seeded.users, [], fake.response_url(), seed_value=concurrency)
                await send_mix(server.url, requests, options.warmup, min(concurrency, options.warmup))
                await fake.settle(0.2)
                before = {kind: await applied_count(db, kind) for kind in BURST_KINDS}
                seconds, answers = await send_mix(
                    server.url, requests, 2 * options.burst_requests, concurrency
                )
                await fake.settle(0.5)  # the cards and announcements after the answers
                written = {kind: await applied_count(db, kind) - before[kind] for kind in BURST_KINDS}
            finally:
                await server.stop()
        finally:
            await db.dispose()
    log = log_path.read_text(errors="replace")
    logged = {name: log.count(needle) for name, needle in LOG_COUNTS.items()}
    result = Burst(backend, concurrency, seconds, answers, written, logged)
    print(f"  {backend} burst at {concurrency}: {len(answers) / seconds:.0f} req/s", file=sys.stderr)
    return result


def burst_table(bursts: list[Burst]) -> str:
    rows = []
    for b in bursts:
        for kind in BURST_KINDS:
            mine = [a for a in b.answers if a.kind == kind]
            times = [a.seconds for a in mine]
            rows.append([
                b.backend, kind, len(mine), b.concurrency, round(len(mine) / b.seconds, 1),
                round(percentile(times, 50) * 1000, 1), round(percentile(times, 99) * 1000, 1),
                round(max(times, default=0) * 1000, 1), sum(s >= DEADLINE for s in times),
                sum(a.status != 200 for a in mine), sum(a.status is None for a in mine),
                sum(a.busy for a in mine), sum(a.failed for a in mine), sum(a.accepted for a in mine),
                b.written[kind],
            ])  # fmt: skip
    headers = ["database", "request", "requests", "concurrency", "req/s", "p50 ms", "p99 ms", "max ms",
               "over 3 s", "non-200", "no answer", "busy", "failed", "accepted", "rows written"]  # fmt: skip
    logs = [
        [b.backend, b.concurrency, round(len(b.answers) / b.seconds, 1), *b.logged.values()] for b in bursts
    ]
    log_headers = ["database", "concurrency", "mix req/s", *LOG_COUNTS]
    return (
        f"Burst: `/deal won` and `/kudos` interleaved, every one a write (no answer: none within "
        f"{NO_ANSWER:.0f} s; busy: told to try again in a moment; failed: told something went wrong).\n\n"
        + markdown_table(headers, rows)
        + "\n\nIn the server's log:\n\n"
        + markdown_table(log_headers, logs)
    )


def table(results: list[Result], baseline: Result) -> str:
    rows = []
    for r in [baseline, *results]:
        ratio = f"{r.rps / baseline.rps:.2f}" if r is not baseline and baseline.rps else "1.00"
        rows.append([
            r.backend, r.kind, r.requests, r.concurrency, round(r.rps, 1),
            round(percentile(r.latencies, 50) * 1000, 1), round(percentile(r.latencies, 95) * 1000, 1),
            round(percentile(r.latencies, 99) * 1000, 1), r.errors, r.busy,
            "—" if r.applied is None else r.applied, ratio,
        ])  # fmt: skip
    headers = ["database", "request", "requests", "concurrency", "req/s", "p50 ms", "p95 ms", "p99 ms",
               "non-200", "busy", "rows written", "× bare Bolt"]  # fmt: skip
    return markdown_table(headers, rows) + "\n\n" + verdict(results, baseline)


def verdict(results: list[Result], baseline: Result) -> str:
    """The targets, reported (not asserted): p99 under 100 ms, and at least half of bare Bolt's
    throughput on PostgreSQL."""
    fast = [f"{r.backend} {r.kind}" for r in results if percentile(r.latencies, 99) < P99_TARGET]
    on_pg = [r for r in results if r.backend == "postgresql"]
    ratios = [r.rps / baseline.rps for r in on_pg] if baseline.rps else []
    lines = [f"Targets: p99 under {P99_TARGET * 1000:.0f} ms at {baseline.concurrency} concurrent: "
             f"{len(fast)} of {len(results)} request kinds"]  # fmt: skip
    if ratios:
        lines.append(f"throughput at least {RATIO_TARGET} × bare Bolt on PostgreSQL: "
                     f"{sum(x >= RATIO_TARGET for x in ratios)} of {len(ratios)} (lowest {min(ratios):.2f})")  # fmt: skip
    return "; ".join(lines) + "."


async def run(db_choice: str, workdir: Path, options: Options) -> str:
    from bench.rounds import interleaved

    fake = await FakeSlack().start()
    against_peer: list[str] = []
    try:
        if options.rounds:
            for backend in backends(db_choice):
                against_peer.append(await interleaved(backend, fake, workdir, options))
        baseline = await bare_bolt(fake, workdir, options)
        results: list[Result] = []
        bursts: list[Burst] = []
        for backend in backends(db_choice):
            results += await dealbell(backend, fake, workdir, options)
            for concurrency in options.burst_concurrency:
                bursts.append(await burst(backend, concurrency, fake, workdir, options))
    finally:
        await fake.stop()
    out = "\n\n".join([*against_peer, table(results, baseline)])
    return out + "\n\n" + burst_table(bursts) if bursts else out
