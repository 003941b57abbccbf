"""Standup jobs, each every 5 minutes, each claiming every message it sends in `job_runs`.

- `standup-prompt`: at the standup's time (the workspace's zone, or each participant's own),
  on its weekdays that are not holidays, DM each participant not out of office and not skipping;
  claim "<standup>:<member>:<local date>". A participant's `skip_next` is consumed there.
- `standup-reminder`: `reminder_minutes` after a prompt, once, to those who have not answered;
  claim "<standup>:<member>:<local date>".
- `standup-summary`: `cutoff_minutes` after the standup's time in the workspace's zone (also for a
  standup in each participant's own zone), post the summary in the standup's channel and DM the
  managers the blockers; claim "<standup>:<local date>". Later answers are appended to it. Each
  manager's blockers DM is claimed on its own too ("standup-blockers", "<run>:<manager>"), so a
  retry after one manager's DM failed tells only those not told yet.

Run by hand (`dealbell jobs run standup-prompt`, not as scheduled), the prompt asks every
participant of the standups that run on their local today at once, claiming nothing.

A send Slack refused marks its claim failed; the next run (while still due, within the hour's
grace) claims it again and retries, so however many processes run these, each goes out once.
"""

from __future__ import annotations

import logging

from bot.kit.views import standup_delivery as delivery
from bot.kit.views import standups as render
from jobs.base import JobContext, JobServices, JobSpec, claim, finish
from storage import standups, workspaces
from storage.models import Workspace
from storage.standups import RunReport

log = logging.getLogger(__name__)


async def send_prompts(ctx: JobContext) -> int:
    """Ask everyone whose standup time has just passed; returns how many were asked by this run."""
    if not ctx.on_schedule:
        return await prompt_everyone_today(ctx)
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        due = await standups.due_prompts(session, workspace, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        run_id = await claim(services, standups.PROMPT, workspace.id, item.key)
        if run_id is None:
            continue  # asked already, or being asked by another process
        try:
            async with services.db.session() as session:
                run = await standups.start_prompt(session, workspace.id, item, now)
            if run is not None:  # None: the member skips this one
                await delivery.send_prompt(
                    client, services.db, workspace, item.standup, run, item.member, now
                )
        except Exception as exc:  # marked failed: the next run tries again while it is still due
            log.warning("standup prompt %s not sent: %s", item.key, type(exc).__name__)
            await finish(services, run_id, exc)
            continue
        await finish(services, run_id)
        sent += run is not None
    return sent


async def prompt_everyone_today(ctx: JobContext) -> int:
    """An operator's run: ask every participant of today's standups now, claiming nothing."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        due = await standups.prompts_today(session, workspace, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        try:
            async with services.db.session() as session:
                run = await standups.ensure_run(session, workspace.id, item.standup.id, item.day, now)
            await delivery.send_prompt(client, services.db, workspace, item.standup, run, item.member, now)
        except Exception as exc:  # one unreachable participant does not stop the others
            log.warning("standup prompt %s not sent: %s", item.key, type(exc).__name__)
            continue
        sent += 1
    return sent


async def send_reminders(ctx: JobContext) -> int:
    """Remind, once, those asked `reminder_minutes` ago who have not answered; returns how many."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        due = await standups.due_reminders(session, workspace.id, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        run_id = await claim(services, standups.REMINDER, workspace.id, item.key)
        if run_id is None:
            continue
        try:
            async with services.db.session() as session:
                waiting = await standups.still_unanswered(session, item.run.id, item.member.id)
            if waiting:
                await delivery.send_reminder(client, workspace, item.standup, item.run, item.member)
                async with services.db.session() as session:
                    await standups.mark_reminded(session, item.run.id, item.member.id, now)
        except Exception as exc:
            log.warning("standup reminder %s not sent: %s", item.key, type(exc).__name__)
            await finish(services, run_id, exc)
            continue
        await finish(services, run_id)
        sent += waiting
    return sent


async def post_summaries(ctx: JobContext) -> int:
    """Post each summary now due and tell the managers its blockers; returns how many were posted."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        due = await standups.due_summaries(session, workspace, now)
    client = services.client_for(workspace)
    posted = 0
    for item in due:
        run_id = await claim(services, standups.SUMMARY, workspace.id, item.key)
        if run_id is None:
            continue
        try:
            report = await delivery.post_summary(client, services.db, workspace, item.run.id, now)
            if report is not None and not await tell_managers(services, workspace, report):
                raise BlockersNotSent(item.key)  # the summary is out; the retry tells who is left
        except Exception as exc:
            log.warning("standup summary %s not posted: %s", item.key, type(exc).__name__)
            await finish(services, run_id, exc)
            continue
        await finish(services, run_id)
        posted += 1
    return posted


BLOCKERS = "standup-blockers"  # the claim of each manager's blockers DM


class BlockersNotSent(Exception):
    """Some manager's blockers DM failed (and was marked so): the summary's claim fails too, for a retry."""


async def tell_managers(services: JobServices, workspace: Workspace, report: RunReport) -> bool:
    """DM each manager not told yet the run's blockers, claiming each DM; False if any failed."""
    if not report.blockers:
        return True
    async with services.db.session() as session:
        people = await workspaces.managers(session, workspace.id)
    client = services.client_for(workspace)
    all_sent = True
    for manager in people:
        run_id = await claim(services, BLOCKERS, workspace.id, f"{report.run.id}:{manager.slack_user_id}")
        if run_id is None:
            continue  # told already, or being told by another process
        try:
            text = render.blockers_dm(report, delivery.locale_of(manager, workspace))
            await client.chat_postMessage(channel=manager.slack_user_id, text=text)
        except Exception as exc:  # one unreachable manager does not stop the others
            log.warning(
                "standup blockers DM %s:%s not sent: %s", report.run.id, manager.id, type(exc).__name__
            )
            await finish(services, run_id, exc)
            all_sent = False
            continue
        await finish(services, run_id)
    return all_sent


EVERY_5_MINUTES = {"minute": "*/5"}
SPECS = (
    JobSpec(
        name="standup-prompt",
        function=send_prompts,
        cadence="day",
        cron=EVERY_5_MINUTES,
        claim_period=False,  # every 5 minutes; each prompt is claimed on its own instead
        description="DM each standup participant at the standup's local time (every 5 minutes; by hand: everyone in today's standups, now).",
    ),
    JobSpec(
        name="standup-reminder",
        function=send_reminders,
        cadence="day",
        cron=EVERY_5_MINUTES,
        claim_period=False,
        description="Remind, once, the participants who have not answered (every 5 minutes).",
    ),
    JobSpec(
        name="standup-summary",
        function=post_summaries,
        cadence="day",
        cron=EVERY_5_MINUTES,
        claim_period=False,
        description="Post each standup's summary at its cutoff and DM the managers its blockers (every 5 minutes).",
    ),
)
