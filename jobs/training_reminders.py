"""`training-reminders`: every 5 minutes, remind the people going to a session a day and 15 minutes before.

Each (session, member, kind) reminder is claimed in `job_runs` before it is sent, so however many
processes run this job at once, and however often, each reminder goes out once.
"""

from __future__ import annotations

import logging

from bot.kit.views.training import reminder
from jobs.base import JobContext, JobSpec, claim, finish
from storage.periods import member_zone
from storage.training import due_reminders

log = logging.getLogger(__name__)

NAME = "training-reminders"
CLAIM = "training-reminder"  # the job name of each reminder's own claim


async def send_training_reminders(ctx: JobContext) -> int:
    """Send every reminder due at `ctx.now` that no one has sent yet; returns how many this run sent."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    async with services.db.session() as session:
        due = await due_reminders(session, workspace.id, now)
    client = services.client_for(workspace)
    sent = 0
    for item in due:
        run_id = await claim(services, CLAIM, workspace.id, item.key)
        if run_id is None:
            continue  # sent already, or being sent by another process
        member = item.member
        zone = member_zone(member, workspace)
        text = reminder(item.training, zone, member.locale or workspace.locale, now)
        try:
            await client.chat_postMessage(channel=member.slack_user_id, text=text)
        except Exception as exc:  # marked failed: the next run tries again while it is still due
            log.warning("training reminder %s not sent: %s", item.key, type(exc).__name__)
            await finish(services, run_id, exc)
            continue
        await finish(services, run_id)
        sent += 1
    return sent


JOB = JobSpec(
    name=NAME,
    function=send_training_reminders,
    cadence="day",
    cron={"minute": "*/5"},
    claim_period=False,  # it runs every 5 minutes; each reminder is claimed on its own instead
    description="DM the people going to a session a day and 15 minutes before it starts (every 5 minutes).",
)
