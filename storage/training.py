"""Training sessions and team events: scheduling, RSVPs, reminders due, attendance (no Slack in here).

Times are stored in UTC (`starts_at`) beside the organiser's zone (`timezone`), in which the
time was typed; everyone sees them in their own zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_manager
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import Member, Training, TrainingAttendance, TrainingRsvp

MAX_TITLE = 200
KINDS = ("training", "event")
# How far ahead a session may be planned: a year covers any team calendar; 9999-12-31 is a typo.
MAX_AHEAD = dt.timedelta(days=366)

# Reminder kinds and how long before the start each is due.
REMINDERS = {"day": dt.timedelta(days=1), "15min": dt.timedelta(minutes=15)}
# The day-before reminder is no longer worth sending this close to the start (the 15-minute one is).
DAY_REMINDER_UNTIL = dt.timedelta(hours=1)
# A reminder may still go out this long after the start, for a run that came a little late.
START_GRACE = dt.timedelta(minutes=10)


class TrainingError(UserError):
    """A refused session, RSVP or attendance; nothing was written."""


@dataclass(frozen=True)
class DueReminder:
    training: Training
    member: Member
    kind: str  # a key of REMINDERS

    @property
    def key(self) -> str:
        """What makes this reminder unique: claimed once, whoever runs the job."""
        return f"{self.training.id}:{self.member.id}:{self.kind}"


def local_to_utc(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """The UTC instant of a wall-clock time in `timezone`; a time the clocks skip is refused.

    In the hour repeated when clocks go back, the first of the two is meant.
    """
    zone = ZoneInfo(timezone)
    local = dt.datetime.combine(day, at, zone)
    try:
        instant = local.astimezone(dt.UTC)
    except OverflowError:  # the last hours of year 9999 east of UTC: no such instant to store
        raise TrainingError("training.error.too_far", days=MAX_AHEAD.days) from None
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise TrainingError(
            "training.error.no_such_time", date=day.isoformat(), time=at.strftime("%H:%M"), zone=timezone
        )
    return instant


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise TrainingError("training.error.no_title")
    if len(title) > MAX_TITLE:
        raise TrainingError("training.error.title_too_long", limit=MAX_TITLE, length=len(title))
    return title


def may_take_attendance(training: Training, member: Member) -> bool:
    return training.organiser_id == member.id or member.is_manager


async def get_training(session: AsyncSession, workspace_id: int, training_id: int) -> Training | None:
    """A session of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(
        select(Training).where(Training.workspace_id == workspace_id, Training.id == training_id)
    )


async def schedule(
    session: AsyncSession,
    workspace_id: int,
    organiser: Member,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    timezone: str,
    channel_id: str | None,
    source_key: str,
    now: dt.datetime,
) -> tuple[Training, bool]:
    """Schedule a session (managers) or a team event (anyone) once per `source_key`; (training, created)."""
    if kind not in KINDS:
        raise TrainingError("training.error.bad_kind", kind=kind)
    if kind == "training":
        require_manager(organiser)
    title = check_title(title)
    if starts_at <= now:
        raise TrainingError("training.error.past")
    if starts_at > now + MAX_AHEAD:
        raise TrainingError("training.error.too_far", days=MAX_AHEAD.days)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Training.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace_id,
            kind=kind,
            title=title,
            starts_at=starts_at,
            timezone=timezone,
            organiser_id=organiser.id,
            channel_id=channel_id,
            source_key=source_key,
            created_at=now,
        )
        .returning(Training.id)
    )
    created = inserted.scalar() is not None
    training = await session.scalar(
        select(Training).where(Training.workspace_id == workspace_id, Training.source_key == source_key)
    )
    assert training is not None
    return training, created


async def record_card(
    session: AsyncSession, workspace_id: int, training_id: int, channel: str, ts: str
) -> None:
    await session.execute(
        update(Training)
        .where(Training.workspace_id == workspace_id, Training.id == training_id)
        .values(channel_id=channel, message_ts=ts)
        .execution_options(synchronize_session=False)
    )


async def rsvp(
    session: AsyncSession, workspace_id: int, training_id: int, member: Member, going: bool, now: dt.datetime
) -> tuple[Training, bool]:
    """Going or not going: one row per member, switched by the buttons; returns (training, changed)."""
    training = await get_training(session, workspace_id, training_id)
    if training is None:
        raise TrainingError("training.error.gone")
    if training.starts_at <= now:
        raise TrainingError("training.error.started")
    inserted = await session.execute(
        insert_ignoring_conflicts(session, TrainingRsvp.__table__, ["training_id", "member_id"])
        .values(
            workspace_id=workspace_id,
            training_id=training.id,
            member_id=member.id,
            going=going,
            updated_at=now,
        )
        .returning(TrainingRsvp.id)
    )
    if inserted.scalar() is not None:
        return training, True
    switched = await session.execute(
        update(TrainingRsvp)
        .where(
            TrainingRsvp.training_id == training.id,
            TrainingRsvp.member_id == member.id,
            TrainingRsvp.going != going,
        )
        .values(going=going, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return training, switched.rowcount == 1


async def rsvp_people(session: AsyncSession, training_id: int) -> tuple[list[Member], list[Member]]:
    """(going, not going), each in the order they answered."""
    rows = await session.execute(
        select(Member, TrainingRsvp.going)
        .join(TrainingRsvp, TrainingRsvp.member_id == Member.id)
        .where(TrainingRsvp.training_id == training_id)
        .order_by(TrainingRsvp.updated_at, TrainingRsvp.id)
    )
    going: list[Member] = []
    not_going: list[Member] = []
    for member, is_going in rows.all():
        (going if is_going else not_going).append(member)
    return going, not_going


async def attendees(session: AsyncSession, training_id: int) -> list[Member]:
    return list(
        await session.scalars(
            select(Member)
            .join(TrainingAttendance, TrainingAttendance.member_id == Member.id)
            .where(TrainingAttendance.training_id == training_id)
            .order_by(TrainingAttendance.id)
        )
    )


def check_attendance(training: Training | None, member: Member, now: dt.datetime) -> Training:
    """Only the organiser or a manager marks attendance, and only once the session has started."""
    if training is None:
        raise TrainingError("training.error.gone")
    if not may_take_attendance(training, member):
        raise TrainingError("training.error.not_organiser")
    if now < training.starts_at:
        raise TrainingError("training.error.not_started")
    return training


async def record_attendance(
    session: AsyncSession,
    workspace_id: int,
    training_id: int,
    actor: Member,
    member_ids: Iterable[int],
    now: dt.datetime,
) -> tuple[Training, int]:
    """Replace the session's attendance with `member_ids` (members of this workspace), in one go.

    The training row is locked first, so two submissions racing are applied one after the other.
    """
    training = check_attendance(await get_training(session, workspace_id, training_id), actor, now)
    await session.execute(
        update(Training)
        .where(Training.workspace_id == workspace_id, Training.id == training.id)
        .values(attendance_taken_at=now)
        .execution_options(synchronize_session=False)
    )
    wanted = set(member_ids)
    present = list(
        await session.scalars(
            select(Member.id)
            .where(Member.workspace_id == workspace_id, Member.id.in_(wanted))
            .order_by(Member.id)
        )
    ) if wanted else []  # fmt: skip
    await session.execute(delete(TrainingAttendance).where(TrainingAttendance.training_id == training.id))
    if present:
        await session.execute(
            TrainingAttendance.__table__.insert(),
            [
                {"workspace_id": workspace_id, "training_id": training.id, "member_id": i, "created_at": now}
                for i in present
            ],
        )
    await session.refresh(training)
    return training, len(present)


async def upcoming(
    session: AsyncSession, workspace_id: int, now: dt.datetime, limit: int = 10
) -> list[Training]:
    return list(
        await session.scalars(
            select(Training)
            .where(Training.workspace_id == workspace_id, Training.starts_at > now)
            .order_by(Training.starts_at, Training.id)
            .limit(limit)
        )
    )


async def answers_of(session: AsyncSession, member_id: int, training_ids: list[int]) -> dict[int, bool]:
    """The member's RSVP (going or not) per training, for those answered."""
    if not training_ids:
        return {}
    rows = await session.execute(
        select(TrainingRsvp.training_id, TrainingRsvp.going).where(
            TrainingRsvp.member_id == member_id, TrainingRsvp.training_id.in_(training_ids)
        )
    )
    return dict(rows.all())


async def attended_by(
    session: AsyncSession, workspace_id: int, member_id: int, limit: int = 10
) -> list[Training]:
    """The sessions the member was marked present at, latest first."""
    return list(
        await session.scalars(
            select(Training)
            .join(TrainingAttendance, TrainingAttendance.training_id == Training.id)
            .where(Training.workspace_id == workspace_id, TrainingAttendance.member_id == member_id)
            .order_by(Training.starts_at.desc(), Training.id.desc())
            .limit(limit)
        )
    )


def reminder_kinds_due(starts_at: dt.datetime, now: dt.datetime) -> list[str]:
    """Which reminders are due at `now`: their moment has passed, the start has not (or barely)."""
    if now >= starts_at + START_GRACE:
        return []
    due = []
    if starts_at - REMINDERS["day"] <= now < starts_at - DAY_REMINDER_UNTIL:
        due.append("day")
    if starts_at - REMINDERS["15min"] <= now:
        due.append("15min")
    return due


async def due_reminders(session: AsyncSession, workspace_id: int, now: dt.datetime) -> list[DueReminder]:
    """Every (session, member going, kind) reminder due at `now`; the caller claims each before sending."""
    rows = await session.execute(
        select(Training, Member)
        .join(TrainingRsvp, TrainingRsvp.training_id == Training.id)
        .join(Member, Member.id == TrainingRsvp.member_id)
        .where(
            Training.workspace_id == workspace_id,
            Training.starts_at > now - START_GRACE,
            Training.starts_at <= now + max(REMINDERS.values()),
            TrainingRsvp.going.is_(True),
            Member.deleted.is_(False),
            Member.is_bot.is_(False),
        )
        .order_by(Training.starts_at, Training.id, TrainingRsvp.id)
    )
    return [
        DueReminder(training, member, kind)
        for training, member in rows.all()
        for kind in reminder_kinds_due(training.starts_at, now)
    ]
