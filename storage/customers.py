"""Customers: adding and updating them, looking them up, their card, and who is due a follow-up.

No Slack in here. Customers are found case-insensitively through `storage.deals.customer_key`, the
same key `/deal` uses, so a customer added here and one named in a deal are the same row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.deals import MAX_CUSTOMER, customer_key, customer_name
from storage.errors import UserError
from storage.models import OPEN_STAGES, SEGMENTS, Activity, Customer, Deal, Member, utcnow

MAX_NAME = MAX_CUSTOMER  # the rule is the deal's: a deal names its customer
RECENT_ACTIVITIES = 5
CARD_DEALS = 10


class CustomerError(UserError):
    """A refused change to, or lookup of, a customer; nothing was written."""


@dataclass(frozen=True)
class SetResult:
    customer: Customer
    created: bool  # a new customer
    changed: bool  # a new customer, or an existing one whose segment or owner changed


@dataclass(frozen=True)
class ActivityEntry:
    """An activity with the customer it was with and the member who logged it."""

    activity: Activity
    customer: Customer
    member: Member


@dataclass(frozen=True)
class CustomerCard:
    customer: Customer
    owner: Member | None
    open_deals: list[Deal]  # newest activity first, at most CARD_DEALS
    open_deal_count: int
    open_totals: dict[str, int]  # currency -> amount in minor units, over all open deals
    recent: list[ActivityEntry]  # newest first


def normalise_name(name: str) -> str:
    name = customer_name(name)
    if not name:
        raise CustomerError("customers.error.name_missing")
    return name


async def get_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> Customer | None:
    """A customer of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    )


async def find_customer(session: AsyncSession, workspace_id: int, name: str) -> Customer | None:
    """The customer with this name, in any case and spacing."""
    return await session.scalar(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key == customer_key(name))
    )


async def find_first_customer(
    session: AsyncSession, workspace_id: int, names: Sequence[str]
) -> tuple[int, Customer] | None:
    """Of several candidate names, the first (in the order given) that names a customer, with its index."""
    keys = [customer_key(name) for name in names]
    if not keys:
        return None
    found = {
        c.name_key: c
        for c in await session.scalars(
            select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key.in_(set(keys)))
        )
    }
    return next(((i, found[key]) for i, key in enumerate(keys) if key in found), None)


async def _check_owner(session: AsyncSession, workspace_id: int, owner_id: int) -> None:
    owner = await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == owner_id)
    )
    if owner is None:
        raise CustomerError("customers.error.owner_not_found")
    if owner.is_bot:
        raise CustomerError("customers.error.owner_bot", user=owner.slack_user_id)
    if owner.deleted:
        raise CustomerError("customers.error.owner_deleted", user=owner.slack_user_id)


async def set_customer(
    session: AsyncSession,
    workspace_id: int,
    name: str,
    *,
    segment: str | None = None,
    owner_id: int | None = None,
    default_owner_id: int | None = None,
) -> SetResult:
    """Add a customer, or update the segment and owner of the one already known by that name.

    A new customer gets `segment` (default "new") and `owner_id` (default `default_owner_id`). An
    existing one keeps what is not given, except that an owner-less customer (one first named in
    a deal) gets `default_owner_id`. Safe when two requests race: one row per name.
    """
    name = normalise_name(name)
    if segment is not None and segment not in SEGMENTS:
        raise CustomerError("customers.error.bad_segment", segment=segment, segments=", ".join(SEGMENTS))
    for member_id in (owner_id, default_owner_id):
        if member_id is not None:
            await _check_owner(session, workspace_id, member_id)
    key = customer_key(name)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Customer.__table__, ["workspace_id", "name_key"])
        .values(
            workspace_id=workspace_id,
            name=name,
            name_key=key,
            segment=segment or "new",
            owner_id=owner_id or default_owner_id,
            created_at=utcnow(),
        )
        .returning(Customer.id)
    )
    created = inserted.scalar() is not None
    customer = await find_customer(session, workspace_id, name)
    assert customer is not None
    if created:
        return SetResult(customer, created=True, changed=True)
    changes: dict[str, object] = {}
    if segment is not None and segment != customer.segment:
        changes["segment"] = segment
    new_owner = owner_id or (default_owner_id if customer.owner_id is None else None)
    if new_owner is not None and new_owner != customer.owner_id:
        changes["owner_id"] = new_owner
    for attribute, value in changes.items():
        setattr(customer, attribute, value)
    await session.flush()
    return SetResult(customer, created=False, changed=bool(changes))


async def customers_due_for_follow_up(
    session: AsyncSession, workspace_id: int, owner_id: int | None, today: dt.date
) -> list[Customer]:
    """Customers whose next follow-up is today or overdue, most overdue first.

    `owner_id` None: every owner's (for a job that fans out per owner, group by `owner_id`).
    """
    query = select(Customer).where(
        Customer.workspace_id == workspace_id,
        Customer.next_follow_up.is_not(None),
        Customer.next_follow_up <= today,
    )
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    return list(await session.scalars(query.order_by(Customer.next_follow_up, Customer.name_key)))


def _open() -> list[str]:
    return [s.value for s in OPEN_STAGES]


async def open_deals_of(session: AsyncSession, workspace_id: int, customer_id: int) -> list[Deal]:
    """Every open deal with the customer, most recently updated first."""
    return list(
        await session.scalars(
            select(Deal)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.customer_id == customer_id,
                Deal.stage.in_(_open()),
            )
            .order_by(Deal.updated_at.desc(), Deal.id.desc())
        )
    )


async def recent_activities(
    session: AsyncSession, workspace_id: int, customer_id: int, limit: int = RECENT_ACTIVITIES
) -> list[ActivityEntry]:
    rows = await session.execute(
        select(Activity, Customer, Member)
        .join(Customer, Customer.id == Activity.customer_id)
        .join(Member, Member.id == Activity.member_id)
        .where(Activity.workspace_id == workspace_id, Activity.customer_id == customer_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [ActivityEntry(activity, customer, member) for activity, customer, member in rows]


async def owner_of(session: AsyncSession, workspace_id: int, customer: Customer) -> Member | None:
    if customer.owner_id is None:
        return None
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == customer.owner_id)
    )


async def customer_card(session: AsyncSession, workspace_id: int, customer: Customer) -> CustomerCard:
    """What `/customer <name>` shows: owner, open deals and totals, the latest activities."""
    owner = await owner_of(session, workspace_id, customer)
    deals = await open_deals_of(session, workspace_id, customer.id)
    totals: dict[str, int] = {}
    for deal in deals:
        totals[deal.currency] = totals.get(deal.currency, 0) + deal.amount_minor
    return CustomerCard(
        customer=customer,
        owner=owner,
        open_deals=deals[:CARD_DEALS],
        open_deal_count=len(deals),
        open_totals=dict(sorted(totals.items())),
        recent=await recent_activities(session, workspace_id, customer.id),
    )
