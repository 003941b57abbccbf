"""`award-nominations` (placeholder until the feature lands)."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.models import Workspace


async def placeholder(workspace: Workspace, period: Period, services: JobServices) -> int:
    return 0


JOB = JobSpec(
    name="award-nominations",
    function=placeholder,
    cadence="month",
    cron={"day": "1-7", "day_of_week": "mon-fri", "hour": 9, "minute": 0},
)
