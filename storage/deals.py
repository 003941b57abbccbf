"""Deals, customers and stage history: the domain operations behind `/deal` (no Slack in here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deal_history
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import (
    OPEN_STAGES,
    Customer,
    Deal,
    DealCongratulation,
    DealStageChange,
    Member,
    Role,
    Stage,
    utcnow,
)
from storage.money import Money


class DealError(UserError):
    """A refused change to a deal."""


# The limits of what a deal holds, checked here, where every path (command, modal, import) writes.
MAX_CUSTOMER = 200  # Customer.name is String(200)
MAX_TITLE = 300  # Deal.title
MAX_COMPETITOR = 200  # Deal.competitor
MAX_REASON = 300  # Deal.lost_reason


# Deal.funnel_reached is an index in this (lost is not a step); kept wherever history is written
FUNNEL_STAGES = (*OPEN_STAGES, Stage.WON)


def funnel_index(stage: Stage) -> int:
    return FUNNEL_STAGES.index(stage) if stage in FUNNEL_STAGES else 0


@dataclass(frozen=True)
class NewDeal:
    customer: str
    money: Money
    title: str = ""
    stage: Stage = Stage.LEAD
    expected_close: dt.date | None = None
    notes: str = ""
    competitor: str | None = None
    lost_reason: str | None = None


@dataclass(frozen=True)
class StageTotal:
    stage: Stage
    currency: str
    count: int
    amount_minor: int


def customer_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def customer_name(name: str) -> str:
    """A customer's name as stored, whitespace collapsed; refused when longer than MAX_CUSTOMER."""
    name = " ".join(name.split())
    if len(name) > MAX_CUSTOMER:
        raise DealError("customers.error.name_too_long", limit=MAX_CUSTOMER, length=len(name))
    return name


def _check_length(key: str, text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        raise DealError(key, limit=limit, length=len(text))


def check_closing(competitor: str | None, reason: str | None) -> None:
    """What a lost deal may record: a competitor and a reason, each within its column."""
    _check_length("deal.error.competitor_too_long", competitor, MAX_COMPETITOR)
    _check_length("deal.error.reason_too_long", reason, MAX_REASON)


def check_new_deal(new: NewDeal) -> NewDeal:
    """`new` with its customer name and title tidied, or DealError saying which limit it breaks."""
    customer = customer_name(new.customer)
    if not customer:
        raise DealError("deal.error.customer_missing")
    title = new.title.strip()
    _check_length("deal.error.title_too_long", title, MAX_TITLE)
    check_closing(new.competitor, new.lost_reason)
    return replace(new, customer=customer, title=title)


async def find_or_create_customer(session: AsyncSession, workspace_id: int, name: str) -> Customer:
    name = " ".join(name.split())
    key = customer_key(name)
    query = select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key == key)
    customer = await session.scalar(query)
    if customer is None:
        await session.execute(
            insert_ignoring_conflicts(session, Customer.__table__, ["workspace_id", "name_key"]).values(
                workspace_id=workspace_id, name=name, name_key=key, segment="new", created_at=utcnow()
            )
        )
        customer = await session.scalar(query)
    assert customer is not None
    return customer


async def get_deal(session: AsyncSession, workspace_id: int, deal_id: int) -> Deal | None:
    """A deal of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(select(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id))


async def create_deal(
    session: AsyncSession,
    workspace_id: int,
    owner: Member,
    new: NewDeal,
    source_key: str,
    *,
    channel: str | None = None,
) -> tuple[Deal, bool]:
    """Record a deal once per `source_key` (a trigger or view id); returns (deal, created).

    A repeat is found by the unique key the INSERT below skips on, not by a SELECT first: one
    statement fewer on every new deal (the repeat finds its customer, already there, on the way).
    DealError, before anything is written, for a deal beyond the limits above. A won deal's
    celebration is queued in the same transaction (posted in the wins channel, else `channel`)."""
    new = check_new_deal(new)
    customer = await find_or_create_customer(session, workspace_id, new.customer)
    now = utcnow()
    result = await session.execute(
        insert_ignoring_conflicts(session, Deal.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace_id,
            owner_id=owner.id,
            customer_id=customer.id,
            title=new.title,
            amount_minor=new.money.minor,
            currency=new.money.currency,
            stage=new.stage.value,
            funnel_reached=funnel_index(new.stage),
            expected_close=new.expected_close,
            notes=new.notes,
            competitor=new.competitor,
            lost_reason=new.lost_reason,
            closed_at=None if new.stage.is_open else now,
            source_key=source_key,
            created_at=now,
            updated_at=now,
        )
        .returning(Deal.id)
    )
    deal_id = result.scalar()
    if deal_id is None:  # lost a race with the same submission in another request
        deal = await session.scalar(
            select(Deal).where(Deal.workspace_id == workspace_id, Deal.source_key == source_key)
        )
        assert deal is not None
        return deal, False
    session.add(
        DealStageChange(
            workspace_id=workspace_id, deal_id=deal_id, from_stage=None, to_stage=new.stage.value,
            changed_by_id=owner.id, changed_at=now,
        )
    )  # fmt: skip
    if new.stage == Stage.WON:
        await mark_customer_won(session, workspace_id, customer.id)
    batch = await deal_history.record(session, workspace_id, deal_id, owner, "create", now=now)
    await session.flush()
    deal = await get_deal(session, workspace_id, deal_id)
    assert deal is not None
    if new.stage == Stage.WON:  # a new deal has no celebration to keep in step otherwise
        await deal_history.announce(session, workspace_id, deal, deal_id, batch, channel=channel)
    return deal, True


def may_edit(member: Member, deal: Deal) -> bool:
    return deal.owner_id == member.id or member.role == Role.MANAGER.value or member.is_workspace_admin


async def change_stage(
    session: AsyncSession,
    workspace_id: int,
    deal_id: int,
    to_stage: Stage,
    by: Member,
    *,
    competitor: str | None = None,
    reason: str | None = None,
    channel: str | None = None,
) -> tuple[Deal, bool]:
    """Move a deal to `to_stage`; returns (deal, changed). A repeated click changes nothing.

    The UPDATE is conditional on the stage we read, so two concurrent clicks cannot both win; one
    that finds the stage moved meanwhile (another click, `/deal won` typed while a click is being
    saved) reads it again and applies the move if it is still a move forward.
    """
    check_closing(competitor, reason)
    for _attempt in range(3):
        deal = await get_deal(session, workspace_id, deal_id)
        if deal is None:
            raise DealError("deal.error.not_found")
        if not may_edit(by, deal):
            raise DealError("deal.error.not_yours")
        current = Stage(deal.stage)
        if not current.is_open or (
            to_stage.is_open and OPEN_STAGES.index(to_stage) <= OPEN_STAGES.index(current)
        ):
            return deal, False  # closed deals stay closed; open deals only move forward (a stale card)
        now = utcnow()
        if await _move(session, deal, to_stage, now, competitor, reason):
            break
        session.expire(deal)  # moved meanwhile: read it again
    else:
        return deal, False
    session.add(
        DealStageChange(
            workspace_id=workspace_id, deal_id=deal_id, from_stage=current.value, to_stage=to_stage.value,
            changed_by_id=by.id, changed_at=now,
        )
    )  # fmt: skip
    if to_stage == Stage.WON:
        await mark_customer_won(session, workspace_id, deal.customer_id)
    change = deal_history.Change("stage", current.value, to_stage.value)
    batch = await deal_history.record(session, workspace_id, deal_id, by, "stage", [change], now=now)
    await session.flush()
    await session.refresh(deal)
    await deal_history.announce(session, workspace_id, deal, deal_id, batch, channel=channel)
    return deal, True


async def _move(
    session: AsyncSession,
    deal: Deal,
    to_stage: Stage,
    now: dt.datetime,
    competitor: str | None,
    reason: str | None,
) -> bool:
    """The stage UPDATE, only while the deal is still at the stage read; True when it moved."""
    values: dict[str, object] = {"stage": to_stage.value, "updated_at": now}
    if not to_stage.is_open:
        values["closed_at"] = now
    if deal.funnel_reached is not None:  # NULL: not kept for this deal, the digest reads its history
        values["funnel_reached"] = max(deal.funnel_reached, funnel_index(to_stage))
    if to_stage == Stage.LOST:
        values["competitor"] = competitor or deal.competitor
        values["lost_reason"] = reason or deal.lost_reason
    result = await session.execute(
        update(Deal)
        .where(Deal.workspace_id == deal.workspace_id, Deal.id == deal.id, Deal.stage == deal.stage)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def mark_customer_won(session: AsyncSession, workspace_id: int, customer_id: int) -> None:
    """A won deal makes a potential or new customer an existing one (a vip stays vip)."""
    await session.execute(
        update(Customer)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.id == customer_id,
            Customer.segment.in_(("potential", "new")),
        )
        .values(segment="existing")
    )


async def find_open_deal(
    session: AsyncSession, workspace_id: int, owner: Member, customer: str
) -> Deal | None:
    """The owner's most recently updated open deal with this customer."""
    return await session.scalar(
        select(Deal)
        .join(Customer, Customer.id == Deal.customer_id)
        .where(
            Deal.workspace_id == workspace_id,
            Deal.owner_id == owner.id,
            Deal.stage.in_([s.value for s in OPEN_STAGES]),
            Customer.name_key == customer_key(customer),
        )
        .order_by(Deal.updated_at.desc(), Deal.id.desc())
        .limit(1)
    )


async def open_pipeline(
    session: AsyncSession, workspace_id: int, owner_id: int, limit: int = 20
) -> tuple[list[Deal], list[StageTotal]]:
    """An owner's open deals (newest first, at most `limit`) and totals per stage and currency."""
    open_values = [s.value for s in OPEN_STAGES]
    scope = (Deal.workspace_id == workspace_id, Deal.owner_id == owner_id, Deal.stage.in_(open_values))
    deals = list(await session.scalars(select(Deal).where(*scope).order_by(Deal.id.desc()).limit(limit)))
    rows = await session.execute(
        select(Deal.stage, Deal.currency, func.count(), func.sum(Deal.amount_minor))
        .where(*scope)
        .group_by(Deal.stage, Deal.currency)
    )
    totals = [
        StageTotal(Stage(stage), currency, count, int(total or 0)) for stage, currency, count, total in rows
    ]
    totals.sort(key=lambda t: (OPEN_STAGES.index(t.stage), t.currency))
    return deals, totals


async def recently_closed(
    session: AsyncSession, workspace_id: int, owner_id: int, limit: int = 5
) -> list[Deal]:
    """An owner's latest won or lost deals, newest first: `/deal list` opens them to correct one."""
    return list(
        await session.scalars(
            select(Deal)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.owner_id == owner_id,
                Deal.stage.in_((Stage.WON.value, Stage.LOST.value)),
            )
            .order_by(Deal.closed_at.desc(), Deal.id.desc())
            .limit(limit)
        )
    )


async def record_celebration(
    session: AsyncSession, workspace_id: int, deal_id: int, channel: str, ts: str
) -> None:
    await session.execute(
        update(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
        .values(celebration_channel=channel, celebration_ts=ts, celebrated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


SHOWN_CONGRATULATORS = 3  # named on the celebration; the rest are "and N more"


@dataclass(frozen=True)
class Congratulations:
    """Who congratulated a win: how many in all, and the first few, in the order they clicked."""

    total: int
    first: list[Member]


async def congratulate(
    session: AsyncSession, workspace_id: int, deal: Deal, member: Member
) -> tuple[Congratulations, bool]:
    """Count one congratulation per person, never the winner's own; (who so far, added now)."""
    if deal.owner_id == member.id:
        raise DealError("celebration.error.own_win")
    result = await session.execute(
        insert_ignoring_conflicts(session, DealCongratulation.__table__, ["deal_id", "member_id"]).values(
            workspace_id=workspace_id, deal_id=deal.id, member_id=member.id, created_at=utcnow()
        )
    )
    return await congratulations(session, workspace_id, deal.id), result.rowcount == 1


async def congratulations(
    session: AsyncSession, workspace_id: int, deal_id: int, shown: int = SHOWN_CONGRATULATORS
) -> Congratulations:
    """The first `shown` who congratulated, and the total, in one statement."""
    rows = (
        await session.execute(
            select(Member, func.count().over().label("total"))
            .join(DealCongratulation, DealCongratulation.member_id == Member.id)
            .where(DealCongratulation.workspace_id == workspace_id, DealCongratulation.deal_id == deal_id)
            .order_by(DealCongratulation.id)
            .limit(shown)
        )
    ).all()
    return Congratulations(rows[0].total if rows else 0, [row[0] for row in rows])


async def change_terms(
    session: AsyncSession,
    workspace_id: int,
    deal_id: int,
    by: Member,
    *,
    money: Money | None = None,
    expected_close: dt.date | None = None,
) -> Deal:
    """Change an open deal's amount or expected close (the API's PATCH); a closed deal keeps its terms."""
    deal = await get_deal(session, workspace_id, deal_id)
    if deal is None:
        raise DealError("deal.error.not_found")
    if not may_edit(by, deal):
        raise DealError("deal.error.not_yours")
    values: dict[str, object] = {}
    if money is not None:
        values.update(amount_minor=money.minor, currency=money.currency)
    if expected_close is not None:
        values["expected_close"] = expected_close
    if values and Stage(deal.stage).is_open:
        await session.execute(
            update(Deal)
            .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await session.refresh(deal)
    return deal


async def set_external_key(
    session: AsyncSession, workspace_id: int, deal_id: int, source: str, external_id: str
) -> Deal:
    """Where the deal lives outside dealbell (a CRM, a script): the key an API upsert finds it by."""
    await session.execute(
        update(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
        .values(external_source=source, external_id=external_id)
        .execution_options(synchronize_session=False)
    )
    deal = await get_deal(session, workspace_id, deal_id)
    assert deal is not None
    await session.refresh(deal)
    return deal
