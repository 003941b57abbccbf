"""`contest-announcements`: the job function called at chosen moments, by one and by two "processes".

A December contest in Asia/Shanghai runs from 2026-11-30 16:00 UTC to 2026-12-31 16:00 UTC; its
middle instant is 2026-12-16 04:00 UTC. Ana (rep) and Li (account manager) tie at $500.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import select

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.contests import announce_contests
from jobs.runner import run_job
from storage.db import Database
from storage.models import JobRun, Workspace
from storage.periods import Period
from storage.workspaces import get_workspace
from tests.handlers.test_contests import SPRINT, create, seed_december, seed_people

START = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
MID = dt.datetime(2026, 12, 16, 4, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


async def december_contest(app) -> Workspace:
    _, members = await seed_people(app)
    await create(app, SPRINT + " <#C0WINS|wins>")
    await seed_december(app, members)
    async with app.db.session() as session:
        return await get_workspace(session, "T0001")


def posts(app) -> list[dict]:
    return [c.args for c in app.fake.calls_to("chat.postMessage")]


async def run_at(moment: dt.datetime, workspace: Workspace, services: JobServices) -> int:
    return await announce_contests(JobContext.at(workspace, moment, services))


async def claims(app) -> list[JobRun]:
    async with app.db.session() as session:
        query = select(JobRun).where(JobRun.job == "contest-announcements").order_by(JobRun.id)
        return list(await session.scalars(query))


async def test_start_mid_point_and_winners_are_each_announced_once(app):
    workspace = await december_contest(app)

    assert await run_at(START - MINUTE, workspace, app.services) == 0
    assert posts(app) == []

    assert await run_at(START + MINUTE, workspace, app.services) == 1
    [start] = posts(app)
    assert start["channel"] == "C0WINS"
    assert (
        start["text"]
        == ":checkered_flag: The contest *December sprint* starts now and runs until Dec 31, 2026."
    )
    assert "Prize: Team dinner" in str(start["blocks"]) and "Every rep and account manager" in str(
        start["blocks"]
    )
    assert await run_at(START + 15 * MINUTE, workspace, app.services) == 0
    assert await run_at(MID - MINUTE, workspace, app.services) == 0
    assert len(posts(app)) == 1

    assert await run_at(MID + MINUTE, workspace, app.services) == 1
    mid = posts(app)[-1]
    assert mid["channel"] == "C0WINS" and "halfway" in mid["text"]
    standings = next(b for b in mid["blocks"] if b.get("block_id") == "contest_standings")["text"]["text"]
    assert standings.split("\n") == [
        "*1.* <@U0002> · $500.00",
        "*1.* <@U0003> · $500.00",
        "*3.* <@U0004> · $250.00",
    ]
    assert await run_at(MID + 16 * MINUTE, workspace, app.services) == 0
    assert await run_at(END - MINUTE, workspace, app.services) == 0
    assert len(posts(app)) == 2

    assert await run_at(END + MINUTE, workspace, app.services) == 1
    end = posts(app)[-1]
    assert end["text"] == (
        ":trophy: *December sprint* is over: a tie! Congratulations to <@U0002> and <@U0003>, who share the win."
    )
    assert await run_at(END + 15 * MINUTE, workspace, app.services) == 0
    assert await run_at(END + dt.timedelta(days=3), workspace, app.services) == 0
    assert len(posts(app)) == 3
    assert [(c.period_key.split(":")[1], c.status) for c in await claims(app)] == [
        ("start", "done"), ("mid", "done"), ("end", "done"),
    ]  # fmt: skip


async def test_two_processes_at_once_announce_each_once(app, database_url):
    workspace = await december_contest(app)
    other_db = Database(database_url)  # another process: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        for moment in (START + MINUTE, MID + MINUTE, END + MINUTE):
            with time_machine.travel(moment, tick=False):
                period = Period.containing("day", moment, "UTC")
                sent = await asyncio.gather(
                    *(
                        announce_contests(JobContext(workspace, moment, period, s))
                        for s in (app.services, other, app.services)
                    )
                )
            assert sum(sent) == 1, moment
    finally:
        await other_db.dispose()
    texts = [p["text"] for p in posts(app)]
    assert len(texts) == 3 and "starts now" in texts[0] and "halfway" in texts[1] and "a tie!" in texts[2]
    assert [c.status for c in await claims(app)] == ["done"] * 3


async def test_a_process_down_for_the_whole_contest_posts_only_the_winners_once(app):
    workspace = await december_contest(app)
    assert await run_at(END + dt.timedelta(days=2), workspace, app.services) == 1
    assert await run_at(END + dt.timedelta(days=2, minutes=15), workspace, app.services) == 0
    [only] = posts(app)
    assert "is over" in only["text"]


async def test_a_process_down_over_the_start_catches_up_late(app):
    workspace = await december_contest(app)
    assert await run_at(MID + dt.timedelta(days=2), workspace, app.services) == 2  # start, then standings
    assert ["starts now" in posts(app)[0]["text"], "halfway" in posts(app)[1]["text"]] == [True, True]
    assert await run_at(MID + dt.timedelta(days=3), workspace, app.services) == 0


async def test_an_announcement_slack_refused_is_posted_by_the_next_run(app):
    workspace = await december_contest(app)
    app.fake.fail_next("chat.postMessage", "internal_error")
    assert await run_at(START + MINUTE, workspace, app.services) == 0
    assert await run_at(START + 16 * MINUTE, workspace, app.services) == 1
    assert await run_at(START + 31 * MINUTE, workspace, app.services) == 0
    assert len(app.fake.delivered("chat.postMessage")) == 1


async def test_run_as_scheduled_every_fifteen_minutes(app):
    """The scheduler's path: no run claim for the day, so every 15-minute run looks again."""
    workspace = await december_contest(app)
    spec = JOBS["contest-announcements"]
    assert (spec.cron, spec.cadence, spec.claim_period) == ({"minute": "*/15"}, "day", False)
    results = []
    for moment in (START + MINUTE, START + 16 * MINUTE, MID + MINUTE):
        with time_machine.travel(moment, tick=False):
            results.append((await run_job(spec, workspace, app.services, as_scheduled=True)).result)
    assert results == [1, 0, 1]
