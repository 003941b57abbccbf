"""run_job, the one path the scheduler, the CLI and the tests share: as scheduled, once per period."""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine

from jobs import JOBS
from jobs.base import JobContext, JobServices, JobSpec, claim, finish
from jobs.runner import LOOKBACK, run_job
from tests.jobs.helpers import Seed, assert_refreshed, at, job_runs, members_of

REFRESH = JOBS["refresh-member-profiles"]


def users_asked(app) -> list[str]:
    return sorted(call.args["user"] for call in app.fake.calls_to("users.info"))


async def test_as_scheduled_runs_once_per_period(app, seed: Seed) -> None:
    workspace = await seed(["U1", "U2"])  # Asia/Shanghai

    first = await run_job(REFRESH, workspace, app.services, as_scheduled=True, now=at("2026-03-10T19:20Z"))
    second = await run_job(REFRESH, workspace, app.services, as_scheduled=True, now=at("2026-03-11T15:00Z"))

    # 03:20 and 23:00 on 11 March in Shanghai: both stand for that day's 03:15 run
    assert (first.status, first.result, first.period.key) == ("ran", 2, "2026-03-11")
    assert (second.status, second.result, second.period.key) == ("skipped", None, "2026-03-11")
    assert users_asked(app) == ["U1", "U2"]
    assert_refreshed(await members_of(app.db, workspace.id))
    [run] = await job_runs(app.db)
    assert (run.job, run.workspace_id, run.period_key) == (REFRESH.name, workspace.id, "2026-03-11")
    assert (run.status, run.claimed_by, run.error) == ("done", "test", None)
    assert run.finished_at is not None and run.finished_at >= run.claimed_at

    third = await run_job(REFRESH, workspace, app.services, as_scheduled=True, now=at("2026-03-11T19:20Z"))

    assert (third.status, third.result, third.period.key) == ("ran", 2, "2026-03-12")
    assert users_asked(app) == ["U1", "U1", "U2", "U2"]
    assert [(r.period_key, r.status) for r in await job_runs(app.db)] == [
        ("2026-03-11", "done"),
        ("2026-03-12", "done"),
    ]


async def test_a_run_just_before_the_next_fire_time_still_belongs_to_the_last_period(app, seed: Seed) -> None:
    workspace = await seed(["U1", "U2"])

    with time_machine.travel(at("2026-03-10T19:15Z"), tick=False):  # 03:15 on 11 March in Shanghai
        first = await run_job(REFRESH, workspace, app.services, as_scheduled=True)
    with time_machine.travel(at("2026-03-11T19:14:59Z"), tick=False):  # 03:14:59 on 12 March
        second = await run_job(REFRESH, workspace, app.services, as_scheduled=True)
    with time_machine.travel(at("2026-03-11T19:15Z"), tick=False):  # 03:15 on 12 March
        third = await run_job(REFRESH, workspace, app.services, as_scheduled=True)

    assert [(o.status, o.period.key) for o in (first, second, third)] == [
        ("ran", "2026-03-11"),
        ("skipped", "2026-03-11"),
        ("ran", "2026-03-12"),
    ]
    assert len(app.fake.calls_to("users.info")) == 4
    claims = await job_runs(app.db)
    assert [r.claimed_at for r in claims] == [at("2026-03-10T19:15Z"), at("2026-03-11T19:15Z")]


async def test_concurrent_runs_for_one_period_run_the_body_once(app, seed: Seed) -> None:
    workspace = await seed(["U1", "U2", "U3"])
    now = at("2026-03-10T19:20Z")

    outcomes = await asyncio.gather(
        *(run_job(REFRESH, workspace, app.services, as_scheduled=True, now=now) for _ in range(4))
    )

    assert sorted(o.status for o in outcomes) == ["ran", "skipped", "skipped", "skipped"]
    assert users_asked(app) == ["U1", "U2", "U3"]
    assert len(await job_runs(app.db)) == 1


async def test_without_as_scheduled_it_always_runs_and_claims_nothing(app, seed: Seed) -> None:
    workspace = await seed(["U1", "U2"])

    with time_machine.travel(at("2026-03-10T19:20Z"), tick=False):
        first = await run_job(REFRESH, workspace, app.services, as_scheduled=False)
        second = await run_job(REFRESH, workspace, app.services, as_scheduled=False)

    assert [(o.status, o.result, o.period.key) for o in (first, second)] == [
        ("ran", 2, "2026-03-11"),
        ("ran", 2, "2026-03-11"),
    ]
    assert users_asked(app) == ["U1", "U1", "U2", "U2"]
    assert await job_runs(app.db) == []


async def test_manual_runs_do_not_use_up_the_scheduled_claim(app, seed: Seed) -> None:
    workspace = await seed(["U1"])
    now = at("2026-03-10T19:20Z")

    manual = await run_job(REFRESH, workspace, app.services, as_scheduled=False, now=now)
    scheduled = await run_job(REFRESH, workspace, app.services, as_scheduled=True, now=now)

    assert (manual.status, scheduled.status) == ("ran", "ran")
    assert len(app.fake.calls_to("users.info")) == 2


async def explode(ctx: JobContext) -> None:
    raise RuntimeError(f"Slack is down for {ctx.workspace.team_id} on {ctx.period.key}")


EXPLODING = JobSpec(name="exploding", function=explode, cadence="day", cron={"hour": 3, "minute": 15})


async def test_a_failing_job_is_recorded_as_failed(app, seed: Seed) -> None:
    workspace = await seed([])

    outcome = await run_job(
        EXPLODING, workspace, app.services, as_scheduled=True, now=at("2026-03-10T19:20Z")
    )

    assert (outcome.status, outcome.result, outcome.period.key) == ("failed", None, "2026-03-11")
    [run] = await job_runs(app.db)
    assert (run.job, run.period_key, run.status) == ("exploding", "2026-03-11", "failed")
    assert run.error == "RuntimeError: Slack is down for T0001 on 2026-03-11"
    assert run.finished_at is not None


async def test_a_failing_job_without_a_claim_fails_and_leaves_no_row(app, seed: Seed) -> None:
    workspace = await seed([])

    outcome = await run_job(
        EXPLODING, workspace, app.services, as_scheduled=False, now=at("2026-03-10T19:20Z")
    )

    assert outcome.status == "failed"
    assert await job_runs(app.db) == []


async def test_a_failure_does_not_stop_the_next_period(app, seed: Seed) -> None:
    workspace = await seed([])
    calls: list[str] = []

    async def fails_once(ctx: JobContext) -> str:
        calls.append(ctx.period.key)
        if len(calls) == 1:
            raise ValueError("first night fails")
        return "ok"

    flaky = JobSpec(name="flaky", function=fails_once, cadence="day", cron={"hour": 3, "minute": 15})
    first = await run_job(flaky, workspace, app.services, as_scheduled=True, now=at("2026-03-10T19:20Z"))
    second = await run_job(flaky, workspace, app.services, as_scheduled=True, now=at("2026-03-11T19:20Z"))

    assert (first.status, second.status, second.result) == ("failed", "ran", "ok")
    assert calls == ["2026-03-11", "2026-03-12"]
    assert [(r.period_key, r.status, r.error) for r in await job_runs(app.db)] == [
        ("2026-03-11", "failed", "ValueError: first night fails"),
        ("2026-03-12", "done", None),
    ]


def test_lookback_is_longer_than_each_cadence_even_on_a_25_hour_day() -> None:
    longest = {
        "day": dt.timedelta(hours=25),
        "week": dt.timedelta(days=7, hours=1),
        "month": dt.timedelta(days=31, hours=1),
    }

    assert all(LOOKBACK[kind] > span for kind, span in longest.items())
    assert all(spec.cadence in LOOKBACK for spec in JOBS.values())


async def test_a_failed_period_can_be_claimed_again_and_then_not_again(app, seed: Seed) -> None:
    workspace = await seed([])
    attempts: list[str] = []

    async def fails_once(ctx: JobContext) -> str:
        attempts.append(ctx.period.key)
        if len(attempts) == 1:
            raise ValueError("Slack was down")
        return "delivered"

    flaky = JobSpec(name="flaky", function=fails_once, cadence="day", cron={"hour": 3, "minute": 15})
    now = at("2026-03-10T19:20Z")
    outcomes = [await run_job(flaky, workspace, app.services, as_scheduled=True, now=now) for _ in range(3)]

    assert [o.status for o in outcomes] == ["failed", "ran", "skipped"]
    assert attempts == ["2026-03-11", "2026-03-11"]
    assert [(r.period_key, r.status, r.error) for r in await job_runs(app.db)] == [
        ("2026-03-11", "done", None)
    ]


async def test_a_holder_that_lost_its_claim_cannot_finish_the_new_holders_run(app, seed: Seed) -> None:
    """A replica stalled past its lease: another took the run over; the first one's late 'done' (or
    'failed') must not end the run the second is still doing."""
    workspace = await seed([])
    lease = dt.timedelta(minutes=2)
    stalled = JobServices(db=app.db, client_for=app.services.client_for, claimant="replica-a", lease=lease)
    taker = JobServices(db=app.db, client_for=app.services.client_for, claimant="replica-b", lease=lease)
    with time_machine.travel(at("2026-03-10T09:00Z"), tick=False) as clock:
        run_id = await claim(stalled, "digest", workspace.id, "2026-03-10")
        assert run_id is not None
        clock.shift(lease + dt.timedelta(seconds=1))  # replica-a stopped renewing
        assert await claim(taker, "digest", workspace.id, "2026-03-10") == run_id
        await finish(stalled, run_id, RuntimeError("too late"))
        await finish(stalled, run_id)
        assert [(r.claimed_by, r.status, r.error) for r in await job_runs(app.db)] == [
            ("replica-b", "running", None)
        ]
        await finish(taker, run_id, ValueError("Slack said no"))
    assert [(r.claimed_by, r.status, r.error) for r in await job_runs(app.db)] == [
        ("replica-b", "failed", "ValueError: Slack said no")
    ]
