"""Fan-out: the real jobs send a standup prompt to many participants and a digest to many managers
through a fake Slack that rate-limits chat.postMessage like Slack does (1 per second per channel,
`per_second` per workspace, 429 with Retry-After: 1).

Two "replicas" (two JobServices with their own claimant and Web API client) run each job at the
same moment, through jobs.runner.run_job as the scheduler does, so the numbers also show that the
per-message claims keep a message from going out twice. The seeded standup's time is two minutes
ago; the managers live in the zone where it is now between 08:30 and 09:30, so their daily digest
is due (the job acts on the real clock).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select, update

from bench import seed
from bench.common import BOT_TOKEN, backends, fresh_database, markdown_table
from bot.sandbox.fake_slack import Call, FakeSlack
from bot.settings import Settings
from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from storage.db import Database
from storage.models import JobRun, Member, Standup, StandupParticipant, Workspace, utcnow

REPLICAS = 2
POST = "chat.postMessage"


class WindowedSlack(FakeSlack):
    """The fake Slack with several rate windows per method (per channel and per workspace at once)."""

    def __init__(self) -> None:
        super().__init__()
        self.windows: dict[str, list[tuple[int, float, int, str]]] = {}

    def add_window(self, method: str, max_calls: int, per_seconds: float = 1.0, retry_after: int = 1,
                   per: str = "workspace") -> None:  # fmt: skip
        self.windows.setdefault(method, []).append((max_calls, per_seconds, retry_after, per))

    def _rate_limited(self, call: Call) -> int | None:
        for max_calls, per_seconds, retry_after, per in self.windows.get(call.method, []):
            recent = 0
            for earlier in reversed(self.calls):  # newest first: stop at the window's start
                if earlier.at <= call.at - per_seconds:
                    break
                if (
                    earlier.method == call.method
                    and earlier.ok
                    and (per != "channel" or earlier.args.get("channel") == call.args.get("channel"))
                ):
                    recent += 1
            if recent >= max_calls:
                return retry_after
        return super()._rate_limited(call)


def etc_zone_at(now: dt.datetime) -> str:
    """An Etc/GMT zone whose local time is now between 08:30 and 09:30, when the daily digest is due:
    09:mm when the minute is under 30, else 08:mm (whole-hour zones keep the minute)."""
    hour = 9 if now.minute < 30 else 8
    offset = (hour - now.hour) % 24
    offset = offset - 24 if offset > 11 else offset
    return (
        "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    )  # POSIX signs are reversed


async def make_digest_due(db: Database) -> None:
    """Move the managers to the zone where their daily digest is due now; just before :30 (when
    09:29 would leave seconds of the hour's grace) it first waits for :30."""
    now = utcnow()
    if now.minute == 29 and now.second >= 30:
        await asyncio.sleep(61 - now.second)
    async with db.session() as session:
        await session.execute(
            update(Member).where(Member.role == "manager").values(timezone=etc_zone_at(utcnow()))
        )


async def seed_fanout(db: Database, participants: int, managers: int) -> seed.Seeded:
    now = utcnow()
    seeded = await seed.seed_workspace(db, max(participants, managers), won_deals=200, managers=managers)
    at = (now - dt.timedelta(minutes=2)).strftime("%H:%M")
    async with db.session() as session:
        creator = await session.scalar(
            select(Member.id).where(Member.workspace_id == seeded.workspace_id).limit(1)
        )
        standup_id = await session.scalar(
            insert(Standup)
            .values(workspace_id=seeded.workspace_id, name="Bench standup", channel_id="CSTANDUP",
                    questions=["Yesterday?", "Today?", "Blockers?"], weekdays=seed.ALL_WEEK, at=at,
                    member_zones=False, reminder_minutes=30, cutoff_minutes=120, created_by_id=creator,
                    active=True, source_key="bench:standup", created_at=now - dt.timedelta(days=1))
            .returning(Standup.id)
        )  # fmt: skip
        member_ids = list(await session.scalars(select(Member.id).order_by(Member.id).limit(participants)))
        await session.execute(
            insert(StandupParticipant),
            [{"standup_id": standup_id, "member_id": m, "skip_next": False} for m in member_ids],
        )
    return seeded


@dataclass
class Outcome:
    backend: str
    job: str
    intended: int
    seconds: float
    rate_limited: int
    delivered: int
    duplicates: int
    failed_claims: int


async def fan_out(
    backend: str, job: str, intended: int, fake: WindowedSlack, db: Database, url: str
) -> Outcome:
    settings = Settings(
        _env_file=None, slack_bot_token=BOT_TOKEN, slack_api_url=fake.api_url, database_url=url
    )  # type: ignore[call-arg]
    replicas = []
    for n in range(REPLICAS):
        client = make_client(settings)
        replicas.append(JobServices(db=db, client_for=lambda _ws, c=client: c, claimant=f"bench-replica-{n}"))
    async with db.session() as session:
        workspace = await session.scalar(select(Workspace))
    assert workspace is not None
    if job.startswith("manager-digest"):
        await make_digest_due(db)
    first = len(fake.calls)
    started = time.perf_counter()
    await asyncio.gather(
        *(run_job(JOBS[job], workspace, services, as_scheduled=True) for services in replicas)
    )
    seconds = time.perf_counter() - started
    posts = [c for c in fake.calls[first:] if c.method == POST]
    delivered = [c for c in posts if c.ok]
    async with db.session() as session:
        failed = await session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.job == job, JobRun.status != "done")
        )
    return Outcome(backend, job, intended, seconds, sum(c.status == 429 for c in posts), len(delivered),
                   len(delivered) - len({c.args.get("channel") for c in delivered}), int(failed or 0))  # fmt: skip


async def run(db_choice: str, workdir: Path, participants: int, managers: int, per_second: int) -> str:
    outcomes = []
    for backend in backends(db_choice):
        fake = await WindowedSlack().start()
        fake.add_window(POST, 1, per="channel")
        fake.add_window(POST, per_second, per="workspace")
        try:
            async with fresh_database(backend, workdir) as url:
                db = Database(url)
                try:
                    await seed_fanout(db, participants, managers)
                    for job, intended in (
                        ("standup-prompt", participants),
                        ("manager-digest-daily", managers),
                    ):
                        outcomes.append(await fan_out(backend, job, intended, fake, db, url))
                        print(f"  {backend} {job}: {outcomes[-1].seconds:.1f} s", file=sys.stderr, flush=True)
                finally:
                    await db.dispose()
        finally:
            await fake.stop()
    rows = [
        [o.backend, o.job, REPLICAS, o.intended, round(o.seconds, 1), o.rate_limited, o.delivered,
         "yes" if o.delivered == o.intended else "NO", o.duplicates, o.failed_claims]
        for o in outcomes
    ]  # fmt: skip
    headers = ["database", "job", "replicas", "intended", "wall s", "429s", "delivered", "delivered = intended",
               "duplicates", "claims not done"]  # fmt: skip
    return (
        markdown_table(headers, rows)
        + f"\n\nLimits: chat.postMessage 1/s per channel, {per_second}/s per workspace, 429 + Retry-After: 1."
    )
