"""Exactly-once claims for scheduled runs, shared by every process on the same database.

A claim is a lease: while its job runs, the process that holds it renews `claimed_at` (the
heartbeat in jobs/runner.py). A 'running' claim not renewed for `lease` belongs to a process that
died (killed, OOM, lost its host); any process may then take it over and run what it stood for.

This is the only module that writes `job_runs`. Its timestamps are the wall clock on purpose: a
lease measures how long a process has been silent, not the moment a run stands for (a replay
`--at` last Monday still holds its claim for two minutes of real time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.models import JobRun, utcnow

# How long a 'running' claim outlives its last heartbeat. Far longer than the heartbeat interval
# (a third of it), so a busy event loop or a slow database does not hand a live run to another.
CLAIM_LEASE = dt.timedelta(minutes=2)


def _claimable(lease: dt.timedelta, now: dt.datetime) -> ColumnElement[bool]:
    """A claim another process may take: its run failed, or its holder stopped renewing it."""
    return or_(
        JobRun.status == "failed",
        and_(JobRun.status == "running", JobRun.claimed_at < now - lease),
    )


async def claim_run(
    session: AsyncSession,
    job: str,
    workspace_id: int,
    period_key: str,
    claimant: str,
    lease: dt.timedelta = CLAIM_LEASE,
) -> int | None:
    """Insert the claim row; the id for the one process that got it, None for everyone else.

    A run that failed may be claimed again in the same period, so a retry (by an operator or a
    restarted process) can still deliver what the failure lost; so may a run whose holder stopped
    renewing it for `lease`. The conditional UPDATE lets only one process take such a claim over
    (PostgreSQL re-checks the condition on the row it waited for; SQLite runs one writer at a time).
    """
    now = utcnow()
    result = await session.execute(
        insert_ignoring_conflicts(session, JobRun.__table__, ["job", "workspace_id", "period_key"])
        .values(
            job=job,
            workspace_id=workspace_id,
            period_key=period_key,
            claimed_by=claimant[:200],
            status="running",
            claimed_at=now,
        )
        .returning(JobRun.id)
    )
    run_id = result.scalar()
    if run_id is not None:
        return run_id
    retried = await session.execute(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.workspace_id == workspace_id,
            JobRun.period_key == period_key,
            _claimable(lease, now),
        )
        .values(status="running", claimed_by=claimant[:200], claimed_at=now, finished_at=None, error=None)
        .returning(JobRun.id)
    )
    return retried.scalar()


async def renew_claims(session: AsyncSession, claimant: str) -> int:
    """The heartbeat: every claim `claimant` holds and has not finished is alive as of now."""
    result = await session.execute(
        update(JobRun)
        .where(JobRun.claimed_by == claimant[:200], JobRun.status == "running")
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def unclaimed_keys(
    session: AsyncSession,
    job: str,
    workspace_id: int,
    keys: Iterable[str],
    lease: dt.timedelta = CLAIM_LEASE,
) -> set[str]:
    """Which of `keys` `claim_run` could claim now: never claimed, failed, or left by a dead process."""
    keys = set(keys)
    if not keys:
        return set()
    taken = await session.scalars(
        select(JobRun.period_key).where(
            JobRun.job == job,
            JobRun.workspace_id == workspace_id,
            JobRun.period_key.in_(keys),
            ~_claimable(lease, utcnow()),
        )
    )
    return keys - set(taken)


async def finish_run(
    session: AsyncSession, run_id: int, claimant: str, error: BaseException | None = None
) -> bool:
    """Mark the run done, or failed with `error` (so a later run may claim it again). Only while
    `claimant` still holds it: a holder that stalled past its lease and lost the claim to another
    process must not mark that process's run finished. True when the run was marked."""
    result = await session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.claimed_by == claimant[:200], JobRun.status == "running")
        .values(
            status="failed" if error else "done",
            finished_at=utcnow(),
            error=f"{type(error).__name__}: {error}"[:2000] if error else None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def skip_run(session: AsyncSession, run_id: int, reason: str) -> None:
    """Close a claim without running it: its moment passed (kept, so that it is skipped once)."""
    await session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status="skipped", finished_at=utcnow(), error=reason[:2000])
        .execution_options(synchronize_session=False)
    )
