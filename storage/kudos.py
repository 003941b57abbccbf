"""Kudos: giving, co-giving, undoing, reaction take-backs, allowances and stats (no Slack in here).

The daily allowance is counted in the giver's own time zone. Every give locks the giver's member
row first, so two gives racing from the same person cannot both pass the allowance check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, delete, func, insert, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import webhooks
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import (
    Kudos,
    KudosGive,
    KudosGiveValue,
    KudosReactionState,
    Member,
    PointsEntry,
    UTCDateTime,
    Workspace,
    utcnow,
)
from storage.periods import member_zone

MAX_MESSAGE = 1000
UNDO_WINDOW = dt.timedelta(minutes=5)


class KudosError(UserError):
    """A refused kudos; nothing was written."""


@dataclass(frozen=True)
class Allowance:
    limit: int
    used: int
    resets_at: dt.datetime  # the giver's next local midnight, in UTC

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class GiveResult:
    give: KudosGive
    created: bool
    allowance: Allowance


@dataclass(frozen=True)
class KudosStats:
    member_id: int
    received: int
    given: int


def day_window(now: dt.datetime, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar day containing `now` in `timezone`, as [start, end) in UTC."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _given_today(workspace_id: int, giver_id: int, start: dt.datetime, end: dt.datetime) -> Select[Any]:
    """How many kudos the giver gave in [start, end): their day, for the allowance."""
    return (
        select(func.count())
        .select_from(Kudos)
        .where(Kudos.workspace_id == workspace_id, Kudos.giver_id == giver_id, Kudos.created_at >= start,
               Kudos.created_at < end)
    )  # fmt: skip


async def allowance(
    session: AsyncSession, workspace: Workspace, giver: Member, now: dt.datetime
) -> Allowance:
    start, end = day_window(now, member_zone(giver, workspace))
    used = await session.scalar(_given_today(workspace.id, giver.id, start, end))
    return Allowance(limit=workspace.kudos_allowance, used=used or 0, resets_at=end)


async def lock_member(session: AsyncSession, member_id: int) -> None:
    """Serialise writers per member: a row lock on PostgreSQL, the write lock on SQLite."""
    members = Member.__table__  # a Core statement: none of the ORM's bulk-update bookkeeping
    await session.execute(
        update(members).where(members.c.id == member_id).values(slack_user_id=members.c.slack_user_id)
    )


def check_receivers(giver: Member, receivers: Sequence[Member]) -> None:
    if not receivers:
        raise KudosError("kudos.error.no_receivers")
    for receiver in receivers:
        if receiver.id == giver.id:
            raise KudosError("kudos.error.self")
        if receiver.is_bot:
            raise KudosError("kudos.error.bot", user=receiver.slack_user_id)
        if receiver.deleted:
            raise KudosError("kudos.error.deleted", user=receiver.slack_user_id)


def check_message(workspace: Workspace, message: str, values: Sequence[str]) -> None:
    if not message.strip():
        raise KudosError("kudos.error.empty_message")
    if len(message) > MAX_MESSAGE:
        raise KudosError("kudos.error.too_long", limit=MAX_MESSAGE)
    unknown = [v for v in values if v not in workspace.values]
    if unknown:
        raise KudosError("kudos.error.unknown_value", value=unknown[0], values=", ".join(workspace.values))
    if not values and workspace.kudos_value_required:
        raise KudosError("kudos.error.value_required", values=", ".join(workspace.values))


async def _spend(
    session: AsyncSession, workspace: Workspace, giver: Member, count: int, now: dt.datetime
) -> Allowance:
    """Make sure `count` more kudos fit today's allowance; the caller already holds the giver's lock
    (`lock_member`, taken first thing in the transaction), so racing gives count one at a time."""
    current = await allowance(session, workspace, giver, now)
    if current.used + count > current.limit:
        raise KudosError(
            "kudos.error.allowance", left=current.left, limit=current.limit, resets_at=current.resets_at
        )
    return Allowance(current.limit, current.used + count, current.resets_at)


async def give_by_key(session: AsyncSession, workspace_id: int, source_key: str) -> KudosGive | None:
    return await session.scalar(
        select(KudosGive).where(KudosGive.workspace_id == workspace_id, KudosGive.source_key == source_key)
    )


async def give_kudos(
    session: AsyncSession,
    workspace: Workspace,
    giver: Member,
    receivers: Sequence[Member],
    *,
    message: str,
    values: Sequence[str],
    source: str,
    source_key: str,
    channel_id: str | None,
    now: dt.datetime,
    giver_locked: bool = False,
) -> GiveResult:
    """One give to one or more receivers: all rows or none, once per `source_key`."""
    # Lock first: a double-submitted form or a retried request waits here, then finds the first give.
    if not giver_locked:  # (unless the caller already holds the lock, in this transaction)
        await lock_member(session, giver.id)
    try:
        check_receivers(giver, receivers)
        check_message(workspace, message, values)
    except KudosError:
        if (done := await _already_given(session, workspace, giver, source_key, now)) is not None:
            return done  # a retry of a give made when its input was still good
        raise
    give = KudosGive(
        workspace_id=workspace.id, giver_id=giver.id, message=message.strip(), source=source,
        source_key=source_key, channel_id=channel_id, created_at=now,
    )  # fmt: skip
    unique_receivers = list({r.id: r for r in receivers}.values())
    tags = list(dict.fromkeys(values))
    if session.bind.dialect.name == "postgresql":
        made = await _insert_give_at_once(session, workspace, give, unique_receivers, tags, giver)
    else:
        made = await _insert_give_in_steps(session, workspace, give, unique_receivers, tags, giver)
    if made is None:  # nothing written: a retry of a give already made, or over today's allowance
        if (done := await _already_given(session, workspace, giver, source_key, now)) is not None:
            return done
        current = await allowance(session, workspace, giver, now)
        raise KudosError(
            "kudos.error.allowance", left=current.left, limit=current.limit, resets_at=current.resets_at
        )
    # The giver as it was loaded and the tags as given, so the new give is drawn without reading it back.
    set_committed_value(give, "giver", giver)
    set_committed_value(give, "tags", [KudosGiveValue(give_id=give.id, value=v) for v in tags])
    spent, listened = made
    if listened:
        await webhooks.emit(
            session, workspace.id, "kudos.given", webhooks.kudos_record(give, unique_receivers)
        )
    return GiveResult(give, True, spent)


async def _already_given(
    session: AsyncSession, workspace: Workspace, giver: Member, source_key: str, now: dt.datetime
) -> GiveResult | None:
    existing = await give_by_key(session, workspace.id, source_key)
    if existing is None:
        return None
    return GiveResult(existing, False, await allowance(session, workspace, giver, now))


async def _insert_give_in_steps(
    session: AsyncSession,
    workspace: Workspace,
    give: KudosGive,
    receivers: list[Member],
    tags: list[str],
    giver: Member,
) -> tuple[Allowance, bool] | None:
    """The give, its tags, kudos and points, statement by statement (SQLite: the giver's lock is the
    database's write lock, so nothing changes between them); the allowance after it, or None when
    the give was already made or does not fit today's allowance (nothing written). With it, whether a
    webhook endpoint may want the give (here: True, `webhooks.emit` looks)."""
    start, end = day_window(give.created_at, member_zone(giver, workspace))
    existing, used = (
        await session.execute(
            select(
                select(KudosGive.id).where(KudosGive.workspace_id == workspace.id,
                                           KudosGive.source_key == give.source_key).scalar_subquery(),
                _given_today(workspace.id, giver.id, start, end).scalar_subquery(),
            )
        )
    ).one()  # fmt: skip
    if existing is not None or used + len(receivers) > workspace.kudos_allowance:
        return None
    give.tags = [KudosGiveValue(value=v) for v in tags]
    session.add(give)
    await session.flush()
    rows = await _insert_kudos(session, workspace.id, give.id, giver.id, receivers, give.created_at)
    await _credit_points(session, workspace, rows, give.created_at)
    return Allowance(workspace.kudos_allowance, used + len(receivers), end), True


# PostgreSQL: the allowance check, the give, its tags, its kudos and their points in ONE statement
# (the giver's row lock, taken just before, keeps a racing give of theirs out until this commits,
# and this statement's snapshot is taken after the lock, so it counts what that give wrote).
# Nothing is written when the give exists already (source_key) or does not fit the allowance.
_GIVE_AT_ONCE = text(
    """
WITH used AS (
    SELECT count(*) AS n FROM kudos
    WHERE workspace_id = :workspace_id AND giver_id = :giver_id
      AND created_at >= :day_start AND created_at < :day_end
), give AS (
    INSERT INTO kudos_gives (workspace_id, giver_id, message, source, source_key, channel_id, created_at)
    SELECT :workspace_id, :giver_id, CAST(:message AS text), CAST(:source AS varchar),
           CAST(:source_key AS varchar), CAST(:channel_id AS varchar), :now
    FROM used WHERE used.n + CAST(:count AS integer) <= CAST(:limit AS integer)
    ON CONFLICT (workspace_id, source_key) DO NOTHING
    RETURNING id
), tags AS (
    INSERT INTO kudos_give_values (give_id, value)
    SELECT give.id, tag.value
    FROM give, unnest(CAST(:tags AS varchar[])) WITH ORDINALITY AS tag(value, position)
    ORDER BY tag.position
), given AS (
    INSERT INTO kudos (workspace_id, give_id, giver_id, receiver_id, created_at)
    SELECT :workspace_id, give.id, :giver_id, receiver.id, :now
    FROM give, unnest(CAST(:receiver_ids AS integer[])) WITH ORDINALITY AS receiver(id, position)
    ORDER BY receiver.position
    RETURNING id, receiver_id
), points AS (
    INSERT INTO points_ledger (workspace_id, member_id, delta, reason, reference, source_key, created_at)
    SELECT :workspace_id, given.receiver_id, CAST(:points AS integer), 'kudos', 'kudos:' || given.id,
           'kudos:' || given.id, :now
    FROM given WHERE CAST(:points AS integer) > 0
    ON CONFLICT (workspace_id, source_key) DO NOTHING
)
SELECT give.id, used.n, EXISTS (
    SELECT 1 FROM webhook_endpoints WHERE workspace_id = :workspace_id AND disabled_at IS NULL
) AS listened
FROM give, used
"""
).bindparams(
    bindparam("workspace_id", type_=Integer()),
    bindparam("giver_id", type_=Integer()),
    bindparam("now", type_=UTCDateTime()),
    bindparam("day_start", type_=UTCDateTime()),
    bindparam("day_end", type_=UTCDateTime()),
)


async def _insert_give_at_once(
    session: AsyncSession,
    workspace: Workspace,
    give: KudosGive,
    receivers: list[Member],
    tags: list[str],
    giver: Member,
) -> tuple[Allowance, bool] | None:
    """What `_insert_give_in_steps` does, in one statement (PostgreSQL; it also tells whether the
    workspace has a webhook endpoint, so a give costs no statement more without one); `give` gets its id."""
    start, end = day_window(give.created_at, member_zone(giver, workspace))
    parameters = {
        "workspace_id": workspace.id, "giver_id": giver.id, "message": give.message, "source": give.source,
        "source_key": give.source_key, "channel_id": give.channel_id, "now": give.created_at,
        "day_start": start, "day_end": end, "count": len(receivers), "limit": workspace.kudos_allowance,
        "tags": tags, "receiver_ids": [r.id for r in receivers], "points": workspace.points_per_kudos,
    }  # fmt: skip
    row = (await session.execute(_GIVE_AT_ONCE, parameters)).first()
    if row is None:
        return None
    give.id = row.id
    return Allowance(workspace.kudos_allowance, row.n + len(receivers), end), row.listened


async def get_give(session: AsyncSession, workspace_id: int, give_id: int) -> KudosGive | None:
    return await session.scalar(
        select(KudosGive).where(KudosGive.workspace_id == workspace_id, KudosGive.id == give_id)
    )


async def give_people(session: AsyncSession, give: KudosGive) -> tuple[list[Member], list[Member]]:
    """(receivers, co-givers) of a give, in the order they were added."""
    rows = (
        await session.execute(
            select(Kudos.giver_id, Kudos.receiver_id).where(Kudos.give_id == give.id).order_by(Kudos.id)
        )
    ).all()
    receiver_ids = list(dict.fromkeys(r for g, r in rows if g == give.giver_id))
    co_giver_ids = list(dict.fromkeys(g for g, _r in rows if g != give.giver_id))
    members = {
        m.id: m
        for m in await session.scalars(select(Member).where(Member.id.in_(receiver_ids + co_giver_ids)))
    }
    return [members[i] for i in receiver_ids], [members[i] for i in co_giver_ids]


async def add_co_giver(
    session: AsyncSession, workspace: Workspace, give_id: int, member: Member, now: dt.datetime
) -> tuple[KudosGive, bool, Allowance]:
    """ "Me too": the clicker gives the same receivers kudos too, once, from their own allowance."""
    await lock_member(session, member.id)  # a double click waits here, then finds the first one's rows
    give = await get_give(session, workspace.id, give_id)
    if give is None:
        raise KudosError("kudos.error.gone")
    if give.giver_id == member.id:
        raise KudosError("kudos.error.own_give")
    receivers, co_givers = await give_people(session, give)
    if any(r.id == member.id for r in receivers):
        raise KudosError("kudos.error.metoo_receiver")
    if any(c.id == member.id for c in co_givers):
        return give, False, await allowance(session, workspace, member, now)
    spent = await _spend(session, workspace, member, len(receivers), now)
    rows = await _insert_kudos(session, workspace.id, give.id, member.id, receivers, now)
    await _credit_points(session, workspace, rows, now)
    return give, True, spent


async def _insert_kudos(
    session: AsyncSession,
    workspace_id: int,
    give_id: int,
    giver_id: int,
    receivers: Sequence[Member],
    now: dt.datetime,
) -> Sequence[Row[Any]]:
    """One kudos row per receiver, in one statement; (id, receiver_id) of each."""
    values = [
        {"workspace_id": workspace_id, "give_id": give_id, "giver_id": giver_id, "receiver_id": r.id,
         "created_at": now}
        for r in receivers
    ]  # fmt: skip
    return (await session.execute(insert(Kudos).values(values).returning(Kudos.id, Kudos.receiver_id))).all()


async def _credit_points(
    session: AsyncSession, workspace: Workspace, rows: Sequence[Kudos | Row[Any]], now: dt.datetime
) -> None:
    """The points ledger: `points_per_kudos` for each kudos received, once per kudos row."""
    if workspace.points_per_kudos <= 0 or not rows:
        return
    await session.execute(
        insert_ignoring_conflicts(session, PointsEntry.__table__, ["workspace_id", "source_key"]),
        [
            {
                "workspace_id": workspace.id,
                "member_id": row.receiver_id,
                "delta": workspace.points_per_kudos,
                "reason": "kudos",
                "reference": f"kudos:{row.id}",
                "source_key": f"kudos:{row.id}",
                "created_at": now,
            }
            for row in rows
        ],
    )


async def _reverse_points(session: AsyncSession, workspace_id: int, kudos_ids: Sequence[int]) -> None:
    """Undo what the kudos earned, entry for entry (the rate then, not now), in the same transaction."""
    if not kudos_ids:
        return
    earned = (
        await session.execute(
            select(PointsEntry.member_id, PointsEntry.delta, PointsEntry.source_key).where(
                PointsEntry.workspace_id == workspace_id,
                PointsEntry.source_key.in_([f"kudos:{i}" for i in kudos_ids]),
            )
        )
    ).all()
    if not earned:
        return
    await session.execute(
        insert_ignoring_conflicts(session, PointsEntry.__table__, ["workspace_id", "source_key"]),
        [
            {
                "workspace_id": workspace_id,
                "member_id": member_id,
                "delta": -delta,
                "reason": "kudos-undone",
                "reference": source_key,
                "source_key": f"kudos-undone:{source_key.removeprefix('kudos:')}",
                "created_at": utcnow(),
            }
            for member_id, delta, source_key in earned
        ],
    )


async def undo_give(
    session: AsyncSession, workspace: Workspace, give_id: int, member: Member, now: dt.datetime
) -> KudosGive:
    """The giver withdraws a give (with its co-givers' kudos) within UNDO_WINDOW."""
    give = await get_give(session, workspace.id, give_id)
    if give is None:
        raise KudosError("kudos.error.gone")
    if give.giver_id != member.id:
        raise KudosError("kudos.error.not_giver")
    if now - give.created_at > UNDO_WINDOW:
        raise KudosError("kudos.error.undo_expired", minutes=int(UNDO_WINDOW.total_seconds() // 60))
    return await _delete_give(session, give)


async def take_back(session: AsyncSession, workspace_id: int, source_key: str) -> KudosGive | None:
    """Remove the give made by `source_key` (a removed reaction); the removed give, or None."""
    give = await give_by_key(session, workspace_id, source_key)
    if give is None:
        return None
    return await _delete_give(session, give)


async def give_for_reaction(
    session: AsyncSession,
    workspace: Workspace,
    giver: Member,
    receivers: Sequence[Member],
    *,
    message: str,
    source_key: str,
    version: Decimal | None,
    channel_id: str | None,
    now: dt.datetime,
) -> GiveResult | None:
    """The give for a reaction added at `version`; None when a newer (or the same) add or removal of
    that reaction was already applied: a late add after its removal, or a retry, changes nothing."""
    await lock_member(session, giver.id)  # the reactor's adds and removals apply one at a time
    if not await _newer_reaction_event(session, workspace.id, source_key, version, present=True, now=now):
        return None
    return await give_kudos(
        session, workspace, giver, receivers, message=message, values=[], source="reaction",
        source_key=source_key, channel_id=channel_id, now=now, giver_locked=True,
    )  # fmt: skip


async def take_back_reaction(
    session: AsyncSession, workspace_id: int, giver_id: int, source_key: str, version: Decimal | None
) -> KudosGive | None:
    """A reaction removed at `version`: its give goes (if it was made), and the removal is remembered
    so that an add delivered after it cannot bring the give back. The removed give, or None."""
    await lock_member(session, giver_id)
    if not await _newer_reaction_event(
        session, workspace_id, source_key, version, present=False, now=utcnow()
    ):
        return None
    return await take_back(session, workspace_id, source_key)


async def _newer_reaction_event(
    session: AsyncSession,
    workspace_id: int,
    source_key: str,
    version: Decimal | None,
    *,
    present: bool,
    now: dt.datetime,
) -> bool:
    """Record this add/removal as the reaction's state if it is newer than the one recorded; whether
    it was. An event without a version cannot be ordered: it is applied, and the recorded version
    stays. The caller holds the reactor's lock, so no other event of this reaction runs meanwhile."""
    state = await session.scalar(
        select(KudosReactionState).where(
            KudosReactionState.workspace_id == workspace_id, KudosReactionState.source_key == source_key
        )
    )
    if state is None:
        session.add(
            KudosReactionState(
                workspace_id=workspace_id, source_key=source_key, version=str(version or 0),
                present=present, updated_at=now,
            )
        )  # fmt: skip
        await session.flush()
        return True
    if version is not None:
        if Decimal(state.version) >= version:
            return False
        state.version = str(version)
    state.present, state.updated_at = present, now
    await session.flush()
    return True


async def _delete_give(session: AsyncSession, give: KudosGive) -> KudosGive:
    """Delete a give and its kudos; the give comes back with where its card is as of the delete.

    The card may be recorded by another request while this one runs: RETURNING reports the row as
    deleted, so between the two exactly one side sees the card and removes it.
    """
    kudos_ids = list(await session.scalars(select(Kudos.id).where(Kudos.give_id == give.id)))
    await _reverse_points(session, give.workspace_id, kudos_ids)
    await session.execute(delete(KudosGiveValue).where(KudosGiveValue.give_id == give.id))
    await session.execute(delete(Kudos).where(Kudos.give_id == give.id))
    deleted = await session.execute(
        delete(KudosGive).where(KudosGive.id == give.id).returning(KudosGive.card_channel, KudosGive.card_ts)
    )
    row = deleted.first()
    session.expunge(give)  # gone from the database: never flush it again
    give.card_channel, give.card_ts = (row.card_channel, row.card_ts) if row else (None, None)
    return give


async def record_card(session: AsyncSession, give_id: int, channel: str, ts: str) -> bool:
    """Remember where the card is; False when the give was taken back while the card was posting."""
    gives = KudosGive.__table__
    result = await session.execute(
        update(gives).where(gives.c.id == give_id).values(card_channel=channel, card_ts=ts)
    )
    return result.rowcount == 1


async def kudos_stats(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[KudosStats]:
    """Kudos received and given per member in [start, end), as two grouped SQL aggregates."""
    scope = [Kudos.workspace_id == workspace_id]
    if start is not None:
        scope.append(Kudos.created_at >= start)
    if end is not None:
        scope.append(Kudos.created_at < end)
    received = dict(
        (
            await session.execute(
                select(Kudos.receiver_id, func.count()).where(*scope).group_by(Kudos.receiver_id)
            )
        ).all()
    )
    given = dict(
        (
            await session.execute(select(Kudos.giver_id, func.count()).where(*scope).group_by(Kudos.giver_id))
        ).all()
    )
    ids = sorted(received.keys() | given.keys(), key=lambda i: (-received.get(i, 0), -given.get(i, 0), i))
    return [KudosStats(i, received.get(i, 0), given.get(i, 0)) for i in ids]


async def kudos_by_value(
    session: AsyncSession,
    workspace_id: int,
    receiver_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> dict[str, int]:
    """Kudos a member received per value tag in [start, end); a give with two tags counts for both."""
    scope = [Kudos.workspace_id == workspace_id, Kudos.receiver_id == receiver_id]
    if start is not None:
        scope.append(Kudos.created_at >= start)
    if end is not None:
        scope.append(Kudos.created_at < end)
    rows = await session.execute(
        select(KudosGiveValue.value, func.count())
        .join(Kudos, Kudos.give_id == KudosGiveValue.give_id)
        .where(*scope)
        .group_by(KudosGiveValue.value)
    )
    return dict(rows.all())
