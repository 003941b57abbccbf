"""The working calendar, for everyone: working weekdays, the workspace's holidays, members' absences.

Standups, digests, follow-up reminders, award nominations and goals ask this module whether a
day is worked (by the workspace, by a standup's own weekdays, by a member), instead of each
querying holidays and out-of-office themselves. No Slack in here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_manager
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import Holiday, Member, Workspace

MAX_HOLIDAY_NAME = 120
# Every zone's local today lies within a day of UTC's; a little more covers "yesterday" in any zone.
AROUND = dt.timedelta(days=3)


class CalendarError(UserError):
    """A refused holiday or out-of-office change; nothing was written."""


@dataclass(frozen=True)
class Calendar:
    """A workspace's working weekdays and its holidays over a span of days."""

    weekdays: frozenset[int]  # Monday is 0
    holidays: frozenset[dt.date]

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holidays

    def is_workday(self, day: dt.date, weekdays: Iterable[int] | None = None) -> bool:
        """One of `weekdays` (a standup's own; default the workspace's) that is not a holiday."""
        return (
            day.weekday() in (self.weekdays if weekdays is None else set(weekdays))
            and day not in self.holidays
        )

    def works(self, member: Member | None, day: dt.date, weekdays: Iterable[int] | None = None) -> bool:
        """A workday on which `member` (when given) is not out of office."""
        return self.is_workday(day, weekdays) and not (member is not None and away(member, day))

    def runs_on(
        self, member: Member | None = None, weekdays: Iterable[int] | None = None
    ) -> Callable[[dt.date], bool]:
        """`works` for one member, as the predicate `storage.schedule.local_due` takes."""
        days = None if weekdays is None else frozenset(weekdays)
        return lambda day: self.works(member, day, days)

    def first_workday(self, start: dt.date, end: dt.date) -> dt.date | None:
        """The first workday in [start, end)."""
        day = start
        while day < end:
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        return None


def away(member: Member, day: dt.date) -> bool:
    """Whether `member` is out of office on `day` (their own local date)."""
    return member.out_of_office(day)


def away_on(day: dt.date) -> ColumnElement[bool]:
    """The SQL form of `away`, for queries over members."""
    return and_(
        Member.ooo_from.is_not(None),
        Member.ooo_until.is_not(None),
        Member.ooo_from <= day,
        Member.ooo_until >= day,
    )


async def holiday_days(
    session: AsyncSession, workspace_id: int, first: dt.date, last: dt.date
) -> set[dt.date]:
    """The workspace's holidays from `first` to `last`, both included."""
    return set(
        await session.scalars(
            select(Holiday.day).where(
                Holiday.workspace_id == workspace_id, Holiday.day >= first, Holiday.day <= last
            )
        )
    )


async def calendar_between(
    session: AsyncSession, workspace: Workspace, first: dt.date, last: dt.date
) -> Calendar:
    """The workspace's calendar from `first` to `last`, both included."""
    holidays = await holiday_days(session, workspace.id, first, last)
    return Calendar(frozenset(workspace.working_weekdays), frozenset(holidays))


async def calendar_around(session: AsyncSession, workspace: Workspace, now: dt.datetime) -> Calendar:
    """The calendar around `now`: enough for anyone's local today and yesterday, in any zone."""
    today = now.astimezone(dt.UTC).date()
    return await calendar_between(session, workspace, today - AROUND, today + AROUND)


# --- holidays (managers) and out of office (each member their own) ---------------------------------


async def add_holiday(
    session: AsyncSession, workspace_id: int, actor: Member, day: dt.date, name: str, today: dt.date
) -> tuple[Holiday, bool]:
    """A day nothing scheduled runs (managers); not in the past. (holiday, created)."""
    require_manager(actor)
    if day < today:
        raise CalendarError("standups.error.holiday_past", date=day.isoformat(), today=today.isoformat())
    name = " ".join(name.split())
    if len(name) > MAX_HOLIDAY_NAME:
        raise CalendarError("standups.error.holiday_name_too_long", limit=MAX_HOLIDAY_NAME)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Holiday.__table__, ["workspace_id", "day"])
        .values(workspace_id=workspace_id, day=day, name=name)
        .returning(Holiday.id)
    )
    created = inserted.scalar() is not None
    holiday = await session.scalar(
        select(Holiday).where(Holiday.workspace_id == workspace_id, Holiday.day == day)
    )
    assert holiday is not None
    return holiday, created


async def remove_holiday(session: AsyncSession, workspace_id: int, actor: Member, day: dt.date) -> None:
    require_manager(actor)
    removed = await session.execute(
        delete(Holiday).where(Holiday.workspace_id == workspace_id, Holiday.day == day)
    )
    if removed.rowcount != 1:
        raise CalendarError("standups.error.no_such_holiday", date=day.isoformat())


async def holidays_from(
    session: AsyncSession, workspace_id: int, start: dt.date, end: dt.date | None = None, limit: int = 50
) -> list[Holiday]:
    """The holidays from `start` (to `end`, when given), in order: what `/standup holidays` lists."""
    query = select(Holiday).where(Holiday.workspace_id == workspace_id, Holiday.day >= start)
    if end is not None:
        query = query.where(Holiday.day <= end)
    return list(await session.scalars(query.order_by(Holiday.day).limit(limit)))


async def set_out_of_office(
    session: AsyncSession,
    workspace_id: int,
    member: Member,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> Member:
    """The member's own out-of-office days (both included); None, None clears them."""
    if (start is None) != (end is None):
        raise CalendarError("standups.error.ooo_missing")
    if start is not None and end is not None:
        if end < start:
            raise CalendarError(
                "standups.error.range_backwards", start=start.isoformat(), end=end.isoformat()
            )
        if end < today:
            raise CalendarError("standups.error.ooo_past", end=end.isoformat(), today=today.isoformat())
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member.id)
        .values(ooo_from=start, ooo_until=end)
        .execution_options(synchronize_session=False)
    )
    fresh = await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == member.id)
    )
    assert fresh is not None
    await session.refresh(fresh)
    return fresh
