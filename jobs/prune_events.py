"""`prune-processed-events`: forget event ids older than Slack's retry window."""

from __future__ import annotations

from jobs.base import JobContext, JobSpec
from storage.events import forget_old_events


async def prune_processed_events(ctx: JobContext) -> int:
    async with ctx.services.db.session() as session:
        return await forget_old_events(session, team_id=ctx.workspace.team_id, now=ctx.now)


JOB = JobSpec(
    name="prune-processed-events",
    function=prune_processed_events,
    cadence="day",
    cron={"hour": 4, "minute": 5},
    description="Delete event ids kept for retry de-duplication once they are two days old (daily 04:05).",
)
