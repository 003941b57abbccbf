"""What each member keeps out of public view: decided here and nowhere else.

A member may ask (`/dealbell privacy`, or the button on their App Home) to be

- left out of public leaderboards and weekly posts: `/leaderboard`, the weekly leaderboard post and
  contest standings drop them before ranking (`hidden_from_public` + `public_only`). Managers'
  digests, the managers' section of the Home, award nominations and their own Home still count them;
- told of kudos to them by DM instead of in a channel (`kudos_card_place`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member

V = TypeVar("V")


@dataclass(frozen=True)
class Choices:
    hidden_from_boards: bool = False
    kudos_by_dm: bool = False


def choices_of(member: Member) -> Choices:
    return Choices(bool(member.hidden_from_boards), bool(member.kudos_by_dm))


async def set_choices(session: AsyncSession, workspace_id: int, member_id: int, choices: Choices) -> Choices:
    """Save the member's own choices (anyone may set theirs, nobody anyone else's)."""
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .values(hidden_from_boards=choices.hidden_from_boards, kudos_by_dm=choices.kudos_by_dm)
    )
    return choices


async def hidden_from_public(session: AsyncSession, workspace_id: int) -> frozenset[str]:
    """Slack ids of the members who asked to be left out of public boards and weekly posts."""
    rows = await session.scalars(
        select(Member.slack_user_id).where(
            Member.workspace_id == workspace_id, Member.hidden_from_boards.is_(True)
        )
    )
    return frozenset(rows)


def public_only(scores: Mapping[str, V], hidden: frozenset[str]) -> dict[str, V]:
    """`scores` (keyed by Slack user id) without the people who asked not to be shown. Pure."""
    return {user: value for user, value in scores.items() if user not in hidden}


async def public_scores(session: AsyncSession, workspace_id: int, scores: Mapping[str, V]) -> dict[str, V]:
    """`public_only` with the workspace's hidden members read here: for one board's scores."""
    return public_only(scores, await hidden_from_public(session, workspace_id))


def kudos_card_place(
    receivers: Sequence[Member], channel: str, thread_ts: str | None
) -> tuple[str, str | None]:
    """Where a kudos card goes: (channel, thread) as the caller planned, or, when a receiver asked to
    hear of kudos by DM, (their Slack id, None): chat.postMessage to a user id posts in the bot's DM
    with them, and a card naming them is posted in no channel (with several such receivers, the
    first of them in the card's order gets it). Pure: the receivers are the give's, just loaded."""
    by_dm = next((member for member in receivers if member.kudos_by_dm), None)
    return (by_dm.slack_user_id, None) if by_dm else (channel, thread_ts)
