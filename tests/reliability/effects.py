"""What a request did, to compare before and after: row counts of every table and the Slack calls made.

Shared by the reliability tests that assert "applied once" (retries, double submits) or "nothing
written" (refusals, fuzzing).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from sqlalchemy import func, literal, select, union_all

from bot.server import started_work
from storage.db import Database
from storage.models import Base

# Reads, not effects: a lookup may happen once per delivery without anything being applied twice.
READS = frozenset(
    {
        "users.info",
        "conversations.history",
        "conversations.info",
        "chat.getPermalink",
        "auth.test",
        "views.open",
        "response_url",
    }
)


async def row_counts(db: Database) -> dict[str, int]:
    """The number of rows in every table (all workspaces), in one query."""
    query = union_all(
        *(select(literal(t.name), func.count()).select_from(t) for t in Base.metadata.sorted_tables)
    )
    async with db.session() as session:
        return {name: count for name, count in (await session.execute(query)).all()}


async def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, to tell "nothing changed" (row counts miss updates)."""
    found = {}
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            found[table.name] = sorted(
                repr(tuple(row)) for row in (await session.execute(select(table))).all()
            )
    return found


async def quiesce(before: set[asyncio.Task[Any]], timeout: float = 30.0) -> None:
    """Wait until every task started since `before` is done: Bolt's work after the ack, and what the
    app and the fake Slack are serving. Deterministic where a quiet period would be a guess."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending := started_work(before) - {asyncio.current_task()}:
        if loop.time() > deadline:
            raise AssertionError(f"still running after {timeout}s: {[t.get_coro() for t in pending]}")
        await asyncio.wait(pending, timeout=deadline - loop.time())


async def settled(*requests: Awaitable[Any], together: bool = False) -> list[Any]:
    """Send `requests` (in turn, or all at once) and wait until all the work they started is done."""
    before = asyncio.all_tasks()
    replies = list(await asyncio.gather(*requests)) if together else [await r for r in requests]
    await quiesce(before)
    return replies


def slack_writes(fake, since: int = 0) -> Counter[tuple[str, str]]:
    """(method, channel or user) of every accepted Slack call that changes what someone sees."""
    seen: Counter[tuple[str, str]] = Counter()
    for call in fake.calls[since:]:
        if call.method not in READS and call.ok is not False:
            seen[(call.method, str(call.args.get("channel") or call.args.get("user_id") or ""))] += 1
    return seen


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables whose row count moved, with the difference."""
    return {name: after[name] - before[name] for name in after if after[name] != before.get(name)}
