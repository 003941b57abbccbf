"""Correcting a deal after the fact: edit, reassign, reopen, delete, undo, approve a win.

Every change goes through `_apply` (fields as text, the way the history stores them), so the
history, the stage history, the customer's segment and the celebration follow one path, and undo
is the same path with before and after swapped. No Slack in here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deal_history, outbox
from storage.authority import require_manager
from storage.deal_history import Change
from storage.deals import (
    DealError,
    NewDeal,
    check_new_deal,
    find_or_create_customer,
    funnel_index,
    get_deal,
    mark_customer_won,
    may_edit,
)
from storage.models import (
    OPEN_STAGES,
    Activity,
    Deal,
    DealCongratulation,
    DealHistory,
    DealSettings,
    DealStageChange,
    Member,
    Stage,
    UTCDateTime,
    Workspace,
    utcnow,
)

OWNER_MAY_DELETE_FOR = dt.timedelta(hours=24)  # after that, only a manager deletes a deal
UNDO_WITHIN = dt.timedelta(minutes=5)
FIELDS = ("customer", "title", "amount", "stage", "expected_close", "notes", "owner")


@dataclass(frozen=True)
class DealEdit:
    """The edit form: a NewDeal's fields, and the owner (a Slack user id) when a manager changes it."""

    new: NewDeal
    owner: str | None = None


def amount_text(minor: int, currency: str) -> str:
    return f"{minor} {currency}"


def parse_amount_text(text: str) -> tuple[int, str]:
    minor, currency = text.split(" ", 1)
    return int(minor), currency


def current_values(deal: Deal) -> dict[str, str | None]:
    """The deal's correctable fields as the history writes them."""
    return {
        "customer": deal.customer.name,
        "title": deal.title or "",
        "amount": amount_text(deal.amount_minor, deal.currency),
        "stage": deal.stage,
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else None,
        "notes": deal.notes or "",
        "owner": deal.owner.slack_user_id,
    }


async def _member(session: AsyncSession, workspace_id: int, slack_user_id: str) -> Member:
    member = await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id)
    )
    if member is None or member.deleted or member.is_bot:
        raise DealError("deal.error.owner_unknown")
    return member


async def _column_values(
    session: AsyncSession, deal: Deal, field: str, value: str | None, now: dt.datetime
) -> dict[str, Any]:
    """The columns one field's text sets."""
    if field == "customer":
        customer = await find_or_create_customer(session, deal.workspace_id, value or "")
        return {"customer_id": customer.id}
    if field == "amount":
        minor, currency = parse_amount_text(value or "")
        return {"amount_minor": minor, "currency": currency}
    if field == "expected_close":
        return {"expected_close": dt.date.fromisoformat(value) if value else None}
    if field == "owner":
        return {"owner_id": (await _member(session, deal.workspace_id, value or "")).id}
    if field == "stage":
        stage = Stage(value)
        values: dict[str, Any] = {"stage": stage.value, "closed_at": None if stage.is_open else now}
        if deal.funnel_reached is not None:
            values["funnel_reached"] = max(deal.funnel_reached, funnel_index(stage))
        return values
    return {field: value or ""}


async def _apply(
    session: AsyncSession,
    deal: Deal,
    by: Member,
    action: str,
    wanted: dict[str, str | None],
    *,
    now: dt.datetime | None = None,
) -> tuple[Deal, str | None]:
    """Set the fields in `wanted` that differ, write their history, keep the celebration in step.
    Returns (the deal as it is now, the history batch or None when nothing changed).

    The UPDATE is conditional on the values it read, like `change_stage`: of two concurrent
    requests (a double click, Slack's retry), the second finds the row changed, reads it again and
    finds nothing left to change."""
    now = now or utcnow()
    for _attempt in range(3):
        changes, values = await _changes(session, deal, wanted, now)
        if not changes:
            return deal, None
        if await _update_if_unchanged(session, deal, values):
            break
        deal = await _fresh(session, deal.workspace_id, deal.id)
    else:
        raise DealError("deal.error.changed_since")
    stage = next((c for c in changes if c.field == "stage"), None)
    if stage is not None:
        session.add(
            DealStageChange(
                workspace_id=deal.workspace_id, deal_id=deal.id, from_stage=stage.before, to_stage=stage.after,
                changed_by_id=by.id, changed_at=now,
            )
        )  # fmt: skip
        if stage.after == Stage.WON.value:
            await mark_customer_won(session, deal.workspace_id, values.get("customer_id", deal.customer_id))
    batch = await deal_history.record(session, deal.workspace_id, deal.id, by, action, changes, now=now)
    await session.flush()
    fresh = await _fresh(session, deal.workspace_id, deal.id)
    await deal_history.announce(session, deal.workspace_id, fresh, deal.id, batch)
    return fresh, batch


async def _changes(
    session: AsyncSession, deal: Deal, wanted: dict[str, str | None], now: dt.datetime
) -> tuple[list[Change], dict[str, Any]]:
    """The fields that differ, and the columns they set."""
    before = current_values(deal)
    changes = [Change(f, before[f], wanted[f]) for f in FIELDS if f in wanted and wanted[f] != before[f]]
    values: dict[str, Any] = {}
    for change in changes:
        values.update(await _column_values(session, deal, change.field, change.after, now))
    return changes, values


# Columns a change sets as a consequence, not read back as what the change is about.
DERIVED = {"closed_at", "funnel_reached"}


async def _update_if_unchanged(session: AsyncSession, deal: Deal, values: dict[str, Any]) -> bool:
    """UPDATE the row only while the columns being changed still hold what was read."""
    unchanged = [
        getattr(Deal, column).is_(None)
        if getattr(deal, column) is None
        else getattr(Deal, column) == getattr(deal, column)
        for column in values
        if column not in DERIVED
    ]
    result = await session.execute(
        update(Deal)
        .where(Deal.workspace_id == deal.workspace_id, Deal.id == deal.id, *unchanged)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def _fresh(session: AsyncSession, workspace_id: int, deal_id: int) -> Deal:
    deal = await session.scalar(
        select(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
        .execution_options(populate_existing=True)
    )
    if deal is None:  # deleted meanwhile (another request)
        raise DealError("deal.error.not_found")
    return deal


async def _editable(session: AsyncSession, workspace_id: int, deal_id: int, by: Member) -> Deal:
    deal = await get_deal(session, workspace_id, deal_id)
    if deal is None:
        raise DealError("deal.error.not_found")
    if not may_edit(by, deal):
        raise DealError("deal.error.not_yours")
    return deal


async def edit_deal(
    session: AsyncSession, workspace_id: int, deal_id: int, by: Member, edit: DealEdit
) -> tuple[Deal, bool]:
    """The edit form's values; only a manager changes the owner. Returns (deal, changed)."""
    deal = await _editable(session, workspace_id, deal_id, by)
    new = check_new_deal(edit.new)
    wanted: dict[str, str | None] = {
        "customer": new.customer,
        "title": new.title,
        "amount": amount_text(new.money.minor, new.money.currency),
        "stage": new.stage.value,
        "expected_close": new.expected_close.isoformat() if new.expected_close else None,
        "notes": new.notes,
    }
    if edit.owner and edit.owner != deal.owner.slack_user_id:
        require_manager(by)
        wanted["owner"] = edit.owner
    deal, batch = await _apply(session, deal, by, "edit", wanted)
    return deal, batch is not None


async def reassign(
    session: AsyncSession, workspace_id: int, deal_id: int, by: Member, owner_slack_id: str
) -> tuple[Deal, bool]:
    require_manager(by)
    deal = await _editable(session, workspace_id, deal_id, by)
    deal, batch = await _apply(session, deal, by, "reassign", {"owner": owner_slack_id})
    return deal, batch is not None


async def reopen(session: AsyncSession, workspace_id: int, deal_id: int, by: Member) -> tuple[Deal, bool]:
    """A won or lost deal goes back to the open stage it was closed from."""
    deal = await _editable(session, workspace_id, deal_id, by)
    if Stage(deal.stage).is_open:
        return deal, False
    deal, batch = await _apply(
        session, deal, by, "reopen", {"stage": (await _stage_before_closing(session, deal)).value}
    )
    return deal, batch is not None


async def _stage_before_closing(session: AsyncSession, deal: Deal) -> Stage:
    last_open = await session.scalar(
        select(DealStageChange.to_stage)
        .where(
            DealStageChange.workspace_id == deal.workspace_id,
            DealStageChange.deal_id == deal.id,
            DealStageChange.to_stage.in_([s.value for s in OPEN_STAGES]),
        )
        .order_by(DealStageChange.id.desc())
        .limit(1)
    )
    return Stage(last_open) if last_open else Stage.NEGOTIATION


def may_delete(member: Member, deal: Deal, now: dt.datetime) -> bool:
    """A manager any time; the owner within a day of logging it."""
    if member.is_manager:
        return True
    return deal.owner_id == member.id and now - deal.created_at <= OWNER_MAY_DELETE_FOR


async def delete_deal(session: AsyncSession, workspace_id: int, deal_id: int, by: Member) -> Deal:
    """Delete the deal (it leaves every total); its history keeps a snapshot to restore it from."""
    now = utcnow()
    deal = await get_deal(session, workspace_id, deal_id)
    if deal is None:
        raise DealError("deal.error.not_found")
    if not may_edit(by, deal):
        raise DealError("deal.error.not_yours")
    if not may_delete(by, deal, now):
        raise DealError(
            "deal.error.delete_not_allowed", hours=int(OWNER_MAY_DELETE_FOR.total_seconds() // 3600)
        )
    await _delete(session, deal, by, "delete", now)
    return deal


async def _delete(session: AsyncSession, deal: Deal, by: Member, action: str, now: dt.datetime) -> str:
    snapshot = await _snapshot(session, deal)
    facts = deal_history.post_facts(deal)
    batch = await deal_history.record(
        session,
        deal.workspace_id,
        deal.id,
        by,
        action,
        [Change("deleted", None, "yes")],
        snapshot=snapshot,
        now=now,
    )
    deleted = await session.execute(
        delete(Deal).where(Deal.workspace_id == deal.workspace_id, Deal.id == deal.id)
    )
    if deleted.rowcount != 1:  # a double click deleted it already: this one's history is rolled back
        raise DealError("deal.error.not_found")
    await deal_history.announce(session, deal.workspace_id, None, deal.id, batch, facts=facts)
    return batch


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


async def _snapshot(session: AsyncSession, deal: Deal) -> dict[str, Any]:
    """The row and what hangs off it (stage history, congratulations, activities' links)."""
    where = {"workspace_id": deal.workspace_id, "deal_id": deal.id}
    stages = await session.scalars(select(DealStageChange).filter_by(**where).order_by(DealStageChange.id))
    cheers = await session.scalars(select(DealCongratulation).filter_by(**where))
    activities = await session.scalars(select(Activity.id).filter_by(**where))
    return {
        "deal": {c.name: _jsonable(getattr(deal, c.key)) for c in Deal.__table__.columns},
        "stages": [
            {
                "from_stage": s.from_stage,
                "to_stage": s.to_stage,
                "changed_by_id": s.changed_by_id,
                "changed_at": s.changed_at.isoformat(),
            }
            for s in stages
        ],
        "congratulations": [
            {"member_id": c.member_id, "created_at": c.created_at.isoformat()} for c in cheers
        ],
        "activities": list(activities),
    }


def _from_json(column: Any, value: Any) -> Any:
    """A snapshot's value back in its column's type (dates and times were written as ISO text)."""
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


def _restore_values(snapshot: dict[str, Any]) -> dict[str, Any]:
    row = snapshot["deal"]
    return {c.name: _from_json(c, row.get(c.name)) for c in Deal.__table__.columns}


async def _restore(session: AsyncSession, workspace_id: int, snapshot: dict[str, Any]) -> int:
    values = _restore_values(snapshot)
    deal_id = values["id"]
    await session.execute(insert(Deal).values(**values))
    for s in snapshot.get("stages", []):
        session.add(
            DealStageChange(
                workspace_id=workspace_id, deal_id=deal_id, from_stage=s["from_stage"], to_stage=s["to_stage"],
                changed_by_id=s["changed_by_id"], changed_at=dt.datetime.fromisoformat(s["changed_at"]),
            )
        )  # fmt: skip
    for c in snapshot.get("congratulations", []):
        session.add(
            DealCongratulation(
                workspace_id=workspace_id, deal_id=deal_id, member_id=c["member_id"],
                created_at=dt.datetime.fromisoformat(c["created_at"]),
            )
        )  # fmt: skip
    if snapshot.get("activities"):
        await session.execute(
            update(Activity)
            .where(Activity.workspace_id == workspace_id, Activity.id.in_(snapshot["activities"]))
            .values(deal_id=deal_id)
        )
    await session.flush()
    return deal_id


@dataclass(frozen=True)
class Undone:
    deal: Deal | None  # None: the undo deleted it (it undid the deal's logging)
    deal_id: int
    action: str  # the action taken back


async def undo_last(
    session: AsyncSession, workspace_id: int, by: Member, now: dt.datetime | None = None
) -> Undone:
    """Take back `by`'s last deal action of the last five minutes (once)."""
    now = now or utcnow()
    last = await session.scalar(
        select(DealHistory)
        .where(
            DealHistory.workspace_id == workspace_id,
            DealHistory.changed_by_id == by.id,
            DealHistory.action.not_in(("undo", "approve", "decline")),
            DealHistory.changed_at >= now - UNDO_WITHIN,
        )
        .order_by(DealHistory.id.desc())
        .limit(1)
    )
    if last is None or last.undone_at is not None:
        raise DealError("deal.error.nothing_to_undo", minutes=int(UNDO_WITHIN.total_seconds() // 60))
    rows = list(
        await session.scalars(
            select(DealHistory).where(
                DealHistory.workspace_id == workspace_id, DealHistory.batch == last.batch
            )
        )
    )
    claimed = await session.execute(
        update(DealHistory)
        .where(
            DealHistory.workspace_id == workspace_id,
            DealHistory.batch == last.batch,
            DealHistory.undone_at.is_(None),
        )
        .values(undone_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # a concurrent undo took it back already
        raise DealError("deal.error.nothing_to_undo", minutes=int(UNDO_WITHIN.total_seconds() // 60))
    deal = await get_deal(session, workspace_id, last.deal_id)
    if last.snapshot is not None and deal is None:  # undo a deletion: the deal comes back
        deal_id = await _restore(session, workspace_id, last.snapshot)
        batch = await deal_history.record(
            session, workspace_id, deal_id, by, "undo", [Change("deleted", "yes", None)], now=now
        )
        fresh = await _fresh(session, workspace_id, deal_id)
        await deal_history.announce(session, workspace_id, fresh, deal_id, batch)
        return Undone(fresh, deal_id, last.action)
    if deal is None:
        raise DealError("deal.error.not_found")
    if last.action == "create":  # undo logging it: the deal goes, its history stays
        await _delete(session, deal, by, "undo", now)
        return Undone(None, deal.id, last.action)
    wanted = {row.field: row.before for row in rows if row.field in FIELDS}
    if any(current_values(deal)[row.field] != row.after for row in rows if row.field in FIELDS):
        raise DealError("deal.error.changed_since")
    fresh, _batch = await _apply(session, deal, by, "undo", wanted, now=now)
    return Undone(fresh, deal.id, last.action)


# --- approval of big wins -------------------------------------------------------------------------


async def set_approval_threshold(
    session: AsyncSession, workspace: Workspace, by: Member, minor: int | None
) -> None:
    require_manager(by)
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = module.insert(DealSettings.__table__).values(
        workspace_id=workspace.id, approval_minor=minor, updated_at=utcnow()
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={k: statement.excluded[k] for k in ("approval_minor", "updated_at")},
        )
    )


async def decide_win(
    session: AsyncSession, workspace_id: int, deal_id: int, by: Member, approve: bool
) -> tuple[Deal | None, bool]:
    """A manager approves (the celebration goes out) or declines (the deal reopens) a held win.
    Returns (deal, decided now); a second click, or another manager's, finds it decided."""
    require_manager(by)
    deal = await get_deal(session, workspace_id, deal_id)
    if deal is None:
        return None, False
    if deal.owner_id == by.id:
        raise DealError("deal.error.self_approval")
    key = deal_history.celebration_key(deal_id)
    target = outbox.PENDING if approve else outbox.CANCELLED
    if not await outbox.set_status(session, workspace_id, key, target, only_from=(outbox.HELD,)):
        return deal, False
    if approve:
        await deal_history.record(session, workspace_id, deal_id, by, "approve")
        return deal, True
    deal, _batch = await _apply(
        session, deal, by, "decline", {"stage": (await _stage_before_closing(session, deal)).value}
    )
    return deal, True
