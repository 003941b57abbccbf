"""`contest-announcements`: every 15 minutes, announce each contest's start, mid-point and winners once.

Each announcement is claimed in `job_runs` as (contest-announcements, workspace, "<id>:start|mid|end")
before it is posted, so however many processes run the job, and however often, each goes out once.
A process that was down catches up: what is due is posted on the next run (see
`storage.contests.due_announcements`: the start and mid-point only while the contest still runs,
the winners up to 30 days after the end). A post Slack refused is marked failed and retried.
"""

from __future__ import annotations

import logging

from bot.kit.views import contests as view
from jobs.base import JobContext, JobServices, JobSpec, claim, finish
from storage import contests
from storage.models import Contest, Workspace
from storage.periods import workspace_zone

log = logging.getLogger(__name__)

NAME = "contest-announcements"


async def announce_contests(ctx: JobContext) -> int:
    """Post every announcement due at `ctx.now` that no process has posted yet; returns how many this run posted."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    zone = workspace_zone(workspace)
    async with services.db.session() as session:
        watched = await contests.contests_to_watch(session, workspace.id, now, zone)
    posted = 0
    for contest in watched:
        if not contest.channel_id:
            continue
        for kind in contests.due_announcements(contest, zone, now):
            if await _announce(workspace, contest, kind, zone, services):
                posted += 1
    return posted


async def _announce(
    workspace: Workspace, contest: Contest, kind: str, zone: str, services: JobServices
) -> bool:
    key = f"{contest.id}:{kind}"
    run_id = await claim(services, NAME, workspace.id, key)
    if run_id is None:
        return False  # posted already, or being posted by another process
    try:
        async with services.db.session() as session:
            if kind == "start":
                text, blocks = view.start_announcement(contest, workspace.currency, zone, workspace.locale)
            else:
                standings = await contests.standings(session, workspace, contest)
                message = view.mid_announcement if kind == "mid" else view.end_announcement
                text, blocks = message(standings, zone, workspace.locale)
        await services.client_for(workspace).chat_postMessage(
            channel=contest.channel_id, text=text, blocks=blocks
        )
    except Exception as exc:  # marked failed: the next run tries again while it is still due
        log.warning("contest announcement %s not posted: %s", key, type(exc).__name__)
        await finish(services, run_id, exc)
        return False
    await finish(services, run_id)
    return True


JOB = JobSpec(
    name=NAME,
    function=announce_contests,
    cadence="day",
    cron={"minute": "*/15"},
    claim_period=False,  # it runs every 15 minutes; each announcement is claimed on its own instead
    description="Announce each contest's start, mid-point standings and winners in its channel (every 15 minutes).",
)
