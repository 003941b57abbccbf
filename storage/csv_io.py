"""CSV export (`/dealbell export …`) and import (`dealbell import …`); no Slack in here.

Files are UTF-8 with a byte-order mark, so Excel shows Chinese names correctly; imports accept
files with or without it. Times are ISO 8601 in UTC (``2026-05-04T09:30:00Z``), dates ISO
(``2026-05-31``), people are Slack user ids with a separate name column for reading. A text cell
that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading ``'``; imports drop that ``'`` again.

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

Imports (``dealbell import deals|customers FILE.csv --team T…``) read these columns (header names
are case-insensitive, spaces count as underscores, unknown columns are ignored):

- deals: ``customer`` and ``amount`` required; ``currency``, ``stage`` (default lead), ``title``,
  ``owner``, ``expected_close``, and the export's ``id``, ``created_at``, ``closed_at``,
  ``competitor``, ``lost_reason``, ``customer_segment`` optional. Amounts take everything
  ``/deal`` takes (``12.5k``, ``¥12万``). A deal is imported once per ``id`` (or, without one, per
  identical row): importing the same file again adds nothing, and existing deals are not changed.
- customers: ``name`` required; ``segment``, ``owner``, ``source`` optional. Customers are matched
  case-insensitively by name and updated, never duplicated.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.deals import (
    DealError,
    NewDeal,
    check_new_deal,
    create_deal,
    customer_key,
    customer_name,
    find_or_create_customer,
)
from storage.errors import UserError
from storage.models import (
    SEGMENTS,
    Activity,
    Customer,
    Deal,
    Kudos,
    KudosGive,
    KudosGiveValue,
    Member,
    Stage,
)
from storage.money import AmountError, Money, is_currency_code, parse_amount

BOM = "\ufeff"
CHUNK = 1000  # rows fetched per query: exports never hold more than this many at once

DEAL_COLUMNS = (
    "id", "customer", "title", "owner", "owner_name", "amount", "currency", "stage",
    "expected_close", "created_at", "closed_at", "competitor", "lost_reason", "customer_segment",
)  # fmt: skip
KUDOS_COLUMNS = ("date", "giver", "giver_name", "receivers", "receiver_names", "message", "values")
ACTIVITY_COLUMNS = (
    "date", "kind", "customer", "member", "member_name", "note", "csat", "next_follow_up",
)  # fmt: skip
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": DEAL_COLUMNS,
    "kudos": KUDOS_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
}
EXPORT_KINDS = tuple(EXPORT_COLUMNS)

IMPORT_KINDS = ("deals", "customers")
REQUIRED_COLUMNS = {"deals": ("customer", "amount"), "customers": ("name",)}

MAX_SOURCE = 64
MAX_ID = 100
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- cells ---------------------------------------------------------------------------------------


def text_cell(value: str | None) -> str:
    """Text as written to a cell: a leading `'` keeps spreadsheets from running it as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def read_text_cell(value: str) -> str:
    """The reverse of `text_cell`."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def time_cell(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def date_cell(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def amount_cell(minor: int, currency: str) -> str:
    """Major units as a plain decimal: 1250000 USD → "12500.00", 120000 JPY → "120000"."""
    return format(Money(minor, currency).major(), "f")


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
    Deal.competitor, Deal.lost_reason, Customer.segment,
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


async def _deal_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    query = (
        select(*_DEAL_FIELDS)
        .join(Customer, Customer.id == Deal.customer_id)
        .join(Member, Member.id == Deal.owner_id)
        .where(Deal.workspace_id == workspace_id, *_period(Deal.created_at, start, end))
    )
    async for chunk in _in_chunks(session, query, Deal.id):
        for r in chunk:
            yield [
                str(r.id), text_cell(r[1]), text_cell(r.title), r.slack_user_id, text_cell(_name(r[4], r[5])),
                amount_cell(r.amount_minor, r.currency), r.currency, r.stage, date_cell(r.expected_close),
                time_cell(r.created_at), time_cell(r.closed_at), text_cell(r.competitor),
                text_cell(r.lost_reason), r.segment,
            ]  # fmt: skip


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


async def _activity_rows(
    session: AsyncSession, workspace_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> AsyncIterator[list[str]]:
    query = (
        select(*_ACTIVITY_FIELDS)
        .join(Customer, Customer.id == Activity.customer_id)
        .join(Member, Member.id == Activity.member_id)
        .where(Activity.workspace_id == workspace_id, *_period(Activity.occurred_at, start, end))
    )
    async for chunk in _in_chunks(session, query, Activity.id):
        for r in chunk:
            yield [
                time_cell(r.occurred_at), r.kind, text_cell(r[3]), r.slack_user_id,
                text_cell(_name(r[5], r[6])), text_cell(r.note), "" if r.csat is None else str(r.csat),
                date_cell(r.next_follow_up),
            ]  # fmt: skip


_EXPORTERS = {"deals": _deal_rows, "kudos": _kudos_rows, "activities": _activity_rows}


async def export_csv(
    session: AsyncSession,
    kind: str,
    workspace_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> tuple[bytes, int]:
    """The CSV of one kind ("deals", "kudos", "activities") in [start, end) (None: unbounded),
    as UTF-8 bytes with a BOM, and the number of data rows. Rows are read CHUNK at a time."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS[kind])
    count = 0
    async for row in _EXPORTERS[kind](session, workspace_id, start, end):
        writer.writerow(row)
        count += 1
    return out.getvalue().encode("utf-8"), count


# --- reading and parsing -------------------------------------------------------------------------


class FileError(ValueError):
    """The file as a whole is unusable (not UTF-8, no header, a required column missing)."""


class RowError(ValueError):
    """One row is unusable; the message says why, or `refusal` does: the domain's own, for the caller to word."""

    def __init__(self, reason: str, refusal: UserError | None = None) -> None:
        super().__init__(reason)
        self.refusal = refusal


@dataclass(frozen=True)
class BadRow:
    line: int  # the CSV line the row starts on; the header is line 1
    reason: str
    refusal: UserError | None = (
        None  # a deal or customer the domain refuses (its limits), worded by the caller
    )


@dataclass(frozen=True)
class DealRow:
    line: int
    source_key: str
    customer: str
    money: Money
    stage: Stage = Stage.LEAD
    title: str = ""
    owner: str | None = None
    expected_close: dt.date | None = None
    created_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    competitor: str | None = None
    lost_reason: str | None = None
    segment: str | None = None


@dataclass(frozen=True)
class CustomerRow:
    line: int
    name: str
    segment: str | None = None
    owner: str | None = None
    source: str | None = None


def header_name(cell: str) -> str:
    return "_".join(cell.strip().lower().split())


def read_csv(data: bytes, kind: str) -> tuple[list[tuple[int, dict[str, str]]], list[BadRow]]:
    """Rows as (line, {column: cell}) and the rows with the wrong number of cells.

    Raises FileError for a file that is not UTF-8, has no header, repeats a column or lacks one
    the kind requires. A leading BOM is skipped; blank lines are ignored.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(f"not UTF-8 (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [header_name(c) for c in next(reader)]
    except StopIteration:
        raise FileError("the file is empty") from None
    except csv.Error as error:
        raise FileError(f"unreadable header: {error}") from None
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise FileError(f"column {repeated[0]!r} appears twice")
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
    if missing:
        raise FileError(f"missing column {missing[0]!r} (the header is line 1)")
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[BadRow] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            bad.append(BadRow(line, f"unreadable: {error}"))
            break  # the reader cannot resynchronise after a broken quote
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            bad.append(BadRow(line, f"{len(cells)} cells but the header has {len(header)} columns"))
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append((line, {h: c for h, c in zip(header, cells, strict=True) if h}))
    return rows, bad


def _text(cells: dict[str, str], column: str, limit: int | None = None) -> str:
    value = " ".join(read_text_cell(cells.get(column, "").strip()).split())
    if limit is not None and len(value) > limit:
        raise RowError(f"{column} is longer than {limit} characters")
    return value


def _choice(cells: dict[str, str], column: str, allowed: Sequence[str]) -> str | None:
    value = cells.get(column, "").strip().lower()
    if not value:
        return None
    if value not in allowed:
        raise RowError(f"unknown {column} {value!r} (use one of {', '.join(allowed)})")
    return value


def _user(cells: dict[str, str], column: str) -> str | None:
    value = cells.get(column, "").strip()
    if not value:
        return None
    if not SLACK_USER_ID.match(value):
        raise RowError(f"{column} {value!r} is not a Slack user id (U…)")
    return value


def parse_date(text: str, column: str = "date") -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO date (2026-05-31)") from None


def parse_time(text: str, column: str = "time") -> dt.datetime | None:
    """ISO 8601; a time without a zone (or a bare date) is taken as UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO 8601 time (2026-05-04T09:30:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def parse_money(amount: str, currency: str, default_currency: str) -> Money:
    code = currency.strip().upper()
    if code and not is_currency_code(code):
        raise RowError(f"unknown currency {currency.strip()!r}")
    try:
        money = parse_amount(amount, code or default_currency)
    except AmountError as error:
        reason = error.reason.replace("_", " ")
        raise RowError(f"bad amount {amount.strip()!r} ({reason})") from None
    if code and money.currency != code:
        raise RowError(f"amount {amount.strip()!r} is in {money.currency}, the currency column says {code}")
    return money


def _deal_key(cells: dict[str, str], parts: Iterable[object]) -> str:
    given = cells.get("id", "").strip()
    if given:
        if len(given) > MAX_ID:
            raise RowError(f"id is longer than {MAX_ID} characters")
        return f"import:id:{given}"
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"import:row:{digest[:32]}"


def parse_deal_row(line: int, cells: dict[str, str], default_currency: str) -> DealRow:
    customer = _text(cells, "customer")
    if not customer:
        raise RowError("customer is empty")
    money = parse_money(cells.get("amount", ""), cells.get("currency", ""), default_currency)
    stage = Stage(_choice(cells, "stage", [s.value for s in Stage]) or Stage.LEAD.value)
    title = _text(cells, "title")
    owner = _user(cells, "owner")
    expected_close = parse_date(cells.get("expected_close", ""), "expected_close")
    created_at = parse_time(cells.get("created_at", ""), "created_at")
    closed_at = parse_time(cells.get("closed_at", ""), "closed_at")
    if closed_at is not None and stage.is_open:
        raise RowError(f"closed_at is set but the stage {stage.value} is open")
    competitor = _text(cells, "competitor") or None
    lost_reason = _text(cells, "lost_reason") or None
    try:  # the limits are the domain's, so a row is refused as /deal and the modal are
        check_new_deal(NewDeal(customer, money, title, stage, competitor=competitor, lost_reason=lost_reason))
    except DealError as error:
        raise RowError(error.key, error) from None
    segment = _choice(cells, "customer_segment", SEGMENTS)
    key = _deal_key(
        cells,
        (customer_key(customer), money.minor, money.currency, stage.value, title, owner or "",
         expected_close, created_at, closed_at, competitor or "", lost_reason or "", segment or ""),
    )  # fmt: skip
    return DealRow(line, key, customer, money, stage, title, owner, expected_close, created_at,
                   closed_at, competitor, lost_reason, segment)  # fmt: skip


def parse_customer_row(line: int, cells: dict[str, str]) -> CustomerRow:
    name = _text(cells, "name")
    if not name:
        raise RowError("name is empty")
    try:
        customer_name(name)
    except DealError as error:
        raise RowError(error.key, error) from None
    return CustomerRow(
        line,
        name,
        segment=_choice(cells, "segment", SEGMENTS),
        owner=_user(cells, "owner"),
        source=_text(cells, "source", MAX_SOURCE) or None,
    )


def parse_rows(
    kind: str, data: bytes, default_currency: str
) -> tuple[list[DealRow] | list[CustomerRow], list[BadRow]]:
    """Every row of the file parsed, or reported bad with its line; FileError for a bad file."""
    raw, bad = read_csv(data, kind)
    deals: list[DealRow] = []
    customers: list[CustomerRow] = []
    first_line: dict[str, int] = {}
    for line, cells in raw:
        try:
            if kind == "deals":
                row = parse_deal_row(line, cells, default_currency)
                if row.source_key in first_line:
                    raise RowError(f"the same deal as line {first_line[row.source_key]}")
                first_line[row.source_key] = line
                deals.append(row)
            else:
                customers.append(parse_customer_row(line, cells))
        except RowError as error:
            bad.append(BadRow(line, str(error), error.refusal))
    bad.sort(key=lambda b: b.line)
    return (deals if kind == "deals" else customers), bad


# --- applying ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    kind: str
    bad: list[BadRow] = field(default_factory=list)
    deals_created: int = 0
    deals_existing: int = 0  # imported before (same id or same row): left as they are
    customers_created: int = 0
    customers_updated: int = 0
    customers_unchanged: int = 0
    written: bool = False


class _Tally:
    """Customers touched by an import, each counted once: created, else updated, else unchanged."""

    def __init__(self) -> None:
        self.created: set[int] = set()
        self.updated: set[int] = set()
        self.seen: set[int] = set()

    def into(self, result: ImportResult) -> None:
        result.customers_created = len(self.created)
        result.customers_updated = len(self.updated - self.created)
        result.customers_unchanged = len(self.seen - self.updated - self.created)


async def _members(session: AsyncSession, workspace_id: int, user_ids: set[str]) -> dict[str, Member]:
    if not user_ids:
        return {}
    found = await session.scalars(
        select(Member).where(
            Member.workspace_id == workspace_id,
            Member.slack_user_id.in_(sorted(user_ids)),
            Member.is_bot.is_(False),
        )
    )
    return {m.slack_user_id: m for m in found}


async def _customer(session: AsyncSession, workspace_id: int, name: str, tally: _Tally) -> Customer:
    existing = await session.scalar(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key == customer_key(name))
    )
    customer = existing or await find_or_create_customer(session, workspace_id, name)
    if existing is None:
        tally.created.add(customer.id)
    tally.seen.add(customer.id)
    return customer


async def _update_customer(
    session: AsyncSession, customer: Customer, tally: _Tally, **values: object
) -> None:
    changes = {k: v for k, v in values.items() if v is not None and getattr(customer, k) != v}
    if changes:
        await session.execute(
            update(Customer)
            .where(Customer.workspace_id == customer.workspace_id, Customer.id == customer.id)
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        await session.refresh(customer)
        tally.updated.add(customer.id)


async def _apply_deals(
    session: AsyncSession,
    workspace_id: int,
    rows: list[DealRow],
    owners: dict[str, Member],
    default_owner: str | None,
) -> ImportResult:
    result = ImportResult("deals")
    tally = _Tally()
    for row in rows:
        already = await session.scalar(
            select(Deal.id).where(Deal.workspace_id == workspace_id, Deal.source_key == row.source_key)
        )
        if already is not None:
            result.deals_existing += 1
            continue
        owner = owners[row.owner or default_owner or ""]
        customer = await _customer(session, workspace_id, row.customer, tally)
        new = NewDeal(
            customer=row.customer, money=row.money, title=row.title, stage=row.stage,
            expected_close=row.expected_close, competitor=row.competitor, lost_reason=row.lost_reason,
        )  # fmt: skip
        deal, created = await create_deal(session, workspace_id, owner, new, row.source_key)
        if not created:
            result.deals_existing += 1
            continue
        result.deals_created += 1
        times = {"created_at": row.created_at, "closed_at": row.closed_at}
        times = {k: v for k, v in times.items() if v is not None}
        if times:
            await session.execute(
                update(Deal)
                .where(Deal.workspace_id == workspace_id, Deal.id == deal.id)
                .values(**times)
                .execution_options(synchronize_session=False)
            )
        await session.refresh(customer)
        await _update_customer(session, customer, tally, segment=row.segment)
    tally.into(result)
    return result


async def _apply_customers(
    session: AsyncSession, workspace_id: int, rows: list[CustomerRow], owners: dict[str, Member]
) -> ImportResult:
    result = ImportResult("customers")
    tally = _Tally()
    for row in rows:
        customer = await _customer(session, workspace_id, row.name, tally)
        owner_id = owners[row.owner].id if row.owner else None
        await _update_customer(
            session, customer, tally, segment=row.segment, owner_id=owner_id, source=row.source
        )
    tally.into(result)
    return result


async def import_csv(
    db: Database,
    workspace_id: int,
    kind: str,
    data: bytes,
    default_currency: str,
    *,
    default_owner: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportResult:
    """Import a CSV of deals or customers into one workspace, in one transaction.

    Nothing is written when a row is bad (unless `skip_bad`: the good rows are written) or on a
    dry run, which runs the import and rolls it back so the counts are exact. FileError for an
    unusable file or an unknown `default_owner`.
    """
    rows, bad = parse_rows(kind, data, default_currency)
    async with db.sessions() as session:
        try:
            wanted = {r.owner for r in rows if r.owner} | ({default_owner} if default_owner else set())
            owners = await _members(session, workspace_id, wanted)
            if default_owner and default_owner not in owners:
                raise FileError(f"--owner {default_owner} is not a member of this workspace")
            good: list[Any] = []
            for row in rows:
                owner = row.owner or (default_owner if kind == "deals" else None)
                if kind == "deals" and owner is None:
                    bad.append(BadRow(row.line, "no owner: add an owner column or pass --owner"))
                elif owner is not None and owner not in owners:
                    bad.append(BadRow(row.line, f"owner {owner} is not a member of this workspace"))
                else:
                    good.append(row)
            bad.sort(key=lambda b: b.line)
            if bad and not skip_bad:
                return ImportResult(kind, bad=bad)
            if kind == "deals":
                result = await _apply_deals(session, workspace_id, good, owners, default_owner)
            else:
                result = await _apply_customers(session, workspace_id, good, owners)
            result.bad = bad
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
                result.written = True
            return result
        finally:
            if session.in_transaction():
                await session.rollback()
