"""Manager digests: a DM to each manager, in the manager's own time zone.

`manager-digest-daily` at 08:30 on the workspace's working days (not on holidays): yesterday's
numbers. `manager-digest-weekly` at 08:00 on Mondays: last ISO week's. Both run every 5 minutes;
for each manager (role manager or workspace admin/owner; not bots, not deleted, not out of
office that day) they ask `local_due` whether that time has just passed in the manager's zone,
then claim (job, workspace, "<manager>:<local date>") before sending, so each manager gets one
digest per day however many processes run the job. A digest Slack refused is marked failed and
sent again by the next run while it is still due (the one-hour grace).

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

from sqlalchemy import or_, select

from bot.kit import charts
from bot.kit.i18n import t
from bot.kit.views.digest import digest as render_digest
from bot.kit.views.leaderboard import day_text
from jobs.base import JobServices, JobSpec, Period, claim, finish
from jobs.leaderboard import last_weeks, thread_chart, trend
from storage.goals import goal_attainment
from storage.metrics import FUNNEL, Digest, manager_digest
from storage.models import Holiday, Member, Role, Workspace, utcnow
from storage.periods import member_zone
from storage.schedule import local_due

log = logging.getLogger(__name__)

DAILY, WEEKLY = "manager-digest-daily", "manager-digest-weekly"
AT = {DAILY: dt.time(8, 30), WEEKLY: dt.time(8, 0)}
KIND = {DAILY: "daily", WEEKLY: "weekly"}


async def managers_of(workspace_id: int, services: JobServices) -> list[Member]:
    async with services.db.session() as session:
        return list(
            await session.scalars(
                select(Member)
                .where(
                    Member.workspace_id == workspace_id,
                    Member.deleted.is_(False),
                    Member.is_bot.is_(False),
                    or_(
                        Member.role == Role.MANAGER.value,
                        Member.is_admin.is_(True),
                        Member.is_owner.is_(True),
                    ),
                )
                .order_by(Member.id)
            )
        )


async def holidays_near(workspace_id: int, now: dt.datetime, services: JobServices) -> set[dt.date]:
    """The workspace's holidays around today (every zone's today is within a day of UTC's)."""
    today = now.date()
    async with services.db.session() as session:
        return set(
            await session.scalars(
                select(Holiday.day).where(
                    Holiday.workspace_id == workspace_id,
                    Holiday.day >= today - dt.timedelta(days=2),
                    Holiday.day <= today + dt.timedelta(days=2),
                )
            )
        )


def runs_on(
    name: str, workspace: Workspace, member: Member, holidays: set[dt.date]
) -> Callable[[dt.date], bool]:
    def daily(day: dt.date) -> bool:
        return (
            day.weekday() in workspace.working_weekdays
            and day not in holidays
            and not member.out_of_office(day)
        )

    def weekly(day: dt.date) -> bool:
        return day.weekday() == 0 and not member.out_of_office(day)

    return daily if name == DAILY else weekly


ChartCache = dict[tuple[str, dt.date, str], bytes | None]


async def digest_png(
    workspace: Workspace,
    numbers: Digest,
    zone: str,
    locale: str | None,
    services: JobServices,
    cache: ChartCache,
) -> bytes | None:
    """Pipeline by stage beside the trend, drawn once per (zone, week, locale) in a run; None when
    there is neither an open deal nor a won one in the workspace currency."""
    key = (zone, numbers.period.start, locale or "")
    if key in cache:
        return cache[key]
    weeks = await trend(workspace, last_weeks(numbers.period), zone, utcnow(), services)
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


async def send_digests(name: str, workspace: Workspace, services: JobServices) -> int:
    """DM every manager whose digest time just passed; returns how many this run sent."""
    now = utcnow()
    managers = await managers_of(workspace.id, services)  # the SQL form of Member.is_manager
    if not managers:
        return 0
    holidays = await holidays_near(workspace.id, now, services) if name == DAILY else set()
    client = services.client_for(workspace)
    pngs: ChartCache = {}
    sent = 0
    for manager in managers:
        zone = member_zone(manager, workspace)
        day = local_due(now, zone, AT[name], runs_on(name, workspace, manager, holidays))
        if day is None:
            continue
        key = f"{manager.slack_user_id}:{day.isoformat()}"
        run_id = await claim(services, name, workspace.id, key)
        if run_id is None:
            continue  # sent already, or being sent by another process
        try:
            async with services.db.session() as session:
                numbers = await manager_digest(
                    session, workspace.id, workspace.currency, KIND[name], day, zone
                )
                goals = await goal_attainment(session, workspace, now)
            locale = manager.locale or workspace.locale
            text, blocks = render_digest(numbers, locale, goals)
            post = await client.chat_postMessage(channel=manager.slack_user_id, text=text, blocks=blocks)
        except Exception as exc:  # marked failed: the next run tries again while it is still due
            log.warning("%s for %s not sent: %s", name, key, type(exc).__name__)
            await finish(services, run_id, exc)
            continue
        await finish(services, run_id)
        sent += 1
        if name == WEEKLY and workspace.charts_enabled:  # after the run is recorded: never sent twice
            await thread_chart(
                client,
                post,
                lambda: digest_png(workspace, numbers, zone, locale, services, pngs),  # noqa: B023 awaited at once
                filename=f"digest-{numbers.period.key}.png",
                title=t(locale, "charts_digest_title", week=day_text(numbers.period.start, locale)),
                job=name,
            )
    return sent


async def send_daily_digests(workspace: Workspace, period: Period, services: JobServices) -> int:
    return await send_digests(DAILY, workspace, services)


async def send_weekly_digests(workspace: Workspace, period: Period, services: JobServices) -> int:
    return await send_digests(WEEKLY, workspace, services)


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
