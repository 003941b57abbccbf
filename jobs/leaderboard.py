"""`weekly-leaderboard` (placeholder until the feature lands)."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.models import Workspace


async def placeholder(workspace: Workspace, period: Period, services: JobServices) -> int:
    return 0


JOB = JobSpec(
    name="weekly-leaderboard",
    function=placeholder,
    cadence="week",
    cron={"day_of_week": "fri", "hour": 16, "minute": 0},
)
