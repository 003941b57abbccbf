"""What the web dashboard and the office screen need beyond the digests' numbers (issue 22).

The numbers themselves are not defined here: the pages read storage.metrics, storage.leaderboard and
storage.scorecards, the same aggregates the digests, boards and scorecards post in Slack. This module
holds the office screen's link (create, revoke, resolve) and the one place that decides who may be
named on a public board.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import privacy
from storage.authority import require_admin
from storage.metrics import Window
from storage.models import Deal, Kudos, KudosGiveValue, Member, Stage, TvScreen, Workspace, utcnow

TOKEN_BYTES = 32  # the link's secret: 256 random bits, URL-safe


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_tv_link(session: AsyncSession, actor: Member, now: dt.datetime | None = None) -> str:
    """A new office-screen token for the actor's workspace (admins only); any older link stops working."""
    require_admin(actor)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await session.execute(delete(TvScreen).where(TvScreen.workspace_id == actor.workspace_id))
    session.add(
        TvScreen(
            workspace_id=actor.workspace_id,
            token_digest=token_digest(token),
            created_by=actor.slack_user_id,
            created_at=now or utcnow(),
        )
    )
    await session.flush()
    return token


async def revoke_tv_link(session: AsyncSession, actor: Member) -> bool:
    """Revoke the workspace's office-screen link (admins only); False when there was none."""
    require_admin(actor)
    result = await session.execute(delete(TvScreen).where(TvScreen.workspace_id == actor.workspace_id))
    return bool(result.rowcount)


async def has_tv_link(session: AsyncSession, workspace_id: int) -> bool:
    found = await session.scalar(select(TvScreen.workspace_id).where(TvScreen.workspace_id == workspace_id))
    return found is not None


async def workspace_for_tv_token(session: AsyncSession, token: str) -> Workspace | None:
    """The installed workspace whose office-screen link this is, or None (unknown, revoked, uninstalled)."""
    if not token or len(token) > 100:
        return None
    workspace = await session.scalar(
        select(Workspace)
        .join(TvScreen, TvScreen.workspace_id == Workspace.id)
        .where(TvScreen.token_digest == token_digest(token))
    )
    if workspace is None or workspace.uninstalled_at is not None:
        return None
    return workspace


async def hidden_from_public_boards(session: AsyncSession, workspace_id: int) -> set[str]:
    """Slack user ids of the members who must not be named on a public board (the office screen,
    the dashboard's boards seen by reps): those who chose so (`/dealbell privacy`, storage/privacy.py)."""
    return set(await privacy.hidden_from_public(session, workspace_id))


def without_hidden(user_ids: Iterable[str], hidden: set[str]) -> list[str]:
    return [user for user in user_ids if user not in hidden]


# --- aggregates only the dashboard shows -----------------------------------------------------------


async def kudos_between(
    session: AsyncSession, workspace_id: int, window: Window
) -> dict[tuple[str, str], int]:
    """{(giver's Slack id, receiver's Slack id): kudos} in the window: who recognises whom. Counted
    over the same rows as leaderboard.kudos_received (kudos by created_at), members still present."""
    start, end = window
    pairs = (
        select(Kudos.giver_id, Kudos.receiver_id, func.count().label("n"))
        .where(Kudos.workspace_id == workspace_id, Kudos.created_at >= start, Kudos.created_at < end)
        .group_by(Kudos.giver_id, Kudos.receiver_id)
        .subquery()
    )
    giver, receiver = Member.__table__.alias("giver"), Member.__table__.alias("receiver")
    rows = await session.execute(
        select(giver.c.slack_user_id, receiver.c.slack_user_id, pairs.c.n)
        .join(giver, giver.c.id == pairs.c.giver_id)
        .join(receiver, receiver.c.id == pairs.c.receiver_id)
        .where(giver.c.deleted.is_(False), receiver.c.deleted.is_(False))
    )
    return {(g, r): int(n) for g, r, n in rows}


async def closed_against_competitors(
    session: AsyncSession, workspace_id: int, window: Window
) -> dict[str, tuple[int, int]]:
    """{competitor (as first written, names compared case-insensitively): (won, lost)} of the deals
    closed in the window that name a competitor; the lost counts are metrics.lost_by_competitor's."""
    start, end = window
    key = func.lower(func.trim(Deal.competitor))
    rows = await session.execute(
        select(func.min(Deal.competitor), Deal.stage, func.count())
        .where(
            Deal.workspace_id == workspace_id,
            Deal.stage.in_((Stage.WON.value, Stage.LOST.value)),
            Deal.competitor.is_not(None),
            func.trim(Deal.competitor) != "",
            Deal.closed_at >= start,
            Deal.closed_at < end,
        )
        .group_by(key, Deal.stage)
    )
    out: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for name, stage, count in rows:
        shown = names.setdefault(name.strip().lower(), name.strip())
        won_lost = out.setdefault(shown, [0, 0])
        won_lost[0 if stage == Stage.WON.value else 1] += int(count)
    return {name: (won, lost) for name, (won, lost) in out.items()}


async def created_per_window(
    session: AsyncSession, workspace_id: int, currency: str, windows: list[Window]
) -> list[int]:
    """Pipeline created in `currency` in each window (minor units of the deals created then, whatever
    became of them), in one aggregate over all windows: beside leaderboard.won_per_window on the trends."""
    if not windows:
        return []
    sums = [
        func.coalesce(
            func.sum(
                case((and_(Deal.created_at >= start, Deal.created_at < end), Deal.amount_minor), else_=0)
            ),
            0,
        )
        for start, end in windows
    ]
    row = (
        await session.execute(
            select(*sums).where(
                Deal.workspace_id == workspace_id,
                Deal.currency == currency,
                Deal.created_at >= windows[0][0],
                Deal.created_at < windows[-1][1],
            )
        )
    ).one()
    return [int(total) for total in row]


async def kudos_by_value(session: AsyncSession, workspace_id: int, window: Window) -> list[tuple[str, int]]:
    """Kudos received in the window per company value their give named (a kudos to two people for
    one value counts twice, as kudos_received counts it), most first."""
    start, end = window
    rows = await session.execute(
        select(KudosGiveValue.value, func.count())
        .join(Kudos, Kudos.give_id == KudosGiveValue.give_id)
        .where(Kudos.workspace_id == workspace_id, Kudos.created_at >= start, Kudos.created_at < end)
        .group_by(KudosGiveValue.value)
        .order_by(func.count().desc(), KudosGiveValue.value)
    )
    return [(value, int(n)) for value, n in rows]
