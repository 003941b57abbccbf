"""`dealbell jobs …` as real processes against the fake Slack and a real database."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select

from jobs import JOBS
from jobs.runner import LOOKBACK
from storage.db import Database
from storage.models import Workspace, utcnow
from storage.periods import Period
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.jobs.helpers import Seed, assert_refreshed, dealbell, environment, job_runs, members_of

DEALBELL = Path(sys.executable).parent / "dealbell"
REFRESH = JOBS["refresh-member-profiles"]


def quiet_zone(now: dt.datetime) -> str:
    """A zone whose 03:15 is not about to pass, so processes started now agree on the period."""
    for zone in ("UTC", "Asia/Shanghai"):  # their 03:15s are eight hours apart
        if REFRESH.trigger(zone).get_next_fire_time(None, now) - now > dt.timedelta(minutes=10):
            return zone
    raise AssertionError("unreachable")


def period_key(zone: str) -> str:
    return REFRESH.period_for(zone, utcnow(), LOOKBACK[REFRESH.cadence]).key


async def test_three_processes_as_scheduled_run_the_job_once(
    db: Database, fake_slack: FakeSlack, seed: Seed, cli_env: dict[str, str], tmp_path: Path
) -> None:
    zone = quiet_zone(utcnow())
    workspace = await seed(["U1", "U2", "U3"], timezone=zone)
    key = period_key(zone)

    runs = await asyncio.gather(
        *(
            dealbell("jobs", "run", REFRESH.name, "--as-scheduled", env=cli_env, cwd=tmp_path)
            for _ in range(3)
        )
    )

    assert [r.code for r in runs] == [0, 0, 0], [r.err for r in runs]
    assert sorted(r.out for r in runs) == [
        f"{REFRESH.name} {TEAM_ID} {key}: ran (3)\n",
        f"{REFRESH.name} {TEAM_ID} {key}: skipped\n",
        f"{REFRESH.name} {TEAM_ID} {key}: skipped\n",
    ]
    await fake_slack.settle()
    assert sorted(c.args["user"] for c in fake_slack.calls_to("users.info")) == ["U1", "U2", "U3"]
    assert {c.token for c in fake_slack.calls} == {"xoxb-test"}
    [run] = await job_runs(db)
    assert (run.job, run.workspace_id, run.period_key, run.status) == (
        REFRESH.name,
        workspace.id,
        key,
        "done",
    )
    assert ":" in run.claimed_by  # host:pid of the process that won the claim
    assert_refreshed(await members_of(db, workspace.id))


async def test_without_as_scheduled_every_run_runs(
    db: Database, fake_slack: FakeSlack, seed: Seed, cli_env: dict[str, str], tmp_path: Path
) -> None:
    await seed(["U1", "U2"], timezone="UTC")

    first = await dealbell("jobs", "run", REFRESH.name, env=cli_env, cwd=tmp_path)
    second = await dealbell("jobs", "run", REFRESH.name, env=cli_env, cwd=tmp_path)

    for finished in (first, second):
        assert finished.code == 0, finished.err
        assert finished.out.endswith(": ran (2)\n"), finished.out
    assert sorted(c.args["user"] for c in fake_slack.calls_to("users.info")) == ["U1", "U1", "U2", "U2"]
    assert await job_runs(db) == []


async def test_with_no_workspace_the_team_is_discovered_through_auth_test(
    db: Database, fake_slack: FakeSlack, cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "DEALBELL_TIMEZONE": "Europe/Berlin", "DEALBELL_CURRENCY": "eur"}

    finished = await dealbell("jobs", "run", REFRESH.name, env=env, cwd=tmp_path)

    assert finished.code == 0, finished.err
    today = Period.containing("day", utcnow(), "Europe/Berlin").key  # by hand: the period containing now
    assert finished.out == f"{REFRESH.name} {TEAM_ID} {today}: ran (0)\n"
    assert len(fake_slack.calls_to("auth.test")) == 1
    async with db.session() as session:
        [workspace] = await session.scalars(select(Workspace))
    assert (workspace.team_id, workspace.enterprise_id, workspace.timezone, workspace.currency) == (
        TEAM_ID,
        "",
        "Europe/Berlin",
        "EUR",
    )


async def test_an_unknown_team_is_an_error(
    db: Database, fake_slack: FakeSlack, seed: Seed, cli_env: dict[str, str], tmp_path: Path
) -> None:
    await seed(["U1"])

    finished = await dealbell("jobs", "run", REFRESH.name, "--team", "T9999", env=cli_env, cwd=tmp_path)

    assert finished.code == 1
    assert "no workspace 'T9999'" in finished.err
    assert fake_slack.calls == []


async def test_jobs_list_names_every_job(tmp_path: Path) -> None:
    finished = await dealbell("jobs", "list", env=environment(), cwd=tmp_path)

    assert finished.code == 0, finished.err
    lines = finished.out.splitlines()
    assert [line.split()[0] for line in lines] == list(JOBS)
    [refresh] = [line for line in lines if line.startswith("refresh-member-profiles ")]
    assert "per day" in refresh and "At 03:15" in refresh  # the schedule in words (jobs/schedule_text.py)


async def test_an_unknown_job_name_exits_non_zero(tmp_path: Path) -> None:
    finished = await dealbell("jobs", "run", "no-such-job", env=environment(), cwd=tmp_path)

    assert finished.code != 0
    assert "invalid choice: 'no-such-job'" in finished.err
    assert finished.out == ""
