"""Small helpers shared by the job tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

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
