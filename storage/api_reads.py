"""The REST API's reads: pages of deals and kudos, members, a deal's history. Every query is scoped to
the token's workspace; pages are keyset pages on the id (ascending), so rows inserted while a client
pages through appear after the ones it has, never twice and never in place of one."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.deals import customer_key
from storage.models import Customer, Deal, DealStageChange, Kudos, KudosGive, Member


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The id after which a page starts; 0 for none or a cursor that is not ours (the first page)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return 0
    head, _, number = text.partition(":")
    return int(number) if head == "id" and number.isascii() and number.isdigit() and len(number) < 12 else 0


@dataclass(frozen=True)
class DealFilter:
    stage: str | None = None
    owner_slack_id: str | None = None
    customer: str | None = None
    updated_since: dt.datetime | None = None


async def deals_page(
    session: AsyncSession, workspace_id: int, where: DealFilter, after_id: int, limit: int
) -> tuple[list[Deal], bool]:
    """Up to `limit` deals after `after_id`, and whether more follow."""
    query = select(Deal).where(Deal.workspace_id == workspace_id, Deal.id > after_id)
    if where.stage:
        query = query.where(Deal.stage == where.stage)
    if where.owner_slack_id:
        query = query.join(Member, Member.id == Deal.owner_id).where(
            Member.slack_user_id == where.owner_slack_id
        )
    if where.customer:
        query = query.join(Customer, Customer.id == Deal.customer_id).where(
            Customer.name_key == customer_key(where.customer)
        )
    if where.updated_since:
        query = query.where(Deal.updated_at >= where.updated_since)
    rows = list(await session.scalars(query.order_by(Deal.id).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


async def deal_history(
    session: AsyncSession, workspace_id: int, deal_id: int
) -> list[tuple[DealStageChange, str]]:
    rows = await session.execute(
        select(DealStageChange, Member.slack_user_id)
        .join(Member, Member.id == DealStageChange.changed_by_id)
        .where(DealStageChange.workspace_id == workspace_id, DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.id)
    )
    return [(change, slack_id) for change, slack_id in rows.all()]


async def members(session: AsyncSession, workspace_id: int) -> list[Member]:
    """The workspace's people (no bots, nobody deleted), by id."""
    query = select(Member).where(
        Member.workspace_id == workspace_id, Member.is_bot.is_(False), Member.deleted.is_(False)
    )
    return list(await session.scalars(query.order_by(Member.id)))


@dataclass(frozen=True)
class KudosRow:
    kudos: Kudos
    give: KudosGive
    giver: Member
    receiver: Member


async def kudos_page(
    session: AsyncSession,
    workspace_id: int,
    *,
    since: dt.datetime | None,
    receiver: str | None,
    giver: str | None,
    after_id: int,
    limit: int,
    give_id: int | None = None,
) -> tuple[list[KudosRow], bool]:
    """Kudos (one row per giver and receiver) after `after_id`; anonymous feedback is another table."""
    giver_member, receiver_member = aliased(Member), aliased(Member)
    query = (
        select(Kudos, KudosGive, giver_member, receiver_member)
        .join(KudosGive, KudosGive.id == Kudos.give_id)
        .join(giver_member, giver_member.id == Kudos.giver_id)
        .join(receiver_member, receiver_member.id == Kudos.receiver_id)
        .where(Kudos.workspace_id == workspace_id, Kudos.id > after_id)
    )
    if since is not None:
        query = query.where(Kudos.created_at >= since)
    if receiver:
        query = query.where(receiver_member.slack_user_id == receiver)
    if giver:
        query = query.where(giver_member.slack_user_id == giver)
    if give_id is not None:
        query = query.where(Kudos.give_id == give_id)
    rows = [
        KudosRow(*row) for row in (await session.execute(query.order_by(Kudos.id).limit(limit + 1))).all()
    ]
    return rows[:limit], len(rows) > limit


async def kudos_of_give(session: AsyncSession, workspace_id: int, give_id: int) -> list[KudosRow]:
    rows, _ = await kudos_page(
        session, workspace_id, since=None, receiver=None, giver=None, after_id=0, limit=1000, give_id=give_id
    )
    return rows
