"""Slack saying "slow down" (429 with Retry-After) or failing (5xx) loses no follow-up DM and doubles none.

slack_sdk's retry handlers (bot/slack.py) wait out each 429's Retry-After and retry a 500/503 with
backoff; the job sends a few DMs at once, so one owner's wait does not hold up the others.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from sqlalchemy import select

from jobs.follow_ups import NAME
from storage.models import JobRun
from tests.jobs.test_follow_ups import customer, owner, run_at, workspace_of

NINE = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # a Tuesday, 09:00 for owners in UTC
OWNERS = [f"U{n:04d}" for n in range(2, 12)]  # ten owners


async def ten_owners_due(app, count: int = len(OWNERS)) -> list[str]:
    await workspace_of(app)
    users = OWNERS[:count]
    for n, user in enumerate(users):
        member = await owner(app, user)
        await customer(app, member, f"Customer {n}", dt.date(2026, 3, 9))
    return users


def deliveries(app) -> Counter[str]:
    """DMs Slack accepted, per channel: a call answered 429 or 5xx was not delivered."""
    return Counter(c.args["channel"] for c in app.fake.delivered("chat.postMessage"))


def answered(app, status: int) -> int:
    return sum(1 for c in app.fake.calls_to("chat.postMessage") if c.status == status)


async def claim_statuses(app) -> Counter[str]:
    async with app.db.session() as session:
        return Counter(await session.scalars(select(JobRun.status).where(JobRun.job == NAME)))


async def test_every_third_post_answered_429_still_delivers_each_dm_exactly_once(app):
    users = await ten_owners_due(app)
    app.fake.rate_limit_share("chat.postMessage", every_nth=3, retry_after=1, times=3)

    started = time.monotonic()
    assert await run_at(NINE, app) == 10
    elapsed = time.monotonic() - started

    assert answered(app, 429) == 3
    assert deliveries(app) == Counter(dict.fromkeys(users, 1))  # no owner missed, none twice
    assert len(app.fake.calls_to("chat.postMessage")) == 13
    assert await claim_statuses(app) == Counter(done=10)
    assert await run_at(NINE + dt.timedelta(minutes=5), app) == 0
    assert elapsed < 5  # the waits overlap: Retry-After is 1 s (slack_sdk adds up to 1 s of jitter)


async def test_a_burst_limit_for_the_workspace_delays_dms_but_drops_none(app):
    users = await ten_owners_due(app, count=8)
    app.fake.rate_limit_window("chat.postMessage", max_calls=6, per_seconds=1, retry_after=1)

    assert await run_at(NINE, app) == 8

    assert answered(app, 429) >= 1
    assert deliveries(app) == Counter(dict.fromkeys(users, 1))
    assert await claim_statuses(app) == Counter(done=8)


async def test_one_dm_per_channel_never_trips_slacks_per_channel_limit(app):
    users = await ten_owners_due(app, count=6)
    app.fake.rate_limit_window("chat.postMessage", max_calls=1, per_seconds=60, per="channel")

    assert await run_at(NINE, app) == 6
    assert answered(app, 429) == 0
    assert deliveries(app) == Counter(dict.fromkeys(users, 1))


async def test_a_500_is_retried_by_the_client_and_the_dm_delivered_once(app):
    """A 500/503 is retried by slack_sdk's AsyncServerErrorRetryHandler (bot/slack.py, 2 retries)."""
    users = await ten_owners_due(app, count=3)
    app.fake.server_error_next("chat.postMessage", 500)

    assert await run_at(NINE, app) == 3

    assert answered(app, 500) == 1
    assert deliveries(app) == Counter(dict.fromkeys(users, 1))
    assert await claim_statuses(app) == Counter(done=3)


async def test_an_error_slack_answers_with_200_is_sent_again_by_the_next_run(app):
    """`ok: false` (here `internal_error`) is not retried at once: the claim is marked failed and the
    next 5-minute run, still within the hour after 09:00, sends the DM."""
    users = await ten_owners_due(app, count=3)
    app.fake.fail_next("chat.postMessage", "internal_error")

    assert await run_at(NINE, app) == 2
    assert await claim_statuses(app) == Counter(done=2, failed=1)
    assert await run_at(NINE + dt.timedelta(minutes=5), app) == 1
    assert await run_at(NINE + dt.timedelta(minutes=10), app) == 0

    assert deliveries(app) == Counter(dict.fromkeys(users, 1))
    assert await claim_statuses(app) == Counter(done=3)
