"""Manager digests: a DM to each manager, in the manager's own time zone.

`manager-digest-daily` at 08:30 on the workspace's working days (not on holidays): yesterday's
numbers. `manager-digest-weekly` at 08:00 on Mondays: last ISO week's. Both run every 5 minutes;
for each manager (role manager or workspace admin/owner; not bots, not deleted, not out of
office that day) they ask `local_due` whether that time has just passed in the manager's zone,
then claim (job, workspace, "<manager>:<local date>") before sending, so each manager gets one
digest per day however many processes run the job. A digest Slack refused is marked failed and
sent again by the next run while it is still due (the one-hour grace).

Run by hand (`dealbell jobs run manager-digest-weekly`, not as scheduled), each manager not out of
office gets the digest now: the period before their local today as of the run's `now` (last week
for the weekly one), whatever the day and time, claiming nothing.

Unless the workspace turned charts off, the weekly digest gets a PNG in its thread: the open
pipeline by stage beside the last 8 weeks' revenue won (the manager's weeks), in the workspace
currency. It is uploaded after the digest is sent and recorded, and a chart that fails is only
logged: the digest is never lost or sent twice because of it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.kit import charts
from bot.kit.i18n import t
from bot.kit.views.digest import digest as render_digest
from bot.kit.views.leaderboard import day_text
from jobs.base import JobContext, JobServices, JobSpec, claim, finish
from jobs.leaderboard import last_weeks, thread_chart, trend
from storage.calendar import Calendar, away, calendar_around
from storage.goals import goal_attainment
from storage.metrics import FUNNEL, Digest, manager_digest
from storage.models import Member, Workspace
from storage.periods import member_zone
from storage.schedule import local_due
from storage.workspaces import managers

log = logging.getLogger(__name__)

DAILY, WEEKLY = "manager-digest-daily", "manager-digest-weekly"
AT = {DAILY: dt.time(8, 30), WEEKLY: dt.time(8, 0)}
KIND = {DAILY: "daily", WEEKLY: "weekly"}


def runs_on(name: str, days: Calendar, member: Member) -> Callable[[dt.date], bool]:
    """Daily: the member's workdays. Weekly: Mondays (holidays too), unless out of office."""
    if name == DAILY:
        return days.runs_on(member)
    return lambda day: day.weekday() == 0 and not away(member, day)


ChartCache = dict[tuple[str, dt.date, str], bytes | None]


async def digest_png(
    workspace: Workspace,
    numbers: Digest,
    zone: str,
    locale: str | None,
    until: dt.datetime,
    services: JobServices,
    cache: ChartCache,
) -> bytes | None:
    """Pipeline by stage beside the trend, drawn once per (zone, week, locale) in a run; None when
    there is neither an open deal nor a won one in the workspace currency."""
    key = (zone, numbers.period.start, locale or "")
    if key in cache:
        return cache[key]
    weeks = await trend(workspace, last_weeks(numbers.period), zone, until, services)
    at_stage = {s.stage: s for s in numbers.pipeline if s.currency == workspace.currency}
    bars = [
        charts.Bar(
            charts.stage_label(stage, locale),
            at_stage[stage].amount_minor if stage in at_stage else 0,
            at_stage[stage].count if stage in at_stage else 0,
        )
        for stage in FUNNEL[:-1]  # the open stages, in funnel order
    ]
    png = None
    if at_stage or any(w.minor for w in weeks):
        png = await asyncio.to_thread(charts.digest_chart, workspace.currency, bars, weeks, locale)
    cache[key] = png
    return png


async def send_digests(name: str, ctx: JobContext) -> int:
    """DM every manager whose digest is due at `ctx.now` (by hand: every manager); returns how many this run sent."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        people = await managers(session, workspace.id)
        days = await calendar_around(session, workspace, now)
    client = services.client_for(workspace)
    pngs: ChartCache = {}
    sent = 0
    for manager in people:
        zone = member_zone(manager, workspace)
        if ctx.on_schedule:
            day = local_due(now, zone, AT[name], runs_on(name, days, manager))
        else:  # an operator's run: everyone present, now
            day = now.astimezone(ZoneInfo(zone)).date()
            day = None if away(manager, day) else day
        if day is None:
            continue
        if await send_digest(name, ctx, manager, day, zone, client, pngs):
            sent += 1
    return sent


async def send_digest(
    name: str,
    ctx: JobContext,
    manager: Member,
    day: dt.date,
    zone: str,
    client: Any,
    pngs: ChartCache,
) -> bool:
    """One manager's digest for their local `day`: claimed first when on schedule; True when sent."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    key = f"{manager.slack_user_id}:{day.isoformat()}"
    run_id = None
    if ctx.on_schedule:
        run_id = await claim(services, name, workspace.id, key)
        if run_id is None:
            return False  # sent already, or being sent by another process
    try:
        async with services.db.session() as session:
            numbers = await manager_digest(session, workspace.id, workspace.currency, KIND[name], day, zone)
            goals = await goal_attainment(session, workspace, now)
        locale = manager.locale or workspace.locale
        text, blocks = render_digest(numbers, locale, goals)
        post = await client.chat_postMessage(channel=manager.slack_user_id, text=text, blocks=blocks)
    except Exception as exc:  # marked failed: the next run tries again while it is still due
        log.warning("%s for %s not sent: %s", name, key, type(exc).__name__)
        if run_id is not None:
            await finish(services, run_id, exc)
        return False
    if run_id is not None:
        await finish(services, run_id)
    if name == WEEKLY and workspace.charts_enabled:  # after the run is recorded: never sent twice
        await thread_chart(
            client,
            post,
            lambda: digest_png(workspace, numbers, zone, locale, now, services, pngs),
            filename=f"digest-{numbers.period.key}.png",
            title=t(locale, "charts_digest_title", week=day_text(numbers.period.start, locale)),
            job=name,
        )
    return True


async def send_daily_digests(ctx: JobContext) -> int:
    return await send_digests(DAILY, ctx)


async def send_weekly_digests(ctx: JobContext) -> int:
    return await send_digests(WEEKLY, ctx)


SPECS = (
    JobSpec(
        name=DAILY,
        function=send_daily_digests,
        cadence="day",
        cron={"minute": "*/5"},
        claim_period=False,  # each (manager, local day) is claimed on its own
        description="DM each manager yesterday's numbers at 08:30 their time on working days (every 5 minutes).",
    ),
    JobSpec(
        name=WEEKLY,
        function=send_weekly_digests,
        cadence="day",
        cron={"minute": "*/5"},
        claim_period=False,
        description="DM each manager last week's numbers at 08:00 their time on Mondays (every 5 minutes).",
    ),
)
