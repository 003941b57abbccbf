"""`training-reminders`: the job function called directly at chosen moments, then through run_job.

A session is scheduled and answered through signed requests; the job then DMs those going a day
and 15 minutes before the start, each reminder once, however many processes run it.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import select

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.runner import run_job
from jobs.training_reminders import send_training_reminders
from storage.db import Database
from storage.models import JobRun, Training, Workspace
from storage.periods import Period
from storage.workspaces import get_workspace

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)  # 15:00 in Shanghai
REMINDERS = JOBS["training-reminders"]


async def scheduled_session(app) -> tuple[Workspace, Training]:
    """A session at START, with U0002 (New York) and U0003 (Berlin, Chinese) going, U0004 not."""
    app.fake.add_user("U0001", is_admin=True, tz="Asia/Shanghai")
    app.fake.add_user("U0002", tz="America/New_York")
    app.fake.add_user("U0003", tz="Europe/Berlin", locale="zh-CN")
    with time_machine.travel(NOW, tick=True):
        await app.send.command(
            "/training", 'schedule "Product X deep-dive" 2026-12-03 15:00 <#C0SALES|sales>'
        )
        await app.fake.wait_for("chat.postMessage")
        async with app.db.session() as session:
            training = await session.scalar(select(Training))
        for user in ("U0002", "U0003"):
            await app.send.action("training_going", str(training.id), user=user)
        await app.send.action("training_not_going", str(training.id), user="U0004")
        await app.fake.wait_for("response_url", count=3)
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    return workspace, training


def dms(app) -> list[tuple[str, str]]:
    """(user, text) of every DM sent: chat.postMessage to a user id."""
    return [
        (c.args["channel"], c.args["text"])
        for c in app.fake.calls_to("chat.postMessage")
        if c.args["channel"].startswith("U")
    ]


async def run_at(moment: dt.datetime, workspace: Workspace, services: JobServices) -> int:
    return await send_training_reminders(JobContext.at(workspace, moment, services))


async def test_a_day_and_15_minutes_before_each_going_member_is_reminded_once(app):
    workspace, _ = await scheduled_session(app)

    assert await run_at(START - dt.timedelta(hours=25), workspace, app.services) == 0
    assert dms(app) == []

    assert await run_at(START - dt.timedelta(hours=23, minutes=50), workspace, app.services) == 2
    day = dict(dms(app))
    assert set(day) == {"U0002", "U0003"}  # not U0004, who is not going
    assert day["U0002"] == (
        ":alarm_clock: Reminder: *Product X deep-dive* starts in 24 hours, "
        "Thursday, December 3, 2026, 2:00 AM (Eastern Standard Time). Details in <#C0SALES>."
    )
    assert day["U0003"].startswith(":alarm_clock: 提醒：\u200b*Product X deep-dive* 将于24小时后开始")
    assert "2026年12月3日星期四 08:00 (中欧标准时间)" in day["U0003"]

    assert await run_at(START - dt.timedelta(hours=23, minutes=45), workspace, app.services) == 0
    assert await run_at(START - dt.timedelta(hours=2), workspace, app.services) == 0
    assert len(dms(app)) == 2

    assert await run_at(START - dt.timedelta(minutes=10), workspace, app.services) == 2
    soon = dms(app)[2:]
    assert sorted(user for user, _ in soon) == ["U0002", "U0003"]
    assert "starts in 10 minutes" in dict(soon)["U0002"]
    assert await run_at(START - dt.timedelta(minutes=5), workspace, app.services) == 0
    assert await run_at(START + dt.timedelta(minutes=2), workspace, app.services) == 0
    assert len(dms(app)) == 4


async def test_two_processes_at_once_send_each_reminder_once(app, database_url):
    workspace, _ = await scheduled_session(app)
    other_db = Database(database_url)  # another process: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        for moment in (START - dt.timedelta(hours=23, minutes=50), START - dt.timedelta(minutes=10)):
            with time_machine.travel(moment, tick=False):
                period = Period.containing("day", moment, "UTC")
                sent = await asyncio.gather(
                    *(
                        send_training_reminders(JobContext(workspace, moment, period, s))
                        for s in (app.services, other, app.services)
                    )
                )
            assert sum(sent) == 2, moment
    finally:
        await other_db.dispose()
    assert sorted(user for user, _ in dms(app)) == ["U0002", "U0002", "U0003", "U0003"]
    async with app.db.session() as session:
        claims = list(await session.scalars(select(JobRun).where(JobRun.job == "training-reminder")))
    assert len(claims) == 4 and {c.status for c in claims} == {"done"}


async def test_a_reminder_slack_refused_is_sent_again_by_the_next_run(app):
    workspace, _ = await scheduled_session(app)
    app.fake.fail_next("chat.postMessage", "internal_error")
    assert await run_at(START - dt.timedelta(hours=23, minutes=50), workspace, app.services) == 1
    assert await run_at(START - dt.timedelta(hours=23, minutes=45), workspace, app.services) == 1
    assert await run_at(START - dt.timedelta(hours=23, minutes=40), workspace, app.services) == 0
    assert sorted(user for user, _ in dms(app)) == ["U0002", "U0002", "U0003"]  # the first try failed


async def test_answers_changed_between_reminders_are_followed(app):
    workspace, training = await scheduled_session(app)
    assert await run_at(START - dt.timedelta(hours=23, minutes=50), workspace, app.services) == 2
    with time_machine.travel(START - dt.timedelta(hours=3), tick=True):
        await app.send.action("training_not_going", str(training.id), user="U0002")
        await app.send.action("training_going", str(training.id), user="U0004")  # late, still day-before
        await app.fake.wait_for("response_url", count=5)
    assert await run_at(START - dt.timedelta(hours=2, minutes=55), workspace, app.services) == 1
    assert dms(app)[-1][0] == "U0004"
    assert await run_at(START - dt.timedelta(minutes=14), workspace, app.services) == 2
    assert sorted(user for user, _ in dms(app)[-2:]) == ["U0003", "U0004"]  # not U0002 any more


async def test_run_as_scheduled_every_five_minutes_all_day(app):
    """The scheduler's path: the job's daily run claim must not stop the later runs of that day."""
    workspace, _ = await scheduled_session(app)
    assert workspace.timezone == "UTC"
    outcomes = []
    # all on 3 December in the workspace's zone: the day-before reminders, then the 15-minute ones
    for moment in (START - dt.timedelta(hours=6, minutes=55), START - dt.timedelta(hours=6, minutes=50),
                   START - dt.timedelta(minutes=10)):  # fmt: skip
        with time_machine.travel(moment, tick=False):
            outcomes.append(await run_job(REMINDERS, workspace, app.services, as_scheduled=True))
    assert [(o.status, o.period.key, o.result) for o in outcomes] == [
        ("ran", "2026-12-03", 2),
        ("ran", "2026-12-03", 0),
        ("ran", "2026-12-03", 2),
    ]
    assert len(dms(app)) == 4
    assert (REMINDERS.cron, REMINDERS.cadence) == ({"minute": "*/5"}, "day")
