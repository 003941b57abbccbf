"""The audit log: every manager's or admin's change, one append-only row per command, written in the
same transaction as the change.

Nothing in the domain operations names it. `storage.authority.require_manager`/`require_admin`, once
they let a member through, note that member as the one acting (`acting`, a context variable: it
follows the request's task, and SQLAlchemy's greenlet shares its context). Session events then gather
every row the transaction inserts, updates or deletes (ORM flushes, and INSERT/UPDATE/DELETE statements
run through the session) and, just before the commit, add ONE `audit_log` row: who, when, what (the
operation that checked the authority, e.g. `team.set_role`) and the before/after of each changed row.
A rollback writes nothing; a member whose role passed no check writes nothing. An action that changes
no row (an export) calls `record`.

Append-only: there is no update or delete path here; on PostgreSQL a trigger refuses UPDATE, and
DELETE outside a workspace purge (`allow_purge`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import sys
from collections.abc import Collection, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, event, func, inspect, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage.csv_format import CsvFile, text_cell, time_cell
from storage.errors import UserError
from storage.exports import CHUNK
from storage.models import AuditEntry, Base, Member, ProcessedEvent, utcnow

MANAGER, ADMIN = "manager", "admin"
# Bookkeeping tables whose rows are no one's decision (job claims are never written by a manager's request).
UNAUDITED_TABLES = frozenset({AuditEntry.__tablename__, ProcessedEvent.__tablename__})
SECRET_WORDS = ("token", "secret", "hash")  # columns whose values never reach the log
MAX_VALUE = 500  # characters kept of one text value
ROWS_READ = 500  # rows of one UPDATE or DELETE whose before/after is kept (the rest are changed unlogged)
# Modules whose frames are skipped when naming the action: they pass the check along.
PASS_THROUGH = ("storage.authority", "storage.audit", "handlers.replies")
_CHANGES = "dealbell_audit_changes"  # key in a session's info: what the transaction changed so far
_RECORDED = "dealbell_audit_recorded"  # key in a session's info: actions recorded with `record`
_DECISIVE = "dealbell_audit_decisive"  # key in a session's info: a change beyond members' profiles
_SUMMARY_ONLY = "dealbell_audit_summary_only"  # key in a session's info: keep no row's values
# What storage.workspaces.save_member keeps of a member's Slack profile: keeping it is no one's decision.
PROFILE_COLUMNS = frozenset(
    {
        "name",
        "real_name",
        "timezone",
        "locale",
        "is_admin",
        "is_owner",
        "is_bot",
        "deleted",
        "profile_refreshed_at",
    }
)
PURGING = "dealbell.purging"  # PostgreSQL setting that lets a purge delete audit rows
DEFAULT_DAYS, MAX_DAYS = 7, 366  # `/dealbell audit [days]`
CSV_COLUMNS = ("at", "actor", "authority", "action", "before", "after")


@dataclass
class Actor:
    """Who is acting with a manager's or admin's authority in the current request, and as what."""

    workspace_id: int
    member_id: int | None
    user_id: str
    authority: str  # the actor's standing: admin (a workspace admin or owner) or manager
    action: str
    logged: bool = False  # its audit row is written: the request's later writes are bookkeeping


_ACTING: ContextVar[Actor | None] = ContextVar("dealbell_audit_actor", default=None)


def acting(member: Member, authority: str) -> None:
    """Called by storage.authority when `member` passed a manager's or admin's check: from now on in
    this request, the changes are theirs. The first check names the action; a domain operation's
    check, more precise than its listener's, renames it (`team.set_role`)."""
    if member.id is None or member.workspace_id is None:
        return  # not a stored member (a check on a profile not yet saved): nobody to name in the log
    current = _ACTING.get()
    action, domain = _caller()
    same = current is not None and (current.workspace_id, current.user_id) == (
        member.workspace_id,
        member.slack_user_id,
    )
    if current is not None and same and not current.logged:
        current.action = action if domain else current.action
        return
    standing = ADMIN if member.is_workspace_admin else authority
    _ACTING.set(Actor(member.workspace_id, member.id, member.slack_user_id, standing, action))


def _acting_now() -> Actor | None:
    actor = _ACTING.get()
    return actor if actor is not None and not actor.logged else None


def _caller() -> tuple[str, bool]:
    """`feature.function` of what asked for the check, and whether it is a domain operation. A
    domain operation is named by the outermost function of its module (`team.set_role`, not the
    helper that checked); a listener by the function that checked (`admin.cadence_settings`)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and _module(frame).startswith(PASS_THROUGH):
        frame = frame.f_back
    module = _module(frame)
    domain = module.startswith("storage.")
    while domain and frame.f_back is not None and _module(frame.f_back) == module:
        frame = frame.f_back
    parts = [p for p in module.split(".") if p not in ("storage", "handlers", "listeners")]
    return ".".join([*parts[:1], frame.f_code.co_name])[:100], domain


def _module(frame: Any) -> str:
    return str(frame.f_globals.get("__name__", ""))


def record(session: AsyncSession, action: str, details: dict[str, Any]) -> None:
    """Log an action that changes no row (an export), in `session`'s transaction, as the member
    whose authority was checked; nothing without one."""
    if _acting_now() is not None:
        session.sync_session.info.setdefault(_RECORDED, []).append((action, jsonable(details)))


def record_summary_only(session: AsyncSession, action: str, details: dict[str, Any]) -> None:
    """Log an action by `details` alone, keeping none of the values its rows held: forgetting a
    person must not copy what was forgotten into the log."""
    if _acting_now() is not None:
        session.sync_session.info[_SUMMARY_ONLY] = True
        record(session, action, details)


async def allow_purge(session: AsyncSession) -> None:
    """A purge (a workspace's, a test's clean-up) may delete audit rows, in this transaction only."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL {PURGING} = 'on'"))


# --- reading it: `/dealbell audit [days] [csv]` -----------------------------------------------------


class AuditError(UserError):
    """A refused `/dealbell audit` request."""


def parse_request(words: list[str]) -> tuple[int, bool]:
    """(days, as CSV) from the words after `audit`: `[days] [csv]`, in either order."""
    days, as_csv = DEFAULT_DAYS, False
    for word in words:
        if word.lower() == "csv":
            as_csv = True
        elif word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_DAYS:
            days = int(word)
        else:
            raise AuditError("audit.error.bad_word", word=word, most=MAX_DAYS)
    return days, as_csv


def _since(query: Select[Any], workspace_id: int, since: dt.datetime) -> Select[Any]:
    return query.where(AuditEntry.workspace_id == workspace_id, AuditEntry.at >= since)


async def entries(
    session: AsyncSession, workspace_id: int, since: dt.datetime, limit: int
) -> tuple[list[AuditEntry], int]:
    """The workspace's newest `limit` audit rows since `since`, newest first, and how many there are."""
    query = _since(select(AuditEntry), workspace_id, since)
    rows = await session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    total = await session.scalar(_since(select(func.count(AuditEntry.id)), workspace_id, since))
    return list(rows), int(total or 0)


def changed_tables(entry: AuditEntry) -> list[str]:
    """The tables an entry's action wrote to (or, for an export, what it exported), in order."""
    names = [key.split(":")[0] for key in [*entry.before, *entry.after]]
    return list(dict.fromkeys(names))


async def audit_csv(session: AsyncSession, workspace_id: int, since: dt.datetime) -> tuple[bytes, int]:
    """The workspace's audit rows since `since`, oldest first, as CSV (storage/csv_format.py), and
    their number. Read CHUNK rows at a time, as the other exports are."""
    file = CsvFile(CSV_COLUMNS)
    query = _since(select(AuditEntry), workspace_id, since).order_by(AuditEntry.id)
    result = await session.stream_scalars(query.execution_options(yield_per=CHUNK))
    async for entry in result:
        file.write([
            time_cell(entry.at), entry.actor_user_id, entry.authority, text_cell(entry.action),
            text_cell(_json(entry.before)), text_cell(_json(entry.after)),
        ])  # fmt: skip
    return file.encoded(), file.rows


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- what a transaction changed --------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """`value` as JSON can hold it: times as ISO text, decimals as text, long text cut."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | bytes):
        return str(value)
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[:MAX_VALUE] + "…"
    return value


def _shown(column: str, value: Any) -> Any:
    return (
        "[hidden]" if any(word in column for word in SECRET_WORDS) and value is not None else jsonable(value)
    )


def _changes(session: Session) -> dict[str, dict[str, Any]]:
    return session.info.setdefault(_CHANGES, {"before": {}, "after": {}})


def _note(session: Session, table: str, columns: Collection[str], inserted: bool) -> None:
    """Mark the transaction as a decision unless the change only keeps a member's Slack profile.
    `columns`: an update's changed columns (none: it changed nothing, as a repeated click does)."""
    if not inserted and not columns:
        return
    if table != Member.__tablename__ or not (inserted or set(columns) <= PROFILE_COLUMNS):
        session.info[_DECISIVE] = True


def _row_key(state: Any) -> str:
    identity = state.identity or ()
    return f"{state.mapper.local_table.name}:{'/'.join(str(part) for part in identity)}"


def _columns(state: Any) -> list[str]:
    return [attr.key for attr in state.mapper.column_attrs]


@event.listens_for(Session, "after_flush")
def _gather_flush(session: Session, _flush: UOWTransaction) -> None:
    """The rows this flush inserted, updated, deleted (history still holds the old values here)."""
    if _acting_now() is None:
        return
    for obj in [*session.new, *session.dirty, *session.deleted]:
        state = inspect(obj)
        table = state.mapper.local_table.name
        if table in UNAUDITED_TABLES:
            continue
        key, changes = _row_key(state), _changes(session)
        if obj in session.new or obj in session.deleted:
            side = "after" if obj in session.new else "before"
            changes[side][key] = {c: _shown(c, state.dict.get(c)) for c in _columns(state)}
            _note(session, table, _columns(state), inserted=obj in session.new)
        else:
            _note(session, table, _gather_update(changes, key, state), inserted=False)


def _gather_update(changes: dict[str, dict[str, Any]], key: str, state: Any) -> list[str]:
    """The old and new values of the row's changed columns; returns those columns."""
    changed = [column for column in _columns(state) if state.attrs[column].history.has_changes()]
    for column in changed:
        history = state.attrs[column].history
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        changes["before"].setdefault(key, {}).setdefault(column, _shown(column, old))  # the first before
        changes["after"].setdefault(key, {})[column] = _shown(column, new)
    return changed


@event.listens_for(Session, "do_orm_execute")
def _gather_statement(state: ORMExecuteState) -> Any:
    """INSERT, UPDATE and DELETE statements run through the session (upserts, bulk updates). An
    UPDATE's or DELETE's rows are read before it runs (and an UPDATE's again after), so their
    before/after is exact; an INSERT's is the values it was given."""
    if _acting_now() is None or not (state.is_insert or state.is_update or state.is_delete):
        return None
    # the plain table (an ORM statement's is annotated with its entity, and would select entities)
    table = Base.metadata.tables.get(getattr(getattr(state.statement, "table", None), "name", ""))
    if table is None or table.name in UNAUDITED_TABLES:
        return None
    if state.is_insert:
        return _run_counting_inserts(state, table)
    return _run_reading_rows(state, table)


def _run_counting_inserts(state: ORMExecuteState, table: Table) -> Any:
    """An INSERT's values, if it inserted anything (one ignored on a conflict, a repeat, did not)."""
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:  # -1: not told (an ORM result); counted as inserted
        params = state.statement.compile().params
        after = _changes(state.session)["after"]
        after[f"{table.name}:insert#{len(after) + 1}"] = {
            k: _shown(k, v) for k, v in params.items() if k in table.c
        }
        _note(state.session, table.name, (), inserted=True)
    return result


def _run_reading_rows(state: ORMExecuteState, table: Table) -> Any:
    """Read the rows the statement matches, run it, and (an UPDATE) read them again. The first read
    waits for any other writer of those rows first, so a double click's second UPDATE, finding the
    first one's values, logs nothing: PostgreSQL locks the rows (FOR UPDATE); on SQLite, a write
    that changes nothing takes this transaction's turn to write (storage.db.SqliteWriter) first."""
    where = state.statement.whereclause
    matched = (select(table) if where is None else select(table).where(where)).limit(ROWS_READ)
    if state.session.get_bind().dialect.name == "postgresql":
        matched = matched.with_for_update(of=table)
    else:
        key = next(iter(table.primary_key.columns)).name
        state.session.execute(text(f"UPDATE {table.name} SET {key} = {key} WHERE 0 = 1"))
    before = {_table_row_key(table, row): row for row in state.session.execute(matched).mappings()}
    result = state.invoke_statement()
    changes = _changes(state.session) if before else {}
    for key, row in before.items() if state.is_delete else ():
        changes["before"][key] = {c: _shown(c, v) for c, v in row.items()}
        _note(state.session, table.name, list(row.keys()), inserted=False)
    for row in _reread(state.session, table, before.values()) if state.is_update else ():
        key, old = _table_row_key(table, row), before[_table_row_key(table, row)]
        changed = [c for c in row if row[c] != old[c]]
        for column in changed:
            changes["before"].setdefault(key, {}).setdefault(column, _shown(column, old[column]))
            changes["after"].setdefault(key, {})[column] = _shown(column, row[column])
        _note(state.session, table.name, changed, inserted=False)
    return result


def _reread(session: Session, table: Table, rows: Iterable[Any]) -> list[Any]:
    """The rows (read before an UPDATE) as they are after it."""
    keys = list(table.primary_key.columns)
    wanted = [tuple(row[k.name] for k in keys) for row in rows]
    if not wanted:
        return []
    return list(session.execute(select(table).where(tuple_(*keys).in_(wanted))).mappings())


def _table_row_key(table: Table, row: Any) -> str:
    return f"{table.name}:{'/'.join(str(row[c.name]) for c in table.primary_key.columns)}"


@event.listens_for(Session, "before_commit")
def _write_entry(session: Session) -> None:
    """One audit row for the whole transaction, flushed with it by the commit."""
    actor = _acting_now()
    if actor is None or session.in_nested_transaction():
        return  # a SAVEPOINT's release: the row goes with the outer transaction's commit
    session.flush()  # pending changes: gathered by _gather_flush before the row is made
    changes = session.info.pop(_CHANGES, {"before": {}, "after": {}})
    if session.info.pop(_SUMMARY_ONLY, False):
        changes = {"before": {}, "after": {}}
    recorded = session.info.pop(_RECORDED, [])
    if not session.info.pop(_DECISIVE, False) and not recorded:
        return  # nothing, or only members' Slack profiles kept up to date: no one's decision
    actor.logged = True
    for action, details in recorded:
        changes["after"][action] = details
    session.add(
        AuditEntry(
            workspace_id=actor.workspace_id,
            at=utcnow(),
            actor_member_id=actor.member_id,
            actor_user_id=actor.user_id,
            authority=actor.authority,
            action=recorded[-1][0] if recorded else actor.action,
            before=changes["before"],
            after=changes["after"],
        )
    )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_CHANGES, _RECORDED, _DECISIVE, _SUMMARY_ONLY):
        session.info.pop(key, None)
