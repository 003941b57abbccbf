"""Exactly once, on time, across processes: three job runners (and three APScheduler schedulers),
each with its own `Database` engine and connection pool as separate processes would have, on the
same PostgreSQL database, run the same period at the same moment. Every target gets one post.

PostgreSQL only: that is where separate processes share one database for real (SQLite deployments
run a single process).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from jobs.scheduler import build_scheduler, sync_workspace_jobs
from storage.db import Database
from storage.models import JobRun, Member, Workspace
from storage.workspaces import get_workspace
from tests.factories import TrainingFactory, TrainingRsvpFactory, persist
from tests.fake_slack import TEAM_ID
from tests.jobs.test_follow_ups import customer, deal, owner, workspace_of

pytestmark = pytest.mark.postgres_only

FOLLOW_UPS, REFRESH, TRAINING = (
    JOBS["follow-up-reminders"],
    JOBS["refresh-member-profiles"],
    JOBS["training-reminders"],
)
WANTED = (FOLLOW_UPS.name, REFRESH.name, TRAINING.name)
# Tuesday 10 March 2026, 03:35 UTC: 09:35 in Dhaka and 09:05 in Kolkata (both within the hour after
# 09:00), 04:35 in Berlin (not yet 09:00); the workspace (UTC) refresh fired at 03:15, 20 minutes ago.
NOW = dt.datetime(2026, 3, 10, 3, 35, tzinfo=dt.UTC)
REFRESH_FIRE = dt.datetime(2026, 3, 10, 3, 15, tzinfo=dt.UTC)
TRAINING_START = NOW + dt.timedelta(hours=23, minutes=50)  # the day-before reminder is due


async def seeded(app) -> Workspace:
    """Four members in three zones: U0002 and U0003 due a follow-up DM now, U0004 later, U0005 never."""
    await workspace_of(app)
    dhaka = await owner(app, "U0002", tz="Asia/Dhaka")
    kolkata = await owner(app, "U0003", tz="Asia/Kolkata")
    berlin = await owner(app, "U0004", tz="Europe/Berlin")
    await owner(app, "U0005", tz="Asia/Dhaka")
    await customer(app, dhaka, "Acme Corp", dt.date(2026, 3, 6))
    await customer(app, kolkata, "Globex", dt.date(2026, 3, 10))
    await deal(app, kolkata, "Initech", dt.date(2026, 3, 2), title="Renewal")
    await customer(app, berlin, "Umbrella", dt.date(2026, 3, 9))
    async with app.db.session() as session:
        [training] = await persist(session, TrainingFactory(
            organiser=berlin, kind="training", title="Pricing 101", starts_at=TRAINING_START, timezone="UTC",
            channel_id="C0SALES",
        ))  # fmt: skip
        await persist(
            session, *(TrainingRsvpFactory(training=training, member=m, going=True) for m in (dhaka, kolkata))
        )
        return await get_workspace(session, TEAM_ID)


@pytest.fixture
async def processes(app, database_url) -> AsyncIterator[list[JobServices]]:
    """Three "processes": each its own engine and pool on the same database, its own Slack client."""
    databases = [Database(database_url) for _ in range(3)]
    clients = [make_client(app.settings) for _ in range(3)]
    yield [
        JobServices(db=db, client_for=lambda _ws, c=client: c, claimant=f"process-{n}")
        for n, (db, client) in enumerate(zip(databases, clients, strict=True))
    ]
    for db in databases:
        await db.dispose()


def posts(app) -> Counter[tuple[str, str]]:
    """(what, user) of every message Slack accepted: a follow-up DM, a training reminder, a profile read."""
    seen: Counter[tuple[str, str]] = Counter()
    for call in app.fake.delivered("chat.postMessage"):
        kind = "follow-up" if call.args["text"].startswith("Follow-ups due") else "training"
        seen[(kind, call.args["channel"])] += 1
    for call in app.fake.delivered("users.info"):
        seen[("profile", call.args["user"])] += 1
    return seen


EXPECTED = Counter(
    {("follow-up", "U0002"): 1, ("follow-up", "U0003"): 1, ("training", "U0002"): 1, ("training", "U0003"): 1}
    | {("profile", user): 1 for user in ("U0002", "U0003", "U0004", "U0005")}
)


async def claims(app) -> list[tuple[str, str, str]]:
    async with app.db.session() as session:
        runs = await session.scalars(select(JobRun).order_by(JobRun.job, JobRun.period_key))
        return [(r.job, r.period_key, r.status) for r in runs]


async def member_ids(app) -> dict[str, int]:
    async with app.db.session() as session:
        return {m.slack_user_id: m.id for m in await session.scalars(select(Member))}


async def test_three_runners_on_three_engines_post_once_per_target(app, processes):
    workspace = await seeded(app)

    for moment in (NOW, NOW + dt.timedelta(minutes=5)):  # the same period, and the next 5-minute run
        with time_machine.travel(moment, tick=False):
            outcomes = await asyncio.gather(
                *(run_job(JOBS[name], workspace, s, as_scheduled=True) for name in WANTED for s in processes)
            )
        assert {o.status for o in outcomes} <= {"ran", "skipped"}

    assert posts(app) == EXPECTED
    ids = await member_ids(app)
    assert [c for c in await claims(app) if c[0] == FOLLOW_UPS.name] == [
        (FOLLOW_UPS.name, f"{ids['U0002']}:2026-03-10", "done"),
        (FOLLOW_UPS.name, f"{ids['U0003']}:2026-03-10", "done"),
    ]
    assert [c for c in await claims(app) if c[0] == REFRESH.name] == [(REFRESH.name, "2026-03-10", "done")]


# --- three real schedulers ------------------------------------------------------------------------


@pytest.fixture
async def schedulers(processes) -> AsyncIterator[list[AsyncIOScheduler]]:
    built = [build_scheduler(s) for s in processes]
    yield built
    for scheduler in built:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    await asyncio.sleep(0.01)


async def start_all(
    schedulers: list[AsyncIOScheduler],
    processes: list[JobServices],
    workspace: Workspace,
    due: dict[str, Any],
) -> tuple[list[JobExecutionEvent], asyncio.Event]:
    """Start each scheduler with this workspace's jobs, then set the wanted ones to fire at `due`."""
    events: list[JobExecutionEvent] = []
    all_seen = asyncio.Event()

    def on_event(event: JobExecutionEvent) -> None:
        if event.job_id != "sync-workspace-jobs":
            events.append(event)
            if len(events) == len(schedulers) * len(due):
                all_seen.set()

    for scheduler, services in zip(schedulers, processes, strict=True):
        scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        scheduler.start(paused=True)
        await sync_workspace_jobs(scheduler, services)
        for job in scheduler.get_jobs():
            name = job.id.split(":")[0]
            if name in due:
                job.modify(next_run_time=due[name])
            elif job.id != "sync-workspace-jobs":
                job.remove()  # the other features' jobs are not under test here
    for scheduler in schedulers:
        scheduler.resume()
    return events, all_seen


async def test_three_schedulers_post_once_per_target_within_the_grace(app, processes, schedulers):
    workspace = await seeded(app)
    fired = NOW - dt.timedelta(minutes=5)  # the 03:30 run of the 5-minute jobs, 5 minutes late
    due = {
        FOLLOW_UPS.name: fired,
        TRAINING.name: fired,
        REFRESH.name: REFRESH_FIRE,
    }  # refresh 20 minutes late

    with time_machine.travel(NOW, tick=True):
        events, all_seen = await start_all(schedulers, processes, workspace, due)
        await asyncio.wait_for(all_seen.wait(), timeout=10)
        await app.fake.settle(0.2)

    assert sorted((e.code, e.job_id.split(":")[0]) for e in events) == sorted(
        (EVENT_JOB_EXECUTED, name) for name in due for _ in schedulers
    )
    assert posts(app) == EXPECTED
    assert {status for _, _, status in await claims(app)} == {"done"}


async def test_later_than_the_grace_nothing_is_posted_and_the_skip_is_logged_once(
    app, processes, schedulers, caplog
):
    workspace = await seeded(app)
    caplog.set_level(logging.INFO, logger="jobs.follow_ups")
    late = dt.datetime(2026, 3, 10, 4, 31, tzinfo=dt.UTC)  # 10:31 in Dhaka, 10:01 in Kolkata
    due = {
        FOLLOW_UPS.name: late - dt.timedelta(minutes=1),
        REFRESH.name: REFRESH_FIRE,
    }  # refresh 76 minutes late

    with time_machine.travel(late, tick=True):
        events, all_seen = await start_all(schedulers, processes, workspace, due)
        await asyncio.wait_for(all_seen.wait(), timeout=10)
        await app.fake.settle(0.2)
    with time_machine.travel(late + dt.timedelta(minutes=5), tick=False):  # and a later run by each process
        await asyncio.gather(*(run_job(FOLLOW_UPS, workspace, s, as_scheduled=True) for s in processes))

    assert sorted((e.code, e.job_id.split(":")[0]) for e in events) == sorted(
        [(EVENT_JOB_EXECUTED, FOLLOW_UPS.name)] * 3 + [(EVENT_JOB_MISSED, REFRESH.name)] * 3
    )
    assert posts(app) == Counter()
    skips = sorted(r.getMessage() for r in caplog.records if "skipped" in r.getMessage())
    assert skips == [
        "follow-up-reminders for T0001: U0002's reminder for 2026-03-10 skipped, "
        "09:00 Asia/Dhaka passed more than 1:00:00 ago",
        "follow-up-reminders for T0001: U0003's reminder for 2026-03-10 skipped, "
        "09:00 Asia/Kolkata passed more than 1:00:00 ago",
    ]
    ids = await member_ids(app)
    assert await claims(app) == [
        (FOLLOW_UPS.name, f"{ids['U0002']}:2026-03-10", "skipped"),
        (FOLLOW_UPS.name, f"{ids['U0003']}:2026-03-10", "skipped"),
    ]
