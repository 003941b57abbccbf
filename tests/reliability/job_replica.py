"""A dealbell replica in a process of its own that runs one scheduled job for one workspace, as the
scheduler would (claim, heartbeat, run), so a test can SIGKILL it in the middle.

    python -m tests.reliability.job_replica DATABASE_URL SLACK_API_URL TEAM_ID JOB NOW LEASE_SECONDS

It prints "claimant <name>" once started, then the run's outcome if it lives that long.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

from slack_sdk.web.async_client import AsyncWebClient

from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from storage.db import Database
from storage.workspaces import get_workspace


async def main(database_url: str, api_url: str, team_id: str, job: str, now: str, lease: str) -> None:
    db = Database(database_url)
    client = AsyncWebClient(token="xoxb-test-token", base_url=api_url)
    services = JobServices(
        db=db,
        client_for=lambda _workspace: client,
        claimant=f"replica:{os.getpid()}",
        lease=dt.timedelta(seconds=float(lease)),
    )
    print("claimant", services.claimant, flush=True)
    async with db.session() as session:
        workspace = await get_workspace(session, team_id)
    assert workspace is not None, team_id
    outcome = await run_job(
        JOBS[job], workspace, services, as_scheduled=True, now=dt.datetime.fromisoformat(now)
    )
    print("outcome", outcome.status, flush=True)
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
