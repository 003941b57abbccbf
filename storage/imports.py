"""CSV imports (`dealbell import deals|customers FILE.csv --team T…`): each row parsed, then all
applied in one transaction; the file format is storage/csv_format.py.

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

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.csv_format import BadRow, FileError, RowError, parse_date, parse_time, read_csv, read_text_cell
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
from storage.models import SEGMENTS, Customer, Deal, Member, Stage
from storage.money import AmountError, Money, is_currency_code, parse_amount

IMPORT_KINDS = ("deals", "customers")
REQUIRED_COLUMNS = {"deals": ("customer", "amount"), "customers": ("name",)}

MAX_SOURCE = 64
MAX_ID = 100
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


# --- parsing rows -------------------------------------------------------------------------------


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
    raw, bad = read_csv(data, REQUIRED_COLUMNS[kind])
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
            # A file cut short (an unclosed quote) is never half-imported: its rest is unread, not bad.
            if bad and (not skip_bad or any(b.cuts_the_file for b in bad)):
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
