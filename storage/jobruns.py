"""Exactly-once claims for scheduled runs, shared by every process on the same database."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.models import JobRun, utcnow


async def claim_run(
    session: AsyncSession, job: str, workspace_id: int, period_key: str, claimant: str
) -> int | None:
    """Insert the claim row; the id for the one process that got it, None for everyone else.

    A run that failed may be claimed again in the same period, so a retry (by an operator or a
    restarted process) can still deliver what the failure lost.
    """
    result = await session.execute(
        insert_ignoring_conflicts(session, JobRun.__table__, ["job", "workspace_id", "period_key"])
        .values(
            job=job,
            workspace_id=workspace_id,
            period_key=period_key,
            claimed_by=claimant[:200],
            status="running",
            claimed_at=utcnow(),
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
            JobRun.status == "failed",
        )
        .values(
            status="running", claimed_by=claimant[:200], claimed_at=utcnow(), finished_at=None, error=None
        )
        .returning(JobRun.id)
    )
    return retried.scalar()


async def finish_run(session: AsyncSession, run_id: int, error: str | None = None) -> None:
    await session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status="failed" if error else "done", finished_at=utcnow(), error=error)
    )


async def runs_of(session: AsyncSession, job: str, workspace_id: int) -> list[JobRun]:
    return list(
        await session.scalars(
            select(JobRun).where(JobRun.job == job, JobRun.workspace_id == workspace_id).order_by(JobRun.id)
        )
    )
