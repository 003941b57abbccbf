"""CSV imports (`dealbell import deals|customers FILE.csv --team T…`): each row parsed, then all
applied in one transaction; the file format is storage/csv_format.py.

Imports (``dealbell import deals|customers FILE.csv --team T…``) read these columns (header names
are case-insensitive, spaces count as underscores, unknown columns are ignored):

- deals: ``customer`` and ``amount`` required; ``currency``, ``stage`` (default lead), ``title``,
  ``owner``, ``expected_close``, ``external_source``, ``external_id``, and the export's ``id``,
  ``created_at``, ``closed_at``, ``competitor``, ``lost_reason``, ``customer_segment`` optional.
  Amounts take everything ``/deal`` takes (``12.5k``, ``¥12万``). A row names the deal it is by,
  in this order: ``external_id`` (with ``external_source``, "csv" when the file gives none), the
  ``id`` of a deal of this workspace (dealbell's own export), an ``id`` imported before (an export
  of another workspace), else the identical row imported before. A deal found that way is updated
  with the columns the file has (its stage change recorded in its history); any other is added.
  So importing an export again, edited or not, updates deals instead of doubling them.
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
    funnel_index,
)
from storage.models import SEGMENTS, Customer, Deal, DealStageChange, Member, Stage, utcnow
from storage.money import AmountError, Money, is_currency_code, parse_amount

IMPORT_KINDS = ("deals", "customers")
REQUIRED_COLUMNS = {"deals": ("customer", "amount"), "customers": ("name",)}

MAX_SOURCE = 64
MAX_ID = 100  # Deal.external_id
MAX_EXTERNAL_SOURCE = 32  # Deal.external_source
CSV_SOURCE = "csv"  # the external_source of an external_id whose file names none
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


# --- parsing rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DealRow:
    line: int
    source_key: str  # a new deal's key; a repeat of a row imported before finds it by this
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
    deal_id: int | None = None  # the `id` column: a deal of this workspace, if it is one
    external: tuple[str, str] | None = None  # (external_source, external_id)
    columns: frozenset[str] = frozenset()  # the file's columns: an update changes only these


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


def _external(cells: dict[str, str]) -> tuple[str, str] | None:
    external_id = _text(cells, "external_id", MAX_ID)
    if not external_id:
        return None
    return (_text(cells, "external_source", MAX_EXTERNAL_SOURCE) or CSV_SOURCE, external_id)


def _deal_id(cells: dict[str, str]) -> int | None:
    given = cells.get("id", "").strip()
    return int(given) if given.isascii() and given.isdigit() and int(given) < 2**31 else None


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
                   closed_at, competitor, lost_reason, segment, _deal_id(cells), _external(cells),
                   frozenset(cells))  # fmt: skip


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
                key = str(row.external) if row.external else row.source_key
                if key in first_line:
                    raise RowError(f"the same deal as line {first_line[key]}")
                first_line[key] = line
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
    deals_updated: int = 0  # found by external id, id or an earlier import, and changed
    deals_unchanged: int = 0  # found, and already as the file says
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


async def _existing_deal(session: AsyncSession, workspace_id: int, row: DealRow) -> Deal | None:
    """The deal a row is about: by external id, else by this workspace's id, else by an earlier import."""
    in_workspace = select(Deal).where(Deal.workspace_id == workspace_id)
    if row.external is not None:
        source, external_id = row.external
        return await session.scalar(
            in_workspace.where(Deal.external_source == source, Deal.external_id == external_id)
        )
    if row.deal_id is not None:
        deal = await session.scalar(in_workspace.where(Deal.id == row.deal_id))
        if deal is not None:
            return deal
    return await session.scalar(in_workspace.where(Deal.source_key == row.source_key))


def _row_values(row: DealRow, customer: Customer, owners: dict[str, Member]) -> dict[str, object]:
    """What the row says of the deal, for the columns the file has (customer and amount always)."""
    given = {
        "customer_id": customer.id,
        "amount_minor": row.money.minor,
        "currency": row.money.currency,
        "stage": row.stage.value if "stage" in row.columns else None,
        "owner_id": owners[row.owner].id if row.owner else None,
        "title": row.title if "title" in row.columns else None,
        "expected_close": row.expected_close,
        "created_at": row.created_at,
        "closed_at": row.closed_at,
        "competitor": row.competitor,
        "lost_reason": row.lost_reason,
    }
    optional = {"expected_close", "closed_at", "competitor", "lost_reason"}  # empty cell: cleared
    return {k: v for k, v in given.items() if v is not None or (k in optional and k in row.columns)}


def _differs(old: object, new: object) -> bool:
    """Whether a value changed; times in whole seconds, as exports write them."""
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old.replace(microsecond=0) != new.replace(microsecond=0)
    return old != new


async def _update_deal(session: AsyncSession, deal: Deal, values: dict[str, object]) -> bool:
    """Write the values that differ from the deal's; a stage change goes into its history."""
    changes = {k: v for k, v in values.items() if _differs(getattr(deal, k), v)}
    if "stage" in changes:
        stage = Stage(str(changes["stage"]))
        if stage.is_open:
            changes["closed_at"] = None
        elif deal.closed_at is None and changes.get("closed_at") is None:
            changes["closed_at"] = utcnow()
        if deal.funnel_reached is not None:
            changes["funnel_reached"] = max(deal.funnel_reached, funnel_index(stage))
        session.add(
            DealStageChange(
                workspace_id=deal.workspace_id, deal_id=deal.id, from_stage=deal.stage, to_stage=stage.value,
                changed_by_id=changes.get("owner_id", deal.owner_id), changed_at=utcnow(),
            )
        )  # fmt: skip
    if not changes:
        return False
    await session.execute(
        update(Deal)
        .where(Deal.workspace_id == deal.workspace_id, Deal.id == deal.id)
        .values(**changes, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return True


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
        existing = await _existing_deal(session, workspace_id, row)
        customer = await _customer(session, workspace_id, row.customer, tally)
        if existing is not None:
            if await _update_deal(session, existing, _row_values(row, customer, owners)):
                result.deals_updated += 1
            else:
                result.deals_unchanged += 1
        else:
            owner = owners[row.owner or default_owner or ""]
            new = NewDeal(
                customer=row.customer, money=row.money, title=row.title, stage=row.stage,
                expected_close=row.expected_close, competitor=row.competitor, lost_reason=row.lost_reason,
            )  # fmt: skip
            deal, _ = await create_deal(session, workspace_id, owner, new, row.source_key)
            result.deals_created += 1
            extra = {"created_at": row.created_at, "closed_at": row.closed_at}
            extra = {k: v for k, v in extra.items() if v is not None}
            if row.external is not None:
                extra.update(external_source=row.external[0], external_id=row.external[1])
            if extra:
                await session.execute(
                    update(Deal)
                    .where(Deal.workspace_id == workspace_id, Deal.id == deal.id)
                    .values(**extra)
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
