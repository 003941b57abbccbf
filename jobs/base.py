"""What every job shares: its context (the clock, the period, the workspace, the services) and its schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from slack_sdk.web.async_client import AsyncWebClient

from storage.db import Database
from storage.jobruns import CLAIM_LEASE, claim_run, finish_run
from storage.models import Deal, Member, Workspace
from storage.periods import Period


@dataclass
class JobServices:
    """What a job may use; the scheduler, the CLI and tests each build one."""

    db: Database
    client_for: Callable[[Workspace], AsyncWebClient]
    claimant: str = "dealbell"
    # told (job name, "ran" | "skipped" | "failed") after each run: the server counts them in /metrics
    on_outcome: Callable[[str, str], None] | None = None
    # how long a claim outlives its holder's last heartbeat (storage/jobruns.py); short in tests
    lease: dt.timedelta = CLAIM_LEASE
    # what CRM sync (jobs/crm_sync.py) needs from the root: the key CRM credentials are sealed with, and
    # the win's celebration, posted exactly as `/deal won` posts it (handlers are out of a job's reach)
    secret_key: bytes | None = None
    on_win: Callable[[Workspace, Deal, Member], Awaitable[None]] | None = None


@dataclass(frozen=True)
class JobContext:
    """One run of a job. A job reads the time only from `now`: the scheduler gives it the moment it
    runs, `dealbell jobs run --at` a moment to replay, the sandbox its Scheduler panel's clock."""

    workspace: Workspace
    now: dt.datetime  # aware; the moment this run stands for
    period: Period
    services: JobServices
    # False: "do it now for everyone it concerns" (an operator's `dealbell jobs run NAME`), whatever
    # the time of day and without the claims a schedule takes. True: only what is due at `now`.
    on_schedule: bool = True

    @classmethod
    def at(
        cls, workspace: Workspace, now: dt.datetime, services: JobServices, cadence: str = "day", **kw: Any
    ) -> JobContext:
        """A context for `now` in the period of `cadence` that contains it (tests, the sandbox)."""
        return cls(workspace, now, Period.containing(cadence, now, workspace.timezone), services, **kw)


JobFunction = Callable[[JobContext], Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    cadence: str  # the Period kind that makes a run unique
    cron: dict[str, Any] = field(default_factory=dict)  # CronTrigger fields, in the workspace's zone
    description: str = ""
    # False for jobs that run many times a period and claim each thing they send themselves.
    claim_period: bool = True

    def trigger(self, timezone: str) -> CronTrigger:
        return CronTrigger(timezone=ZoneInfo(timezone), **self.cron)

    def scheduled_time(self, timezone: str, now: dt.datetime, lookback: dt.timedelta) -> dt.datetime | None:
        """The latest fire time at or before `now`, within `lookback`: what a late run stands for.

        A run delayed past midnight by a restart must still count for the day it was scheduled in.
        """
        trigger = self.trigger(timezone)
        latest = None
        fire = trigger.get_next_fire_time(None, now - lookback)
        while fire is not None and fire <= now:
            latest = fire
            # Pass `now`, as APScheduler does: `fire + 1s` is wall-clock arithmetic that drops `fold`,
            # so in a repeated hour (03:15 twice when EET ends) it went back an hour and looped forever.
            fire = trigger.get_next_fire_time(fire, now)
        return latest

    def period_for(self, timezone: str, now: dt.datetime, lookback: dt.timedelta) -> Period:
        moment = self.scheduled_time(timezone, now, lookback) or now
        return Period.containing(self.cadence, moment, timezone)


async def claim(services: JobServices, job: str, workspace_id: int, key: str) -> int | None:
    """Claim (job, workspace, key) for this process, in a transaction of its own: the run's id, or
    None when it was done already or another process holds it."""
    async with services.db.session() as session:
        return await claim_run(session, job, workspace_id, key, services.claimant, services.lease)


async def finish(services: JobServices, run_id: int, error: BaseException | None = None) -> None:
    """Mark a claimed run done, or failed with `error` so that a later run tries again."""
    async with services.db.session() as session:
        await finish_run(session, run_id, services.claimant, error)
