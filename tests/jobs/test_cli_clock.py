"""`dealbell jobs run NAME [--at …] [--as-scheduled]` as real processes: jobs run by the clock they are given.

A workspace in UTC with a manager and one rep who won a deal this week. Without a flag a job is
done now for everyone it concerns; `--at` runs it as of a local moment (the workspace's zone), and
with `--as-scheduled` as the scheduler would have then, claiming what it sends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.kit.views.leaderboard import day_text
from storage.db import Database
from storage.models import Customer, Member, Stage, Workspace, utcnow
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member, set_channel
from tests.factories import CustomerFactory, DealFactory, DealStageChangeFactory, persist
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.jobs.helpers import dealbell

MANAGER, REP = "U0BOSS", "U0REP"
A_PAST_MONDAY = dt.datetime(2026, 11, 23, 8, 5, tzinfo=dt.UTC)  # 08:05 in the workspace's zone (UTC)


@dataclass
class Team:
    workspace: Workspace
    manager: Member
    rep: Member


async def team_with_a_win(db: Database, fake_slack: FakeSlack, won_at: dt.datetime, amount: int) -> Team:
    """A manager and a rep in UTC; the rep won a deal of `amount` (minor units) at `won_at`."""
    for user, name in ((MANAGER, "boss"), (REP, "ana")):
        fake_slack.add_user(user, name=name, tz="UTC")
    async with db.session() as session:
        workspace = await ensure_workspace(session, TEAM_ID, defaults=WorkspaceDefaults(timezone="UTC"))
        manager = await save_member(session, workspace.id, MANAGER, Profile(name="boss", timezone="UTC"))
        manager.role = "manager"
        rep = await save_member(session, workspace.id, REP, Profile(name="ana", timezone="UTC"))
        await set_channel(session, workspace, "leaderboard", "C0LEADERS", MANAGER)
        [customer] = await persist(session, CustomerFactory(workspace=workspace, name="Acme"))
        await add_win(session, workspace, rep, customer, won_at, amount)
    return Team(workspace, manager, rep)


async def add_win(
    session, workspace: Workspace, rep: Member, customer: Customer, at: dt.datetime, amount: int
):
    [deal] = await persist(session, DealFactory(
        owner=rep, customer=customer, amount_minor=amount, currency=workspace.currency, stage=Stage.WON,
        created_at=at - dt.timedelta(minutes=1), closed_at=at,
    ))  # fmt: skip
    await persist(session, *(
        DealStageChangeFactory(deal=deal, from_stage=previous, to_stage=stage, changed_at=at)
        for previous, stage in ((None, "lead"), ("lead", Stage.WON.value))
    ))  # fmt: skip


def dms_to(fake_slack: FakeSlack, user: str) -> list[dict]:
    return [c.args for c in fake_slack.calls_to("chat.postMessage") if c.args.get("channel") == user]


def last_week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week before `day`'s."""
    monday = day - dt.timedelta(days=day.weekday() + 7)
    return monday, monday + dt.timedelta(days=6)


async def test_a_manual_weekly_digest_sends_each_manager_last_weeks_digest_now(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    now = utcnow()
    await team_with_a_win(db, fake_slack, now - dt.timedelta(minutes=5), 120_000)

    finished = await dealbell(
        "jobs", "run", "manager-digest-weekly", "--team", TEAM_ID, env=cli_env, cwd=tmp_path
    )

    assert finished.code == 0, finished.err
    assert finished.out.endswith(": ran (1)\n"), finished.out
    await fake_slack.settle()
    [digest] = dms_to(fake_slack, MANAGER)
    start, end = last_week_of(now.date())
    assert digest["text"] == f"Your weekly sales digest for {day_text(start, 'en')} – {day_text(end, 'en')}"
    assert dms_to(fake_slack, REP) == []


async def test_a_manual_weekly_leaderboard_posts_the_current_week_with_this_weeks_win(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    now = utcnow()
    await team_with_a_win(db, fake_slack, now - dt.timedelta(minutes=5), 120_000)

    finished = await dealbell(
        "jobs", "run", "weekly-leaderboard", "--team", TEAM_ID, env=cli_env, cwd=tmp_path
    )

    assert finished.code == 0, finished.err
    year, week, _ = now.isocalendar()
    assert finished.out == f"weekly-leaderboard {TEAM_ID} {year}-W{week:02d}: ran (1)\n"
    await fake_slack.settle()
    [post] = [c.args for c in fake_slack.calls_to("chat.postMessage")]
    assert post["channel"] == "C0LEADERS"
    monday = now.date() - dt.timedelta(days=now.weekday())
    assert post["text"] == f"Weekly leaderboard for {day_text(monday, 'en')} – {day_text(now.date(), 'en')}"
    assert "1,200" in str(post["blocks"]), post["blocks"]  # the rep's win this week, on the board


async def test_at_a_past_monday_sends_that_mondays_digest(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    await team_with_a_win(db, fake_slack, A_PAST_MONDAY - dt.timedelta(days=4), 120_000)

    finished = await dealbell(
        "jobs", "run", "manager-digest-weekly", "--team", TEAM_ID, "--at", "2026-11-23 08:05",
        env=cli_env, cwd=tmp_path,
    )  # fmt: skip

    assert finished.code == 0, finished.err
    assert finished.out == f"manager-digest-weekly {TEAM_ID} 2026-11-23: ran (1)\n"
    await fake_slack.settle()
    [digest] = dms_to(fake_slack, MANAGER)
    week = f"{day_text(dt.date(2026, 11, 16), 'en')} – {day_text(dt.date(2026, 11, 22), 'en')}"
    assert digest["text"] == f"Your weekly sales digest for {week}"
    assert "1,200" in str(digest["blocks"]), digest["blocks"]  # that week's win


async def test_three_concurrent_runs_as_scheduled_at_a_past_monday_send_once(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    await team_with_a_win(db, fake_slack, A_PAST_MONDAY - dt.timedelta(days=4), 120_000)
    run = (
        "jobs",
        "run",
        "manager-digest-weekly",
        "--team",
        TEAM_ID,
        "--at",
        "2026-11-23 08:05",
        "--as-scheduled",
    )

    runs = await asyncio.gather(*(dealbell(*run, env=cli_env, cwd=tmp_path) for _ in range(3)))

    assert [r.code for r in runs] == [0, 0, 0], [r.err for r in runs]
    assert sorted(r.out for r in runs) == [
        f"manager-digest-weekly {TEAM_ID} 2026-11-23: ran (0)\n",
        f"manager-digest-weekly {TEAM_ID} 2026-11-23: ran (0)\n",
        f"manager-digest-weekly {TEAM_ID} 2026-11-23: ran (1)\n",
    ]
    await fake_slack.settle()
    assert len(dms_to(fake_slack, MANAGER)) == 1


async def test_as_scheduled_at_a_moment_when_nothing_is_due_sends_nothing(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    await team_with_a_win(db, fake_slack, A_PAST_MONDAY - dt.timedelta(days=4), 120_000)

    finished = await dealbell(
        "jobs", "run", "manager-digest-weekly", "--at", "2026-11-24 08:05", "--as-scheduled",
        env=cli_env, cwd=tmp_path,
    )  # fmt: skip

    assert finished.code == 0, finished.err
    assert finished.out == f"manager-digest-weekly {TEAM_ID} 2026-11-24: ran (0)\n"
    assert dms_to(fake_slack, MANAGER) == []


async def test_a_moment_that_is_not_a_local_time_is_refused(
    db: Database,
    fake_slack: FakeSlack,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    await team_with_a_win(db, fake_slack, A_PAST_MONDAY, 120_000)

    finished = await dealbell(
        "jobs", "run", "weekly-leaderboard", "--at", "monday", env=cli_env, cwd=tmp_path
    )

    assert finished.code == 2
    assert "--at" in finished.err and "2026-12-07 08:05" in finished.err
    assert fake_slack.calls_to("chat.postMessage") == []
