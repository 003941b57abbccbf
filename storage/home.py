"""What the App Home shows, gathered in one session; and a member's language override.

Everything here is a small aggregate scoped by workspace (no Slack); lists are capped in SQL
so a large team costs the same as a small one, and the totals say how many were left off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deals, goals, kudos, leaderboard, metrics, points, rewards
from storage.customers import customers_due_for_follow_up
from storage.db import insert_ignoring_conflicts
from storage.kudos import Allowance
from storage.leaderboard import Board
from storage.metrics import Blocker, StageAmount
from storage.models import (
    OPEN_STAGES,
    CatalogueItem,
    Customer,
    Deal,
    HomePersonalFirst,
    Member,
    Redemption,
    Workspace,
    utcnow,
)
from storage.periods import Period, member_zone, workspace_zone

MAX_GOALS = 6
MAX_DEALS = 8  # open deals listed (each with its Open button); the stage totals count them all
MAX_FOLLOW_UPS = 5
MAX_ITEMS = 8
MAX_BLOCKERS = 5
MAX_PENDING = 5
LEADERS = 5


@dataclass(frozen=True)
class Results:
    """Deals won in a period: minor units per currency and how many."""

    revenue: dict[str, int]
    deals: int


@dataclass(frozen=True)
class Capped:
    """The first rows of a list and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass(frozen=True)
class PendingRedemption:
    redemption: Redemption
    item: CatalogueItem
    member: Member


@dataclass(frozen=True)
class TeamHome:
    week: Results
    leaders: Board
    blockers: list[Blocker]
    pending: Capped  # of PendingRedemption


@dataclass(frozen=True)
class MemberHome:
    week: Results
    month: Results
    pipeline: list[StageAmount]
    deals: Capped  # of Deal: the member's open deals, newest first
    goals: Capped  # of storage.goals.Attainment
    follow_ups: Capped  # of Customer
    kudos_received: int
    allowance: Allowance
    points: int
    catalogue: Capped  # of CatalogueItem
    team: TeamHome | None = None
    personal_first: bool = False  # a manager's Home: their own sections before the team's


def currency_first(first: str) -> Callable[[str], tuple[bool, str]]:
    """Sort key of currency codes: the workspace's currency first, then the others alphabetically."""
    return lambda code: (code != first, code)


def _results(
    revenue: dict[str, dict[str, int]], won: dict[str, int], user: str | None, currency: str
) -> Results:
    """One member's results (`user`), or the team's when `user` is None; `currency` (the workspace's) first."""
    money = {
        code: sum(v for k, v in revenue[code].items() if user is None or k == user)
        for code in sorted(revenue, key=currency_first(currency))
    }
    count = sum(v for k, v in won.items() if user is None or k == user)
    return Results({code: v for code, v in money.items() if v}, count)


async def _won(
    session: AsyncSession, workspace: Workspace, window: leaderboard.Window, user: str | None
) -> Results:
    return _results(
        await leaderboard.revenue_won(session, workspace.id, window),
        await leaderboard.deals_won(session, workspace.id, window),
        user,
        workspace.currency,
    )


async def my_pipeline(
    session: AsyncSession, workspace_id: int, member_id: int, currency: str = ""
) -> list[StageAmount]:
    """The member's open deals: count and total per stage and currency, in funnel order (`currency` first)."""
    rows = await session.execute(
        select(Deal.stage, Deal.currency, func.count(), func.sum(Deal.amount_minor))
        .where(
            Deal.workspace_id == workspace_id,
            Deal.owner_id == member_id,
            Deal.stage.in_([s.value for s in OPEN_STAGES]),
        )
        .group_by(Deal.stage, Deal.currency)
    )
    out = [StageAmount(stage, currency, int(n), int(total or 0)) for stage, currency, n, total in rows]
    first = currency_first(currency)
    return sorted(out, key=lambda s: (metrics.FUNNEL.index(s.stage), first(s.currency)))


async def my_open_deals(session: AsyncSession, workspace_id: int, member_id: int) -> Capped:
    """The member's newest open deals (each gets an Open button on the Home) and how many are open."""
    rows, totals = await deals.open_pipeline(session, workspace_id, member_id, limit=MAX_DEALS)
    return Capped(rows, sum(total.count for total in totals))


async def pending_redemptions(session: AsyncSession, workspace_id: int, limit: int = MAX_PENDING) -> Capped:
    """Redemptions waiting for a manager, oldest first."""
    pending = (Redemption.workspace_id == workspace_id, Redemption.status == "pending")
    total = await session.scalar(select(func.count()).select_from(Redemption).where(*pending)) or 0
    rows = await session.execute(
        select(Redemption, CatalogueItem, Member)
        .join(CatalogueItem, CatalogueItem.id == Redemption.item_id)
        .join(Member, Member.id == Redemption.member_id)
        .where(*pending, CatalogueItem.workspace_id == workspace_id, Member.workspace_id == workspace_id)
        .order_by(Redemption.created_at, Redemption.id)
        .limit(limit)
    )
    return Capped([PendingRedemption(r, i, m) for r, i, m in rows], int(total))


async def team_home(session: AsyncSession, workspace: Workspace, now: dt.datetime) -> TeamHome:
    zone = workspace_zone(workspace)
    week = Period.containing("week", now, zone)
    window = week.utc_bounds(zone)
    today = Period.containing("day", now, zone)
    return TeamHome(
        week=await _won(session, workspace, window, None),
        leaders=await leaderboard.board(
            session, workspace, "revenue", window, week.previous().utc_bounds(zone), limit=LEADERS
        ),
        blockers=await metrics.standup_blockers(session, workspace.id, today.start, today.end, MAX_BLOCKERS),
        pending=await pending_redemptions(session, workspace.id),
    )


async def member_home(
    session: AsyncSession, workspace: Workspace, member: Member, now: dt.datetime
) -> MemberHome:
    """Everything the member's Home shows; the team section only for managers."""
    zone = member_zone(member, workspace)
    week = Period.containing("week", now, zone).utc_bounds(zone)
    month = Period.containing("month", now, zone).utc_bounds(zone)
    today = now.astimezone(ZoneInfo(zone)).date()
    user = member.slack_user_id
    my_goals = await goals.goal_attainment(session, workspace, now, member_ids=[member.id])
    due: list[Customer] = await customers_due_for_follow_up(session, workspace.id, member.id, today)
    items = await rewards.list_items(session, workspace.id)
    received = await leaderboard.kudos_received(session, workspace.id, week)
    return MemberHome(
        week=await _won(session, workspace, week, user),
        month=await _won(session, workspace, month, user),
        pipeline=await my_pipeline(session, workspace.id, member.id, workspace.currency),
        deals=await my_open_deals(session, workspace.id, member.id),
        goals=Capped(my_goals[:MAX_GOALS], len(my_goals)),
        follow_ups=Capped(due[:MAX_FOLLOW_UPS], len(due)),
        kudos_received=received.get(user, 0),
        allowance=await kudos.allowance(session, workspace, member, now),
        points=await points.balance(session, workspace.id, member.id),
        catalogue=Capped(items[:MAX_ITEMS], len(items)),
        team=await team_home(session, workspace, now) if member.is_manager else None,
        personal_first=member.is_manager and await is_personal_first(session, workspace.id, member.id),
    )


async def is_personal_first(session: AsyncSession, workspace_id: int, member_id: int) -> bool:
    """Whether the member chose their own numbers before the team's on their Home."""
    chosen = select(HomePersonalFirst.member_id).where(
        HomePersonalFirst.workspace_id == workspace_id, HomePersonalFirst.member_id == member_id
    )
    return await session.scalar(chosen) is not None


async def set_home_order(
    session: AsyncSession, workspace_id: int, member_id: int, personal_first: bool
) -> None:
    """Remember which section a manager's Home shows first: setting, not flipping, so a double click is one."""
    if personal_first:
        await session.execute(
            insert_ignoring_conflicts(session, HomePersonalFirst.__table__, ["member_id"]).values(
                member_id=member_id, workspace_id=workspace_id, created_at=utcnow()
            )
        )
    else:
        await session.execute(
            delete(HomePersonalFirst).where(
                HomePersonalFirst.workspace_id == workspace_id, HomePersonalFirst.member_id == member_id
            )
        )


async def mark_home_opened(
    session: AsyncSession, workspace_id: int, member_id: int, now: dt.datetime
) -> None:
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .values(home_opened_at=now)
        .execution_options(synchronize_session=False)
    )


async def get_member_by_id(session: AsyncSession, workspace_id: int, member_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == member_id)
    )


# --- language ------------------------------------------------------------------------------------

# What `/dealbell language` accepts → (the stored override, the locale every handler reads).
LANGUAGE_CHOICES = {"en": ("en", "en-US"), "zh-cn": ("zh-CN", "zh-CN"), "zh": ("zh-CN", "zh-CN")}


async def set_language(
    session: AsyncSession, workspace_id: int, member_id: int, language: str | None, locale: str | None
) -> Member:
    """Override the member's language (and locale), or clear the override with `language` None.

    Clearing keeps the current locale unless `locale` is given (the Slack locale, when known).
    """
    values: dict[str, object] = {"language": language}
    if locale is not None:
        values["locale"] = locale
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    member = await get_member_by_id(session, workspace_id, member_id)
    assert member is not None
    await session.refresh(member)
    return member
