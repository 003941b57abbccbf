"""`contest-announcements` (placeholder until the feature lands)."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.models import Workspace


async def placeholder(workspace: Workspace, period: Period, services: JobServices) -> int:
    return 0


JOB = JobSpec(name="contest-announcements", function=placeholder, cadence="day", cron={"minute": "*/15"})
