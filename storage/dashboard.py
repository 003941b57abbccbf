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

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_admin
from storage.models import Member, TvScreen, Workspace, utcnow

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
    the dashboard's boards seen by reps). The ONE hook for members' privacy choices: until
    storage/privacy.py (opting out of public boards) is merged, nobody has opted out."""
    return set()


def without_hidden(user_ids: Iterable[str], hidden: set[str]) -> list[str]:
    return [user for user in user_ids if user not in hidden]
