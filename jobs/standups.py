"""Standup jobs (placeholders until the feature lands)."""

from __future__ import annotations

from jobs.base import JobServices, JobSpec, Period
from storage.models import Workspace


async def placeholder(workspace: Workspace, period: Period, services: JobServices) -> int:
    return 0


EVERY_5_MINUTES = {"minute": "*/5"}
SPECS = tuple(
    JobSpec(name=name, function=placeholder, cadence="day", cron=EVERY_5_MINUTES, claim_period=False)
    for name in ("standup-prompt", "standup-reminder", "standup-summary")
)
