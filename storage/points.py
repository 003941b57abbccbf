"""The points ledger: append-only movements; a balance is their sum (no Slack in here).

Every writer that spends points locks the member first (`lock_member`), so two redemptions at the
same moment cannot both see the old balance.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.kudos import lock_member
from storage.models import PointsEntry, utcnow


class PointsError(UserError):
    """A refused points movement; nothing was written."""


async def balance(session: AsyncSession, workspace_id: int, member_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.workspace_id == workspace_id, PointsEntry.member_id == member_id
        )
    )
    return int(total or 0)


async def record(
    session: AsyncSession,
    workspace_id: int,
    member_id: int,
    delta: int,
    *,
    reason: str,
    reference: str,
    source_key: str,
    now: dt.datetime | None = None,
) -> bool:
    """Append one movement, once per `source_key`; True when it was written now."""
    result = await session.execute(
        insert_ignoring_conflicts(session, PointsEntry.__table__, ["workspace_id", "source_key"]).values(
            workspace_id=workspace_id,
            member_id=member_id,
            delta=delta,
            reason=reason,
            reference=reference[:120],
            source_key=source_key,
            created_at=now or utcnow(),
        )
    )
    return result.rowcount == 1


async def spend(
    session: AsyncSession,
    workspace_id: int,
    member_id: int,
    amount: int,
    *,
    reason: str,
    reference: str,
    source_key: str,
) -> int:
    """Take `amount` points if the balance allows; returns the new balance. Never goes below zero."""
    if amount <= 0:
        raise PointsError("points.error.bad_amount")
    await lock_member(session, member_id)
    current = await balance(session, workspace_id, member_id)
    if current < amount:
        raise PointsError("points.error.not_enough", balance=current, cost=amount)
    await record(
        session, workspace_id, member_id, -amount, reason=reason, reference=reference, source_key=source_key
    )
    return current - amount


async def history(
    session: AsyncSession, workspace_id: int, member_id: int, limit: int = 10
) -> list[PointsEntry]:
    return list(
        await session.scalars(
            select(PointsEntry)
            .where(PointsEntry.workspace_id == workspace_id, PointsEntry.member_id == member_id)
            .order_by(PointsEntry.id.desc())
            .limit(limit)
        )
    )
