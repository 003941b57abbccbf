"""A burst of writes, as Slack sends it in a busy minute: every request answered in time, no lock
error, no pool timeout, and every accepted write in the database exactly once.

The default database is a SQLite file; `/deal won` and `/kudos` interleaved from many people at
once make each request a write transaction. Before writes were queued through one writer, SQLite
answered some of them "database is locked" (a deferred transaction's snapshot went stale while it
waited for the write lock) and left others waiting long past Slack's 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from bot.kit.i18n import t
from storage.models import Deal, KudosGive
from storage.workspaces import Profile, ensure_workspace, save_member
from tests.reliability.effects import quiesce

REQUESTS = 128  # 64 at 16 concurrent passed here even before writes took turns: too little overlap
CONCURRENCY = 32
BUSY = t("en", "error.busy")  # nothing was saved, try again in a moment
FAILURES = ("database is locked", "QueuePool limit", "timed out", "Something went wrong", "can't reach")


def user(n: int) -> str:
    return f"U{9000 + n:05d}"


async def known_members(app, count: int) -> None:
    """The team as it is on a busy day: everyone has used dealbell before."""
    async with app.db.session() as session:
        workspace = await ensure_workspace(session, "T0001")
        for n in range(count):
            await save_member(session, workspace.id, user(n), Profile(name=f"rep{n}", real_name=f"Rep {n}"))


def command(i: int) -> tuple[str, str, str]:
    """The i-th request: `/deal won` and `/kudos` in turn, each from its own person."""
    if i % 2 == 0:
        return "/deal", f'won 12.5k Customer{i} "Annual licence"', user(i)
    return "/kudos", f"<@{user(i - 1)}> thanks for the demo", user(i)


async def burst(app) -> list[tuple[str, int, str, float]]:
    """(command, status, text, seconds) of each request, sent at CONCURRENCY at once."""
    numbers = iter(range(REQUESTS))
    replies: list[tuple[str, int, str, float]] = []

    async def worker() -> None:
        for i in numbers:
            name, text, sender = command(i)
            reply = await app.send.command(name, text, user=sender)
            replies.append((name, reply.status, reply.text, reply.elapsed))

    before = asyncio.all_tasks()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    await quiesce(before, timeout=60)  # the cards and announcements after each answer
    return replies


async def test_a_burst_of_writes_is_answered_in_time_and_written_once(app, caplog):
    caplog.set_level(logging.WARNING)
    await known_members(app, REQUESTS)
    replies = await burst(app)

    # Every request answered, none with Bolt's 404 (no answer within Slack's 3 s). How fast is the
    # bench's to measure: client and server share this process's loop, so its lag is in the times.
    assert [r[:3] for r in replies if r[1] != 200] == []
    logged = "\n".join(
        record.getMessage() + (caplog.text if record.exc_info else "") for record in caplog.records
    )
    answers = "\n".join(r[2] for r in replies)
    for failure in FAILURES:
        assert failure not in logged and failure not in answers, failure
    accepted = {
        "/deal": sum("Deal logged" in r[2] for r in replies if r[0] == "/deal"),
        "/kudos": sum("Kudos sent" in r[2] for r in replies if r[0] == "/kudos"),
    }
    busy = sum(BUSY in r[2] for r in replies)
    assert accepted["/deal"] + accepted["/kudos"] + busy == REQUESTS, answers
    async with app.db.session() as session:
        deals = await session.scalar(
            select(func.count()).select_from(Deal).where(Deal.source_key.like("command:%"))
        )
        gives = list(await session.scalars(select(KudosGive.source_key)))
    # nothing lost (every accepted request is there) and nothing twice (no busy one wrote anything);
    # how many were told "busy" depends on the machine's load (the bench counts them), not asserted
    assert deals == accepted["/deal"]
    assert len(gives) == len(set(gives)) == accepted["/kudos"]


@pytest.fixture(autouse=True)
def _quiet_fake_slack_logs(caplog):
    """Only the app's own warnings count here."""
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")
