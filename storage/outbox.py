"""The Slack outbox: posts that must not be lost, written in the transaction of the change they
announce, then delivered until Slack accepts them (no Slack in here: bot/kit/outbox.py sends).

A row is `pending` until sent. Whoever delivers claims it first (a conditional UPDATE, like
storage/jobruns.py): one process holds a row at a time, and a claim its holder stopped renewing
for `CLAIM_LEASE` (a process killed mid-post) may be taken over. A failed try gives the claim back
with the next attempt backed off. `held` rows wait for a manager's approval; `gone` rows Slack will
not take (the bot is not in the channel); `cancelled` rows lost their reason (the deal was deleted).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.models import SlackOutbox, utcnow

CLAIM_LEASE = dt.timedelta(minutes=2)
# After the n-th failed try the row waits RETRY_DELAYS[n-1] (the last one from then on).
RETRY_DELAYS = tuple(dt.timedelta(seconds=s) for s in (30, 60, 120, 300, 900))
GIVE_UP_AFTER = 50  # tries; a row still refused then is marked gone

PENDING, HELD, SENT, GONE, CANCELLED = "pending", "held", "sent", "gone", "cancelled"


async def enqueue(
    session: AsyncSession,
    workspace_id: int,
    kind: str,
    dedupe_key: str,
    *,
    subject_id: int | None = None,
    channel: str | None = None,
    payload: dict[str, Any] | None = None,
    held: bool = False,
) -> bool:
    """Add a post to send, once per `dedupe_key`, in the caller's transaction; True when added now."""
    now = utcnow()
    result = await session.execute(
        insert_ignoring_conflicts(session, SlackOutbox.__table__, ["workspace_id", "dedupe_key"]).values(
            workspace_id=workspace_id,
            kind=kind,
            dedupe_key=dedupe_key[:120],
            subject_id=subject_id,
            channel=channel,
            payload=payload,
            status=HELD if held else PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return result.rowcount == 1


def _free(now: dt.datetime, lease: dt.timedelta) -> Any:
    return or_(SlackOutbox.claimed_at.is_(None), SlackOutbox.claimed_at < now - lease)


async def claim_due(
    session: AsyncSession,
    workspace_id: int,
    now: dt.datetime,
    claimant: str,
    *,
    subject_id: int | None = None,
    limit: int = 20,
    lease: dt.timedelta = CLAIM_LEASE,
) -> list[SlackOutbox]:
    """Claim the pending rows whose next attempt is due and that no live process holds, oldest
    first, in one conditional UPDATE: each row goes to one caller (PostgreSQL re-checks the
    condition on a row another transaction just claimed; SQLite runs one writer at a time)."""
    wall = utcnow()  # retries and leases are real time, like job_runs' leases: a replayed
    # `--at` last Monday (or the sandbox's clock) still delivers what is due now
    due = select(SlackOutbox.id).where(
        SlackOutbox.workspace_id == workspace_id,
        SlackOutbox.status == PENDING,
        SlackOutbox.next_attempt_at <= max(now, wall),
        _free(wall, lease),
    )
    if subject_id is not None:
        due = due.where(SlackOutbox.subject_id == subject_id)
    ids = list(await session.scalars(due.order_by(SlackOutbox.id).limit(limit)))
    if not ids:
        return []
    claimed = await session.scalars(
        update(SlackOutbox)
        .where(SlackOutbox.id.in_(ids), SlackOutbox.status == PENDING, _free(wall, lease))
        .values(claimed_by=claimant[:200], claimed_at=wall)
        .returning(SlackOutbox)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(claimed, key=lambda row: row.id)


def _held_by(row_id: int, claimant: str) -> Any:
    return and_(SlackOutbox.id == row_id, SlackOutbox.claimed_by == claimant[:200])


async def mark_sent(
    session: AsyncSession, row_id: int, claimant: str, channel: str | None, ts: str | None
) -> None:
    await session.execute(
        update(SlackOutbox)
        .where(_held_by(row_id, claimant))
        .values(status=SENT, sent_at=utcnow(), posted_channel=channel, posted_ts=ts, claimed_at=None)
        .execution_options(synchronize_session=False)
    )


async def mark_gone(session: AsyncSession, row_id: int, claimant: str, error: str) -> None:
    """Slack will not take it (the channel is gone or the bot is not in it): not retried."""
    await session.execute(
        update(SlackOutbox)
        .where(_held_by(row_id, claimant))
        .values(status=GONE, error=error[:300], claimed_at=None)
        .execution_options(synchronize_session=False)
    )


async def mark_failed(session: AsyncSession, row_id: int, claimant: str, error: str) -> None:
    """Give the claim back; the next try waits a little longer each time."""
    row = await session.get(SlackOutbox, row_id, populate_existing=True)
    if row is None or row.claimed_by != claimant[:200]:
        return
    attempts = row.attempts + 1
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    await session.execute(
        update(SlackOutbox)
        .where(_held_by(row_id, claimant))
        .values(
            attempts=attempts,
            next_attempt_at=utcnow() + delay,
            claimed_at=None,
            error=error[:300],
            status=GONE if attempts >= GIVE_UP_AFTER else PENDING,
        )
        .execution_options(synchronize_session=False)
    )


async def set_status(
    session: AsyncSession, workspace_id: int, dedupe_key: str, status: str, *, only_from: tuple[str, ...]
) -> bool:
    """Release a held row (held -> pending), cancel one (-> cancelled): True when it changed."""
    result = await session.execute(
        update(SlackOutbox)
        .where(
            SlackOutbox.workspace_id == workspace_id,
            SlackOutbox.dedupe_key == dedupe_key,
            SlackOutbox.status.in_(only_from),
        )
        .values(status=status, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def find(session: AsyncSession, workspace_id: int, dedupe_key: str) -> SlackOutbox | None:
    return await session.scalar(
        select(SlackOutbox).where(
            SlackOutbox.workspace_id == workspace_id, SlackOutbox.dedupe_key == dedupe_key
        )
    )
