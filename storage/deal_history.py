"""A deal's history (who changed which field when, before -> after) and what a change announces in
Slack (its celebration, through the outbox), written in the transaction of the change itself.

The one rule for a deleted deal: it is deleted from `deals`, so no total (leaderboards, goals,
contests, scorecards, digests, exports) can count it; its history stays here, with a snapshot of the
row to restore it from. No Slack in here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox, workspaces
from storage.models import Deal, DealHistory, DealSettings, Member, Stage, Workspace, utcnow

CELEBRATION = "celebration"  # the win post in the wins channel
CELEBRATION_UPDATE = "celebration_update"  # chat.update of a sent celebration: corrected or withdrawn
APPROVAL_REQUEST = "approval_request"  # a manager's DM with Approve / Decline


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryLine:
    action: str
    field: str | None
    before: str | None
    after: str | None
    by: str  # the Slack user id of who did it
    at: dt.datetime
    undone: bool


def celebration_key(deal_id: int) -> str:
    return f"{CELEBRATION}:{deal_id}"


async def record(
    session: AsyncSession,
    workspace_id: int,
    deal_id: int,
    by: Member,
    action: str,
    changes: list[Change] | tuple[Change, ...] = (),
    *,
    snapshot: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> str:
    """One action's rows (one per changed field, or one without a field); returns their batch."""
    batch = uuid.uuid4().hex
    now = now or utcnow()
    for change in changes or (Change("", None, None),):
        session.add(
            DealHistory(
                workspace_id=workspace_id, deal_id=deal_id, batch=batch, action=action,
                field=change.field or None, before=change.before, after=change.after,
                snapshot=snapshot, changed_by_id=by.id, changed_at=now,
            )
        )  # fmt: skip
    return batch


async def recent(session: AsyncSession, workspace_id: int, deal_id: int, limit: int = 5) -> list[HistoryLine]:
    """The deal's latest history lines, newest first."""
    rows = await session.execute(
        select(DealHistory, Member.slack_user_id)
        .join(Member, Member.id == DealHistory.changed_by_id)
        .where(DealHistory.workspace_id == workspace_id, DealHistory.deal_id == deal_id)
        .order_by(DealHistory.id.desc())
        .limit(limit)
    )
    return [
        HistoryLine(h.action, h.field, h.before, h.after, user, h.changed_at, h.undone_at is not None)
        for h, user in rows
    ]


async def approval_threshold(session: AsyncSession, workspace_id: int) -> int | None:
    """Wins above this (minor units of the workspace currency) wait for a manager; None: off."""
    return await session.scalar(
        select(DealSettings.approval_minor).where(DealSettings.workspace_id == workspace_id)
    )


async def _needs_approval(session: AsyncSession, deal: Deal) -> bool:
    """Above the workspace's threshold, or in another currency (which it cannot be compared with)."""
    limit = await approval_threshold(session, deal.workspace_id)
    if limit is None:
        return False
    workspace = await session.get(Workspace, deal.workspace_id)
    return workspace is not None and (deal.currency != workspace.currency or deal.amount_minor > limit)


def post_facts(deal: Deal) -> dict[str, Any]:
    """What a withdrawn celebration still says about its deal once the row is gone."""
    return {
        "owner": deal.owner.slack_user_id,
        "customer": deal.customer.name,
        "title": deal.title,
        "amount_minor": deal.amount_minor,
        "currency": deal.currency,
    }


async def announce(
    session: AsyncSession,
    workspace_id: int,
    deal: Deal | None,
    deal_id: int,
    batch: str,
    *,
    channel: str | None = None,
    facts: dict[str, Any] | None = None,
) -> None:
    """Keep the deal's celebration in step with the deal after a change (`deal` None: deleted).

    A won deal gets one celebration row (held for a manager above the approval threshold); a deal
    no longer won (reopened, deleted) cancels one not yet sent; a sent one is updated in place
    (corrected amount, or "withdrawn") through a `celebration_update` row of this change."""
    key = celebration_key(deal_id)
    existing = await outbox.find(session, workspace_id, key)
    won = deal is not None and deal.stage == Stage.WON.value
    if won and existing is None:
        approvers = []
        if await _needs_approval(session, deal):
            approvers = await _other_managers(session, workspace_id, deal.owner_id)
        await outbox.enqueue(
            session, workspace_id, CELEBRATION, key, subject_id=deal_id, channel=channel, held=bool(approvers)
        )
        await _ask_managers(session, workspace_id, deal_id, approvers)
        return
    if existing is None:
        return
    if existing.status in (outbox.PENDING, outbox.HELD, outbox.CANCELLED):
        if not won:
            await outbox.set_status(
                session, workspace_id, key, outbox.CANCELLED, only_from=(outbox.PENDING, outbox.HELD)
            )
        elif existing.status == outbox.CANCELLED:
            await outbox.set_status(session, workspace_id, key, outbox.PENDING, only_from=(outbox.CANCELLED,))
        return
    if existing.status == outbox.SENT and existing.posted_ts:
        await outbox.enqueue(
            session,
            workspace_id,
            CELEBRATION_UPDATE,
            f"{CELEBRATION_UPDATE}:{deal_id}:{batch}",
            subject_id=deal_id,
            channel=existing.posted_channel,
            payload={"ts": existing.posted_ts, **(facts or (post_facts(deal) if deal else {}))},
        )


async def _other_managers(session: AsyncSession, workspace_id: int, owner_id: int) -> list[Member]:
    """The managers who may approve this win: nobody approves their own."""
    return [m for m in await workspaces.managers(session, workspace_id) if m.id != owner_id]


async def _ask_managers(
    session: AsyncSession, workspace_id: int, deal_id: int, managers: list[Member]
) -> None:
    """One DM per manager with Approve / Decline, through the outbox like the celebration itself."""
    for manager in managers:
        await outbox.enqueue(
            session,
            workspace_id,
            APPROVAL_REQUEST,
            f"{APPROVAL_REQUEST}:{deal_id}:{manager.slack_user_id}",
            subject_id=deal_id,
            channel=manager.slack_user_id,
        )
