"""Slack Web API faults during scheduled jobs: 429 storms, 500s and answers slower than the client's
timeout. Every intended message is delivered exactly once, or its claim is marked failed (and a
warning logged) so the next run sends it; none is dropped silently, none is sent twice.

The fake Slack answers the sends in turn: the first is held past the client's timeout, the next
meets a 429 storm longer than the client's retries, then a 500 is retried and delivered. Jobs that
send concurrently (follow-ups) meet them in any order, so the checks count rather than name.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable

import time_machine
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from sqlalchemy import select, update

from bot.sandbox.fake_slack import FakeSlack
from bot.slack import make_client
from jobs import JOBS
from jobs.award_nominations import CARD
from jobs.base import JobContext, JobServices
from jobs.digests import send_daily_digests
from jobs.runner import run_job
from jobs.standups import BLOCKERS, post_summaries, send_prompts
from storage import standups
from storage.models import JobRun, Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member
from tests.jobs.test_award_nominations import FIRST_WORKDAY, seed_november
from tests.jobs.test_follow_ups import customer, owner, run_at, workspace_of
from tests.jobs.test_leaderboard_job import FRIDAY, set_channels
from tests.jobs.test_standup_jobs import FRIDAY_NINE, answer, run, standup

POST = "chat.postMessage"
TIMEOUT = 0.3  # the client's timeout in these tests (slack_sdk's default is 30 s)
STORM_RETRIES = 1  # the client's 429 retries here (10 in production), so a storm outlasts them quickly
FIVE_MINUTES = dt.timedelta(minutes=5)


def faulty_services(app) -> JobServices:
    """The production client (bot.slack.make_client) with a short timeout and fewer 429 retries."""
    client = make_client(app.settings)
    client.timeout = TIMEOUT
    for handler in client.retry_handlers:
        if isinstance(handler, AsyncRateLimitErrorRetryHandler):
            handler.max_retry_count = STORM_RETRIES
    return JobServices(db=app.db, client_for=lambda _ws: client, claimant="test")


def storm(fake: FakeSlack) -> None:
    fake.delay_next(POST, TIMEOUT * 2)  # held past the timeout: that send fails, undelivered
    for _ in range(STORM_RETRIES + 1):
        fake.rate_limit_next(POST, 0)  # a storm outlasting the retries: that send fails
    fake.server_error_next(POST, 500)  # one 500: retried, delivered


def delivered_to(fake: FakeSlack, targets: Iterable[str]) -> Counter[str]:
    wanted = set(targets)
    return Counter(c.args["channel"] for c in fake.delivered(POST) if c.args["channel"] in wanted)


async def claim_statuses(app, job: str) -> Counter[str]:
    async with app.db.session() as session:
        return Counter(await session.scalars(select(JobRun.status).where(JobRun.job == job)))


async def assert_once_or_marked_failed(app, job: str, targets: list[str], caplog) -> int:
    """After the faulty run: nobody twice; everyone missed has a failed claim and a warning. The misses."""
    sent = delivered_to(app.fake, targets)
    assert set(sent.values()) <= {1}, sent
    missed = len(targets) - len(sent)
    assert missed >= 1  # the faults did land
    assert await claim_statuses(app, job) == Counter({"done": len(sent), "failed": missed})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "not sent" in r.getMessage()]
    assert len(warnings) == missed
    assert not any("xoxb" in r.getMessage() for r in caplog.records)  # no token in the log
    return missed


async def assert_each_once(app, job: str, targets: list[str]) -> None:
    assert delivered_to(app.fake, targets) == Counter(dict.fromkeys(targets, 1))
    assert await claim_statuses(app, job) == Counter({"done": len(targets)})


# --- standup prompts ----------------------------------------------------------------------------

PARTICIPANTS = ["U0002", "U0003", "U0004", "U0005", "U0006"]


async def test_standup_prompts_under_faults_go_out_once_each(app, caplog):
    workspace = await standup(app, people=tuple(PARTICIPANTS))
    services = faulty_services(app)
    storm(app.fake)
    caplog.set_level(logging.WARNING)
    await run(send_prompts, FRIDAY_NINE, workspace, services)
    await assert_once_or_marked_failed(app, standups.PROMPT, PARTICIPANTS, caplog)
    assert await run(send_prompts, FRIDAY_NINE + FIVE_MINUTES, workspace, services) >= 1  # the retry
    assert await run(send_prompts, FRIDAY_NINE + 2 * FIVE_MINUTES, workspace, services) == 0
    await assert_each_once(app, standups.PROMPT, PARTICIPANTS)


# --- follow-up reminders ------------------------------------------------------------------------

MONDAY_NINE = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)  # 09:00 UTC, a Monday
OWNERS = ["U0002", "U0003", "U0004", "U0005", "U0006"]


async def test_follow_up_reminders_under_faults_go_out_once_each(app, caplog):
    await workspace_of(app)
    for number, user in enumerate(OWNERS):
        await customer(app, await owner(app, user), f"Customer {number}", MONDAY_NINE.date())
    services = faulty_services(app)
    storm(app.fake)
    caplog.set_level(logging.WARNING)
    await run_at(MONDAY_NINE, app, services)
    missed = await assert_once_or_marked_failed(app, JOBS["follow-up-reminders"].name, OWNERS, caplog)
    assert await run_at(MONDAY_NINE + FIVE_MINUTES, app, services) == missed
    assert await run_at(MONDAY_NINE + 2 * FIVE_MINUTES, app, services) == 0
    await assert_each_once(app, JOBS["follow-up-reminders"].name, OWNERS)


# --- manager digests ----------------------------------------------------------------------------

TUESDAY_0830 = dt.datetime(2026, 11, 24, 8, 30, tzinfo=dt.UTC)
MANAGERS = ["U0001", "U0002", "U0003", "U0004", "U0005"]


async def test_manager_digests_under_faults_go_out_once_each(app, caplog):
    async with app.db.session() as session:
        workspace = await ensure_workspace(session, "T0001", defaults=WorkspaceDefaults(timezone="UTC"))
        for user in MANAGERS:  # workspace admins count as managers
            await save_member(session, workspace.id, user, Profile(timezone="UTC", is_admin=True))
    services = faulty_services(app)
    storm(app.fake)
    caplog.set_level(logging.WARNING)

    async def daily(at: dt.datetime) -> int:
        with time_machine.travel(at, tick=False):
            return await send_daily_digests(JobContext.at(workspace, at, services))

    await daily(TUESDAY_0830)
    missed = await assert_once_or_marked_failed(app, "manager-digest-daily", MANAGERS, caplog)
    assert await daily(TUESDAY_0830 + FIVE_MINUTES) == missed
    assert await daily(TUESDAY_0830 + 2 * FIVE_MINUTES) == 0
    await assert_each_once(app, "manager-digest-daily", MANAGERS)


# --- the weekly leaderboard (one post, claimed by the runner for the week) -----------------------

WEEKLY = JOBS["weekly-leaderboard"]


async def test_the_weekly_leaderboard_timed_out_is_marked_failed_then_posted_once(app, caplog):
    app.fake.add_user("U0001", is_admin=True)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    async with app.db.session() as session:  # the post is what is counted here, not its chart
        await session.execute(update(Workspace).values(charts_enabled=False))
    services = faulty_services(app)
    app.fake.calls.clear()

    async def weekly(at: dt.datetime):
        with time_machine.travel(at, tick=False):
            return await run_job(WEEKLY, workspace, services, as_scheduled=True)

    app.fake.delay_next(POST, TIMEOUT * 2)
    caplog.set_level(logging.WARNING)
    first = await weekly(FRIDAY)
    assert first.status == "failed" and app.fake.delivered(POST) == []
    async with app.db.session() as session:
        [claim] = await session.scalars(select(JobRun).where(JobRun.job == WEEKLY.name))
    assert claim.status == "failed" and claim.error.startswith("TimeoutError")
    assert any(r.levelno == logging.ERROR and WEEKLY.name in r.getMessage() for r in caplog.records)
    [held] = app.fake.calls_to(POST)
    for _ in range(600):  # the fake finds the caller gone once its hold ends: never handled (30 s)
        if held.ok is not None:
            break
        await asyncio.sleep(0.05)
    assert held.ok is False and held.status is None

    app.fake.server_error_next(POST, 500)  # the retry meets a 500, retried by the client
    second = await weekly(FRIDAY + FIVE_MINUTES)
    third = await weekly(FRIDAY + 2 * FIVE_MINUTES)
    assert (second.status, second.result, third.status) == ("ran", 1, "skipped")
    assert [c.args["channel"] for c in app.fake.delivered(POST)] == ["C0LEADERS"]
    assert await claim_statuses(app, WEEKLY.name) == Counter({"done": 1})


# --- standup blockers: one manager unreachable ---------------------------------------------------


async def test_blockers_dms_a_retry_tells_only_the_manager_missed(app, caplog):
    workspace = await standup(app, people=("U0002",))
    async with app.db.session() as session:
        await save_member(session, workspace.id, "U0005", Profile(is_admin=True))
    await run(send_prompts, FRIDAY_NINE, workspace, app.services)
    await answer(app, "U0002", FRIDAY_NINE + FIVE_MINUTES, "Won Globex", "Call Acme", blockers="Legal")
    app.fake.not_in_channel.add("U0005")  # Slack refuses the DM to this manager
    caplog.set_level(logging.WARNING)
    cutoff = FRIDAY_NINE + dt.timedelta(minutes=120)
    await run(post_summaries, cutoff, workspace, app.services)
    assert await claim_statuses(app, BLOCKERS) == Counter({"done": 1, "failed": 1})
    assert await claim_statuses(app, standups.SUMMARY) == Counter({"failed": 1})  # retried as a whole
    assert any("blockers DM" in r.getMessage() for r in caplog.records)

    app.fake.not_in_channel.clear()
    await run(post_summaries, cutoff + FIVE_MINUTES, workspace, app.services)
    await run(post_summaries, cutoff + 2 * FIVE_MINUTES, workspace, app.services)
    blockers = [c.args["channel"] for c in app.fake.delivered(POST) if "Blockers in" in c.args["text"]]
    assert sorted(blockers) == ["U0001", "U0005"]  # each manager told once
    summaries = [c for c in app.fake.delivered(POST) if c.args["channel"] == "C0STAND"]
    assert len(summaries) == 1
    assert await claim_statuses(app, BLOCKERS) == Counter({"done": 2})
    assert await claim_statuses(app, standups.SUMMARY) == Counter({"done": 1})


# --- award nominations: one manager unreachable --------------------------------------------------


async def test_award_nominations_a_retry_sends_only_the_missing_card(app, caplog):
    workspace, _people = await seed_november(app)  # managers: U0001 (admin) and U0005
    app.fake.calls.clear()
    app.fake.not_in_channel.add("U0005")
    caplog.set_level(logging.WARNING)

    async def first_workday(minutes: int):
        with time_machine.travel(FIRST_WORKDAY + dt.timedelta(minutes=minutes), tick=False):
            return await run_job(JOBS["award-nominations"], workspace, app.services, as_scheduled=True)

    assert (await first_workday(0)).status == "failed"  # reported, and the month marked for a retry
    assert await claim_statuses(app, "award-nominations") == Counter({"failed": 1})
    assert await claim_statuses(app, CARD) == Counter({"done": 1, "failed": 1})
    assert any("award-nominations card" in r.getMessage() for r in caplog.records)

    app.fake.not_in_channel.clear()
    retry = await first_workday(5)
    assert (retry.status, retry.result) == ("ran", 1)  # only the card that was missing
    assert (await first_workday(10)).result == 0
    assert sorted(c.args["channel"] for c in app.fake.delivered(POST)) == ["U0001", "U0005"]
    assert await claim_statuses(app, "award-nominations") == Counter({"done": 1})
    assert await claim_statuses(app, CARD) == Counter({"done": 2})
