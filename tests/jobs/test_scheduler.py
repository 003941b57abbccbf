"""The APScheduler wiring: job defaults, per-workspace cron triggers, and misfires on a real scheduler."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import update

from jobs import JOBS
from jobs.base import JobServices
from jobs.scheduler import MISFIRE_GRACE_SECONDS, build_scheduler, run_scheduled, sync_workspace_jobs
from storage.models import Workspace
from tests.jobs.helpers import Seed, assert_refreshed, at, job_runs, members_of

REFRESH = JOBS["refresh-member-profiles"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
FIRE = at("2026-03-10T19:15Z")  # 03:15 on 11 March in Shanghai: a refresh fire time


@pytest.fixture
async def schedulers() -> AsyncIterator[Callable[[JobServices], AsyncIOScheduler]]:
    """build_scheduler, with every scheduler it built shut down after the test."""
    built: list[AsyncIOScheduler] = []

    def build(services: JobServices) -> AsyncIOScheduler:
        built.append(build_scheduler(services))
        return built[-1]

    yield build
    for scheduler in built:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    await asyncio.sleep(0.01)  # shutdown is scheduled onto the loop: let it run


def refresh_job_id(workspace: Workspace) -> str:
    return f"{REFRESH.name}:{workspace.id}"


async def test_build_scheduler_job_defaults(schedulers) -> None:
    services = JobServices(db=None, client_for=lambda _ws: None)  # type: ignore[arg-type]
    scheduler = schedulers(services)
    scheduler.start(paused=True)

    assert MISFIRE_GRACE_SECONDS == 3600
    assert str(scheduler.timezone) == "UTC"
    [sync] = scheduler.get_jobs()
    assert sync.id == "sync-workspace-jobs" and sync.func is sync_workspace_jobs
    assert (sync.misfire_grace_time, sync.coalesce, sync.max_instances) == (3600, True, 1)
    assert isinstance(sync.trigger, IntervalTrigger) and sync.trigger.interval == dt.timedelta(minutes=5)
    assert sync.args == (scheduler, services)
    # jobs added later (the per-workspace cron jobs) get the same defaults
    added = scheduler.add_job(
        run_scheduled,
        "interval",
        hours=1,
        args=(services,),
        kwargs={"name": REFRESH.name, "workspace_id": 1, "timezone": "UTC"},
        id="other",
    )
    assert (added.misfire_grace_time, added.coalesce, added.max_instances) == (3600, True, 1)


async def test_build_scheduler_misfire_grace_is_configurable() -> None:
    scheduler = build_scheduler(JobServices(db=None, client_for=lambda _ws: None), misfire_grace=60)  # type: ignore[arg-type]
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("sync-workspace-jobs").misfire_grace_time == 60
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0.01)


async def test_sync_adds_one_cron_job_per_workspace_in_its_zone(app, seed: Seed, schedulers) -> None:
    workspace = await seed(["U1"], timezone="Asia/Shanghai")
    scheduler = schedulers(app.services)

    with time_machine.travel(at("2026-03-10T12:00Z"), tick=False):
        scheduler.start(paused=True)
        added = await sync_workspace_jobs(scheduler, app.services)

    assert added == len(JOBS) >= 3
    job = scheduler.get_job(refresh_job_id(workspace))
    assert job.func is run_scheduled and job.args == (app.services,)
    assert job.kwargs == {"name": REFRESH.name, "workspace_id": workspace.id, "timezone": "Asia/Shanghai"}
    assert job.trigger.timezone == SHANGHAI
    assert job.next_run_time == dt.datetime(2026, 3, 11, 3, 15, tzinfo=SHANGHAI) == FIRE
    assert job.trigger.get_next_fire_time(None, FIRE + dt.timedelta(seconds=1)) == FIRE + dt.timedelta(days=1)
    assert job.trigger.get_next_fire_time(None, at("2026-03-10T19:14Z")) == FIRE
    assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (3600, True, 1)
    prune = scheduler.get_job(f"prune-processed-events:{workspace.id}")
    assert prune.next_run_time == dt.datetime(2026, 3, 11, 4, 5, tzinfo=SHANGHAI)


async def test_sync_replaces_the_trigger_when_the_time_zone_changes(app, seed: Seed, schedulers) -> None:
    workspace = await seed(["U1"], timezone="Asia/Shanghai")
    scheduler = schedulers(app.services)
    with time_machine.travel(at("2026-03-10T12:00Z"), tick=False):
        scheduler.start(paused=True)
        assert await sync_workspace_jobs(scheduler, app.services) == len(JOBS)
        assert await sync_workspace_jobs(scheduler, app.services) == 0  # nothing changed
        ids = sorted(job.id for job in scheduler.get_jobs())

        async with app.db.session() as session:
            await session.execute(
                update(Workspace).where(Workspace.id == workspace.id).values(timezone="Europe/Berlin")
            )
        replaced = await sync_workspace_jobs(scheduler, app.services)
        again = await sync_workspace_jobs(scheduler, app.services)

    assert (replaced, again) == (len(JOBS), 0)
    assert sorted(job.id for job in scheduler.get_jobs()) == ids  # replaced, not added beside
    job = scheduler.get_job(refresh_job_id(workspace))
    assert job.trigger.timezone == BERLIN
    assert job.kwargs["timezone"] == "Europe/Berlin"
    assert job.next_run_time == dt.datetime(2026, 3, 11, 3, 15, tzinfo=BERLIN) == at("2026-03-11T02:15Z")


async def test_sync_picks_up_a_new_workspace(app, seed: Seed, schedulers) -> None:
    first = await seed(["U1"], timezone="Asia/Shanghai")
    scheduler = schedulers(app.services)
    scheduler.start(paused=True)
    assert await sync_workspace_jobs(scheduler, app.services) == len(JOBS)

    second = await seed(["U2"], timezone="America/Los_Angeles", team_id="T0002")

    assert await sync_workspace_jobs(scheduler, app.services) == len(JOBS)
    assert await sync_workspace_jobs(scheduler, app.services) == 0
    assert scheduler.get_job(refresh_job_id(first)).kwargs["timezone"] == "Asia/Shanghai"
    assert scheduler.get_job(refresh_job_id(second)).kwargs["timezone"] == "America/Los_Angeles"
    assert len(scheduler.get_jobs()) == 1 + 2 * len(JOBS)


# --- misfires, on a running AsyncIOScheduler in this test's event loop ------------------------------


def listen(scheduler: AsyncIOScheduler) -> tuple[list[JobExecutionEvent], asyncio.Event]:
    events: list[JobExecutionEvent] = []
    seen = asyncio.Event()

    def on_event(event: JobExecutionEvent) -> None:
        if event.job_id != "sync-workspace-jobs":
            events.append(event)
            seen.set()

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return events, seen


@pytest.mark.parametrize(
    "missed_since",
    [
        dt.timedelta(minutes=30),  # a restart half an hour after 03:15
        dt.timedelta(days=1, minutes=30),  # down through two fire times: coalesced into one run
    ],
    ids=["30-minutes-late", "two-fire-times-late"],
)
async def test_a_run_missed_within_the_grace_runs_once_promptly(
    app, seed: Seed, schedulers, missed_since: dt.timedelta
) -> None:
    workspace = await seed(["U1", "U2"], timezone="Asia/Shanghai")
    now = FIRE + dt.timedelta(minutes=30)

    with time_machine.travel(now, tick=True):
        scheduler = schedulers(app.services)
        events, seen = listen(scheduler)
        scheduler.start()
        await sync_workspace_jobs(scheduler, app.services)
        started = time.monotonic()
        scheduler.modify_job(refresh_job_id(workspace), next_run_time=now - missed_since)

        await asyncio.wait_for(seen.wait(), timeout=2)
        elapsed = time.monotonic() - started
        await app.fake.settle(0.3)
        job = scheduler.get_job(refresh_job_id(workspace))

    assert elapsed < 2
    assert [(e.code, e.scheduled_run_time, e.exception) for e in events] == [(EVENT_JOB_EXECUTED, FIRE, None)]
    assert sorted(c.args["user"] for c in app.fake.calls_to("users.info")) == ["U1", "U2"]
    assert_refreshed(await members_of(app.db, workspace.id))
    [run] = await job_runs(app.db)
    assert (run.job, run.period_key, run.status) == (REFRESH.name, "2026-03-11", "done")
    assert job.next_run_time == FIRE + dt.timedelta(days=1)  # back on schedule


async def test_a_run_missed_beyond_the_grace_does_not_run(app, seed: Seed, schedulers) -> None:
    workspace = await seed(["U1", "U2"], timezone="Asia/Shanghai")
    now = FIRE + dt.timedelta(hours=2)

    with time_machine.travel(now, tick=True):
        scheduler = schedulers(app.services)
        events, seen = listen(scheduler)
        scheduler.start()
        await sync_workspace_jobs(scheduler, app.services)
        scheduler.modify_job(refresh_job_id(workspace), next_run_time=FIRE)

        await asyncio.wait_for(seen.wait(), timeout=2)
        await app.fake.settle(0.3)
        job = scheduler.get_job(refresh_job_id(workspace))

    assert [(e.code, e.scheduled_run_time) for e in events] == [(EVENT_JOB_MISSED, FIRE)]
    assert app.fake.calls_to("users.info") == []
    assert await job_runs(app.db) == []
    assert job.next_run_time == FIRE + dt.timedelta(days=1)
