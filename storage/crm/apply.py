"""Write one RemoteDeal: once per CRM modified time, never backwards, credited only to a mapped owner.

The version claim (crm_deal_links.modified_at, raised by a conditional UPDATE) is what makes a webhook
delivered three times at once, a webhook plus the poll, and a re-sync write once: whoever raises it
applies; an equal or older modified time changes nothing. The deal itself goes through
storage/external_deals.py, the path the REST API takes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deal_history, deals, external_deals, outbox
from storage.crm import RemoteDeal, parse_date, parse_time
from storage.db import insert_ignoring_conflicts
from storage.models import CrmConnection, CrmDealLink, Deal, DealStageChange, Member, Stage, Workspace, utcnow
from storage.money import parse_amount
from storage.workspaces import get_member

DELETED_REASON = "deleted in {source}"


@dataclass(frozen=True)
class Applied:
    deal: Deal | None = None
    owner: Member | None = None
    won_now: bool = False  # celebrate it (after the commit)
    backfilled_win: bool = False  # a win recorded without celebrating
    unmapped_owner: str | None = None  # kept until this CRM owner is mapped
    written: bool = False


async def claim_version(
    session: AsyncSession, connection: CrmConnection, remote: RemoteDeal
) -> CrmDealLink | None:
    """The deal's link, when this version is newer than any applied; None for a repeat or an older event."""
    key = (CrmDealLink.connection_id == connection.id, CrmDealLink.external_id == remote.external_id)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, CrmDealLink.__table__, ["connection_id", "external_id"]).values(
            workspace_id=connection.workspace_id,
            connection_id=connection.id,
            external_id=remote.external_id,
            modified_at=remote.modified_at,
            owner_key=remote.owner_key,
            owner_email=remote.owner_email,
        )
    )
    if inserted.rowcount != 1:
        raised = await session.execute(
            update(CrmDealLink)
            .where(*key, CrmDealLink.modified_at < remote.modified_at)
            .values(
                modified_at=remote.modified_at, owner_key=remote.owner_key, owner_email=remote.owner_email
            )
            .execution_options(synchronize_session=False)
        )
        if raised.rowcount != 1:
            return None
    link = await session.scalar(select(CrmDealLink).where(*key).execution_options(populate_existing=True))
    assert link is not None
    return link


def owner_slack_id(connection: CrmConnection, owner_key: str | None) -> str | None:
    return (connection.owner_map or {}).get(owner_key) if owner_key else None


async def apply_remote_deal(
    session: AsyncSession,
    workspace: Workspace,
    connection: CrmConnection,
    remote: RemoteDeal,
    *,
    backfill: bool = False,
) -> Applied:
    """Apply `remote` once; a deal of a pipeline that does not count, or a stale event, changes nothing."""
    if connection.pipelines and remote.pipeline not in connection.pipelines:
        return Applied()
    link = await claim_version(session, connection, remote)
    if link is None:
        return Applied()
    return await write_deal(session, workspace, connection, link, remote, backfill=backfill)


async def write_deal(
    session: AsyncSession,
    workspace: Workspace,
    connection: CrmConnection,
    link: CrmDealLink,
    remote: RemoteDeal,
    *,
    backfill: bool,
) -> Applied:
    deal = await deals.get_deal(session, workspace.id, link.deal_id) if link.deal_id else None
    before = await last_history_id(session, workspace.id)
    applied = await _write_deal(session, workspace, connection, link, deal, remote, backfill=backfill)
    if applied.deal is not None:
        await name_source(session, applied.deal.id, before, connection.kind)
    return applied


async def last_history_id(session: AsyncSession, workspace_id: int) -> int:
    query = select(func.max(DealStageChange.id)).where(DealStageChange.workspace_id == workspace_id)
    return int(await session.scalar(query) or 0)


async def name_source(session: AsyncSession, deal_id: int, after_id: int, source: str) -> None:
    """The history rows this apply wrote name the CRM (who is the deal's owner, as the API's are)."""
    await session.execute(
        update(DealStageChange)
        .where(DealStageChange.deal_id == deal_id, DealStageChange.id > after_id)
        .values(via=source)
        .execution_options(synchronize_session=False)
    )


async def _write_deal(
    session: AsyncSession,
    workspace: Workspace,
    connection: CrmConnection,
    link: CrmDealLink,
    deal: Deal | None,
    remote: RemoteDeal,
    *,
    backfill: bool,
) -> Applied:
    if remote.deleted:
        link.pending = None
        if deal is not None:
            deal = await move_to(
                session, deal, Stage.LOST, reason=DELETED_REASON.format(source=connection.kind)
            )
        return Applied(deal=deal, written=True)
    slack_id = owner_slack_id(connection, remote.owner_key)
    owner = await get_member(session, workspace.id, slack_id) if slack_id else None
    if deal is None and owner is None:
        link.pending = pending_of(remote)  # kept, shown as unassigned, never credited to a guess
        return Applied(unmapped_owner=remote.owner_key or "", written=True)
    new = deals.NewDeal(
        customer=remote.customer or remote.title or remote.external_id,
        money=parse_amount(remote.amount or "0", remote.currency or workspace.currency),
        title=remote.title,
        stage=remote.stage,
        expected_close=remote.close_date,
    )
    done = await external_deals.upsert_external_deal(
        session,
        workspace.id,
        owner or deal.owner,
        connection.kind,
        remote.external_id,
        new,  # type: ignore[union-attr]
    )
    deal, won_now = done.deal, done.won_now
    if deal.stage != remote.stage.value:  # a reopen, or a closed deal closed the other way: the CRM decides
        deal = await move_to(session, deal, remote.stage)
        won_now = remote.stage == Stage.WON  # celebrated at most once all the same (deals.celebrated_at)
    link.deal_id, link.pending = deal.id, None
    if won_now and backfill:  # recorded, never posted: its celebration row is cancelled with the write
        key = deal_history.celebration_key(deal.id)
        await outbox.set_status(
            session, workspace.id, key, outbox.CANCELLED, only_from=(outbox.PENDING, outbox.HELD)
        )
        return Applied(deal=deal, owner=deal.owner, backfilled_win=True, written=True)
    return Applied(deal=deal, owner=deal.owner, won_now=won_now, written=True)


async def move_to(session: AsyncSession, deal: Deal, stage: Stage, *, reason: str | None = None) -> Deal:
    """The CRM's move that `/deal` does not make (reopen, won ↔ lost, deleted): written with its history row."""
    if deal.stage == stage.value:
        return deal
    now, previous = utcnow(), deal.stage
    values: dict[str, Any] = {
        "stage": stage.value,
        "updated_at": now,
        "closed_at": None if stage.is_open else now,
    }
    if reason is not None:
        values["lost_reason"] = reason
    await session.execute(
        update(Deal).where(Deal.id == deal.id).values(**values).execution_options(synchronize_session=False)
    )
    session.add(
        DealStageChange(
            workspace_id=deal.workspace_id, deal_id=deal.id, from_stage=deal.stage, to_stage=stage.value,
            changed_by_id=deal.owner_id, changed_at=now,
        )
    )  # fmt: skip
    await session.flush()
    await session.refresh(deal)
    # The deal's history names the move, and its celebration follows it (queued when won, withdrawn
    # when reopened or lost), as for a move made in Slack.
    change = deal_history.Change("stage", previous, stage.value)
    batch = await deal_history.record(
        session, deal.workspace_id, deal.id, deal.owner, "stage", [change], now=now
    )
    await deal_history.announce(session, deal.workspace_id, deal, deal.id, batch)
    return deal


def pending_of(remote: RemoteDeal) -> dict[str, Any]:
    fields = dataclasses.asdict(remote)
    fields["modified_at"] = remote.modified_at.isoformat()
    fields["close_date"] = remote.close_date.isoformat() if remote.close_date else None
    fields["stage"] = remote.stage.value
    return fields


def remote_of(pending: dict[str, Any]) -> RemoteDeal:
    modified = parse_time(pending["modified_at"])
    assert modified is not None
    return RemoteDeal(**{**pending, "modified_at": modified, "stage": Stage(pending["stage"]),
                         "close_date": parse_date(pending["close_date"])})  # fmt: skip


async def apply_pending(
    session: AsyncSession, workspace: Workspace, connection: CrmConnection, owner_key: str
) -> list[Applied]:
    """The deals kept for an owner just mapped, credited now (recorded like a backfill: no celebration)."""
    links = await session.scalars(
        select(CrmDealLink).where(
            CrmDealLink.connection_id == connection.id,
            CrmDealLink.owner_key == owner_key,
            CrmDealLink.pending.is_not(None),
        )
    )
    return [
        await write_deal(session, workspace, connection, link, remote_of(link.pending or {}), backfill=True)
        for link in list(links)
    ]
