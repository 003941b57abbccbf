"""Goals: individual and team targets per period, and how far along they are (no Slack in here).

A goal belongs to a member, or to the team (`member_id` NULL, `member_key` 0), for one metric and
one calendar period (month, quarter, year) in the workspace's zone, named by its first day. Setting
the same (subject, metric, period) again replaces the target: one upsert on a unique constraint,
so concurrent or retried requests leave exactly one row.

Progress comes from the leaderboard's grouped aggregates over the period's window: revenue won
(in the goal's currency), deals won, activities logged, kudos received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import leaderboard
from storage.authority import require_manager
from storage.calendar import holiday_days
from storage.errors import UserError
from storage.metrics import ratio
from storage.models import GOAL_METRICS, Goal, Member, Workspace
from storage.periods import Period, workspace_zone

GOAL_PERIODS = ("month", "quarter", "year")
MAX_COUNT = 1_000_000  # a count target above this is a typo
BAR_CELLS = 10


class GoalError(UserError):
    """A refused goal; nothing was written."""


def current_period(kind: str, now: dt.datetime, workspace: Workspace) -> Period:
    return Period.containing(kind, now, workspace_zone(workspace))


def check_goal(by: Member, member: Member | None, metric: str, target: int, period_kind: str) -> None:
    require_manager(by)
    if metric not in GOAL_METRICS:
        raise GoalError("goals.error.bad_metric", metric=metric, metrics=", ".join(GOAL_METRICS))
    if period_kind not in GOAL_PERIODS:
        raise GoalError("goals.error.bad_period", period=period_kind, periods=", ".join(GOAL_PERIODS))
    if target <= 0 or (metric != "revenue" and target > MAX_COUNT):
        raise GoalError("goals.error.bad_count", limit=MAX_COUNT)
    if member is not None and member.is_bot:
        raise GoalError("goals.error.bot", user=member.slack_user_id)
    if member is not None and member.deleted:
        raise GoalError("goals.error.deleted", user=member.slack_user_id)


async def set_goal(
    session: AsyncSession,
    workspace: Workspace,
    by: Member,
    *,
    member: Member | None,
    metric: str,
    target: int,
    currency: str | None,
    period_kind: str,
    now: dt.datetime,
) -> tuple[Goal, bool]:
    """Set (or replace) the goal of `member` (None: the team) for the current period.

    Returns the goal and whether it replaced an earlier target.
    """
    check_goal(by, member, metric, target, period_kind)
    if member is not None and member.workspace_id != workspace.id:
        raise GoalError("goals.error.unknown_user", user=member.slack_user_id)
    period = current_period(period_kind, now, workspace)
    member_key = member.id if member is not None else 0
    subject = (
        Goal.workspace_id == workspace.id,
        Goal.member_key == member_key,
        Goal.metric == metric,
        Goal.period_kind == period_kind,
        Goal.period_start == period.start,
    )
    existed = await session.scalar(select(Goal.id).where(*subject)) is not None
    values = {
        "workspace_id": workspace.id,
        "member_id": member.id if member is not None else None,
        "member_key": member_key,
        "metric": metric,
        "target": target,
        "currency": currency if metric == "revenue" else None,
        "period_kind": period_kind,
        "period_start": period.start,
        "set_by_id": by.id,
        "created_at": now,
    }
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = module.insert(Goal.__table__).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["workspace_id", "member_key", "metric", "period_kind", "period_start"],
        set_={k: statement.excluded[k] for k in ("target", "currency", "set_by_id", "created_at")},
    )
    await session.execute(statement)
    goal = await session.scalar(select(Goal).where(*subject).execution_options(populate_existing=True))
    assert goal is not None
    return goal, existed


async def current_goals(
    session: AsyncSession, workspace: Workspace, now: dt.datetime, member_ids: Iterable[int] | None = None
) -> list[Goal]:
    """The goals of the current month, quarter and year; with `member_ids`, only theirs and the team's."""
    periods = [current_period(kind, now, workspace) for kind in GOAL_PERIODS]
    query = select(Goal).where(
        Goal.workspace_id == workspace.id,
        or_(*(and_(Goal.period_kind == p.kind, Goal.period_start == p.start) for p in periods)),
    )
    if member_ids is not None:
        query = query.where(or_(Goal.member_id.is_(None), Goal.member_id.in_(list(member_ids))))
    return list(await session.scalars(query.order_by(Goal.id)))


# --- progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    """A goal and how far along it is today."""

    goal: Goal
    slack_user_id: str | None  # None: the team's goal
    actual: int  # minor units of the goal's currency for revenue, a count otherwise
    workdays_left: int  # workdays from today through the period's last day

    @property
    def metric(self) -> str:
        return self.goal.metric

    @property
    def target(self) -> int:
        return self.goal.target

    @property
    def is_team(self) -> bool:
        return self.goal.member_id is None

    @property
    def done(self) -> bool:
        return self.actual >= self.target

    @property
    def percent(self) -> Decimal:
        """actual / target in percent, one decimal (half up); may exceed 100."""
        share = ratio(self.actual, self.target)
        return Decimal("0.0") if share is None else share

    @property
    def left(self) -> int:
        return max(0, self.target - self.actual)

    @property
    def per_workday(self) -> Decimal | None:
        """What is left per remaining workday, rounded up (revenue: to the minor unit, as minor units;
        counts: to one decimal); None when the goal is met or no workday is left."""
        if self.done or self.workdays_left <= 0:
            return None
        share = Decimal(self.left) / Decimal(self.workdays_left)
        step = Decimal(1) if self.metric == "revenue" else Decimal("0.1")
        return share.quantize(step, rounding=ROUND_CEILING)


def progress_bar(percent: Decimal, cells: int = BAR_CELLS) -> str:
    """`▓▓▓▓▓░░░░░` for 50%: one filled cell per whole tenth reached, never more than all."""
    filled = int(min(Decimal(cells), max(Decimal(0), percent * cells / 100)).to_integral_value(ROUND_FLOOR))
    return "▓" * filled + "░" * (cells - filled)


def count_workdays(first: dt.date, end: dt.date, weekdays: Iterable[int], holidays: set[dt.date]) -> int:
    """Days in [first, end) that fall on a working weekday and are not holidays."""
    working = set(weekdays)
    days = 0
    day = first
    while day < end:
        if day.weekday() in working and day not in holidays:
            days += 1
        day += dt.timedelta(days=1)
    return days


async def _actuals(
    session: AsyncSession, workspace: Workspace, metric: str, window: leaderboard.Window
) -> dict[str, dict[str, int]]:
    """{currency or "": {slack user id: value}} for one metric over one window."""
    if metric == "revenue":
        return await leaderboard.revenue_won(session, workspace.id, window)
    counts = leaderboard.COUNTS[metric]
    return {"": await counts(session, workspace.id, window)}


async def attainment_of(
    session: AsyncSession, workspace: Workspace, goals: list[Goal], now: dt.datetime
) -> list[Attainment]:
    """Progress of the given current-period goals: one grouped aggregate per (metric, period)."""
    if not goals:
        return []
    today = now.astimezone(ZoneInfo(workspace_zone(workspace))).date()
    periods = {kind: current_period(kind, now, workspace) for kind in {g.period_kind for g in goals}}
    last_end = max(p.end for p in periods.values())
    holidays = await holiday_days(session, workspace.id, today, last_end)
    member_ids = {g.member_id for g in goals if g.member_id is not None}
    slack_ids = dict(
        (
            await session.execute(select(Member.id, Member.slack_user_id).where(Member.id.in_(member_ids)))
        ).all()
    )
    cache: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
    out = []
    for goal in goals:
        period = periods[goal.period_kind]
        key = (goal.metric, goal.period_kind)
        if key not in cache:
            cache[key] = await _actuals(
                session, workspace, goal.metric, period.utc_bounds(workspace_zone(workspace))
            )
        by_user = cache[key].get(goal.currency or "", {}) if goal.metric == "revenue" else cache[key][""]
        user = slack_ids.get(goal.member_id) if goal.member_id is not None else None
        actual = sum(by_user.values()) if goal.member_id is None else by_user.get(user or "", 0)
        workdays = count_workdays(max(today, period.start), period.end, workspace.working_weekdays, holidays)
        out.append(Attainment(goal, user, int(actual), workdays))
    return out


async def goal_attainment(
    session: AsyncSession, workspace: Workspace, now: dt.datetime, member_ids: Iterable[int] | None = None
) -> list[Attainment]:
    """Every current goal (or only `member_ids`' and the team's) with its progress, for `/goal` and digests.

    Order: the team's goals first (year, quarter, month), then each member's, by metric.
    """
    goals = await current_goals(session, workspace, now, member_ids)
    rows = await attainment_of(session, workspace, goals, now)
    return sorted(rows, key=sort_key)


def sort_key(row: Attainment) -> tuple[int, int, int, int]:
    return (
        0 if row.is_team else 1,
        row.goal.member_id or 0,
        -GOAL_PERIODS.index(row.goal.period_kind),
        GOAL_METRICS.index(row.metric) if row.metric in GOAL_METRICS else len(GOAL_METRICS),
    )
