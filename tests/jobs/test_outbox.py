"""The Slack outbox (issue 17, item 14): a win's celebration is a row written in the deal's
transaction; a Slack or database failure right after the commit (or a process killed mid-post)
leaves it pending, and the `slack-outbox` job posts it, once, however many processes run the job."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, update

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from storage import outbox
from storage.db import Database
from storage.models import Deal, SlackOutbox, utcnow
from storage.workspaces import list_workspaces

OUTBOX = JOBS["slack-outbox"]


async def rows(app) -> list[SlackOutbox]:
    async with app.db.session() as session:
        return list(await session.scalars(select(SlackOutbox).order_by(SlackOutbox.id)))


async def run_outbox_job(
    app, services: JobServices | None = None, later: dt.timedelta = dt.timedelta(minutes=5)
):
    """The job as an operator runs it, at a moment the row's backed-off retry is due."""
    async with app.db.session() as session:
        (workspace,) = await list_workspaces(session)
    return await run_job(
        OUTBOX, workspace, services or app.services, as_scheduled=False, now=utcnow() + later
    )


def celebrations(app) -> list:
    return [c for c in app.fake.delivered("chat.postMessage") if c.args["channel"] == "C0001"]


async def test_slack_failing_right_after_commit_is_retried_by_the_job_once(app):
    app.fake.fail_next("chat.postMessage", "internal_error")
    reply = await app.send.command("/deal", "won 3k Acme")
    assert "Deal logged" in reply.text
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    (row,) = await rows(app)
    assert (row.kind, row.status, row.attempts, row.claimed_at) == ("celebration", "pending", 1, None)
    assert celebrations(app) == []

    first = await run_outbox_job(app)
    again = await run_outbox_job(app, later=dt.timedelta(minutes=30))
    assert (first.result, again.result) == (1, 0)
    (posted,) = celebrations(app)
    assert "$3,000.00" in posted.args["text"]
    (row,) = await rows(app)
    async with app.db.session() as session:
        deal = (await session.scalars(select(Deal))).one()
    assert (row.status, row.posted_ts) == ("sent", deal.celebration_ts)


async def test_the_database_failing_right_after_commit_leaves_the_row_for_the_job(app, monkeypatch):
    real_claim = outbox.claim_due
    failures = []

    async def claim_fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise ConnectionResetError("the database went away")
        return await real_claim(*args, **kwargs)

    monkeypatch.setattr(outbox, "claim_due", claim_fails_once)
    reply = await app.send.command("/deal", "won 4k Acme")
    assert "Deal logged" in reply.text
    await app.fake.settle()
    assert failures and celebrations(app) == []
    assert [r.status for r in await rows(app)] == ["pending"]

    assert (await run_outbox_job(app, later=dt.timedelta(0))).result == 1
    assert (await run_outbox_job(app)).result == 0
    assert len(celebrations(app)) == 1


async def test_two_processes_running_the_job_post_once(app, database_url):
    app.fake.fail_next("chat.postMessage", "internal_error")
    await app.send.command("/deal", "won 5k Acme")
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    other_db = Database(database_url)  # another replica: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        outcomes = await asyncio.gather(
            *(run_outbox_job(app, s) for s in (app.services, other, app.services))
        )
    finally:
        await other_db.dispose()
    assert sorted(o.result for o in outcomes) == [0, 0, 1]
    assert len(celebrations(app)) == 1


async def test_a_claim_left_by_a_killed_process_is_taken_over_after_its_lease(app):
    app.fake.fail_next("chat.postMessage", "internal_error")
    await app.send.command("/deal", "won 6k Acme")
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()

    async def held_by_another(since: dt.timedelta) -> None:
        async with app.db.session() as session:
            await session.execute(
                update(SlackOutbox).values(
                    claimed_by="killed", claimed_at=utcnow() - since, next_attempt_at=utcnow()
                )
            )

    await held_by_another(dt.timedelta(seconds=10))  # alive, mid-post: left alone
    assert (await run_outbox_job(app)).result == 0
    await held_by_another(outbox.CLAIM_LEASE + dt.timedelta(seconds=1))  # silent past its lease
    assert (await run_outbox_job(app)).result == 1
    assert len(celebrations(app)) == 1
