"""Leaderboards: who leads on revenue won, deals won, kudos received and activities logged.

Two halves. `rank` and `movement` are pure: standard competition ranking (1, 1, 3) and the
change against the previous period's ranks. The aggregates are single GROUP BY queries per
metric over indexed columns (deals by workspace, stage and close time; kudos by workspace and
receiver; activities by workspace and member); nothing here loops over deals or kudos rows.

Only members still in the workspace are ranked (deleted members and bots are left out).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Activity, Deal, Kudos, Member, Stage, Workspace
from storage.periods import member_zone

METRICS = ("revenue", "deals", "kudos", "activities")
WEEKLY_METRICS = ("revenue", "deals", "kudos")  # the Friday post, and `/leaderboard` without a metric
TOP = 10

K = TypeVar("K", bound=Hashable)


def zone_of(member: Member, workspace: Workspace) -> str:
    """The member's own time zone when it is a known one, else the workspace's, else UTC."""
    return member_zone(member, workspace)


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


async def revenue_won(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, dict[str, int]]:
    """{currency: {slack user id: minor units won}} for deals won (closed) in the window."""
    start, end = window
    rows = await session.execute(
        select(Deal.currency, Member.slack_user_id, func.sum(Deal.amount_minor))
        .select_from(Deal)
        .join(Member, Member.id == Deal.owner_id)
        .where(
            Deal.workspace_id == workspace_id,
            Deal.stage == Stage.WON.value,
            Deal.closed_at >= start,
            Deal.closed_at < end,
            *_present(),
        )
        .group_by(Deal.currency, Member.slack_user_id)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for currency, user, total in rows:
        out[currency][user] = int(total or 0)
    return dict(out)


async def deals_won(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    start, end = window
    rows = await session.execute(
        select(Member.slack_user_id, func.count())
        .select_from(Deal)
        .join(Member, Member.id == Deal.owner_id)
        .where(
            Deal.workspace_id == workspace_id,
            Deal.stage == Stage.WON.value,
            Deal.closed_at >= start,
            Deal.closed_at < end,
            *_present(),
        )
        .group_by(Member.slack_user_id)
    )
    return {user: int(count) for user, count in rows}


async def kudos_received(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    start, end = window
    rows = await session.execute(
        select(Member.slack_user_id, func.count())
        .select_from(Kudos)
        .join(Member, Member.id == Kudos.receiver_id)
        .where(
            Kudos.workspace_id == workspace_id,
            Kudos.created_at >= start,
            Kudos.created_at < end,
            *_present(),
        )
        .group_by(Member.slack_user_id)
    )
    return {user: int(count) for user, count in rows}


async def activities_logged(session: AsyncSession, workspace_id: int, window: Window) -> dict[str, int]:
    start, end = window
    rows = await session.execute(
        select(Member.slack_user_id, func.count())
        .select_from(Activity)
        .join(Member, Member.id == Activity.member_id)
        .where(
            Activity.workspace_id == workspace_id,
            Activity.occurred_at >= start,
            Activity.occurred_at < end,
            *_present(),
        )
        .group_by(Member.slack_user_id)
    )
    return {user: int(count) for user, count in rows}


COUNTS = {"deals": deals_won, "kudos": kudos_received, "activities": activities_logged}


async def board(
    session: AsyncSession,
    workspace: Workspace,
    metric: str,
    window: Window,
    previous: Window,
    limit: int = TOP,
) -> Board:
    """The top `limit` for `metric` in `window`, each with its movement against `previous`."""
    if metric == "revenue":
        now, before = (
            await revenue_won(session, workspace.id, window),
            await revenue_won(session, workspace.id, previous),
        )
        currency = workspace.currency
        rows = rank(now.get(currency, {}).items(), ranks(before.get(currency, {}).items()), limit=limit)
        others = {
            code: [(r.key, r.value) for r in rank(totals.items(), limit=limit)]
            for code, totals in sorted(now.items())
            if code != currency
        }
        return Board(metric, rows, currency, {code: rows for code, rows in others.items() if rows})
    count = COUNTS[metric]
    now_counts = await count(session, workspace.id, window)
    before_counts = await count(session, workspace.id, previous)
    return Board(metric, rank(now_counts.items(), ranks(before_counts.items()), limit=limit))


async def boards(
    session: AsyncSession, workspace: Workspace, metrics: Iterable[str], window: Window, previous: Window
) -> list[Board]:
    return [await board(session, workspace, metric, window, previous) for metric in metrics]


# --- for the charts ------------------------------------------------------------------------------


async def won_per_window(
    session: AsyncSession, workspace_id: int, currency: str, windows: Sequence[Window]
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
