"""Deals fed from outside dealbell (the REST API, a CRM): one upsert keyed by (workspace, source, external id).

Every such path goes through `upsert_external_deal`, so an API call, a CRM webhook and a CRM poll of
the same deal meet on one row: created once, moved by the same domain operations as `/deal`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deals
from storage.models import Deal, Member, Stage
from storage.money import Money


@dataclass(frozen=True)
class Upserted:
    deal: Deal
    created: bool
    won_now: bool  # this call made it won: its caller celebrates (after the commit)


async def find_external_deal(
    session: AsyncSession, workspace_id: int, source: str, external_id: str
) -> Deal | None:
    return await session.scalar(
        select(Deal).where(
            Deal.workspace_id == workspace_id, Deal.external_source == source, Deal.external_id == external_id
        )
    )


def source_key(source: str, external_id: str) -> str:
    """The create key (deals.source_key) of an external deal: a concurrent twin's INSERT is skipped."""
    return f"external:{source}:{external_id}"[:120]


async def upsert_external_deal(
    session: AsyncSession, workspace_id: int, owner: Member, source: str, external_id: str, new: deals.NewDeal
) -> Upserted:
    """Create the deal, or move the existing one to `new`'s terms and stage (forward only, as `/deal`)."""
    existing = await find_external_deal(session, workspace_id, source, external_id)
    if existing is not None:
        return await update_external_deal(
            session, workspace_id, existing, new.stage, new.money, new.expected_close
        )
    deal, created = await deals.create_deal(
        session, workspace_id, owner, new, source_key(source, external_id)
    )
    if created:
        deal = await deals.set_external_key(session, workspace_id, deal.id, source, external_id)
        return Upserted(deal, True, deal.stage == Stage.WON)
    return await update_external_deal(session, workspace_id, deal, new.stage, new.money, new.expected_close)


async def update_external_deal(
    session: AsyncSession,
    workspace_id: int,
    deal: Deal,
    stage: Stage | None,
    money: Money | None,
    close: dt.date | None,
) -> Upserted:
    """Terms first, then the stage (as the deal's owner: the outside source acts for the workspace)."""
    owner = deal.owner
    deal = await deals.change_terms(session, workspace_id, deal.id, owner, money=money, expected_close=close)
    won_now = False
    if stage is not None and stage.value != deal.stage:
        deal, changed = await deals.change_stage(session, workspace_id, deal.id, stage, owner)
        won_now = changed and deal.stage == Stage.WON
    return Upserted(deal, False, won_now)
