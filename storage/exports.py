"""CSV exports (`/dealbell export …`): the queries and the columns; the file format is storage/csv_format.py.

Deals (``/dealbell export deals``, one row per deal created in the period):

==================  ====================================================================
column              content
==================  ====================================================================
id                  dealbell's deal id (an import keeps it as the deal's import key)
customer            customer name
title               deal title
owner               owner's Slack user id (U…)
owner_name          owner's name (export only; ignored by imports)
amount              major units as a plain decimal: 12500.00 (JPY: 120000)
currency            ISO 4217 code: USD, CNY…
stage               lead, qualified, proposal, negotiation, won or lost
expected_close      expected close date, ISO
created_at          when the deal was logged, ISO 8601 UTC
closed_at           when it was won or lost, ISO 8601 UTC; empty while open
competitor          who won it instead (lost deals)
lost_reason         why it was lost
customer_segment    the customer's segment: potential, new, existing or vip
external_source     where external_id comes from ("csv", a CRM); empty for deals logged in Slack
external_id         the deal's id in that system; an import updates the deal it names
==================  ====================================================================

Kudos (``/dealbell export kudos``, one row per giver of a kudos given in the period; a co-giver
who clicked "Me too" gets a row of their own):

==================  ====================================================================
date                when it was given, ISO 8601 UTC
giver               giver's Slack user id
giver_name          giver's name
receivers           receivers' Slack user ids, separated by spaces
receiver_names      receivers' names, separated by ", "
message             what for
values              value tags, separated by spaces (teamwork customer-first)
==================  ====================================================================

Activities (``/dealbell export activities``, one row per activity in the period):

==================  ====================================================================
date                when it happened, ISO 8601 UTC
kind                call, meeting, email, demo, visit, note or customer-feedback
customer            customer name
member              who logged it, Slack user id
member_name         their name
note                the note
csat                customer satisfaction 1–5, or empty
next_follow_up      the next follow-up date it set, ISO, or empty
==================  ====================================================================

Customers (``/dealbell export customers``, one row per customer added in the period; the columns
`dealbell import customers` reads are name, segment, owner and source):

==================  ====================================================================
id                  dealbell's customer id
name                customer name
segment             potential, new, existing or vip
owner               owner's Slack user id, or empty
owner_name          owner's name
source              where the lead came from, or empty
created_at          when the customer was added, ISO 8601 UTC
last_contact_at     the last logged activity, ISO 8601 UTC, or empty
next_follow_up      the next follow-up date, ISO, or empty
==================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.csv_format import CsvFile, amount_cell, date_cell, text_cell, time_cell
from storage.models import Activity, Customer, Deal, Kudos, KudosGive, KudosGiveValue, Member
from storage.periods import Period

CHUNK = 1000  # rows fetched per query: exports never hold more than this many at once

DEAL_COLUMNS = (
    "id", "customer", "title", "owner", "owner_name", "amount", "currency", "stage",
    "expected_close", "created_at", "closed_at", "competitor", "lost_reason", "customer_segment",
    "external_source", "external_id",
)  # fmt: skip
KUDOS_COLUMNS = ("date", "giver", "giver_name", "receivers", "receiver_names", "message", "values")
ACTIVITY_COLUMNS = (
    "date", "kind", "customer", "member", "member_name", "note", "csat", "next_follow_up",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "name", "segment", "owner", "owner_name", "source", "created_at", "last_contact_at",
    "next_follow_up",
)  # fmt: skip
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": DEAL_COLUMNS,
    "kudos": KUDOS_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "customers": CUSTOMER_COLUMNS,
}
EXPORT_KINDS = tuple(EXPORT_COLUMNS)
EXPORT_PERIODS = ("month", "quarter", "year", "all")


def export_window(
    period_kind: str, now: dt.datetime, zone: str
) -> tuple[str, dt.datetime | None, dt.datetime | None]:
    """(key, start, end) of the period containing `now` in `zone`; "all" is ("all", None, None)."""
    if period_kind == "all":
        return "all", None, None
    period = Period.containing(period_kind, now, zone)
    start, end = period.utc_bounds(zone)
    return period.key, start, end


def _name(real_name: str | None, name: str | None) -> str:
    return real_name or name or ""


# --- export --------------------------------------------------------------------------------------


def _period(column: Any, start: dt.datetime | None, end: dt.datetime | None) -> list[Any]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


_DEAL_FIELDS = (
    Deal.id, Customer.name, Deal.title, Member.slack_user_id, Member.real_name, Member.name,
    Deal.amount_minor, Deal.currency, Deal.stage, Deal.expected_close, Deal.created_at, Deal.closed_at,
    Deal.competitor, Deal.lost_reason, Customer.segment, Deal.external_source, Deal.external_id,
)  # fmt: skip
_CUSTOMER_FIELDS = (
    Customer.id, Customer.name, Customer.segment, Member.slack_user_id, Member.real_name,
    Member.name.label("member_name"), Customer.source, Customer.created_at, Customer.last_contact_at,
    Customer.next_follow_up,
)  # fmt: skip
_ACTIVITY_FIELDS = (
    Activity.id, Activity.occurred_at, Activity.kind, Customer.name, Member.slack_user_id,
    Member.real_name, Member.name, Activity.note, Activity.csat, Activity.next_follow_up,
)  # fmt: skip


async def _in_chunks(session: AsyncSession, query: Select[Any], key: Any) -> AsyncIterator[list[Any]]:
    """`query`'s rows in `key` order, CHUNK at a time: keyset paging, so no OFFSET and no full load.

    `key` must be the query's first column (the rows' id).
    """
    after = 0
    while True:
        chunk = (await session.execute(query.where(key > after).order_by(key).limit(CHUNK))).all()
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1][0]


async def _joined_rows(
    session: AsyncSession,
    fields: tuple[Any, ...],
    table: Any,
    member_id: Any,
    workspace_id: int,
    in_period: list[Any],
    cells: Callable[[Any], list[str]],
) -> AsyncIterator[list[str]]:
    """The cells of `table`'s rows in one workspace and period, with their customer and member joined."""
    query = (
        select(*fields)
        .join(Customer, Customer.id == table.customer_id)
        .join(Member, Member.id == member_id)
        .where(table.workspace_id == workspace_id, *in_period)
    )
    async for chunk in _in_chunks(session, query, table.id):
        for row in chunk:
            yield cells(row)


def _deal_cells(r: Any) -> list[str]:
    return [
        str(r.id), text_cell(r[1]), text_cell(r.title), r.slack_user_id, text_cell(_name(r[4], r[5])),
        amount_cell(r.amount_minor, r.currency), r.currency, r.stage, date_cell(r.expected_close),
        time_cell(r.created_at), time_cell(r.closed_at), text_cell(r.competitor),
        text_cell(r.lost_reason), r.segment, text_cell(r.external_source), text_cell(r.external_id),
    ]  # fmt: skip


def _deal_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    period = _period(Deal.created_at, start, end)
    return _joined_rows(session, _DEAL_FIELDS, Deal, Deal.owner_id, workspace_id, period, _deal_cells)


async def _kudos_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    query = select(KudosGive.id, KudosGive.giver_id, KudosGive.message, KudosGive.created_at).where(
        KudosGive.workspace_id == workspace_id, *_period(KudosGive.created_at, start, end)
    )
    async for gives in _in_chunks(session, query, KudosGive.id):
        ids = [g.id for g in gives]
        kudos = (
            await session.execute(
                select(Kudos.give_id, Kudos.giver_id, Kudos.receiver_id, Kudos.created_at)
                .where(Kudos.workspace_id == workspace_id, Kudos.give_id.in_(ids))
                .order_by(Kudos.id)
            )
        ).all()
        values: dict[int, list[str]] = {}
        for give_id, value in await session.execute(
            select(KudosGiveValue.give_id, KudosGiveValue.value)
            .where(KudosGiveValue.give_id.in_(ids))
            .order_by(KudosGiveValue.id)
        ):
            values.setdefault(give_id, []).append(value)
        people = {k.giver_id for k in kudos} | {k.receiver_id for k in kudos}
        members = {
            m.id: m
            for m in (
                await session.execute(
                    select(Member.id, Member.slack_user_id, Member.real_name, Member.name).where(
                        Member.workspace_id == workspace_id, Member.id.in_(people)
                    )
                )
            ).all()
        }
        # (give, giver) → [first kudos time, receivers]; the original giver first, co-givers after
        groups: dict[tuple[int, int], tuple[dt.datetime, list[int]]] = {}
        for give in gives:
            groups[(give.id, give.giver_id)] = (give.created_at, [])
        for k in kudos:
            groups.setdefault((k.give_id, k.giver_id), (k.created_at, []))[1].append(k.receiver_id)
        messages = {g.id: g.message for g in gives}
        for (give_id, giver_id), (when, receivers) in sorted(groups.items(), key=lambda i: i[0][0]):
            if not receivers:
                continue
            giver = members[giver_id]
            yield [
                time_cell(when),
                giver.slack_user_id,
                text_cell(_name(giver.real_name, giver.name)),
                " ".join(members[r].slack_user_id for r in receivers),
                text_cell(", ".join(_name(members[r].real_name, members[r].name) for r in receivers)),
                text_cell(messages[give_id]),
                " ".join(values.get(give_id, [])),
            ]


def _activity_cells(r: Any) -> list[str]:
    return [
        time_cell(r.occurred_at), r.kind, text_cell(r[3]), r.slack_user_id,
        text_cell(_name(r[5], r[6])), text_cell(r.note), "" if r.csat is None else str(r.csat),
        date_cell(r.next_follow_up),
    ]  # fmt: skip


def _activity_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    period = _period(Activity.occurred_at, start, end)
    return _joined_rows(
        session, _ACTIVITY_FIELDS, Activity, Activity.member_id, workspace_id, period, _activity_cells
    )


async def _customer_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    query = (
        select(*_CUSTOMER_FIELDS)
        .outerjoin(Member, Member.id == Customer.owner_id)
        .where(Customer.workspace_id == workspace_id, *_period(Customer.created_at, start, end))
    )
    async for chunk in _in_chunks(session, query, Customer.id):
        for r in chunk:
            yield [
                str(r.id), text_cell(r.name), r.segment, r.slack_user_id or "",
                text_cell(_name(r.real_name, r.member_name)), text_cell(r.source), time_cell(r.created_at),
                time_cell(r.last_contact_at), date_cell(r.next_follow_up),
            ]  # fmt: skip


_EXPORTERS = {
    "deals": _deal_rows,
    "kudos": _kudos_rows,
    "activities": _activity_rows,
    "customers": _customer_rows,
}


async def export_csv(
    session: AsyncSession,
    kind: str,
    workspace_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> tuple[bytes, int]:
    """The CSV of one kind ("deals", "kudos", "activities", "customers") in [start, end) (None: unbounded),
    as UTF-8 bytes with a BOM, and the number of data rows. Rows are read CHUNK at a time."""
    file = CsvFile(EXPORT_COLUMNS[kind])
    async for row in _EXPORTERS[kind](session, workspace_id, start, end):
        file.write(row)
    return file.encoded(), file.rows
