"""A job run by hand (`dealbell jobs run NAME`, not as scheduled): done now for everyone it concerns.

Whatever the time of day: the follow-up reminders DM every owner with something due, the standup
prompt asks every participant of today's standups. Neither takes the schedule's claims, so the
scheduled run that day still goes out. Time is passed in (`now`), never read from the wall clock.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from jobs import JOBS
from jobs.runner import run_job
from storage.models import JobRun, Member
from tests.jobs.test_follow_ups import MONDAY, dms, sales_team, workspace_of
from tests.jobs.test_standup_jobs import dm_users, standup

# Monday 15:00 UTC: 23:00 in Shanghai, 10:00 in New York, 16:00 in Berlin; nobody's 09:00.
MONDAY_AFTERNOON = dt.datetime.combine(MONDAY, dt.time(15), dt.UTC)
FRIDAY_AFTERNOON_NY = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)  # 15:00 in New York
JOBS_DIR = Path(__file__).resolve().parents[2] / "jobs"


async def claims(app) -> list[JobRun]:
    async with app.db.session() as session:
        return list(await session.scalars(select(JobRun)))


async def test_follow_up_reminders_by_hand_dm_every_owner_with_something_due_now(app):
    await sales_team(app)  # ana and li have things due; U0004 has nothing
    workspace = await workspace_of(app)

    outcome = await run_job(
        JOBS["follow-up-reminders"], workspace, app.services, as_scheduled=False, now=MONDAY_AFTERNOON
    )

    assert (outcome.status, outcome.result) == ("ran", 2)
    assert sorted(m["channel"] for m in dms(app)) == ["U0002", "U0003"]
    assert await claims(app) == []  # the 09:00 DMs of the schedule are not used up


async def test_follow_up_reminders_by_hand_leave_out_who_is_out_of_office(app):
    team = await sales_team(app)
    workspace = await workspace_of(app)
    async with app.db.session() as session:
        await session.execute(
            update(Member)
            .where(Member.id == team["li"].id)
            .values(ooo_from=MONDAY - dt.timedelta(days=1), ooo_until=MONDAY + dt.timedelta(days=1))
        )

    outcome = await run_job(
        JOBS["follow-up-reminders"], workspace, app.services, as_scheduled=False, now=MONDAY_AFTERNOON
    )

    assert outcome.result == 1
    assert [m["channel"] for m in dms(app)] == ["U0002"]


async def test_the_standup_prompt_by_hand_asks_every_participant_of_todays_standups(app):
    workspace = await standup(app)  # weekdays at 09:00 New York, for U0002 and U0003

    outcome = await run_job(
        JOBS["standup-prompt"], workspace, app.services, as_scheduled=False, now=FRIDAY_AFTERNOON_NY
    )

    assert (outcome.status, outcome.result) == ("ran", 2)
    assert dm_users(app) == ["U0002", "U0003"]
    assert await claims(app) == []


async def test_the_standup_prompt_by_hand_on_a_day_without_a_standup_asks_nobody(app):
    workspace = await standup(app)
    saturday = FRIDAY_AFTERNOON_NY + dt.timedelta(days=1)

    outcome = await run_job(JOBS["standup-prompt"], workspace, app.services, as_scheduled=False, now=saturday)

    assert (outcome.status, outcome.result) == ("ran", 0)
    assert dm_users(app) == []


WALL_CLOCK = {"utcnow", "now", "today", "time", "monotonic"}


def wall_clock_reads(path: Path) -> list[str]:
    """Calls such as utcnow(), datetime.now(), date.today(), time.time() in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in WALL_CLOCK and not (name == "time" and node.args):  # dt.time(8, 30) is no read
                found.append(f"{path.name} {name}()")
    return found


def test_no_job_reads_the_wall_clock_but_the_runner_that_gives_them_theirs():
    reads = [read for path in sorted(JOBS_DIR.glob("*.py")) for read in wall_clock_reads(path)]

    assert reads == ["runner.py utcnow()"], reads  # run_job's default `now`
