"""Standup jobs, each every 5 minutes, each claiming every message it sends in `job_runs`.

- `standup-prompt`: at the standup's time (the workspace's zone, or each participant's own),
  on its weekdays that are not holidays, DM each participant not out of office and not skipping;
  claim "<standup>:<member>:<local date>". A participant's `skip_next` is consumed there.
- `standup-reminder`: `reminder_minutes` after a prompt, once, to those who have not answered;
  claim "<standup>:<member>:<local date>".
- `standup-summary`: `cutoff_minutes` after the standup's time in the workspace's zone (also for a
  standup in each participant's own zone), post the summary in the standup's channel and DM the
  managers the blockers; claim "<standup>:<local date>". Later answers are appended to it.

A send Slack refused marks its claim failed; the next run (while still due, within the hour's
grace) claims it again and retries, so however many processes run these, each goes out once.
"""

from __future__ import annotations

import logging

from bot.views import standup_delivery as delivery
from jobs.base import JobServices, JobSpec, Period
from storage import standups
from storage.jobruns import claim_run, finish_run
from storage.models import Workspace, utcnow

log = logging.getLogger(__name__)


async def _claim(services: JobServices, job: str, workspace: Workspace, key: str) -> int | None:
    async with services.db.session() as session:
        return await claim_run(session, job, workspace.id, key, services.claimant)


async def _finish(services: JobServices, run_id: int, exc: Exception | None = None) -> None:
    async with services.db.session() as session:
        await finish_run(session, run_id, error=f"{type(exc).__name__}: {exc}"[:2000] if exc else None)


async def send_prompts(workspace: Workspace, period: Period, services: JobServices) -> int:
    """Ask everyone whose standup time has just passed; returns how many were asked by this run."""
    now = utcnow()
    async with services.db.session() as session:
        due = await standups.due_prompts(session, workspace, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        claim = await _claim(services, standups.PROMPT, workspace, item.key)
        if claim is None:
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
            await _finish(services, claim, exc)
            continue
        await _finish(services, claim)
        sent += run is not None
    return sent


async def send_reminders(workspace: Workspace, period: Period, services: JobServices) -> int:
    """Remind, once, those asked `reminder_minutes` ago who have not answered; returns how many."""
    now = utcnow()
    async with services.db.session() as session:
        due = await standups.due_reminders(session, workspace.id, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        claim = await _claim(services, standups.REMINDER, workspace, item.key)
        if claim is None:
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
            await _finish(services, claim, exc)
            continue
        await _finish(services, claim)
        sent += waiting
    return sent


async def post_summaries(workspace: Workspace, period: Period, services: JobServices) -> int:
    """Post each summary now due and tell the managers its blockers; returns how many were posted."""
    now = utcnow()
    async with services.db.session() as session:
        due = await standups.due_summaries(session, workspace, now)
    client = services.client_for(workspace)
    posted = 0
    for item in due:
        claim = await _claim(services, standups.SUMMARY, workspace, item.key)
        if claim is None:
            continue
        try:
            report = await delivery.post_summary(client, services.db, workspace, item.run.id)
            if report is not None:
                await delivery.tell_managers(client, services.db, workspace, report)
        except Exception as exc:
            log.warning("standup summary %s not posted: %s", item.key, type(exc).__name__)
            await _finish(services, claim, exc)
            continue
        await _finish(services, claim)
        posted += 1
    return posted


EVERY_5_MINUTES = {"minute": "*/5"}
SPECS = (
    JobSpec(
        name="standup-prompt",
        function=send_prompts,
        cadence="day",
        cron=EVERY_5_MINUTES,
        claim_period=False,  # every 5 minutes; each prompt is claimed on its own instead
        description="DM each standup participant at the standup's local time (every 5 minutes).",
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
