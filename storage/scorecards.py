"""Scorecards: one rep's figures for a period, or every rep's side by side (no Slack in here).

Every figure is a grouped SQL aggregate over the period's window [start, end) in UTC: revenue and
deals won and deals lost by close time (the leaderboard's and here), activities logged and their
customer satisfaction by `occurred_at`, kudos and feedback received by `created_at`. Feedback is
only counted; its text and senders are never read here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import leaderboard
from storage.csv_format import CsvFile, amount_cell, text_cell
from storage.goals import current_period
from storage.metrics import ratio
from storage.models import Activity, Deal, Feedback, Goal, Member, Role, Stage, Workspace
from storage.periods import Period

Window = tuple[dt.datetime, dt.datetime]
SCORED_ROLES = (Role.REP.value, Role.ACCOUNT_MANAGER.value)


@dataclass(frozen=True)
class RevenueGoal:
    target: int  # minor units
    currency: str


@dataclass
class Scorecard:
    member: Member
    period: Period
    revenue: dict[str, int] = field(default_factory=dict)  # currency → minor units won
    revenue_goal: RevenueGoal | None = None
    deals_won: int = 0
    deals_lost: int = 0
    activities: int = 0
    csat_sum: int = 0
    csat_count: int = 0
    kudos: int = 0
    feedback: int = 0

    @property
    def win_rate(self) -> Decimal | None:
        """won / (won + lost) of the deals closed in the period, in percent; None if none closed."""
        return ratio(self.deals_won, self.deals_won + self.deals_lost)

    @property
    def csat(self) -> Decimal | None:
        """Mean satisfaction of the period's activities that carry one, one decimal; None without any."""
        if not self.csat_count:
            return None
        return (Decimal(self.csat_sum) / Decimal(self.csat_count)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def goal_percent(self) -> Decimal | None:
        """Revenue won in the goal's currency against the goal, in percent; None without a goal."""
        if self.revenue_goal is None:
            return None
        return ratio(self.revenue.get(self.revenue_goal.currency, 0), self.revenue_goal.target)


async def scored_members(session: AsyncSession, workspace_id: int) -> list[Member]:
    """The reps and account managers still in the workspace (not bots), by name."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.workspace_id == workspace_id,
                Member.role.in_(SCORED_ROLES),
                Member.deleted.is_(False),
                Member.is_bot.is_(False),
            )
            .order_by(func.lower(Member.name), Member.id)
        )
    )


async def _per_member(session: AsyncSession, query: Select) -> dict[int, tuple[int, ...]]:
    """{member id: the row's other columns as ints} of a query grouped by member."""
    rows = await session.execute(query)
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


async def scorecards(
    session: AsyncSession, workspace: Workspace, members: Iterable[Member], kind: str, now: dt.datetime
) -> list[Scorecard]:
    """The scorecards of `members` for the current `kind` period (month, quarter, year)."""
    members = list(members)
    period = current_period(kind, now, workspace)
    window = period.utc_bounds(workspace.timezone)
    start, end = window
    ids = [m.id for m in members]
    revenue = await leaderboard.revenue_won(session, workspace.id, window)
    won = await leaderboard.deals_won(session, workspace.id, window)
    activities = await leaderboard.activities_logged(session, workspace.id, window)
    kudos = await leaderboard.kudos_received(session, workspace.id, window)
    lost = await _per_member(
        session,
        select(Deal.owner_id, func.count())
        .where(
            Deal.workspace_id == workspace.id,
            Deal.owner_id.in_(ids),
            Deal.stage == Stage.LOST.value,
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
        .group_by(Deal.owner_id),
    )
    csat = await _per_member(
        session,
        select(Activity.member_id, func.sum(Activity.csat), func.count(Activity.csat))
        .where(
            Activity.workspace_id == workspace.id,
            Activity.member_id.in_(ids),
            Activity.csat.is_not(None),
            Activity.occurred_at >= start,
            Activity.occurred_at < end,
        )
        .group_by(Activity.member_id),
    )
    feedback = await _per_member(
        session,
        select(Feedback.receiver_id, func.count())
        .where(
            Feedback.workspace_id == workspace.id,
            Feedback.receiver_id.in_(ids),
            Feedback.created_at >= start,
            Feedback.created_at < end,
        )
        .group_by(Feedback.receiver_id),
    )
    goals = {
        member_id: RevenueGoal(target, currency)
        for member_id, target, currency in await session.execute(
            select(Goal.member_id, Goal.target, Goal.currency).where(
                Goal.workspace_id == workspace.id,
                Goal.member_id.in_(ids),
                Goal.metric == "revenue",
                Goal.period_kind == period.kind,
                Goal.period_start == period.start,
            )
        )
        if currency
    }
    cards = []
    for member in members:
        user = member.slack_user_id
        csat_sum, csat_count = csat.get(member.id, (0, 0))
        cards.append(
            Scorecard(
                member=member,
                period=period,
                revenue={c: totals[user] for c, totals in sorted(revenue.items()) if totals.get(user)},
                revenue_goal=goals.get(member.id),
                deals_won=won.get(user, 0),
                deals_lost=lost.get(member.id, (0,))[0],
                activities=activities.get(user, 0),
                csat_sum=csat_sum,
                csat_count=csat_count,
                kudos=kudos.get(user, 0),
                feedback=feedback.get(member.id, (0,))[0],
            )
        )
    return cards


async def scorecard(
    session: AsyncSession, workspace: Workspace, member: Member, kind: str, now: dt.datetime
) -> Scorecard:
    return (await scorecards(session, workspace, [member], kind, now))[0]


# --- the team table ------------------------------------------------------------------------------

# `/scorecard team` as a file (managers): one row per rep, best first; amounts in major units.
TEAM_COLUMNS = (
    "rank", "member", "member_name", "revenue", "currency", "other_revenue", "goal_percent",
    "deals_won", "deals_lost", "win_rate", "activities", "csat", "kudos", "feedback",
)  # fmt: skip


def ranked(cards: Iterable[Scorecard], currency: str) -> list[Scorecard]:
    """Best first: revenue won in the workspace's currency, then deals won; ties keep their order (by name)."""
    return sorted(cards, key=lambda card: (-card.revenue.get(currency, 0), -card.deals_won))


def _number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def team_csv(cards: list[Scorecard], currency: str) -> bytes:
    """The ranked team table as CSV (UTF-8 with a BOM: storage.csv_format), `cards` already ranked."""
    file = CsvFile(TEAM_COLUMNS)
    for rank, card in enumerate(cards, 1):
        others = " + ".join(
            f"{code} {amount_cell(minor, code)}" for code, minor in card.revenue.items() if code != currency
        )
        file.write([
            str(rank), card.member.slack_user_id, text_cell(card.member.real_name or card.member.name),
            amount_cell(card.revenue.get(currency, 0), currency), currency, others,
            _number(card.goal_percent), str(card.deals_won), str(card.deals_lost), _number(card.win_rate),
            str(card.activities), _number(card.csat), str(card.kudos), str(card.feedback),
        ])  # fmt: skip
    return file.encoded()
