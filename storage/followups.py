"""Follow-up reminders: who is due a DM, what it lists, and what its buttons do (no Slack in here).

Each owner's DM lists their customers due or overdue for contact and their open deals past the
expected close date. A line carries its target ("c:<customer id>" or "d:<deal id>"); the line's
state (pending, done, moved, snoozed, closed, gone) is worked out from the data each time it is drawn,
so redrawing after a click, a double click or another process's click always shows the truth.

Snoozing a customer's line moves its next follow-up (that date is the reminder). Snoozing a deal's
line snoozes the reminder (follow_up_snoozes) and never the deal's expected close: the forecast
changes only when someone edits the deal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.activities import ActivityResult, record_activity
from storage.customers import customers_due_for_follow_up, get_customer
from storage.db import insert_ignoring_conflicts
from storage.deals import get_deal
from storage.errors import UserError
from storage.models import (
    OPEN_STAGES,
    Activity,
    Customer,
    Deal,
    FollowUpSnooze,
    Member,
    Workspace,
    utcnow,
)
from storage.periods import member_zone

CUSTOMER, DEAL = "c", "d"
SNOOZE_DAYS = 3


class FollowUpError(UserError):
    """A refused click on a follow-up line; nothing was written."""


@dataclass(frozen=True)
class Target:
    """What one line of the DM is about: a customer or a deal, by id."""

    kind: str  # CUSTOMER or DEAL
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class FollowUpItem:
    target: Target
    customer: Customer
    deal: Deal | None  # set for a deal line

    @property
    def due(self) -> dt.date:
        """The date the item became due: the follow-up date, or the deal's expected close."""
        day = self.deal.expected_close if self.deal is not None else self.customer.next_follow_up
        assert day is not None
        return day


@dataclass(frozen=True)
class LineState:
    """A line as it stands now. status: pending, done, moved, closed (deal) or gone."""

    target: Target
    status: str
    customer: Customer | None = None
    deal: Deal | None = None
    date: dt.date | None = None  # the next follow-up, the deal's expected close, or the snooze's end


def owner_zone(workspace: Workspace, member: Member) -> str:
    return member_zone(member, workspace)


def local_today(workspace: Workspace, member: Member, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(owner_zone(workspace, member))).date()


def done_key(target: Target, day: dt.date) -> str:
    """The activity a Done click logs, once per line and DM date however often it is clicked."""
    if target.kind == CUSTOMER:
        return f"followup-done:{target.id}:{day.isoformat()}"
    return f"followup-done:deal-{target.id}:{day.isoformat()}"


def reminder_key(member_id: int, day: dt.date) -> str:
    """The claim of one owner's DM for one local date (period_key: at most 64 characters)."""
    return f"{member_id}:{day.isoformat()}"


def _open() -> list[str]:
    return [s.value for s in OPEN_STAGES]


def _not_snoozed_on(day: dt.date | object) -> object:
    """A deal whose reminder is not snoozed on `day` (outer-joined follow_up_snoozes)."""
    return or_(FollowUpSnooze.until.is_(None), FollowUpSnooze.until <= day)


def _with_snoozes(query, workspace_id: int):  # type: ignore[no-untyped-def]
    return query.outerjoin(
        FollowUpSnooze,
        (FollowUpSnooze.deal_id == Deal.id) & (FollowUpSnooze.workspace_id == workspace_id),
    )


# --- who gets a DM, and what it lists --------------------------------------------------------------


async def reminder_candidates(session: AsyncSession, workspace_id: int) -> list[Member]:
    """The people who may own customers and deals: not bots, not deactivated."""
    return list(
        await session.scalars(
            select(Member)
            .where(Member.workspace_id == workspace_id, Member.deleted.is_(False), Member.is_bot.is_(False))
            .order_by(Member.id)
        )
    )


async def owners_with_items(session: AsyncSession, workspace_id: int, days: dict[int, dt.date]) -> set[int]:
    """Of these owners (id -> their local today), those with anything to follow up: two small queries."""
    if not days:
        return set()
    latest = max(days.values())
    customers = await session.execute(
        select(Customer.owner_id, func.min(Customer.next_follow_up))
        .where(
            Customer.workspace_id == workspace_id,
            Customer.owner_id.in_(list(days)),
            Customer.next_follow_up.is_not(None),
            Customer.next_follow_up <= latest,
        )
        .group_by(Customer.owner_id)
    )
    deals = await session.execute(
        _with_snoozes(
            select(Deal.owner_id, func.min(Deal.expected_close), FollowUpSnooze.until), workspace_id
        )
        .where(
            Deal.workspace_id == workspace_id,
            Deal.owner_id.in_(list(days)),
            Deal.stage.in_(_open()),
            Deal.expected_close.is_not(None),
            Deal.expected_close < latest,
        )
        .group_by(Deal.owner_id, FollowUpSnooze.until)
    )
    found = {owner for owner, first in customers.all() if owner is not None and first <= days[owner]}
    found |= {
        owner
        for owner, first, until in deals.all()
        if first < days[owner] and (until is None or until <= days[owner])
    }
    return found


async def overdue_deals(
    session: AsyncSession, workspace_id: int, owner_id: int, today: dt.date
) -> list[Deal]:
    """The owner's open deals whose expected close is before `today` and whose reminder is not
    snoozed, most overdue first."""
    return list(
        await session.scalars(
            _with_snoozes(select(Deal), workspace_id)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.owner_id == owner_id,
                Deal.stage.in_(_open()),
                Deal.expected_close.is_not(None),
                Deal.expected_close < today,
                _not_snoozed_on(today),
            )
            .order_by(Deal.expected_close, Deal.id)
        )
    )


async def due_items(
    session: AsyncSession, workspace_id: int, owner_id: int, today: dt.date
) -> list[FollowUpItem]:
    """Everything the owner should follow up on `today`, most overdue first (customers before deals)."""
    items = [
        FollowUpItem(Target(CUSTOMER, c.id), c, None)
        for c in await customers_due_for_follow_up(session, workspace_id, owner_id, today)
    ]
    items += [
        FollowUpItem(Target(DEAL, d.id), d.customer, d)
        for d in await overdue_deals(session, workspace_id, owner_id, today)
    ]
    return sorted(items, key=lambda item: (item.due, item.target.kind, item.target.id))


# --- the buttons -----------------------------------------------------------------------------------


async def _resolve(
    session: AsyncSession, workspace_id: int, target: Target
) -> tuple[Customer | None, Deal | None]:
    """The customer (and deal) a line names, in this workspace only."""
    if target.id >= 2**31:  # beyond a 32-bit id (PostgreSQL integer): no such row, and no query for it
        return None, None
    if target.kind == DEAL:
        deal = await get_deal(session, workspace_id, target.id)
        return (deal.customer if deal else None), deal
    return await get_customer(session, workspace_id, target.id), None


async def _owner(session: AsyncSession, workspace_id: int, owner_id: int | None) -> Member | None:
    if owner_id is None:
        return None
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == owner_id)
    )


async def _checked(
    session: AsyncSession, workspace_id: int, member: Member, target: Target
) -> tuple[Customer, Deal | None]:
    customer, deal = await _resolve(session, workspace_id, target)
    if customer is None:
        raise FollowUpError("followups.error.not_found")
    owner_id = deal.owner_id if deal is not None else customer.owner_id
    if owner_id != member.id and not member.is_manager:
        raise FollowUpError("followups.error.not_owner")
    return customer, deal


async def check_may_use(session: AsyncSession, workspace_id: int, member: Member, target: Target) -> Customer:
    """The line's customer, when `member` owns the line's customer or deal or is a manager."""
    customer, _ = await _checked(session, workspace_id, member, target)
    return customer


async def mark_done(
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    target: Target,
    day: dt.date,
    now: dt.datetime | None = None,
) -> ActivityResult:
    """Log a note with the line's customer, once per (line, DM date): a double click logs one."""
    customer, _ = await _checked(session, workspace.id, member, target)
    return await record_activity(
        session,
        workspace,
        member,
        customer.id,
        kind="note",
        source_key=done_key(target, day),
        now=now or utcnow(),
    )


async def snooze(
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    target: Target,
    now: dt.datetime | None = None,
    days: int = SNOOZE_DAYS,
) -> dt.date:
    """Put the line off until the owner's today + `days`: a customer's next follow-up moves there; a
    deal's reminder is snoozed until then, and the deal (its expected close) is left as it is.

    Only ever later: a date already further out (say, after Done) is kept. Returns the date now set.
    """
    customer, deal = await _checked(session, workspace.id, member, target)
    owner = await _owner(session, workspace.id, deal.owner_id if deal is not None else customer.owner_id)
    until = local_today(workspace, owner or member, now or utcnow()) + dt.timedelta(days=days)
    if deal is not None:
        return await _snooze_deal(session, workspace.id, member, deal, until)
    await session.execute(
        update(Customer)
        .where(
            Customer.workspace_id == workspace.id,
            Customer.id == customer.id,
            (Customer.next_follow_up.is_(None)) | (Customer.next_follow_up < until),
        )
        .values(next_follow_up=until)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(customer)
    return customer.next_follow_up or until


async def _snooze_deal(
    session: AsyncSession, workspace_id: int, member: Member, deal: Deal, until: dt.date
) -> dt.date:
    """The deal's reminder snoozed until `until` (or later, if it already was); a double click is one."""
    await session.execute(
        insert_ignoring_conflicts(session, FollowUpSnooze.__table__, ["workspace_id", "deal_id"]).values(
            workspace_id=workspace_id,
            deal_id=deal.id,
            until=until,
            snoozed_by_id=member.id,
            snoozed_at=utcnow(),
        )
    )
    await session.execute(
        update(FollowUpSnooze)
        .where(
            FollowUpSnooze.workspace_id == workspace_id,
            FollowUpSnooze.deal_id == deal.id,
            FollowUpSnooze.until < until,
        )
        .values(until=until, snoozed_by_id=member.id, snoozed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    snoozed = await session.scalar(
        select(FollowUpSnooze.until).where(
            FollowUpSnooze.workspace_id == workspace_id, FollowUpSnooze.deal_id == deal.id
        )
    )
    return snoozed or until


async def line_states(
    session: AsyncSession, workspace_id: int, targets: Iterable[Target], day: dt.date
) -> list[LineState]:
    """How each line of a DM sent for `day` stands now (four queries, however many lines)."""
    targets = list(targets)
    customer_ids = [t.id for t in targets if t.kind == CUSTOMER and t.id < 2**31]  # 32-bit ids
    deal_ids = [t.id for t in targets if t.kind == DEAL and t.id < 2**31]
    customers = {
        c.id: c
        for c in await session.scalars(
            select(Customer).where(Customer.workspace_id == workspace_id, Customer.id.in_(customer_ids))
        )
    }
    deals = {
        d.id: d
        for d in await session.scalars(
            select(Deal).where(Deal.workspace_id == workspace_id, Deal.id.in_(deal_ids))
        )
    }
    snoozes = dict(
        (
            await session.execute(
                select(FollowUpSnooze.deal_id, FollowUpSnooze.until).where(
                    FollowUpSnooze.workspace_id == workspace_id, FollowUpSnooze.deal_id.in_(deal_ids)
                )
            )
        ).all()
    )
    done_keys = set(
        await session.scalars(
            select(Activity.source_key).where(
                Activity.workspace_id == workspace_id,
                Activity.source_key.in_([done_key(t, day) for t in targets]),
            )
        )
    )
    states = []
    for target in targets:
        done = done_key(target, day) in done_keys
        if target.kind == DEAL and target.id in deals:
            deal = deals[target.id]
            snoozed_until = snoozes.get(deal.id)
            shown = deal.expected_close
            if deal.stage not in _open():
                status = "closed"
            elif deal.expected_close is None or deal.expected_close >= day:
                status = "moved"  # a new expected close set (an edit): says more than "done"
            elif done:
                status = "done"
            elif snoozed_until is not None and snoozed_until > day:
                status, shown = "snoozed", snoozed_until
            else:
                status = "pending"
            states.append(LineState(target, status, deal.customer, deal, shown))
        elif target.kind == CUSTOMER and target.id in customers:
            customer = customers[target.id]
            if done:
                status = "done"
            elif customer.next_follow_up is None or customer.next_follow_up > day:
                status = "moved"
            else:
                status = "pending"
            states.append(LineState(target, status, customer, None, customer.next_follow_up))
        else:
            states.append(LineState(target, "gone"))
    return states
