"""A replica SIGKILLed in the middle of a scheduled job: its claim outlives it only for the lease,
then another replica takes the run over and completes it once.

The replica is a process of its own (tests/reliability/job_replica.py) running the weekly
leaderboard against this test's database and fake Slack, which holds its post unanswered so the
kill lands mid-job. On both databases (SQLite through a file both processes open).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
import time
from pathlib import Path

from sqlalchemy import select, update

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from storage.models import JobRun, Workspace, utcnow
from tests.jobs.test_leaderboard_job import set_channels

WEEKLY = JOBS["weekly-leaderboard"]
LEASE = dt.timedelta(seconds=2)  # the replica renews every 2/3 s; production's lease is minutes
ROOT = Path(__file__).resolve().parents[2]


async def the_claim(app) -> JobRun | None:
    async with app.db.session() as session:
        return await session.scalar(select(JobRun).where(JobRun.job == WEEKLY.name))


async def until(check, timeout: float = 15.0, every: float = 0.1):
    """Poll `check` (async, returning a value) until it is truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(every)


async def workspace_posting_leaders(app) -> Workspace:
    app.fake.add_user("U0001", is_admin=True)  # who sets the channel
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    async with app.db.session() as session:  # no chart: the post alone is what is counted here
        await session.execute(update(Workspace).values(charts_enabled=False))
    return workspace


async def test_a_killed_replicas_claim_expires_and_another_completes_the_run_once(
    app, database_url, tmp_path
):
    workspace = await workspace_posting_leaders(app)
    now = utcnow()
    app.fake.delay_next("chat.postMessage", 60)  # the replica's post hangs until it is killed
    log = (tmp_path / "replica.log").open("wb")
    replica = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.reliability.job_replica", database_url, app.fake.api_url,
        workspace.team_id, WEEKLY.name, now.isoformat(), str(LEASE.total_seconds()),
        cwd=ROOT, stdout=log, stderr=log,
    )  # fmt: skip
    other = JobServices(
        db=app.db, client_for=lambda _ws: make_client(app.settings), claimant="replica-b", lease=LEASE
    )
    try:
        [held] = await app.fake.wait_for("chat.postMessage", timeout=20)
        claim = await the_claim(app)
        assert claim is not None and claim.status == "running" and claim.claimed_by.startswith("replica:")

        async def renewed() -> bool:  # the heartbeat keeps the live replica's claim fresh
            again = await the_claim(app)
            return again is not None and again.claimed_at > claim.claimed_at

        await until(renewed)
        alive = await run_job(WEEKLY, workspace, other, as_scheduled=True, now=now)
        assert alive.status == "skipped"  # a live replica's run is not taken over
    finally:
        replica.send_signal(signal.SIGKILL)
        await replica.wait()
        log.close()
    assert replica.returncode == -signal.SIGKILL, (tmp_path / "replica.log").read_text()

    async def taken_over():
        outcome = await run_job(WEEKLY, workspace, other, as_scheduled=True, now=now)
        return outcome if outcome.status == "ran" else None

    killed_at = time.monotonic()
    outcome = await until(taken_over, every=0.2)
    assert time.monotonic() - killed_at >= LEASE.total_seconds() - 0.7  # not before the lease ran out
    assert outcome.result == 1
    again = await run_job(WEEKLY, workspace, other, as_scheduled=True, now=now)
    assert again.status == "skipped"  # done: nobody runs it a third time

    delivered = app.fake.delivered("chat.postMessage")
    assert [c.args["channel"] for c in delivered] == ["C0LEADERS"]  # posted once
    assert held.ok is not True  # the killed replica's post was never handled
    runs = await the_claim(app)
    assert (runs.status, runs.claimed_by, runs.error) == ("done", "replica-b", None)
