"""APScheduler wiring: one cron job per (job, workspace), in the workspace's time zone.

APScheduler 3 keeps its jobs in memory in each process; the claim in `run_job` is what makes
several processes (or a restart) post once per period.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from storage.workspaces import get_workspace_by_id, list_workspaces

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600  # a restart within the hour still posts, once
SYNC_MINUTES = 5  # how soon a new workspace or a changed time zone is picked up


def build_scheduler(services: JobServices, misfire_grace: int = MISFIRE_GRACE_SECONDS) -> AsyncIOScheduler:
    """A scheduler (not started: start it inside the running event loop)."""
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"misfire_grace_time": misfire_grace, "coalesce": True, "max_instances": 1},
    )
    scheduler.add_job(
        sync_workspace_jobs,
        "interval",
        minutes=SYNC_MINUTES,
        args=(scheduler, services),
        id="sync-workspace-jobs",
        replace_existing=True,
    )
    return scheduler


async def sync_workspace_jobs(scheduler: AsyncIOScheduler, services: JobServices) -> int:
    """Add each workspace's jobs, and re-add those whose workspace changed time zone; returns changes."""
    async with services.db.session() as session:
        workspaces = await list_workspaces(session)
    changes = 0
    for workspace in workspaces:
        for spec in JOBS.values():
            job_id = f"{spec.name}:{workspace.id}"
            existing = scheduler.get_job(job_id)
            if existing is not None and existing.kwargs.get("timezone") == workspace.timezone:
                continue
            scheduler.add_job(
                run_scheduled,
                trigger=spec.trigger(workspace.timezone),
                kwargs={"name": spec.name, "workspace_id": workspace.id, "timezone": workspace.timezone},
                args=(services,),
                id=job_id,
                name=job_id,
                replace_existing=True,
            )
            changes += 1
    return changes


async def run_scheduled(services: JobServices, *, name: str, workspace_id: int, timezone: str) -> None:
    async with services.db.session() as session:
        workspace = await get_workspace_by_id(session, workspace_id)
    if workspace is None or workspace.uninstalled_at is not None:
        return  # deleted, or uninstalled: no token to post with until it is installed again
    await run_job(JOBS[name], workspace, services, as_scheduled=True)
