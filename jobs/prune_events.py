"""`prune-processed-events`: forget event ids older than Slack's retry window."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.events import forget_old_events
from storage.models import Workspace


async def prune_processed_events(workspace: Workspace, period: Period, services: JobServices) -> int:
    async with services.db.session() as session:
        return await forget_old_events(session, team_id=workspace.team_id)


JOB = JobSpec(
    name="prune-processed-events",
    function=prune_processed_events,
    cadence="day",
    cron={"hour": 4, "minute": 5},
    description="Delete event ids kept for retry de-duplication once they are two days old (daily 04:05).",
)
