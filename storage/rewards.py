"""Awards, monthly nominations and the reward catalogue (no Slack in here).

Points move only through `storage.points` (the ledger). Every decision that a double click or a
second manager could repeat is taken with one conditional UPDATE (`… WHERE status = 'pending'`),
so exactly one request wins and the others see that it was already decided.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import ideas, points, webhooks, workspaces
from storage.authority import SELF_APPROVAL, SELF_AWARD, require_manager, require_someone_else
from storage.calendar import calendar_between
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.kudos import lock_member
from storage.leaderboard import kudos_received, rank, revenue_won
from storage.models import (
    Award,
    CatalogueItem,
    Member,
    Nomination,
    Redemption,
    Workspace,
    utcnow,
)
from storage.periods import Period, workspace_zone

BUILT_IN_AWARDS = {
    "sales-champion": "Sales Champion",
    "team-player": "Team Player",
    "innovation": "Innovation",
}
NOMINATION_KINDS = tuple(BUILT_IN_AWARDS)
MAX_TITLE = 120
MAX_REASON = 1000
MAX_AWARD_POINTS = 10_000
DEFAULT_AWARD_POINTS = 50
MAX_ITEM_NAME = 200
MAX_COST = 1_000_000
MAX_STOCK = 100_000


class RewardError(UserError):
    """A refused award, redemption or catalogue change; nothing was written."""


# --- shared checks -------------------------------------------------------------------------------


def canonical_title(title: str) -> str:
    """A built-in award named in any case gets its proper name; other titles stay as typed."""
    cleaned = " ".join(title.split())
    for name in BUILT_IN_AWARDS.values():
        if cleaned.casefold() == name.casefold():
            return name
    return cleaned


def check_title(title: str) -> str:
    cleaned = canonical_title(title)
    if not cleaned:
        raise RewardError("rewards.error.no_title")
    if len(cleaned) > MAX_TITLE:
        raise RewardError("rewards.error.title_too_long", limit=MAX_TITLE)
    return cleaned


def check_points(amount: int) -> int:
    if not 0 <= amount <= MAX_AWARD_POINTS:
        raise RewardError("rewards.error.bad_points", limit=MAX_AWARD_POINTS)
    return amount


def check_receiver(receiver: Member) -> None:
    if receiver.is_bot:
        raise RewardError("rewards.error.bot", user=receiver.slack_user_id)
    if receiver.deleted:
        raise RewardError("rewards.error.deleted", user=receiver.slack_user_id)


async def other_managers(session: AsyncSession, workspace_id: int, member: Member) -> list[Member]:
    """The managers who could decide something for `member`: all of them but `member`."""
    return [m for m in await workspaces.managers(session, workspace_id) if m.id != member.id]


async def require_another_manager(
    session: AsyncSession, workspace_id: int, actor: Member, beneficiary_id: int, rule: str
) -> None:
    if actor.id == beneficiary_id:  # only then is counting the other managers worth a query
        others = await other_managers(session, workspace_id, actor)
        require_someone_else(actor, beneficiary_id, len(others), rule)


async def get_member_by_id(session: AsyncSession, workspace_id: int, member_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == member_id)
    )


# --- awards --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardResult:
    award: Award
    created: bool


async def give_award(
    session: AsyncSession,
    workspace: Workspace,
    giver: Member,
    receiver: Member,
    *,
    title: str,
    reason: str,
    points_given: int,
    source_key: str,
    channel_id: str | None = None,
    now: dt.datetime | None = None,
) -> AwardResult:
    """An award, its ledger entry and the receiver's new title: all in the caller's transaction, once
    per `source_key`."""
    require_manager(giver)
    await require_another_manager(session, workspace.id, giver, receiver.id, SELF_AWARD)
    check_receiver(receiver)
    title = check_title(title)
    points_given = check_points(points_given)
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise RewardError("rewards.error.reason_too_long", limit=MAX_REASON)
    now = now or utcnow()
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Award.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace.id,
            member_id=receiver.id,
            title=title,
            reason=reason,
            points=points_given,
            awarded_by_id=giver.id,
            channel_id=channel_id,
            source_key=source_key,
            created_at=now,
        )
        .returning(Award.id)
    )
    award_id = inserted.scalar()
    created = award_id is not None
    if created:
        if points_given:
            await points.record(
                session, workspace.id, receiver.id, points_given, reason="award",
                reference=f"award:{award_id}", source_key=f"award:{award_id}", now=now,
            )  # fmt: skip
        await session.execute(
            update(Member)
            .where(Member.workspace_id == workspace.id, Member.id == receiver.id)
            .values(title=title)
            .execution_options(synchronize_session=False)
        )
        await webhooks.emit(
            session,
            workspace.id,
            "award.given",
            webhooks.award_record(award_id, receiver, giver, title, points_given),
        )
    award = await session.scalar(
        select(Award).where(Award.workspace_id == workspace.id, Award.source_key == source_key)
    )
    assert award is not None
    return AwardResult(award, created)


async def record_award_card(
    session: AsyncSession, workspace_id: int, award_id: int, channel: str, ts: str
) -> None:
    await session.execute(
        update(Award)
        .where(Award.workspace_id == workspace_id, Award.id == award_id)
        .values(channel_id=channel, message_ts=ts)
    )


# --- monthly nominations -------------------------------------------------------------------------


async def first_workday(session: AsyncSession, workspace: Workspace, month_start: dt.date) -> dt.date | None:
    """The month's first day that is one of the workspace's workdays and not a holiday."""
    end = Period.containing("month", dt.datetime.combine(month_start, dt.time(12), dt.UTC), "UTC").end
    days = await calendar_between(session, workspace, month_start, end - dt.timedelta(days=1))
    return days.first_workday(month_start, end)


@dataclass(frozen=True)
class Candidate:
    kind: str
    member_id: int
    detail: dict[str, Any]


async def _present_members(
    session: AsyncSession, workspace_id: int, slack_ids: list[str]
) -> dict[str, Member]:
    if not slack_ids:
        return {}
    rows = await session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id.in_(slack_ids))
    )
    return {m.slack_user_id: m for m in rows}


async def candidates(session: AsyncSession, workspace: Workspace, month: Period) -> list[Candidate]:
    """Last month's leaders: revenue won in the workspace currency, kudos received, the top idea."""
    window = month.utc_bounds(workspace_zone(workspace))
    found: list[Candidate] = []
    revenue = (await revenue_won(session, workspace.id, window)).get(workspace.currency, {})
    kudos = await kudos_received(session, workspace.id, window)
    leaders = {"sales-champion": rank(revenue.items(), limit=1), "team-player": rank(kudos.items(), limit=1)}
    people = await _present_members(session, workspace.id, [r[0].key for r in leaders.values() if r])
    for kind, ranked in leaders.items():
        if not ranked:
            continue
        top = ranked[0]
        detail: dict[str, Any] = (
            {"amount": top.value, "currency": workspace.currency}
            if kind == "sales-champion"
            else {"kudos": top.value}
        )
        found.append(Candidate(kind, people[top.key].id, detail))
    top_ideas = await ideas.top_ideas(session, workspace.id, *window, limit=1)
    if top_ideas and not (top_ideas[0].idea.author.deleted or top_ideas[0].idea.author.is_bot):
        idea = top_ideas[0]
        found.append(
            Candidate("innovation", idea.idea.author_id, {"idea": idea.idea.text[:300], "votes": idea.votes})
        )
    return found


async def nominate(
    session: AsyncSession, workspace: Workspace, month: Period, now: dt.datetime | None = None
) -> list[Nomination]:
    """Write last month's candidates (once per workspace, month and kind); all of that month's rows."""
    for candidate in await candidates(session, workspace, month):
        await session.execute(
            insert_ignoring_conflicts(
                session, Nomination.__table__, ["workspace_id", "month", "kind"]
            ).values(
                workspace_id=workspace.id,
                month=month.key,
                kind=candidate.kind,
                member_id=candidate.member_id,
                detail=json.dumps(candidate.detail, ensure_ascii=False),
                status="open",
                created_at=now or utcnow(),
            )
        )
    return await nominations_of(session, workspace.id, month.key)


async def nominations_of(session: AsyncSession, workspace_id: int, month_key: str) -> list[Nomination]:
    rows = await session.scalars(
        select(Nomination).where(Nomination.workspace_id == workspace_id, Nomination.month == month_key)
    )
    return sorted(rows, key=lambda n: NOMINATION_KINDS.index(n.kind) if n.kind in NOMINATION_KINDS else 99)


async def get_nomination(session: AsyncSession, workspace_id: int, nomination_id: int) -> Nomination | None:
    return await session.scalar(
        select(Nomination).where(Nomination.workspace_id == workspace_id, Nomination.id == nomination_id)
    )


async def _claim_nomination(
    session: AsyncSession, workspace_id: int, nomination_id: int, status: str
) -> bool:
    result = await session.execute(
        update(Nomination)
        .where(
            Nomination.workspace_id == workspace_id,
            Nomination.id == nomination_id,
            Nomination.status == "open",
        )
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class NominationResult:
    nomination: Nomination
    changed: bool
    award: Award | None = None


async def decide_nomination(
    session: AsyncSession,
    workspace: Workspace,
    manager: Member,
    nomination_id: int,
    *,
    announce: bool,
    reason: str = "",
    points_given: int = DEFAULT_AWARD_POINTS,
    now: dt.datetime | None = None,
) -> NominationResult:
    """Announce (an award, as `/reward` gives) or skip an open nomination; the first click decides."""
    require_manager(manager)
    nomination = await get_nomination(session, workspace.id, nomination_id)
    if nomination is None:
        raise RewardError("rewards.error.nomination_gone")
    if announce:  # before the claim: a refused announcement leaves the nomination open for another manager
        await require_another_manager(session, workspace.id, manager, nomination.member_id, SELF_AWARD)
    if not await _claim_nomination(
        session, workspace.id, nomination_id, "announced" if announce else "skipped"
    ):
        await session.refresh(nomination)
        return NominationResult(nomination, False)
    award = None
    if announce:
        receiver = await get_member_by_id(session, workspace.id, nomination.member_id)
        if receiver is None:
            raise RewardError("rewards.error.nomination_gone")
        result = await give_award(
            session, workspace, manager, receiver, title=BUILT_IN_AWARDS.get(nomination.kind, nomination.kind),
            reason=reason, points_given=points_given, source_key=f"nomination:{nomination.id}", now=now,
        )  # fmt: skip
        award = result.award
        await session.execute(
            update(Nomination).where(Nomination.id == nomination.id).values(award_id=award.id)
        )
    await session.refresh(nomination)
    return NominationResult(nomination, True, award)


# --- the catalogue -------------------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


async def list_items(session: AsyncSession, workspace_id: int) -> list[CatalogueItem]:
    return list(
        await session.scalars(
            select(CatalogueItem)
            .where(CatalogueItem.workspace_id == workspace_id, CatalogueItem.active.is_(True))
            .order_by(CatalogueItem.cost, CatalogueItem.name_key)
        )
    )


async def find_item(
    session: AsyncSession, workspace_id: int, target: str, *, active_only: bool = True
) -> CatalogueItem | None:
    """An item by id ("3", "#3") or by name, in any case."""
    wanted = target.strip().removeprefix("#")
    query = select(CatalogueItem).where(CatalogueItem.workspace_id == workspace_id)
    if active_only:
        query = query.where(CatalogueItem.active.is_(True))
    if wanted.isascii() and wanted.isdigit() and int(wanted) < 2**31:  # ids are 32-bit on PostgreSQL
        by_id = await session.scalar(query.where(CatalogueItem.id == int(wanted)))
        if by_id is not None:
            return by_id
    return await session.scalar(query.where(CatalogueItem.name_key == name_key(target)))


async def add_item(
    session: AsyncSession, workspace_id: int, actor: Member, name: str, cost: int, stock: int | None
) -> CatalogueItem:
    require_manager(actor)
    name = " ".join(name.split())
    if not name:
        raise RewardError("rewards.error.no_item_name")
    if len(name) > MAX_ITEM_NAME:
        raise RewardError("rewards.error.name_too_long", limit=MAX_ITEM_NAME)
    if not 1 <= cost <= MAX_COST:
        raise RewardError("rewards.error.bad_cost", limit=MAX_COST)
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        raise RewardError("rewards.error.bad_stock", limit=MAX_STOCK)
    existing = await find_item(session, workspace_id, name, active_only=False)
    if existing is not None and existing.name_key == name_key(name):
        if existing.active:
            raise RewardError("rewards.error.item_exists", name=existing.name)
        existing.name, existing.cost, existing.stock, existing.active = name, cost, stock, True
        await session.flush()
        return existing
    inserted = await session.execute(
        insert_ignoring_conflicts(session, CatalogueItem.__table__, ["workspace_id", "name_key"])
        .values(
            workspace_id=workspace_id,
            name=name,
            name_key=name_key(name),
            cost=cost,
            stock=stock,
            active=True,
            created_at=utcnow(),
        )
        .returning(CatalogueItem.id)
    )
    if inserted.scalar() is None:  # added by a concurrent request a moment ago
        raise RewardError("rewards.error.item_exists", name=name)
    item = await find_item(session, workspace_id, name)
    assert item is not None
    return item


async def remove_item(session: AsyncSession, workspace_id: int, actor: Member, target: str) -> CatalogueItem:
    """Take an item off the catalogue; its pending redemptions can still be decided."""
    require_manager(actor)
    item = await find_item(session, workspace_id, target)
    if item is None:
        raise RewardError("rewards.error.unknown_item", item=target)
    item.active = False
    await session.flush()
    return item


# --- redemptions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedeemResult:
    redemption: Redemption
    item: CatalogueItem
    created: bool
    balance: int


async def redeem(
    session: AsyncSession,
    workspace: Workspace,
    member: Member,
    target: str,
    *,
    source_key: str,
    now: dt.datetime | None = None,
) -> RedeemResult:
    """Spend the item's cost now and leave a pending redemption for a manager; once per `source_key`.

    The member is locked first: redemptions racing from one member run one after the other, so
    the second sees the balance the first left.
    """
    await lock_member(session, member.id)
    existing = await session.scalar(
        select(Redemption).where(Redemption.workspace_id == workspace.id, Redemption.source_key == source_key)
    )
    if existing is not None:
        item = await session.get(CatalogueItem, existing.item_id)
        assert item is not None
        return RedeemResult(existing, item, False, await points.balance(session, workspace.id, member.id))
    item = await find_item(session, workspace.id, target)
    if item is None:
        raise RewardError("rewards.error.unknown_item", item=target)
    if item.stock is not None and item.stock <= 0:
        raise RewardError("rewards.error.out_of_stock", item=item.name)
    redemption = Redemption(
        workspace_id=workspace.id,
        item_id=item.id,
        member_id=member.id,
        cost=item.cost,
        status="pending",
        source_key=source_key,
        created_at=now or utcnow(),
    )
    session.add(redemption)
    await session.flush()
    left = await points.spend(
        session, workspace.id, member.id, item.cost, reason="redemption",
        reference=f"redemption:{redemption.id}", source_key=f"redemption:{redemption.id}",
    )  # fmt: skip
    return RedeemResult(redemption, item, True, left)


async def get_redemption(session: AsyncSession, workspace_id: int, redemption_id: int) -> Redemption | None:
    return await session.scalar(
        select(Redemption).where(Redemption.workspace_id == workspace_id, Redemption.id == redemption_id)
    )


@dataclass(frozen=True)
class Decision:
    redemption: Redemption
    item: CatalogueItem
    member: Member
    changed: bool  # False: someone decided it before this click
    out_of_stock: bool = False  # an approval that found no stock left, so declined with a refund


async def decide_redemption(
    session: AsyncSession,
    workspace_id: int,
    manager: Member,
    redemption_id: int,
    *,
    approve: bool,
    now: dt.datetime | None = None,
) -> Decision:
    """Approve (taking one from a limited stock) or decline (refunding the points); decided once."""
    require_manager(manager)
    now = now or utcnow()
    redemption = await get_redemption(session, workspace_id, redemption_id)
    if redemption is None:
        raise RewardError("rewards.error.redemption_gone")
    if approve:  # declining your own is taking it back, with the refund: that stays allowed
        await require_another_manager(session, workspace_id, manager, redemption.member_id, SELF_APPROVAL)
    claimed = await session.execute(
        update(Redemption)
        .where(
            Redemption.workspace_id == workspace_id,
            Redemption.id == redemption_id,
            Redemption.status == "pending",
        )
        .values(status="approved" if approve else "declined", decided_by_id=manager.id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = claimed.rowcount == 1
    out_of_stock = False
    if changed and approve:
        taken = await session.execute(
            update(CatalogueItem)
            .where(
                CatalogueItem.workspace_id == workspace_id,
                CatalogueItem.id == redemption.item_id,
                CatalogueItem.stock.is_not(None),
                CatalogueItem.stock > 0,
            )
            .values(stock=CatalogueItem.stock - 1)
            .execution_options(synchronize_session=False)
        )
        item = await session.get(CatalogueItem, redemption.item_id, populate_existing=True)
        if taken.rowcount == 0 and item is not None and item.stock is not None:
            out_of_stock = True
            await session.execute(
                update(Redemption).where(Redemption.id == redemption_id).values(status="declined")
            )
    if changed and (not approve or out_of_stock):
        await points.record(
            session, workspace_id, redemption.member_id, redemption.cost, reason="refund",
            reference=f"redemption:{redemption_id}", source_key=f"refund:{redemption_id}", now=now,
        )  # fmt: skip
    await session.refresh(redemption)
    item = await session.get(CatalogueItem, redemption.item_id, populate_existing=True)
    member = await get_member_by_id(session, workspace_id, redemption.member_id)
    assert item is not None and member is not None
    return Decision(redemption, item, member, changed, out_of_stock)
