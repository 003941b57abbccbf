"""Run one job for one workspace: the single path shared by the scheduler, the CLI and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from jobs.base import JobContext, JobServices, JobSpec, Period, finish
from storage.jobruns import claim_run, renew_claims
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
    on_schedule: bool | None = None,
) -> RunOutcome:
    """Run `spec` for `workspace` as of `now` (default: the wall clock, read here and nowhere below).

    As scheduled, the run stands for the latest fire time at or before `now`, and only the process
    that claims that period runs it. Otherwise it is an operator's run: by default "do it now for
    everyone it concerns" (`on_schedule=False`) in the period containing `now`, claiming nothing;
    the sandbox passes `on_schedule=True` to see what the schedule would do at its clock's time.
    """
    now = now or utcnow()
    on_schedule = as_scheduled if on_schedule is None else on_schedule
    if as_scheduled or on_schedule:
        period = spec.period_for(workspace.timezone, now, LOOKBACK[spec.cadence])
    else:
        period = Period.containing(spec.cadence, now, workspace.timezone)
    run_id = None
    if as_scheduled and spec.claim_period:
        async with services.db.session() as session:
            run_id = await claim_run(
                session, spec.name, workspace.id, period.key, services.claimant, services.lease
            )
        if run_id is None:
            log.info("%s for %s %s: claimed elsewhere, skipping", spec.name, workspace.team_id, period.key)
            return _told(services, RunOutcome(spec.name, workspace.team_id, period, "skipped"))
    context = JobContext(workspace, now, period, services, on_schedule=on_schedule)
    try:
        async with heartbeat(services):
            result = await spec.function(context)
    except Exception as exc:
        log.exception("%s for %s %s failed", spec.name, workspace.team_id, period.key)
        if run_id is not None:
            await finish(services, run_id, exc)
        return _told(services, RunOutcome(spec.name, workspace.team_id, period, "failed"))
    if run_id is not None:
        await finish(services, run_id)
    log.info("%s for %s %s: done", spec.name, workspace.team_id, period.key)
    return _told(services, RunOutcome(spec.name, workspace.team_id, period, "ran", result))


@contextlib.asynccontextmanager
async def heartbeat(services: JobServices) -> AsyncIterator[None]:
    """While the job runs, renew every claim this process holds (the run's own, and those a job
    takes per message), so none outlives `services.lease` while its holder is alive."""
    task = asyncio.create_task(_renew_forever(services))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _renew_forever(services: JobServices) -> None:
    interval = services.lease.total_seconds() / 3  # two beats may be missed before the lease runs out
    while True:
        await asyncio.sleep(interval)
        try:
            async with services.db.session() as session:
                await renew_claims(session, services.claimant)
        except Exception as exc:  # the database is away: the next beat tries again
            log.warning("renewing the job claims of %s failed: %s", services.claimant, type(exc).__name__)


def _told(services: JobServices, outcome: RunOutcome) -> RunOutcome:
    if services.on_outcome is not None:
        services.on_outcome(outcome.job, outcome.status)
    return outcome
