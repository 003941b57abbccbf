"""The numbers of the manager digests, each a small SQL aggregate (no Slack in here).

Every function takes a session, the workspace id and a UTC window [start, end) or a local day,
and returns plain values; the definitions are in README.md, section "Metrics". Deals count for
the period in which they were closed (`closed_at`); open deals are counted as they are now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.leaderboard import kudos_received, rank
from storage.models import (
    OPEN_STAGES,
    Customer,
    Deal,
    DealStageChange,
    Member,
    Stage,
    StandupAnswer,
    StandupRun,
)
from storage.periods import Period

Window = tuple[dt.datetime, dt.datetime]  # [start, end) in UTC

FUNNEL = (*(s.value for s in OPEN_STAGES), Stage.WON.value)  # lead → qualified → proposal → negotiation → won
COHORT_DAYS = 90  # conversion rates look at deals created in the 90 days before the period's end
TOP_KUDOS = 3
MAX_BLOCKERS = 10
MAX_COMPETITORS = 8


@dataclass(frozen=True)
class StageAmount:
    stage: str
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class Conversion:
    """Of the cohort's deals that reached `from_stage`, the share that went on to reach `to_stage`."""

    from_stage: str
    to_stage: str
    reached_from: int
    reached_to: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.reached_to, self.reached_from)


@dataclass
class RepLoad:
    slack_user_id: str
    open_deals: int = 0
    overdue_follow_ups: int = 0
    past_expected_close: int = 0


@dataclass(frozen=True)
class Blocker:
    slack_user_id: str
    day: dt.date
    text: str


@dataclass(frozen=True)
class Growth:
    """A number now and in the previous period; `percent` is None when the previous was 0."""

    now: int
    before: int

    @property
    def percent(self) -> Decimal | None:
        return growth_percent(self.now, self.before)


# --- pure arithmetic -----------------------------------------------------------------------------


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def growth_percent(now: int, before: int) -> Decimal | None:
    """(now − before) / before in percent, one decimal; None ("—") when before is 0."""
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _present() -> tuple:
    return (Member.deleted.is_(False), Member.is_bot.is_(False))


def _open() -> list[str]:
    return [s.value for s in OPEN_STAGES]


# --- pipeline and results ------------------------------------------------------------------------


_PIPELINE, _OPEN_DEALS, _OVERDUE = 0, 1, 2  # the row kinds of open_book's statement


async def pipeline_by_stage(session: AsyncSession, workspace_id: int) -> list[StageAmount]:
    """Open deals now: count and total per stage and currency, in funnel order."""
    # the day only counts the deals past their expected close, which the pipeline does not show
    pipeline, _loads = await open_book(session, workspace_id, dt.date.min, follow_ups=False)
    return pipeline


async def open_book(
    session: AsyncSession, workspace_id: int, today: dt.date, *, follow_ups: bool = True
) -> tuple[list[StageAmount], list[RepLoad]]:
    """The open pipeline (as pipeline_by_stage) and the workload (as workload) in one statement.

    The open deals are read once: counted and summed per stage, owner and currency (with how many
    are past their expected close) in a CTE, whose rows are then summed per stage and currency for
    the pipeline (every open deal, whoever owns it) and per present member for the workload. The
    customers overdue for a follow-up ride in the same statement (left out with `follow_ups=False`).

    On SQLite the CTE also groups by closed_at (NULL for open deals, unless one was reopened or
    written elsewhere): its key then follows the (workspace, stage, closed_at, owner, currency, …)
    index, so SQLite reads the groups off the index in order instead of sorting every open deal
    (~50 ms less at a million deals); the outer sums make the extra key harmless. PostgreSQL hashes
    either way, and there the extra key only inflates the estimated groups (and the cost, towards
    the JIT threshold).
    """
    late = func.count(case((Deal.expected_close < today, 1)))
    if session.bind.dialect.name == "sqlite":
        key = (Deal.stage, Deal.closed_at, Deal.owner_id, Deal.currency)
    else:
        key = (Deal.stage, Deal.owner_id, Deal.currency)
    per_owner = (
        select(
            Deal.owner_id.label("owner_id"),
            Deal.stage.label("stage"),
            Deal.currency.label("currency"),
            func.count().label("n"),
            func.sum(Deal.amount_minor).label("total"),
            late.label("late"),
        )
        .where(Deal.workspace_id == workspace_id, Deal.stage.in_(_open()))
        .group_by(*key)
        .cte("open_deals")
    )
    pipeline = select(
        literal_column(str(_PIPELINE)).label("kind"),
        per_owner.c.stage,
        per_owner.c.currency,
        func.sum(per_owner.c.n),
        func.sum(per_owner.c.total),
    ).group_by(per_owner.c.stage, per_owner.c.currency)
    parts = [pipeline]
    if follow_ups:
        parts.append(
            select(
                literal_column(str(_OPEN_DEALS)).label("kind"),
                Member.slack_user_id,
                null(),
                func.sum(per_owner.c.n),
                func.sum(per_owner.c.late),
            )
            .select_from(per_owner)
            .join(Member, Member.id == per_owner.c.owner_id)
            .where(*_present())
            .group_by(Member.slack_user_id)
        )
        overdue = (
            select(Customer.owner_id, func.count().label("n"))
            .where(Customer.workspace_id == workspace_id, Customer.next_follow_up < today)
            .group_by(Customer.owner_id)
            .subquery("overdue")
        )
        parts.append(
            select(
                literal_column(str(_OVERDUE)).label("kind"),
                Member.slack_user_id,
                null(),
                func.sum(overdue.c.n),
                null(),
            )
            .select_from(overdue)
            .join(Member, Member.id == overdue.c.owner_id)
            .where(*_present())
            .group_by(Member.slack_user_id)
        )
    rows = await session.execute(union_all(*parts))

    stages: list[StageAmount] = []
    loads: dict[str, RepLoad] = {}
    for kind, name, currency, n, extra in rows:  # name: the stage, or the rep's Slack id
        if kind == _PIPELINE:
            stages.append(StageAmount(name, currency, int(n), int(extra or 0)))
        elif kind == _OPEN_DEALS:
            load = loads.setdefault(name, RepLoad(name))
            load.open_deals, load.past_expected_close = int(n), int(extra)
        else:
            loads.setdefault(name, RepLoad(name)).overdue_follow_ups = int(n)
    stages.sort(key=lambda s: (FUNNEL.index(s.stage), s.currency))
    return stages, sorted(
        loads.values(),
        key=lambda r: (-r.open_deals, -r.overdue_follow_ups, -r.past_expected_close, r.slack_user_id),
    )


async def closed_in(session: AsyncSession, workspace_id: int, window: Window) -> list[StageAmount]:
    """Deals won and lost (closed) in the window: count and total per outcome and currency."""
    start, end = window
    rows = await session.execute(
        select(Deal.stage, Deal.currency, func.count(), func.sum(Deal.amount_minor))
        .where(
            Deal.workspace_id == workspace_id,
            Deal.stage.in_((Stage.WON.value, Stage.LOST.value)),
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
        .group_by(Deal.stage, Deal.currency)
    )
    out = [StageAmount(stage, currency, int(n), int(total or 0)) for stage, currency, n, total in rows]
    return sorted(out, key=lambda s: (s.stage != Stage.WON.value, s.currency))


def count_of(closed: list[StageAmount], stage: str) -> int:
    return sum(s.count for s in closed if s.stage == stage)


def amounts_of(closed: list[StageAmount], stage: str) -> dict[str, int]:
    return {s.currency: s.amount_minor for s in closed if s.stage == stage}


def win_rate(closed: list[StageAmount]) -> Decimal | None:
    """won / (won + lost) among the deals closed in the period, in percent; None if none closed."""
    won, lost = count_of(closed, Stage.WON.value), count_of(closed, Stage.LOST.value)
    return ratio(won, won + lost)


def revenue_growth(now: list[StageAmount], before: list[StageAmount], first: str) -> dict[str, Growth]:
    """Won revenue per currency against the previous period; the workspace currency `first`."""
    won_now, won_before = amounts_of(now, Stage.WON.value), amounts_of(before, Stage.WON.value)
    codes = sorted(won_now.keys() | won_before.keys(), key=lambda c: (c != first, c))
    return {c: Growth(won_now.get(c, 0), won_before.get(c, 0)) for c in codes}


def deals_growth(now: list[StageAmount], before: list[StageAmount]) -> Growth:
    return Growth(count_of(now, Stage.WON.value), count_of(before, Stage.WON.value))


# --- funnel --------------------------------------------------------------------------------------


async def conversion_rates(session: AsyncSession, workspace_id: int, cohort: Window) -> list[Conversion]:
    """Stage-to-stage conversion over the deals created in `cohort`.

    A deal "reached" a stage when its stage history (DealStageChange) shows it at that stage or a
    later one of lead → qualified → proposal → negotiation → won; every deal reached lead. A
    lost deal reached the furthest stage it was at before it was lost.
    """
    start, end = cohort
    order = case({stage: index for index, stage in enumerate(FUNNEL)}, value=DealStageChange.to_stage)
    from_history = (
        select(func.max(order))
        .where(DealStageChange.workspace_id == workspace_id, DealStageChange.deal_id == Deal.id)
        .scalar_subquery()
    )
    in_cohort = (Deal.workspace_id == workspace_id, Deal.created_at >= start, Deal.created_at < end)
    # storage/deals.py keeps the furthest stage on the deal (0018), so the history is read only
    # for deals written elsewhere (NULL). Two branches rather than one COALESCE: the planner then
    # expects (almost) no history reads and PostgreSQL does not JIT-compile the statement.
    kept = (
        select(Deal.funnel_reached, func.count())
        .where(*in_cohort, Deal.funnel_reached.is_not(None))
        .group_by(Deal.funnel_reached)
    )
    unkept = (
        select(func.coalesce(from_history, 0).label("reached"))
        .where(*in_cohort, Deal.funnel_reached.is_(None))
        .subquery()
    )
    rows = await session.execute(
        union_all(kept, select(unkept.c.reached, func.count()).group_by(unkept.c.reached))
    )
    deals_at: dict[int, int] = {}
    for index, n in rows:
        deals_at[int(index)] = deals_at.get(int(index), 0) + int(n)
    reached = [sum(n for index, n in deals_at.items() if index >= i) for i in range(len(FUNNEL))]
    return [Conversion(FUNNEL[i], FUNNEL[i + 1], reached[i], reached[i + 1]) for i in range(len(FUNNEL) - 1)]


def cohort_for(window: Window) -> Window:
    return (window[1] - dt.timedelta(days=COHORT_DAYS), window[1])


async def average_cycle_days(session: AsyncSession, workspace_id: int, window: Window) -> Decimal | None:
    """Mean of closed_at − created_at, in days (one decimal), over deals won in the window."""
    start, end = window
    if session.bind.dialect.name == "postgresql":
        days = func.extract("epoch", Deal.closed_at - Deal.created_at) / 86400
    else:
        days = func.julianday(Deal.closed_at) - func.julianday(Deal.created_at)
    mean = await session.scalar(
        select(func.avg(days)).where(
            Deal.workspace_id == workspace_id,
            Deal.stage == Stage.WON.value,
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
    )
    if mean is None:
        return None
    return Decimal(str(mean)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- people --------------------------------------------------------------------------------------


async def workload(session: AsyncSession, workspace_id: int, today: dt.date) -> list[RepLoad]:
    """Per rep: open deals, customers whose next follow-up is before `today`, open deals whose
    expected close is before `today`. Only people with at least one of the three, busiest first."""
    _pipeline, loads = await open_book(session, workspace_id, today)
    return loads


async def standup_blockers(
    session: AsyncSession, workspace_id: int, first_day: dt.date, end_day: dt.date, limit: int = MAX_BLOCKERS
) -> list[Blocker]:
    """Non-empty blockers from standups held on local days [first_day, end_day), newest first."""
    rows = await session.execute(
        select(Member.slack_user_id, StandupRun.day, StandupAnswer.blockers)
        .select_from(StandupAnswer)
        .join(StandupRun, StandupRun.id == StandupAnswer.run_id)
        .join(Member, Member.id == StandupAnswer.member_id)
        .where(
            StandupAnswer.workspace_id == workspace_id,
            StandupRun.workspace_id == workspace_id,
            StandupRun.day >= first_day,
            StandupRun.day < end_day,
            func.trim(StandupAnswer.blockers) != "",
        )
        .order_by(StandupRun.day.desc(), StandupAnswer.id)
        .limit(limit)
    )
    return [Blocker(user, day, text.strip()) for user, day, text in rows]


async def top_kudos(
    session: AsyncSession, workspace_id: int, window: Window, limit: int = TOP_KUDOS
) -> list[tuple[str, int]]:
    """The members who received the most kudos in the window (ties at the last place included)."""
    counts = await kudos_received(session, workspace_id, window)
    return [(r.key, r.value) for r in rank(counts.items(), limit=limit)]


async def lost_by_competitor(
    session: AsyncSession, workspace_id: int, window: Window, limit: int = MAX_COMPETITORS
) -> list[tuple[str | None, int]]:
    """Deals lost in the window per competitor (names compared case-insensitively; None: not named)."""
    start, end = window
    key = func.lower(func.trim(func.coalesce(Deal.competitor, "")))
    rows = await session.execute(
        select(func.min(Deal.competitor), func.count())
        .where(
            Deal.workspace_id == workspace_id,
            Deal.stage == Stage.LOST.value,
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    )
    return [((name or "").strip() or None, int(n)) for name, n in rows]


# --- the digest ----------------------------------------------------------------------------------


@dataclass
class Digest:
    kind: str  # "daily" or "weekly"
    period: Period  # local days in the manager's zone
    currency: str  # the workspace's, listed first
    pipeline: list[StageAmount] = field(default_factory=list)
    closed: list[StageAmount] = field(default_factory=list)
    revenue_growth: dict[str, Growth] = field(default_factory=dict)
    deals_growth: Growth = field(default_factory=lambda: Growth(0, 0))
    conversions: list[Conversion] = field(default_factory=list)
    win_rate: Decimal | None = None
    cycle_days: Decimal | None = None
    workload: list[RepLoad] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    kudos: list[tuple[str, int]] = field(default_factory=list)
    competitors: list[tuple[str | None, int]] = field(default_factory=list)

    def won(self) -> list[StageAmount]:
        return [s for s in self.closed if s.stage == Stage.WON.value]

    def lost(self) -> list[StageAmount]:
        return [s for s in self.closed if s.stage == Stage.LOST.value]


def digest_period(kind: str, today: dt.date) -> Period:
    """Daily: yesterday. Weekly: the last whole ISO week (Monday to Sunday) before `today`."""
    if kind == "daily":
        return Period("day", today - dt.timedelta(days=1), today)
    start = today - dt.timedelta(days=today.weekday() + 7)
    return Period("week", start, start + dt.timedelta(days=7))


async def manager_digest(
    session: AsyncSession, workspace_id: int, currency: str, kind: str, today: dt.date, zone: str
) -> Digest:
    """Everything a manager's digest shows, for the period before `today` in the manager's zone."""
    period = digest_period(kind, today)
    window = period.utc_bounds(zone)
    previous = period.previous().utc_bounds(zone)
    closed = await closed_in(session, workspace_id, window)
    closed_before = await closed_in(session, workspace_id, previous)
    pipeline, loads = await open_book(session, workspace_id, today)
    return Digest(
        kind=kind,
        period=period,
        currency=currency,
        pipeline=pipeline,
        closed=closed,
        revenue_growth=revenue_growth(closed, closed_before, currency),
        deals_growth=deals_growth(closed, closed_before),
        conversions=await conversion_rates(session, workspace_id, cohort_for(window)),
        win_rate=win_rate(closed),
        cycle_days=await average_cycle_days(session, workspace_id, window),
        workload=loads,
        blockers=await standup_blockers(session, workspace_id, period.start, period.end),
        kudos=await top_kudos(session, workspace_id, window),
        competitors=await lost_by_competitor(session, workspace_id, window),
    )
