"""Run one job for one workspace: the single path shared by the scheduler, the CLI and the tests."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from jobs.base import JobServices, JobSpec, Period
from storage.jobruns import claim_run, finish_run
from storage.models import Workspace, utcnow

log = logging.getLogger(__name__)

# How far back a late run may look for the fire time it stands for (the scheduler's misfire grace
# is shorter; the CLI's `--as-scheduled` uses this to find "this period's" run).
# Each is a little longer than the longest such period (a 25-hour day when clocks go back).
LOOKBACK = {
    "day": dt.timedelta(hours=27),
    "week": dt.timedelta(days=7, hours=3),
    "month": dt.timedelta(days=31, hours=3),
}


@dataclass(frozen=True)
class RunOutcome:
    job: str
    team_id: str
    period: Period
    status: str  # "ran", "skipped" (another process holds the claim) or "failed"
    result: Any = None


async def run_job(
    spec: JobSpec,
    workspace: Workspace,
    services: JobServices,
    *,
    as_scheduled: bool,
    now: dt.datetime | None = None,
) -> RunOutcome:
    """Run `spec` for `workspace`. As scheduled, only the process that claims the period runs it."""
    now = now or utcnow()
    period = spec.period_for(workspace.timezone, now, LOOKBACK[spec.cadence])
    run_id = None
    if as_scheduled and spec.claim_period:
        async with services.db.session() as session:
            run_id = await claim_run(session, spec.name, workspace.id, period.key, services.claimant)
        if run_id is None:
            log.info("%s for %s %s: claimed elsewhere, skipping", spec.name, workspace.team_id, period.key)
            return _told(services, RunOutcome(spec.name, workspace.team_id, period, "skipped"))
    try:
        result = await spec.function(workspace, period, services)
    except Exception as exc:
        log.exception("%s for %s %s failed", spec.name, workspace.team_id, period.key)
        if run_id is not None:
            async with services.db.session() as session:
                await finish_run(session, run_id, error=f"{type(exc).__name__}: {exc}"[:2000])
        return _told(services, RunOutcome(spec.name, workspace.team_id, period, "failed"))
    if run_id is not None:
        async with services.db.session() as session:
            await finish_run(session, run_id)
    log.info("%s for %s %s: done", spec.name, workspace.team_id, period.key)
    return _told(services, RunOutcome(spec.name, workspace.team_id, period, "ran", result))


def _told(services: JobServices, outcome: RunOutcome) -> RunOutcome:
    if services.on_outcome is not None:
        services.on_outcome(outcome.job, outcome.status)
    return outcome
