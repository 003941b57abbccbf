"""Dates that plan ahead: one rule for every command and form that takes one.

A date that plans something still to come, a customer's next follow-up (`/log … next:`) or an open
deal's expected close (`/deal … close:`, the deal form), is today or later in the member's own time
zone; an earlier one is refused and nothing is written (a slip such as 2025 for 2026 would otherwise
put the deal straight into the follow-up reminders as overdue). A won or lost deal records what
happened, so its dates may lie in the past.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import UserError
from storage.models import Member, Stage, Workspace, utcnow
from storage.periods import known_zone

CLOSED_STAGES = (Stage.WON.value, Stage.LOST.value)


def check_ahead(day: dt.date | None, today: dt.date, error: type[UserError] = UserError) -> None:
    """Refuse (as `error`, the caller's kind of refusal) a planned `day` before the member's `today`."""
    if day is not None and day < today:
        raise error("dates.error.past", date=day.isoformat(), today=today.isoformat())


async def member_today(session: AsyncSession, workspace_id: int, member: Member, now: dt.datetime) -> dt.date:
    """The member's calendar day at `now` (their zone, else the workspace's): for callers without the
    workspace at hand."""
    workspace = await session.get(Workspace, workspace_id)
    zone = known_zone(member.timezone, workspace.timezone if workspace else None)
    return now.astimezone(ZoneInfo(zone)).date()


class PlannedDeal(Protocol):
    stage: str
    expected_close: dt.date | None


async def check_planned_close(
    session: AsyncSession,
    workspace_id: int,
    owner: Member,
    deal: PlannedDeal,
    error: type[UserError] = UserError,
    now: dt.datetime | None = None,
) -> None:
    """The rule for a deal's expected close as someone enters it: today or later (its owner's today)
    while the deal is open; a won or lost deal's may be past. Refused as `error`, the caller's kind
    of refusal. (Imports and the sandbox's seed record deals as they were, and do not call this.)"""
    if deal.expected_close is not None and deal.stage not in CLOSED_STAGES:
        today = await member_today(session, workspace_id, owner, now or utcnow())
        check_ahead(deal.expected_close, today, error)
