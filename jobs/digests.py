"""Manager digests (placeholders until the feature lands)."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.models import Workspace


async def placeholder(workspace: Workspace, period: Period, services: JobServices) -> int:
    return 0


SPECS = tuple(
    JobSpec(name=name, function=placeholder, cadence="day", cron={"minute": "*/5"}, claim_period=False)
    for name in ("manager-digest-daily", "manager-digest-weekly")
)
