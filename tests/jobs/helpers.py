"""Small helpers shared by the job tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.models import JobRun, Member, Workspace

# the `seed` fixture: seed(user_ids, timezone="Asia/Shanghai", team_id="T0001") -> Workspace
Seed = Callable[..., Awaitable[Workspace]]


def at(text: str) -> dt.datetime:
    """An aware instant from ISO text: at("2026-03-10T19:15Z")."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


async def members_of(db: Database, workspace_id: int) -> list[Member]:
    async with db.session() as session:
        query = select(Member).where(Member.workspace_id == workspace_id).order_by(Member.slack_user_id)
        return list(await session.scalars(query))


async def job_runs(db: Database) -> list[JobRun]:
    async with db.session() as session:
        return list(await session.scalars(select(JobRun).order_by(JobRun.id)))


def assert_refreshed(members: list[Member]) -> None:
    """Every member carries the profile the fake Slack answers with, not the stale one seeded."""
    assert members, "no members"
    for member in members:
        assert (member.real_name, member.timezone, member.locale, member.is_admin) == (
            "New Name",
            "Asia/Shanghai",
            "zh-CN",
            True,
        ), member.slack_user_id


DEALBELL = Path(sys.executable).parent / "dealbell"


@dataclass
class Finished:
    code: int
    out: str
    err: str


async def dealbell(*args: str, env: dict[str, str], cwd: Path) -> Finished:
    """Run the `dealbell` command as a real process; what it printed and its exit code."""
    process = await asyncio.create_subprocess_exec(
        str(DEALBELL),
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        process.communicate(), timeout=120
    )  # a generous ceiling: a busy machine
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


def environment(**values: str) -> dict[str, str]:
    """Only what the command needs; cwd is a temporary directory, so no `.env` file is read."""
    return {"PATH": os.environ.get("PATH", ""), **values}
