"""Customers: adding and updating them, looking them up, their card, and who is due a follow-up.

No Slack in here. Customers are found case-insensitively through `storage.deals.customer_key`, the
same key `/deal` uses, so a customer added here and one named in a deal are the same row.

Typed names are matched here, in one place (`match_customer`): the same name in any case, spacing
or punctuation ("acme corp." is Acme Corp) is that customer; a close one (rapidfuzz's similarity of
the names, or of two names differing only in their legal suffix, or the only name starting with
what was typed) is a suggestion the caller asks about ("Did you mean Acme Corp?") before creating
a new customer; managers merge the duplicates that slip by.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_manager
from storage.db import insert_ignoring_conflicts
from storage.deals import MAX_CUSTOMER, customer_key, customer_name
from storage.errors import UserError
from storage.models import OPEN_STAGES, SEGMENTS, Activity, Customer, Deal, Member, utcnow

MAX_NAME = MAX_CUSTOMER  # the rule is the deal's: a deal names its customer
RECENT_ACTIVITIES = 5
CARD_DEALS = 10


class CustomerError(UserError):
    """A refused change to, or lookup of, a customer; nothing was written."""


@dataclass(frozen=True)
class SetResult:
    customer: Customer
    created: bool  # a new customer
    changed: bool  # a new customer, or an existing one whose segment or owner changed


@dataclass(frozen=True)
class ActivityEntry:
    """An activity with the customer it was with and the member who logged it."""

    activity: Activity
    customer: Customer
    member: Member


@dataclass(frozen=True)
class CustomerCard:
    customer: Customer
    owner: Member | None
    open_deals: list[Deal]  # newest activity first, at most CARD_DEALS
    open_deal_count: int
    open_totals: dict[str, int]  # currency -> amount in minor units, over all open deals
    recent: list[ActivityEntry]  # newest first


# --- matching typed names ------------------------------------------------------------------------

SIMILAR_SCORE = 80  # rapidfuzz ratio (0–100) from which a name is a suggestion: "acme crop" ~ "acme corp" 89
MIN_PREFIX = 3  # "Glob" may mean Globex; "Gl" is too short to guess
MAX_OPTIONS = 20  # type-ahead answers at most this many customers
LEGAL_SUFFIXES = frozenset(
    {"inc", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "gmbh", "plc", "ag", "sa"}
    | {"bv", "pty", "srl", "kk", "有限公司", "股份有限公司", "公司", "集团"}
)
_NOT_WORD = re.compile(r"[^\w]+")


def match_key(name: str) -> str:
    """A name as matching sees it: compatibility-normalised, casefolded, punctuation as spaces."""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split())


def _core(key: str) -> str:
    """The key without trailing legal suffixes: "acme corp" and "acme inc" are both "acme" here."""
    words = key.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class CustomerMatch:
    """What a typed name names: the customer itself, or none but a close one to ask about."""

    customer: Customer | None = None  # the same name in any case, spacing or punctuation
    suggestion: Customer | None = None  # no such customer, but this one is close ("Did you mean…?")
    prefix: bool = False  # the suggestion is the only customer whose name starts with the typed one


async def _candidates(
    session: AsyncSession, workspace_id: int, among: Sequence[int] | None
) -> list[Customer]:
    query = select(Customer).where(Customer.workspace_id == workspace_id)
    if among is not None:
        query = query.where(Customer.id.in_(sorted(set(among))))
    return list(await session.scalars(query.order_by(Customer.id)))


_DIGITS = re.compile(r"\d+")


def _numbers(key: str) -> list[str]:
    return _DIGITS.findall(key)


def _closest(name: str, candidates: Sequence[Customer]) -> CustomerMatch:
    key = match_key(name)
    keys = {c.id: match_key(c.name) for c in candidates}
    same = [c for c in candidates if keys[c.id] == key]
    if same:
        return CustomerMatch(customer=same[0])
    # Numbers name things: "Store 12" is not a typo of "Store 13", nor "Acme" of "Acme 2".
    numbers = _numbers(key)
    keys = {i: k for i, k in keys.items() if _numbers(k) == numbers}
    candidates = [c for c in candidates if c.id in keys]
    starting = [c for c in candidates if len(key) >= MIN_PREFIX and keys[c.id].startswith(key)]
    if len(starting) == 1:
        return CustomerMatch(suggestion=starting[0], prefix=True)
    choices = [(key, keys)]
    if _core(key) != key:  # "Acme Inc" ~ "Acme Corp": names differing only in their legal suffix
        suffixed = {i: _core(k) for i, k in keys.items() if _core(k) != k}
        choices.append((_core(key), suffixed))
    hits = [
        process.extractOne(typed, among, scorer=fuzz.ratio, score_cutoff=SIMILAR_SCORE)
        for typed, among in choices
        if among
    ]
    found = [hit for hit in hits if hit is not None]
    if not found:
        return CustomerMatch()
    best = max(found, key=lambda hit: hit[1])
    return CustomerMatch(suggestion=next(c for c in candidates if c.id == best[2]))


async def match_customer(
    session: AsyncSession, workspace_id: int, name: str, among: Sequence[int] | None = None
) -> CustomerMatch:
    """The customer a typed name means, or a close one to suggest; `among`: only these customers."""
    if among is None:
        exact = await find_customer(session, workspace_id, name)
        if exact is not None:
            return CustomerMatch(customer=exact)
    return _closest(name, await _candidates(session, workspace_id, among))


async def open_deal_customer(
    session: AsyncSession, workspace_id: int, owner_id: int, name: str
) -> CustomerMatch:
    """Which of the owner's open deals' customers a typed name means (`/deal won Glob`)."""
    ids = await session.scalars(
        select(Deal.customer_id).where(
            Deal.workspace_id == workspace_id, Deal.owner_id == owner_id, Deal.stage.in_(_open())
        )
    )
    return await match_customer(session, workspace_id, name, among=list(ids))


async def search_customers(session: AsyncSession, workspace_id: int, typed: str) -> list[Customer]:
    """Type-ahead: customers whose name starts with, contains or resembles what was typed, best first."""
    candidates = await _candidates(session, workspace_id, None)
    key = match_key(typed)
    if not key:
        return sorted(candidates, key=lambda c: c.name_key)[:MAX_OPTIONS]
    keys = {c.id: match_key(c.name) for c in candidates}
    found = process.extract(
        key, keys, scorer=fuzz.WRatio, score_cutoff=SIMILAR_SCORE - 20, limit=len(candidates) or 1
    )
    by_id = {c.id: c for c in candidates}

    def rank(hit: tuple[str, float, int]) -> tuple[int, float, str]:
        text, score, _ = hit
        return (0 if text.startswith(key) else 1 if key in text else 2, -score, text)

    return [by_id[hit[2]] for hit in sorted(found, key=rank)[:MAX_OPTIONS]]


def normalise_name(name: str) -> str:
    name = customer_name(name)
    if not name:
        raise CustomerError("customers.error.name_missing")
    return name


async def get_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> Customer | None:
    """A customer of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
    )


async def find_customer(session: AsyncSession, workspace_id: int, name: str) -> Customer | None:
    """The customer with this name, in any case and spacing."""
    return await session.scalar(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key == customer_key(name))
    )


async def find_first_customer(
    session: AsyncSession, workspace_id: int, names: Sequence[str]
) -> tuple[int, Customer] | None:
    """Of several candidate names, the first (in the order given) that names a customer, with its index."""
    keys = [customer_key(name) for name in names]
    if not keys:
        return None
    found = {
        c.name_key: c
        for c in await session.scalars(
            select(Customer).where(Customer.workspace_id == workspace_id, Customer.name_key.in_(set(keys)))
        )
    }
    return next(((i, found[key]) for i, key in enumerate(keys) if key in found), None)


async def _check_owner(session: AsyncSession, workspace_id: int, owner_id: int) -> None:
    owner = await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == owner_id)
    )
    if owner is None:
        raise CustomerError("customers.error.owner_not_found")
    if owner.is_bot:
        raise CustomerError("customers.error.owner_bot", user=owner.slack_user_id)
    if owner.deleted:
        raise CustomerError("customers.error.owner_deleted", user=owner.slack_user_id)


async def set_customer(
    session: AsyncSession,
    workspace_id: int,
    name: str,
    *,
    segment: str | None = None,
    owner_id: int | None = None,
    default_owner_id: int | None = None,
) -> SetResult:
    """Add a customer, or update the segment and owner of the one already known by that name.

    A new customer gets `segment` (default "new") and `owner_id` (default `default_owner_id`). An
    existing one keeps what is not given, except that an owner-less customer (one first named in
    a deal) gets `default_owner_id`. Safe when two requests race: one row per name.
    """
    name = normalise_name(name)
    if segment is not None and segment not in SEGMENTS:
        raise CustomerError("customers.error.bad_segment", segment=segment, segments=", ".join(SEGMENTS))
    for member_id in (owner_id, default_owner_id):
        if member_id is not None:
            await _check_owner(session, workspace_id, member_id)
    key = customer_key(name)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Customer.__table__, ["workspace_id", "name_key"])
        .values(
            workspace_id=workspace_id,
            name=name,
            name_key=key,
            segment=segment or "new",
            owner_id=owner_id or default_owner_id,
            created_at=utcnow(),
        )
        .returning(Customer.id)
    )
    created = inserted.scalar() is not None
    customer = await find_customer(session, workspace_id, name)
    assert customer is not None
    if created:
        return SetResult(customer, created=True, changed=True)
    changes: dict[str, object] = {}
    if segment is not None and segment != customer.segment:
        changes["segment"] = segment
    new_owner = owner_id or (default_owner_id if customer.owner_id is None else None)
    if new_owner is not None and new_owner != customer.owner_id:
        changes["owner_id"] = new_owner
    for attribute, value in changes.items():
        setattr(customer, attribute, value)
    await session.flush()
    return SetResult(customer, created=False, changed=bool(changes))


async def customers_due_for_follow_up(
    session: AsyncSession, workspace_id: int, owner_id: int | None, today: dt.date
) -> list[Customer]:
    """Customers whose next follow-up is today or overdue, most overdue first.

    `owner_id` None: every owner's (for a job that fans out per owner, group by `owner_id`).
    """
    query = select(Customer).where(
        Customer.workspace_id == workspace_id,
        Customer.next_follow_up.is_not(None),
        Customer.next_follow_up <= today,
    )
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    return list(await session.scalars(query.order_by(Customer.next_follow_up, Customer.name_key)))


def _open() -> list[str]:
    return [s.value for s in OPEN_STAGES]


async def open_deals_of(session: AsyncSession, workspace_id: int, customer_id: int) -> list[Deal]:
    """Every open deal with the customer, most recently updated first."""
    return list(
        await session.scalars(
            select(Deal)
            .where(
                Deal.workspace_id == workspace_id,
                Deal.customer_id == customer_id,
                Deal.stage.in_(_open()),
            )
            .order_by(Deal.updated_at.desc(), Deal.id.desc())
        )
    )


async def recent_activities(
    session: AsyncSession, workspace_id: int, customer_id: int, limit: int = RECENT_ACTIVITIES
) -> list[ActivityEntry]:
    rows = await session.execute(
        select(Activity, Customer, Member)
        .join(Customer, Customer.id == Activity.customer_id)
        .join(Member, Member.id == Activity.member_id)
        .where(Activity.workspace_id == workspace_id, Activity.customer_id == customer_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [ActivityEntry(activity, customer, member) for activity, customer, member in rows]


async def owner_of(session: AsyncSession, workspace_id: int, customer: Customer) -> Member | None:
    if customer.owner_id is None:
        return None
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == customer.owner_id)
    )


async def customer_card(session: AsyncSession, workspace_id: int, customer: Customer) -> CustomerCard:
    """What `/customer <name>` shows: owner, open deals and totals, the latest activities."""
    owner = await owner_of(session, workspace_id, customer)
    deals = await open_deals_of(session, workspace_id, customer.id)
    totals: dict[str, int] = {}
    for deal in deals:
        totals[deal.currency] = totals.get(deal.currency, 0) + deal.amount_minor
    return CustomerCard(
        customer=customer,
        owner=owner,
        open_deals=deals[:CARD_DEALS],
        open_deal_count=len(deals),
        open_totals=dict(sorted(totals.items())),
        recent=await recent_activities(session, workspace_id, customer.id),
    )


# --- merging duplicates --------------------------------------------------------------------------

SEGMENT_RANK = {"potential": 0, "new": 1, "existing": 2, "vip": 3}


@dataclass(frozen=True)
class MergeResult:
    merged: str  # the name of the customer that is gone
    into: Customer
    deals: int  # deals moved over
    activities: int


async def named_customer(session: AsyncSession, workspace_id: int, name: str) -> Customer:
    """The customer with this name (in any case, spacing or punctuation), or CustomerError."""
    found = await match_customer(session, workspace_id, name)
    if found.customer is None:
        raise CustomerError("customers.error.unknown_customer", name=name, command=name)
    return found.customer


def _merged_fields(source: Customer, target: Customer) -> dict[str, object]:
    """The target keeps what it has and takes what only the source knows; the later contact, the
    sooner follow-up and the higher segment win."""
    values: dict[str, object] = {}
    for column in ("owner_id", "source"):
        if getattr(target, column) is None and getattr(source, column) is not None:
            values[column] = getattr(source, column)
    contacts = [m for m in (target.last_contact_at, source.last_contact_at) if m is not None]
    if contacts and max(contacts) != target.last_contact_at:
        values["last_contact_at"] = max(contacts)
    follow_ups = [d for d in (target.next_follow_up, source.next_follow_up) if d is not None]
    if follow_ups and min(follow_ups) != target.next_follow_up:
        values["next_follow_up"] = min(follow_ups)
    if SEGMENT_RANK.get(source.segment, 0) > SEGMENT_RANK.get(target.segment, 0):
        values["segment"] = source.segment
    return values


async def merge_customers(
    session: AsyncSession, workspace_id: int, by: Member, source_name: str, target_name: str
) -> MergeResult:
    """Fold a duplicate customer into another (managers): its deals and activities move over with
    their history, and it is deleted. Call inside one transaction: all of it happens or none."""
    require_manager(by)
    source = await named_customer(session, workspace_id, source_name)
    target = await named_customer(session, workspace_id, target_name)
    if source.id == target.id:
        raise CustomerError("customers.merge.same", customer=target.name)
    moved = {}
    for model in (Deal, Activity):
        result = await session.execute(
            update(model)
            .where(model.workspace_id == workspace_id, model.customer_id == source.id)
            .values(customer_id=target.id)
            .execution_options(synchronize_session=False)
        )
        moved[model] = result.rowcount
    values = _merged_fields(source, target)
    merged = source.name
    await session.execute(
        delete(Customer).where(Customer.workspace_id == workspace_id, Customer.id == source.id)
    )
    if values:
        await session.execute(
            update(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.id == target.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    await session.refresh(target)
    return MergeResult(merged, target, moved[Deal], moved[Activity])
