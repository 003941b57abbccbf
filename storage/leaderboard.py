"""Leaderboards: who leads on revenue won, deals won, kudos received and activities logged.

Two halves. `rank` and `movement` are pure: standard competition ranking (1, 1, 3) and the
change against the previous period's ranks. The aggregates are single GROUP BY queries per
metric and window (revenue and deals won in one when both boards are drawn) over covering indexes
(deals by workspace, stage and close time; kudos by workspace and time; activities by workspace and
time), grouped per member id before the members are joined; nothing here loops over deals or
kudos rows.

Only members still in the workspace are ranked (deleted members and bots are left out).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Activity, Deal, Kudos, Member, Stage, Workspace
from storage.privacy import hidden_from_public, public_only

METRICS = ("revenue", "deals", "kudos", "activities")
WEEKLY_METRICS = ("revenue", "deals", "kudos")  # the Friday post, and `/leaderboard` without a metric
TOP = 10

K = TypeVar("K", bound=Hashable)


# --- pure ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """Against the previous period: "up" / "down" by `places`, "same", or "new" (not ranked then)."""

    kind: str
    places: int = 0


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    value: int
    rank: int
    movement: Movement = field(default_factory=lambda: Movement("new"))


def ranks(scores: Iterable[tuple[K, int]]) -> dict[K, int]:
    """Standard competition ranks: 1 + how many score strictly more (so 100, 100, 50 → 1, 1, 3)."""
    return {r.key: r.rank for r in rank(scores)}


def movement(rank_now: int, rank_before: int | None) -> Movement:
    if rank_before is None:
        return Movement("new")
    if rank_before > rank_now:
        return Movement("up", rank_before - rank_now)
    if rank_before < rank_now:
        return Movement("down", rank_now - rank_before)
    return Movement("same")


def rank(
    scores: Iterable[tuple[K, int]], previous: Mapping[K, int] | None = None, limit: int | None = None
) -> list[Ranked[K]]:
    """Rank (key, value) pairs, highest value first; ties share a rank and are ordered by key.

    `previous` holds last period's ranks (from `ranks`), for each row's movement. With `limit`,
    only rows ranked within it are kept, so a tie at the last place keeps everyone tied there.
    Zero and negative values are not ranked: nobody leads with nothing.
    """
    ordered = sorted(((k, v) for k, v in scores if v > 0), key=lambda kv: (-kv[1], str(kv[0])))
    out: list[Ranked[K]] = []
    for position, (key, value) in enumerate(ordered, start=1):
        place = out[-1].rank if out and out[-1].value == value else position
        if limit is not None and place > limit:
            break
        before = previous.get(key) if previous is not None else None
        out.append(Ranked(key, value, place, movement(place, before)))
    return out


# --- aggregates ----------------------------------------------------------------------------------

Window = tuple[dt.datetime, dt.datetime]  # [start, end) in UTC


@dataclass(frozen=True)
class Board:
    """One metric's leaderboard for a period: ranked rows (keyed by Slack user id) and, for revenue,
    the currency ranked plus what was won in other currencies, listed without ranks."""

    metric: str
    rows: list[Ranked[str]]
    currency: str | None = None
    others: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _present() -> tuple:
    return (Member.deleted.is_(False), Member.is_bot.is_(False))


# Each aggregate counts per member id first (from the covering index alone) and only then joins the
# few thousand members for their Slack ids: joining first hashed every kudos or deal row of the
# period into the member table before grouping. Totals are still added up per Slack user id, as a
# GROUP BY on it did.


async def won_totals(
    session: AsyncSession, workspace_id: int, window: Window
) -> dict[str, dict[str, tuple[int, int]]]:
    """{currency: {slack user id: (minor units won, deals won)}} for deals won (closed) in the window:
    what `revenue_won` and `deals_won` give, from one query."""
    won = (
        select(
            Deal.owner_id.label("owner_id"),
            Deal.currency.label("currency"),
            func.sum(Deal.amount_minor).label("total"),
            func.count().label("deals"),
        )
        .where(*_won_in(workspace_id, window))
        .group_by(Deal.owner_id, Deal.currency)
        .subquery()
    )
    rows = await session.execute(
        select(won.c.currency, Member.slack_user_id, won.c.total, won.c.deals)
        .join(Member, Member.id == won.c.owner_id)
        .where(*_present())
    )
    out: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for currency, user, total, count in rows:
        amount, deals = out[currency].get(user, (0, 0))
        out[currency][user] = (amount + int(total or 0), deals + int(count))
    return dict(out)


def revenue_of(won: Mapping[str, Mapping[str, tuple[int, int]]]) -> dict[str, dict[str, int]]:
    """`revenue_won` from `won_totals`."""
    return {
        currency: {user: amount for user, (amount, _) in totals.items()} for currency, totals in won.items()
    }


def deals_of(won: Mapping[str, Mapping[str, tuple[int, int]]]) -> dict[str, int]:
    """`deals_won` from `won_totals`: every currency's deals."""
    out: dict[str, int] = defaultdict(int)
    for totals in won.values():
        for user, (_, deals) in totals.items():
            out[user] += deals
    return dict(out)


def _won_in(workspace_id: int, window: Window) -> tuple[ColumnElement[bool], ...]:
    start, end = window
    return (
        Deal.workspace_id == workspace_id,
        Deal.stage == Stage.WON.value,
        Deal.closed_at >= start,
        Deal.closed_at < end,
    )


async def revenue_won(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, dict[str, int]]:
    """{currency: {slack user id: minor units won}} for deals won (closed) in the window."""
    return revenue_of(await won_totals(session, workspace_id, window))


async def deals_won(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    return await _per_member(session, Deal.owner_id, *_won_in(workspace_id, window))


async def _per_member(
    session: AsyncSession, member_id: ColumnElement[int], *where: ColumnElement[bool]
) -> dict[str, int]:
    """{slack user id: rows} of rows matching `where`, counted per `member_id` before the join."""
    counts = (
        select(member_id.label("member_id"), func.count().label("n"))
        .where(*where)
        .group_by(member_id)
        .subquery()
    )
    rows = await session.execute(
        select(Member.slack_user_id, counts.c.n)
        .join(Member, Member.id == counts.c.member_id)
        .where(*_present())
    )
    out: dict[str, int] = defaultdict(int)
    for user, count in rows:
        out[user] += int(count)
    return dict(out)


async def kudos_received(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    start, end = window
    return await _per_member(
        session,
        Kudos.receiver_id,
        Kudos.workspace_id == workspace_id,
        Kudos.created_at >= start,
        Kudos.created_at < end,
    )


async def activities_logged(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    start, end = window
    return await _per_member(
        session,
        Activity.member_id,
        Activity.workspace_id == workspace_id,
        Activity.occurred_at >= start,
        Activity.occurred_at < end,
    )


COUNTS = {"deals": deals_won, "kudos": kudos_received, "activities": activities_logged}


async def board(
    session: AsyncSession,
    workspace: Workspace,
    metric: str,
    window: Window,
    previous: Window,
    limit: int = TOP,
    won: dict[Window, dict[str, dict[str, tuple[int, int]]]] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> Board:
    """The top `limit` for `metric` in `window`, each with its movement against `previous`.

    People in `hidden` (a public board's, from storage.privacy) are left out before ranking.

    With `won` (from `boards`, when it draws both the revenue and the deals boards), revenue and
    deals won come from `won_totals`, one query per window kept there for the other board."""

    async def won_in(span: Window) -> dict[str, dict[str, tuple[int, int]]]:
        assert won is not None
        if span not in won:
            won[span] = await won_totals(session, workspace.id, span)
        return won[span]

    if metric == "revenue":
        if won is None:
            now = await revenue_won(session, workspace.id, window)
            before = await revenue_won(session, workspace.id, previous)
        else:
            now, before = revenue_of(await won_in(window)), revenue_of(await won_in(previous))
        now = {code: public_only(totals, hidden) for code, totals in now.items()}
        before = {code: public_only(totals, hidden) for code, totals in before.items()}
        currency = workspace.currency
        rows = rank(now.get(currency, {}).items(), ranks(before.get(currency, {}).items()), limit=limit)
        others = {
            code: [(r.key, r.value) for r in rank(totals.items(), limit=limit)]
            for code, totals in sorted(now.items())
            if code != currency
        }
        return Board(metric, rows, currency, {code: rows for code, rows in others.items() if rows})
    if metric == "deals" and won is not None:
        now_counts, before_counts = deals_of(await won_in(window)), deals_of(await won_in(previous))
    else:
        count = COUNTS[metric]
        now_counts = await count(session, workspace.id, window)
        before_counts = await count(session, workspace.id, previous)
    now_counts, before_counts = public_only(now_counts, hidden), public_only(before_counts, hidden)
    return Board(metric, rank(now_counts.items(), ranks(before_counts.items()), limit=limit))


async def boards(
    session: AsyncSession,
    workspace: Workspace,
    metrics: Iterable[str],
    window: Window,
    previous: Window,
    *,
    public: bool = False,
) -> list[Board]:
    """The boards of `metrics`; `public` ones (posted, or shown to anyone) leave out whoever asked."""
    metrics = list(metrics)
    hidden = await hidden_from_public(session, workspace.id) if public else frozenset()
    # revenue and deals won share one query per window when both are drawn
    won: dict[Window, dict[str, dict[str, tuple[int, int]]]] | None = (
        {} if {"revenue", "deals"} <= set(metrics) else None
    )
    return [
        await board(session, workspace, metric, window, previous, won=won, hidden=hidden)
        for metric in metrics
    ]


# --- for the charts ------------------------------------------------------------------------------


async def won_per_window(
    session: AsyncSession,
    workspace_id: int,
    currency: str,
    windows: Sequence[Window],
    owner_id: int | None = None,
) -> list[int]:
    """Revenue won in `currency` in each window (minor units), in one aggregate over all windows.

    Every deal of the workspace counts, whoever owns it (the team's revenue, departed reps
    included), unlike the boards, which rank only the people still here.
    """
    if not windows:
        return []
    sums = [
        func.coalesce(
            func.sum(case((and_(Deal.closed_at >= start, Deal.closed_at < end), Deal.amount_minor), else_=0)),
            0,
        )
        for start, end in windows
    ]
    row = (
        await session.execute(
            select(*sums).where(
                Deal.workspace_id == workspace_id,
                Deal.stage == Stage.WON.value,
                Deal.currency == currency,
                Deal.closed_at >= min(start for start, _ in windows),
                Deal.closed_at < max(end for _, end in windows),
                *([] if owner_id is None else [Deal.owner_id == owner_id]),  # one rep's (the dashboard)
            )
        )
    ).one()
    return [int(total) for total in row]


async def member_names(
    session: AsyncSession, workspace_id: int, user_ids: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """{slack user id: (real name, handle)} for the given members of the workspace."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Member.slack_user_id, Member.real_name, Member.name).where(
            Member.workspace_id == workspace_id, Member.slack_user_id.in_(wanted)
        )
    )
    return {user: (real_name or "", name or "") for user, real_name, name in rows}
