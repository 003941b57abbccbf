"""Activities: a call, meeting, email… with a customer, and what it does to the customer's follow-up.

No Slack in here. Recording an activity, moving the customer's last contact and next follow-up,
and linking the activity to the logger's deal are one write, applied once per `source_key`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.customers import ActivityEntry, CustomerError, get_customer
from storage.dates import check_ahead
from storage.db import insert_ignoring_conflicts
from storage.models import ACTIVITY_KINDS, OPEN_STAGES, Activity, Customer, Deal, Member, Workspace, utcnow
from storage.periods import member_zone

MAX_NOTE = 1000


class ActivityError(CustomerError):
    """A refused activity; nothing was written."""


@dataclass(frozen=True)
class ActivityResult:
    activity: Activity
    customer: Customer  # as updated: last contact and next follow-up
    created: bool  # False when this source_key was already recorded (a retry or a double click)
    deal: Deal | None  # the deal the activity was linked to
    from_cadence: bool  # the next follow-up came from the segment's cadence, not from the logger


def member_today(workspace: Workspace, member: Member, now: dt.datetime) -> dt.date:
    """The calendar day it is for the member, in their zone (see `member_zone`)."""
    return now.astimezone(ZoneInfo(member_zone(member, workspace))).date()


def check_activity(kind: str, note: str, csat: int | None) -> None:
    if kind not in ACTIVITY_KINDS:
        raise ActivityError("customers.error.bad_kind", kind=kind, kinds=", ".join(ACTIVITY_KINDS))
    if len(note) > MAX_NOTE:
        raise ActivityError("customers.error.note_too_long", limit=MAX_NOTE, length=len(note))
    if csat is not None and not (isinstance(csat, int) and 1 <= csat <= 5):
        raise ActivityError("customers.error.bad_csat", value=csat)


async def activity_by_key(session: AsyncSession, workspace_id: int, source_key: str) -> Activity | None:
    return await session.scalar(
        select(Activity).where(Activity.workspace_id == workspace_id, Activity.source_key == source_key)
    )


async def _only_open_deal(
    session: AsyncSession, workspace_id: int, customer_id: int, owner_id: int
) -> Deal | None:
    """The owner's open deal with the customer, when there is exactly one."""
    deals = list(
        await session.scalars(
            select(Deal)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.customer_id == customer_id,
                Deal.owner_id == owner_id,
                Deal.stage.in_([s.value for s in OPEN_STAGES]),
            )
            .limit(2)
        )
    )
    return deals[0] if len(deals) == 1 else None


async def _deal(session: AsyncSession, workspace_id: int, deal_id: int | None) -> Deal | None:
    if deal_id is None:
        return None
    return await session.scalar(select(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id))


async def record_activity(
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    customer_id: int,
    *,
    kind: str,
    note: str = "",
    csat: int | None = None,
    next_follow_up: dt.date | None = None,
    source_key: str,
    now: dt.datetime | None = None,
) -> ActivityResult:
    """Record that `member` had a `kind` touch with the customer, once per `source_key`.

    The customer's last contact becomes `now`; its next follow-up becomes `next_follow_up`, which
    may not be before the member's today, or else today + the cadence of the customer's segment.
    When the member has exactly one open deal with the customer, the activity is linked to it.
    """
    now = now or utcnow()
    note = note.strip()
    check_activity(kind, note, csat)
    customer = await get_customer(session, workspace.id, customer_id)
    if customer is None:
        raise ActivityError("customers.error.not_found")
    existing = await activity_by_key(session, workspace.id, source_key)
    if existing is not None:
        return await _already(session, workspace.id, existing, customer)
    today = member_today(workspace, member, now)
    check_ahead(next_follow_up, today, ActivityError)
    from_cadence = next_follow_up is None
    follow_up = next_follow_up or today + dt.timedelta(days=workspace.cadence_days(customer.segment))
    deal = await _only_open_deal(session, workspace.id, customer.id, member.id)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Activity.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace.id,
            customer_id=customer.id,
            member_id=member.id,
            deal_id=deal.id if deal else None,
            kind=kind,
            note=note,
            csat=csat,
            next_follow_up=follow_up,
            occurred_at=now,
            source_key=source_key,
        )
        .returning(Activity.id)
    )
    if inserted.scalar() is None:  # lost a race with the same request: that one updated the customer
        existing = await activity_by_key(session, workspace.id, source_key)
        assert existing is not None
        return await _already(session, workspace.id, existing, customer)
    await session.execute(
        update(Customer)
        .where(Customer.workspace_id == workspace.id, Customer.id == customer.id)
        .values(last_contact_at=now, next_follow_up=follow_up)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(customer)
    activity = await activity_by_key(session, workspace.id, source_key)
    assert activity is not None
    return ActivityResult(activity, customer, created=True, deal=deal, from_cadence=from_cadence)


async def _already(
    session: AsyncSession, workspace_id: int, activity: Activity, customer: Customer
) -> ActivityResult:
    if activity.customer_id != customer.id:  # the key was used for another customer: show that one
        customer = await get_customer(session, workspace_id, activity.customer_id) or customer
    deal = await _deal(session, workspace_id, activity.deal_id)
    return ActivityResult(activity, customer, created=False, deal=deal, from_cadence=False)


async def activities_since(
    session: AsyncSession, workspace_id: int, member_id: int | None, since: dt.datetime
) -> list[ActivityEntry]:
    """A member's activities at or after `since` (all members' when None), oldest first."""
    query = (
        select(Activity, Customer, Member)
        .join(Customer, Customer.id == Activity.customer_id)
        .join(Member, Member.id == Activity.member_id)
        .where(Activity.workspace_id == workspace_id, Activity.occurred_at >= since)
    )
    if member_id is not None:
        query = query.where(Activity.member_id == member_id)
    rows = await session.execute(query.order_by(Activity.occurred_at, Activity.id))
    return [ActivityEntry(activity, customer, member) for activity, customer, member in rows]
