"""`weekly-leaderboard`: Friday 16:00 in the workspace's zone, once per week, to the right channel.

The data set (two weeks around the Shanghai week edge) is the one `/leaderboard` is tested on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import time_machine

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.leaderboard import post_weekly_leaderboard
from jobs.runner import run_job
from storage.db import Database
from storage.models import Workspace
from storage.periods import Period
from storage.workspaces import get_workspace
from tests.handlers.test_leaderboard import (
    FRIDAY,
    WEEK_DEALS,
    WEEK_KUDOS,
    WEEK_REVENUE,
    board_lines,
    seed_two_weeks,
)
from tests.jobs.helpers import job_runs

WEEKLY = JOBS["weekly-leaderboard"]


async def set_channels(app, **channels: str) -> Workspace:
    for kind, channel in channels.items():
        reply = await app.send.command("/dealbell", f"channels {kind} <#{channel}|{kind}>")
        assert "now go to" in reply.text, reply.text
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    assert workspace is not None
    return workspace


def posts(app) -> list[dict]:
    return [c.args for c in app.fake.calls_to("chat.postMessage")]


async def run_scheduled(app, workspace: Workspace, at: dt.datetime, services: JobServices | None = None):
    with time_machine.travel(at, tick=False):
        return await run_job(WEEKLY, workspace, services or app.services, as_scheduled=True)


async def test_the_week_so_far_is_posted_once_to_the_leaderboard_channel(app):
    await seed_two_weeks(app)
    workspace = await set_channels(app, leaderboard="C0LEADERS", wins="C0WINS")
    first = await run_scheduled(app, workspace, FRIDAY)
    again = await run_scheduled(app, workspace, FRIDAY + dt.timedelta(minutes=3))  # a restart, say
    assert [(o.status, o.period.key, o.result) for o in (first, again)] == [
        ("ran", "2026-W48", 1),
        ("skipped", "2026-W48", None),
    ]
    [post] = posts(app)
    assert post["channel"] == "C0LEADERS"
    assert post["text"] == "Weekly leaderboard for Nov 23, 2026 – Nov 27, 2026"
    assert post["blocks"][0]["text"]["text"] == "Weekly leaderboard · Nov 23, 2026 – Nov 27, 2026"
    assert board_lines(post["blocks"], "revenue") == WEEK_REVENUE
    assert board_lines(post["blocks"], "deals") == WEEK_DEALS  # ana's deal closed after 16:00 is not in
    assert board_lines(post["blocks"], "kudos") == WEEK_KUDOS
    assert "leaderboard_activities" not in str(post["blocks"])
    assert [(r.job, r.period_key, r.status) for r in await job_runs(app.db)] == [
        ("weekly-leaderboard", "2026-W48", "done")
    ]

    # a week later: next week's post, with this week's final ranks as the reference
    later = await run_scheduled(app, workspace, FRIDAY + dt.timedelta(days=7))
    assert (later.status, later.period.key) == ("ran", "2026-W49")
    assert board_lines(posts(app)[-1]["blocks"], "revenue") == ["Nobody yet."]


async def test_two_processes_post_once(app, database_url):
    await seed_two_weeks(app)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    other_db = Database(database_url)  # another process: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        with time_machine.travel(FRIDAY, tick=False):
            outcomes = await asyncio.gather(
                *(
                    run_job(WEEKLY, workspace, s, as_scheduled=True)
                    for s in (app.services, other, app.services)
                )
            )
    finally:
        await other_db.dispose()
    assert sorted(o.status for o in outcomes) == ["ran", "skipped", "skipped"]
    assert len(posts(app)) == 1


async def test_the_wins_channel_stands_in_and_no_channel_skips(app, caplog):
    workspace, _ = await seed_two_weeks(app)
    week = Period.containing("week", FRIDAY, "Asia/Shanghai")
    with caplog.at_level(logging.INFO, logger="jobs.leaderboard"):
        assert await post_weekly_leaderboard(JobContext(workspace, FRIDAY, week, app.services)) == 0
    assert posts(app) == []
    assert "no leaderboard or wins channel" in caplog.text

    workspace = await set_channels(app, wins="C0WINS")
    assert await post_weekly_leaderboard(JobContext(workspace, FRIDAY, week, app.services)) == 1
    assert [p["channel"] for p in posts(app)] == ["C0WINS"]


def test_friday_16_00_in_the_workspace_zone():
    assert (WEEKLY.cadence, WEEKLY.cron, WEEKLY.claim_period) == (
        "week",
        {"day_of_week": "fri", "hour": 16, "minute": 0},
        True,
    )
    fire = WEEKLY.scheduled_time("Asia/Shanghai", FRIDAY + dt.timedelta(hours=1), dt.timedelta(days=7))
    assert fire == FRIDAY
    new_york = WEEKLY.scheduled_time(
        "America/New_York", FRIDAY + dt.timedelta(hours=14), dt.timedelta(days=7)
    )
    assert new_york == dt.datetime(2026, 11, 27, 21, 0, tzinfo=dt.UTC)
