"""`follow-up-reminders`: every 5 minutes, DM each owner at 09:00 on their workdays, in their own zone.

The DM lists the owner's customers due or overdue for contact and their open deals past the
expected close date, with Done / Snooze / Open buttons (handlers/followups). Each owner's DM for a
local date is claimed in `job_runs` as (job, workspace, "<member id>:<date>") before it is sent, so
however many processes run this job, and however often, an owner gets one DM a day.

A DM goes out in the hour after 09:00 (the scheduler's grace). Slack refusing it marks the claim
failed, and the next run within that hour sends it again. Once the hour has passed, the day's DM
is not sent any more: that is claimed as "skipped" and logged, once.

Run by hand (`dealbell jobs run follow-up-reminders`, not as scheduled), every owner not out of
office who has something due on their local today is DMed at once, whatever the day and time,
claiming nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot.kit.views.followups import reminder
from jobs.base import JobContext, JobServices, JobSpec, claim, finish
from storage.calendar import away, calendar_around
from storage.followups import (
    due_items,
    owner_zone,
    owners_with_items,
    reminder_candidates,
    reminder_key,
)
from storage.jobruns import claim_run, skip_run, unclaimed_keys
from storage.models import Member, Workspace
from storage.schedule import DEFAULT_GRACE, local_due, local_moment

log = logging.getLogger(__name__)

NAME = "follow-up-reminders"
AT = dt.time(9, 0)  # in each owner's zone
GRACE = DEFAULT_GRACE  # the same hour the scheduler allows a late run
SEND_CONCURRENCY = 4  # DMs in flight at once; each 429 waits its Retry-After without holding up the rest


async def send_follow_up_reminders(ctx: JobContext) -> int:
    """DM every owner whose 09:00 just passed and who has something to follow up; returns DMs sent."""
    if not ctx.on_schedule:
        return await remind_everyone_now(ctx)
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        members = await reminder_candidates(session, workspace.id)
        days = await calendar_around(session, workspace, now)

    due: dict[int, tuple[Member, dt.date]] = {}
    late: dict[int, tuple[Member, dt.date]] = {}
    for member in members:
        zone = owner_zone(workspace, member)
        day = local_due(now, zone, AT, days.runs_on(member), GRACE)
        if day is not None:
            due[member.id] = (member, day)
            continue
        today = now.astimezone(ZoneInfo(zone)).date()
        if days.works(member, today) and local_moment(today, AT, zone) + GRACE <= now:
            late[member.id] = (member, today)
    if not due and not late:
        return 0

    everyone = {**due, **late}
    keys = {member_id: reminder_key(member_id, day) for member_id, (_, day) in everyone.items()}
    async with services.db.session() as session:
        # not yet claimed, failed, or left 'running' by a process that died (its lease ran out)
        open_keys = await unclaimed_keys(session, NAME, workspace.id, keys.values(), services.lease)
        unsent = {member_id: day for member_id, (_, day) in everyone.items() if keys[member_id] in open_keys}
        with_items = await owners_with_items(session, workspace.id, unsent)

    for member_id in sorted(with_items & late.keys()):
        member, day = late[member_id]
        await _skip(workspace, member, day, keys[member_id], services)

    semaphore = asyncio.Semaphore(SEND_CONCURRENCY)
    outcomes = await asyncio.gather(
        *(
            _send(workspace, due[member_id][0], due[member_id][1], keys[member_id], services, semaphore)
            for member_id in sorted(with_items & due.keys())
        ),
        return_exceptions=True,
    )
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]
    return sum(1 for o in outcomes if o is True)


async def remind_everyone_now(ctx: JobContext) -> int:
    """An operator's run: DM every owner present with something due on their local today, claiming nothing."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        members = await reminder_candidates(session, workspace.id)
        today = {m.id: now.astimezone(ZoneInfo(owner_zone(workspace, m))).date() for m in members}
        present = {m.id: m for m in members if not away(m, today[m.id])}
        with_items = await owners_with_items(session, workspace.id, {i: today[i] for i in present})
    semaphore = asyncio.Semaphore(SEND_CONCURRENCY)
    outcomes = await asyncio.gather(
        *(
            _send(workspace, present[member_id], today[member_id], None, services, semaphore)
            for member_id in sorted(with_items)
        ),
        return_exceptions=True,
    )
    return sum(1 for o in outcomes if o is True)


async def _skip(workspace: Workspace, member: Member, day: dt.date, key: str, services: JobServices) -> None:
    async with services.db.session() as session:  # claimed and marked skipped in one transaction
        run_id = await claim_run(session, NAME, workspace.id, key, services.claimant, services.lease)
        if run_id is None:
            return  # another process got there first
        await skip_run(session, run_id, "the 09:00 run came more than an hour late")
    log.info(
        "%s for %s: %s's reminder for %s skipped, 09:00 %s passed more than %s ago",
        NAME, workspace.team_id, member.slack_user_id, day.isoformat(), owner_zone(workspace, member), GRACE,
    )  # fmt: skip


async def _send(
    workspace: Workspace,
    member: Member,
    day: dt.date,
    key: str | None,
    services: JobServices,
    semaphore: asyncio.Semaphore,
) -> bool:
    """Claim (under `key`; None: an operator's run, unclaimed), then send, one owner's DM; True when sent."""
    async with semaphore:
        run_id = None
        if key is not None:
            run_id = await claim(services, NAME, workspace.id, key)
            if run_id is None:
                return False  # sent already, or being sent by another process
        async with services.db.session() as session:
            items = await due_items(session, workspace.id, member.id, day)
        if not items:  # handled in the meantime
            await _finish(services, run_id)
            return False
        text, blocks = reminder(items, day, member.locale or workspace.locale, owner_zone(workspace, member))
        try:
            await services.client_for(workspace).chat_postMessage(
                channel=member.slack_user_id, text=text, blocks=blocks
            )
        except Exception as exc:  # marked failed: the next run tries again while it is still due
            log.warning("%s for %s: %s not sent: %s", NAME, workspace.team_id, key, type(exc).__name__)
            await _finish(services, run_id, exc)
            return False
        await _finish(services, run_id)
        return True


async def _finish(services: JobServices, run_id: int | None, error: BaseException | None = None) -> None:
    if run_id is not None:
        await finish(services, run_id, error)


JOB = JobSpec(
    name=NAME,
    function=send_follow_up_reminders,
    cadence="day",
    cron={"minute": "*/5"},
    claim_period=False,  # it runs every 5 minutes; each owner's DM is claimed on its own instead
    description="DM each owner their customers and deals due for follow-up, at 09:00 on workdays in their zone.",
)
