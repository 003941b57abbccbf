"""The idea box: ideas, one upvote per person (a toggle), statuses, and the top ideas (no Slack in here).

Every change to an idea's votes or status locks the idea's row first, so two clicks racing on
the same card are applied one after the other on both databases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_manager
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import IDEA_STATUSES, Idea, IdeaVote, Member

MAX_TEXT = 1000
# A second click this soon after voting is the same person double-clicking, not taking the vote
# back: Slack sends each click of a double click as its own request, and both may race.
DOUBLE_CLICK = dt.timedelta(seconds=3)


class IdeaError(UserError):
    """A refused idea or change; nothing was written."""


@dataclass(frozen=True)
class VoteResult:
    idea: Idea
    voted: bool  # whether the clicker's vote stands after the click
    changed: bool
    votes: int


@dataclass(frozen=True)
class TopIdea:
    idea: Idea  # with `author` loaded
    votes: int


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise IdeaError("ideas.error.empty")
    if len(text) > MAX_TEXT:
        raise IdeaError("ideas.error.too_long", limit=MAX_TEXT, length=len(text))
    return text


async def get_idea(session: AsyncSession, workspace_id: int, idea_id: int) -> Idea | None:
    """An idea of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(select(Idea).where(Idea.workspace_id == workspace_id, Idea.id == idea_id))


async def submit_idea(
    session: AsyncSession,
    workspace_id: int,
    author: Member,
    text: str,
    *,
    source_key: str,
    channel_id: str | None,
    now: dt.datetime,
) -> tuple[Idea, bool]:
    """Record an idea once per `source_key` (a trigger id); returns (idea, created)."""
    text = check_text(text)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Idea.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace_id,
            author_id=author.id,
            text=text,
            status="new",
            channel_id=channel_id,
            source_key=source_key,
            created_at=now,
        )
        .returning(Idea.id)
    )
    created = inserted.scalar() is not None
    idea = await session.scalar(
        select(Idea).where(Idea.workspace_id == workspace_id, Idea.source_key == source_key)
    )
    assert idea is not None
    return idea, created


async def record_card(session: AsyncSession, workspace_id: int, idea_id: int, channel: str, ts: str) -> None:
    await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.id == idea_id)
        .values(channel_id=channel, message_ts=ts)
        .execution_options(synchronize_session=False)
    )


async def _lock_idea(session: AsyncSession, workspace_id: int, idea_id: int) -> Idea:
    """Serialise changes per idea: a row lock on PostgreSQL, the write lock on SQLite."""
    locked = await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.id == idea_id)
        .values(status=Idea.status)
        .execution_options(synchronize_session=False)
    )
    idea = await get_idea(session, workspace_id, idea_id) if locked.rowcount else None
    if idea is None:
        raise IdeaError("ideas.error.gone")
    return idea


async def vote_count(session: AsyncSession, idea_id: int) -> int:
    return (
        await session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id))
        or 0
    )


async def toggle_vote(
    session: AsyncSession, workspace_id: int, idea_id: int, member: Member, now: dt.datetime
) -> VoteResult:
    """Upvote, or take the vote back when there is one (unless it was cast a moment ago)."""
    idea = await _lock_idea(session, workspace_id, idea_id)
    existing = await session.scalar(
        select(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == member.id)
    )
    if existing is None:
        await session.execute(
            insert_ignoring_conflicts(session, IdeaVote.__table__, ["idea_id", "member_id"]).values(
                workspace_id=workspace_id, idea_id=idea.id, member_id=member.id, created_at=now
            )
        )
        voted, changed = True, True
    elif now - existing.created_at < DOUBLE_CLICK:
        voted, changed = True, False
    else:
        await session.execute(delete(IdeaVote).where(IdeaVote.id == existing.id))
        voted, changed = False, True
    return VoteResult(idea, voted, changed, await vote_count(session, idea.id))


async def set_status(
    session: AsyncSession, workspace_id: int, idea_id: int, member: Member, status: str
) -> tuple[Idea, bool]:
    """A manager moves an idea to new, planned or done; returns (idea, changed)."""
    require_manager(member)
    if status not in IDEA_STATUSES:
        raise IdeaError("ideas.error.bad_status", status=status, statuses=", ".join(IDEA_STATUSES))
    idea = await _lock_idea(session, workspace_id, idea_id)
    if idea.status == status:
        return idea, False
    idea.status = status
    await session.flush()
    return idea, True


async def top_ideas(
    session: AsyncSession, workspace_id: int, start: dt.datetime, end: dt.datetime, limit: int = 10
) -> list[TopIdea]:
    """Ideas submitted in [start, end), most upvoted first (ties: earliest first), with their votes.

    Votes are counted with one grouped SQL aggregate; ideas nobody voted for count 0.
    """
    votes = (
        select(IdeaVote.idea_id, func.count().label("votes"))
        .where(IdeaVote.workspace_id == workspace_id)
        .group_by(IdeaVote.idea_id)
        .subquery()
    )
    count = func.coalesce(votes.c.votes, 0)
    rows = await session.execute(
        select(Idea, count)
        .outerjoin(votes, votes.c.idea_id == Idea.id)
        .where(Idea.workspace_id == workspace_id, Idea.created_at >= start, Idea.created_at < end)
        .order_by(count.desc(), Idea.created_at, Idea.id)
        .limit(limit)
    )
    return [TopIdea(idea, int(n)) for idea, n in rows.all()]
