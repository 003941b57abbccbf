"""Manager digests: a DM to each manager, in the manager's own time zone.

`manager-digest-daily` at 08:30 on the workspace's working days (not on holidays): yesterday's
numbers. `manager-digest-weekly` at 08:00 on Mondays: last ISO week's. Both run every 5 minutes;
for each manager (role manager or workspace admin/owner; not bots, not deleted, not out of
office that day) they ask `local_due` whether that time has just passed in the manager's zone,
then claim (job, workspace, "<manager>:<local date>") before sending, so each manager gets one
digest per day however many processes run the job. A digest Slack refused is marked failed and
sent again by the next run while it is still due (the one-hour grace).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import or_, select

from bot.views.digest import digest as render_digest
from jobs.base import JobServices, JobSpec, Period
from storage.goals import goal_attainment
from storage.jobruns import claim_run, finish_run
from storage.leaderboard import zone_of
from storage.metrics import manager_digest
from storage.models import Holiday, Member, Role, Workspace, utcnow
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


async def send_digests(name: str, workspace: Workspace, services: JobServices) -> int:
    """DM every manager whose digest time just passed; returns how many this run sent."""
    now = utcnow()
    managers = await managers_of(workspace.id, services)  # the SQL form of Member.is_manager
    if not managers:
        return 0
    holidays = await holidays_near(workspace.id, now, services) if name == DAILY else set()
    client = services.client_for(workspace)
    sent = 0
    for manager in managers:
        zone = zone_of(manager, workspace)
        day = local_due(now, zone, AT[name], runs_on(name, workspace, manager, holidays))
        if day is None:
            continue
        key = f"{manager.slack_user_id}:{day.isoformat()}"
        async with services.db.session() as session:
            run_id = await claim_run(session, name, workspace.id, key, services.claimant)
        if run_id is None:
            continue  # sent already, or being sent by another process
        try:
            async with services.db.session() as session:
                numbers = await manager_digest(
                    session, workspace.id, workspace.currency, KIND[name], day, zone
                )
                goals = await goal_attainment(session, workspace, now)
            text, blocks = render_digest(numbers, manager.locale or workspace.locale, goals)
            await client.chat_postMessage(channel=manager.slack_user_id, text=text, blocks=blocks)
        except Exception as exc:  # marked failed: the next run tries again while it is still due
            log.warning("%s for %s not sent: %s", name, key, type(exc).__name__)
            async with services.db.session() as session:
                await finish_run(session, run_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            continue
        async with services.db.session() as session:
            await finish_run(session, run_id)
        sent += 1
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
