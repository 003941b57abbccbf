"""Leads: record a new lead and hand it to the least-loaded eligible rep (no Slack in here).

Who is eligible
    Members whose role is `rep` or `account-manager`, who are not deleted, not bots, and not out of
    office today (the day is the workspace's calendar day, in the workspace's time zone).

Who is least loaded
    load = open deals + open pipeline value / W, where W = LOAD_WEIGHT_MINOR = 5,000,000 minor units
    (50,000.00 in a two-decimal currency such as USD, EUR or CNY). So one more open deal weighs as
    much as 50,000 more of open pipeline: a rep with one 120k deal (load 3.4) gets the next lead after
    a rep with three 5k deals (load 3.3). Amounts are added in minor units whatever their currency;
    that is exact for the usual one-currency team and a rough guide for mixed ones. The loads are one
    SQL aggregate (members LEFT JOIN their open deals, GROUP BY member) and are compared exactly, as
    the integer `open_deals * W + open_value`.

Ties
    Round robin: among equal loads the rep whose `last_lead_at` is oldest (never given a lead first),
    then the lowest member id. Every assignment (new lead, pass, manager reassign) sets `last_lead_at`.

Concurrency
    Every assignment first locks the workspace row (a row lock on PostgreSQL, the write lock on
    SQLite) and only then reads the loads, so two leads created at the same moment are assigned one
    after the other, each seeing the other's deal; and the same `source_key` (trigger or view id)
    finds the lead it already made.

A lead is a deal in the `lead` stage. Its amount is optional: a lead without one is stored with
`amount_minor = 0` (deals have no check constraint on it) and is shown as "—".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deals
from storage.authority import require_manager
from storage.calendar import away_on
from storage.errors import UserError
from storage.models import OPEN_STAGES, Customer, Deal, Member, Role, Stage, Workspace
from storage.money import Money
from storage.periods import workspace_zone

LOAD_WEIGHT_MINOR = 5_000_000  # W: open pipeline worth this many minor units weighs as one open deal
ELIGIBLE_ROLES = (Role.REP.value, Role.ACCOUNT_MANAGER.value)
MAX_COMPANY = deals.MAX_CUSTOMER  # a lead's company is its deal's customer
MAX_NOTES = 3000
# A source is one word: web, referral, trade-show, 展会… (letters, digits, - and _; 64 at most).
SOURCE = re.compile(r"[^\W_][\w-]{0,63}")


class LeadError(UserError):
    """A refused lead or lead change; nothing was written."""


@dataclass(frozen=True)
class NewLead:
    company: str
    source: str | None = None  # already normalised: lower case, see SOURCE
    money: Money | None = None  # None: no amount given (stored as 0, shown as "—")
    notes: str = ""


@dataclass(frozen=True)
class RepLoad:
    member: Member
    open_deals: int
    open_value_minor: int

    @property
    def weighted(self) -> int:
        """The load times W, an exact integer: open_deals * W + open value."""
        return self.open_deals * LOAD_WEIGHT_MINOR + self.open_value_minor

    @property
    def load(self) -> float:
        return self.weighted / LOAD_WEIGHT_MINOR


@dataclass(frozen=True)
class LeadResult:
    deal: Deal
    created: bool
    assignee: Member | None  # None: nobody was eligible and the lead stayed with its creator


@dataclass(frozen=True)
class Move:
    deal: Deal
    previous: Member | None  # the owner before the move
    new_owner: Member | None
    changed: bool


def normalise_source(text: str) -> str | None:
    """'Web' → 'web'; None for anything that is not one word (the caller refuses it)."""
    text = text.strip()
    return text.lower() if SOURCE.fullmatch(text) else None


def check_lead(new: NewLead) -> None:
    """The rules the parser and the modal already apply, enforced again where the lead is written."""
    company = " ".join(new.company.split())
    if not company:
        raise LeadError("lead.error.company_missing")
    deals.customer_name(company)  # the customer's limit, refused as /deal refuses it
    if new.source is not None and normalise_source(new.source) != new.source:
        raise LeadError("lead.error.bad_source", source=new.source)
    if len(new.notes) > MAX_NOTES:
        raise LeadError("lead.error.notes_too_long", limit=MAX_NOTES)
    if new.money is not None and new.money.minor <= 0:
        raise LeadError("lead.error.amount.not_positive", amount=new.money.minor)


def workspace_today(workspace: Workspace, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(workspace_zone(workspace))).date()


async def lock_workspace(session: AsyncSession, workspace_id: int) -> None:
    """Serialise assignments per workspace: a row lock on PostgreSQL, the write lock on SQLite."""
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(team_id=Workspace.team_id)
        .execution_options(synchronize_session=False)
    )


async def rep_loads(
    session: AsyncSession, workspace_id: int, today: dt.date, exclude: tuple[int, ...] = ()
) -> list[RepLoad]:
    """Every eligible rep with their open deals and open value, least loaded (then round robin) first."""
    open_count = func.count(Deal.id)
    open_value = func.coalesce(func.sum(Deal.amount_minor), 0)
    away = away_on(today)
    query = (
        select(Member, open_count, open_value)
        .outerjoin(
            Deal,
            and_(
                Deal.workspace_id == Member.workspace_id,
                Deal.owner_id == Member.id,
                Deal.stage.in_([s.value for s in OPEN_STAGES]),
            ),
        )
        .where(
            Member.workspace_id == workspace_id,
            Member.role.in_(ELIGIBLE_ROLES),
            Member.deleted.is_(False),
            Member.is_bot.is_(False),
            not_(away),
        )
        .group_by(Member.id)
        .order_by(
            open_count * LOAD_WEIGHT_MINOR + open_value,
            case((Member.last_lead_at.is_(None), 0), else_=1),
            Member.last_lead_at,
            Member.id,
        )
    )
    if exclude:
        query = query.where(Member.id.not_in(exclude))
    rows = await session.execute(query)
    return [RepLoad(member, int(count), int(value)) for member, count, value in rows]


async def pick_assignee(
    session: AsyncSession, workspace_id: int, today: dt.date, exclude: tuple[int, ...] = ()
) -> Member | None:
    loads = await rep_loads(session, workspace_id, today, exclude)
    return loads[0].member if loads else None


async def _fresh_deal(session: AsyncSession, workspace_id: int, deal_id: int) -> Deal:
    deal = await session.scalar(
        select(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
        .execution_options(populate_existing=True)
    )
    assert deal is not None
    return deal


async def _member(session: AsyncSession, workspace_id: int, member_id: int) -> Member | None:
    return await session.scalar(
        select(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .execution_options(populate_existing=True)
    )


async def _mark_assigned(session: AsyncSession, workspace_id: int, member_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .values(last_lead_at=now)
        .execution_options(synchronize_session=False)
    )


async def create_lead(
    session: AsyncSession,
    workspace: Workspace,
    creator: Member,
    new: NewLead,
    source_key: str,
    now: dt.datetime,
) -> LeadResult:
    """Record the lead once per `source_key` and assign it, all in the caller's one transaction.

    A new customer is created in the `potential` segment with the lead's source and the assignee as
    owner; an existing customer (found case-insensitively) keeps its segment, and gets the source
    and owner only where it had none.
    """
    check_lead(new)
    await lock_workspace(session, workspace.id)
    existing = await session.scalar(
        select(Deal).where(Deal.workspace_id == workspace.id, Deal.source_key == source_key)
    )
    if existing is not None:
        return LeadResult(existing, False, existing.owner)
    company = " ".join(new.company.split())
    customer_existed = await session.scalar(
        select(Customer.id).where(
            Customer.workspace_id == workspace.id, Customer.name_key == deals.customer_key(company)
        )
    )
    assignee = await pick_assignee(session, workspace.id, workspace_today(workspace, now))
    owner = assignee or creator
    money = new.money or Money(0, workspace.currency)
    # The stage history names the creator; the deal then goes to its assignee.
    deal, created = await deals.create_deal(
        session,
        workspace.id,
        creator,
        deals.NewDeal(customer=company, money=money, stage=Stage.LEAD, notes=new.notes),
        source_key,
    )
    if not created:
        return LeadResult(deal, False, deal.owner)
    customer_update: dict[str, object] = (
        {"segment": "potential", "source": new.source, "owner_id": owner.id}
        if customer_existed is None
        else {
            "source": func.coalesce(Customer.source, new.source),
            "owner_id": func.coalesce(Customer.owner_id, owner.id),
        }
    )
    await session.execute(
        update(Customer)
        .where(Customer.workspace_id == workspace.id, Customer.id == deal.customer_id)
        .values(**customer_update)
        .execution_options(synchronize_session=False)
    )
    if owner.id != creator.id:
        await session.execute(
            update(Deal)
            .where(Deal.workspace_id == workspace.id, Deal.id == deal.id)
            .values(owner_id=owner.id)
            .execution_options(synchronize_session=False)
        )
    if assignee is not None:
        await _mark_assigned(session, workspace.id, assignee.id, now)
    deal = await _fresh_deal(session, workspace.id, deal.id)
    await session.refresh(deal.customer)
    return LeadResult(deal, True, assignee)


def _check_owner(deal: Deal, by: Member, expected_owner_id: int) -> None:
    """The clicker must own the lead, and the button must be the one made for them."""
    if deal.owner_id != by.id:
        key = "lead.error.no_longer_yours" if expected_owner_id == by.id else "lead.error.not_yours"
        raise LeadError(key)
    if expected_owner_id != by.id:
        raise LeadError("lead.error.not_yours")


async def _open_lead(session: AsyncSession, workspace_id: int, deal_id: int) -> Deal:
    deal = await deals.get_deal(session, workspace_id, deal_id)
    if deal is None:
        raise LeadError("lead.error.not_found")
    if not Stage(deal.stage).is_open:
        raise LeadError("lead.error.closed")
    return deal


async def check_open_lead(session: AsyncSession, workspace_id: int, deal_id: int) -> Deal:
    """The open lead `deal_id` names, or the refusal: checked before anyone named with it is looked up."""
    return await _open_lead(session, workspace_id, deal_id)


async def accept_lead(
    session: AsyncSession,
    workspace_id: int,
    deal_id: int,
    by: Member,
    expected_owner_id: int,
    now: dt.datetime,
) -> tuple[Deal, bool]:
    """The assignee takes the lead; returns (deal, changed). A second click changes nothing."""
    deal = await _open_lead(session, workspace_id, deal_id)
    _check_owner(deal, by, expected_owner_id)
    result = await session.execute(
        update(Deal)
        .where(
            Deal.workspace_id == workspace_id,
            Deal.id == deal.id,
            Deal.owner_id == by.id,
            Deal.accepted_at.is_(None),
        )
        .values(accepted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return await _fresh_deal(session, workspace_id, deal.id), result.rowcount == 1


async def _move(
    session: AsyncSession, workspace_id: int, deal: Deal, from_id: int, to: Member, now: dt.datetime
) -> bool:
    """Give the deal to `to` if `from_id` still owns it: un-accepted, customer ownership follows."""
    result = await session.execute(
        update(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal.id, Deal.owner_id == from_id)
        .values(owner_id=to.id, accepted_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    await session.execute(
        update(Customer)
        .where(
            Customer.workspace_id == workspace_id,
            Customer.id == deal.customer_id,
            or_(Customer.owner_id.is_(None), Customer.owner_id == from_id),
        )
        .values(owner_id=to.id)
        .execution_options(synchronize_session=False)
    )
    await _mark_assigned(session, workspace_id, to.id, now)
    return True


async def pass_lead(
    session: AsyncSession,
    workspace: Workspace,
    deal_id: int,
    by: Member,
    expected_owner_id: int,
    now: dt.datetime,
) -> Move:
    """The assignee hands the lead on to the next eligible rep by the same rule, never back to themself."""
    await lock_workspace(session, workspace.id)
    deal = await _open_lead(session, workspace.id, deal_id)
    _check_owner(deal, by, expected_owner_id)
    if deal.accepted_at is not None:
        raise LeadError("lead.error.already_accepted")
    new_owner = await pick_assignee(session, workspace.id, workspace_today(workspace, now), exclude=(by.id,))
    if new_owner is None:
        raise LeadError("lead.error.nobody_else")
    changed = await _move(session, workspace.id, deal, by.id, new_owner, now)
    return Move(await _fresh_deal(session, workspace.id, deal.id), by, new_owner, changed)


async def reassign_lead(
    session: AsyncSession, workspace: Workspace, deal_id: int, by: Member, to: Member, now: dt.datetime
) -> Move:
    """A manager gives an open lead to a chosen member; giving it to its owner changes nothing."""
    require_manager(by)
    if to.workspace_id != workspace.id:
        raise LeadError("lead.error.unknown_user", user=to.slack_user_id)
    if to.is_bot:
        raise LeadError("lead.error.bot", user=to.slack_user_id)
    if to.deleted:
        raise LeadError("lead.error.deleted", user=to.slack_user_id)
    await lock_workspace(session, workspace.id)
    deal = await _open_lead(session, workspace.id, deal_id)
    previous = deal.owner
    if deal.owner_id == to.id:
        return Move(deal, previous, to, False)
    changed = await _move(session, workspace.id, deal, deal.owner_id, to, now)
    new_owner = await _member(session, workspace.id, to.id)
    return Move(await _fresh_deal(session, workspace.id, deal.id), previous, new_owner, changed)
