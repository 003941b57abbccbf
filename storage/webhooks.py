"""Outgoing webhooks: endpoints, the outbox of events, and the claims on their deliveries (no HTTP here).

Every domain change with an event writes its `webhook_events` row (and one `webhook_deliveries` row
per subscribed endpoint) in the transaction of the change, so a crash between the commit and the send
loses nothing: the delivery job finds the row after a restart. Two ways in, one writer:

- ORM rows the domain already adds (a deal's stage history, a redemption) are turned into events by
  the flush hook at the end of this module: storage/deals.py needs no edit;
- operations that insert with Core (kudos, awards) call `emit` in one line.

A delivery is claimed (a conditional UPDATE of its attempt count, as job claims are), so replicas
never send the same attempt twice; a claim whose holder died expires after CLAIM_LEASE and the
attempt is made again: at-least-once, receivers dedupe on the event's stable `id`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import random
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, event, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.authority import require_admin
from storage.db import WritingSession
from storage.errors import UserError
from storage.models import (
    Customer,
    Deal,
    DealStageChange,
    KudosGive,
    Member,
    Redemption,
    Stage,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    Workspace,
    utcnow,
)

EVENT_TYPES = (
    "deal.created",
    "deal.stage_changed",
    "deal.won",
    "kudos.given",
    "award.given",
    "reward.redeemed",
    "goal.reached",
)
MAX_URL = 500
CLAIM_LEASE = dt.timedelta(seconds=30)  # a send times out (15 s) long before; then the attempt is anyone's
DISABLE_AFTER = 5  # consecutive dead-lettered deliveries before an endpoint is disabled
SIGNATURE_VERSION = "v1"


class WebhookError(UserError):
    """A refused webhook change; nothing was written."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for `give_up_after`; tests shorten `first`."""

    first: dt.timedelta = dt.timedelta(seconds=30)
    longest: dt.timedelta = dt.timedelta(hours=1)
    give_up_after: dt.timedelta = dt.timedelta(hours=24)
    jitter: float = 0.2

    def delay(self, attempts: int, retry_after: float | None) -> dt.timedelta:
        if retry_after is not None:  # the receiver said when: honour it, within our longest wait
            return min(dt.timedelta(seconds=max(retry_after, 0)), self.longest)
        base = min(self.first * (2 ** max(attempts - 1, 0)), self.longest)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


# --- signing -------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=` + HMAC-SHA256(secret, "v1:{timestamp}:{body}"), as Slack signs its requests."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    return f"{SIGNATURE_VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


# --- endpoints -----------------------------------------------------------------------------------


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """https:// anywhere, http:// only to this machine (the sandbox's own inbox, tests)."""
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or ""))
    if len(url) > MAX_URL or not parts.hostname or not secure:
        raise WebhookError("webhooks.error.bad_url")
    return url


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown or not events:
        raise WebhookError("webhooks.error.bad_events", events=", ".join(EVENT_TYPES))
    return list(dict.fromkeys(events))


async def add_endpoint(
    session: AsyncSession, workspace_id: int, url: str, events: list[str], *, by: Member
) -> WebhookEndpoint:
    """A new endpoint (admins); its `secret` is shown once, to the admin who added it."""
    require_admin(by)
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id, url=check_url(url), events=check_events(events),
        secret="whsec_" + secrets.token_urlsafe(24), created_by=by.slack_user_id, created_at=utcnow(),
    )  # fmt: skip
    session.add(endpoint)
    await session.flush()
    return endpoint


async def list_endpoints(session: AsyncSession, workspace_id: int) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    return list(await session.scalars(query.order_by(WebhookEndpoint.id)))


async def get_endpoint(session: AsyncSession, workspace_id: int, endpoint_id: int) -> WebhookEndpoint:
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.id == endpoint_id
        )
    )
    if endpoint is None:
        raise WebhookError("webhooks.error.no_such_endpoint", id=endpoint_id)
    return endpoint


async def remove_endpoint(session: AsyncSession, workspace_id: int, endpoint_id: int, *, by: Member) -> None:
    require_admin(by)
    await session.delete(await get_endpoint(session, workspace_id, endpoint_id))


async def send_test(session: AsyncSession, workspace_id: int, endpoint_id: int, *, by: Member) -> None:
    """`webhooks test`: a `ping` event to this one endpoint, through the outbox like any other."""
    require_admin(by)
    endpoint = await get_endpoint(session, workspace_id, endpoint_id)
    await session.run_sync(
        lambda sync: write_event(sync, workspace_id, "ping", {"endpoint": endpoint.id}, only=endpoint.id)
    )


# --- the outbox ----------------------------------------------------------------------------------


_PENDING = "dealbell_webhook_events"  # key in a session's info: it wrote events not yet committed
_kicks: list[Callable[[], None]] = []


def on_commit(kick: Callable[[], None]) -> Callable[[], None]:
    """Call `kick` after each commit that wrote events (the server sends them at once); returns the
    function that stops it."""
    _kicks.append(kick)
    return lambda: _kicks.remove(kick) if kick in _kicks else None


def _targets(session: Session, workspace_id: int, type_: str, only: int | None = None) -> list[int]:
    """The enabled endpoints of the workspace that want `type_` (or just `only`, for a test ping)."""
    rows = (
        session.connection()
        .execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.disabled_at.is_(None)
            )
        )
        .all()
    )
    return [i for i, events in rows if (i == only if only is not None else type_ in (events or []))]


def write_event(
    session: Session, workspace_id: int, type_: str, data: Mapping[str, Any], *, only: int | None = None
) -> str | None:
    """Write the event and its deliveries in `session`'s transaction; its id, or None when no enabled
    endpoint of the workspace wants it (nothing is written then)."""
    targets = _targets(session, workspace_id, type_, only)
    if not targets:
        return None
    conn = session.connection()
    team_id = conn.execute(select(Workspace.team_id).where(Workspace.id == workspace_id)).scalar()
    now = utcnow()
    event_id = "evt_" + uuid.uuid4().hex
    payload = {"id": event_id, "type": type_, "created_at": now.isoformat(), "workspace": team_id,
               "data": dict(data)}  # fmt: skip
    stored = conn.execute(
        insert(WebhookEvent)
        .values(workspace_id=workspace_id, event_id=event_id, type=type_, payload=payload, created_at=now)
        .returning(WebhookEvent.id)
    ).scalar_one()
    conn.execute(
        insert(WebhookDelivery),
        [
            {"workspace_id": workspace_id, "event_id": stored, "endpoint_id": target, "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for target in targets
        ],
    )  # fmt: skip
    session.info[_PENDING] = True
    return event_id


async def emit(session: AsyncSession, workspace_id: int, type_: str, data: Mapping[str, Any]) -> None:
    """The one-line way for an operation to publish an event in its own transaction."""
    await session.run_sync(lambda sync: write_event(sync, workspace_id, type_, data))


def member_record(slack_user_id: str | None, name: str | None) -> dict[str, Any]:
    return {"slack_id": slack_user_id, "name": name}


def money_record(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "currency": currency}


def _deal_fields(deal: Any, customer: str, owner: dict[str, Any]) -> dict[str, Any]:
    """A deal as the API and the webhooks show it, from an ORM Deal or a row of the deals table."""
    return {
        "id": deal.id,
        "title": deal.title,
        "customer": customer,
        "owner": owner,
        "amount": money_record(deal.amount_minor, deal.currency),
        "stage": deal.stage,
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else None,
        "external_source": deal.external_source,
        "external_id": deal.external_id,
        "created_at": deal.created_at.isoformat(),
        "updated_at": deal.updated_at.isoformat(),
        "closed_at": deal.closed_at.isoformat() if deal.closed_at else None,
    }


def deal_record(deal: Deal) -> dict[str, Any]:
    owner = member_record(deal.owner.slack_user_id, deal.owner.real_name or deal.owner.name)
    return _deal_fields(deal, deal.customer.name, owner)


def kudos_record(give: KudosGive, receivers: list[Member]) -> dict[str, Any]:
    """A give's public face (its card shows the same): never anything of anonymous feedback."""
    return {
        "id": give.id,
        "giver": member_record(give.giver.slack_user_id, give.giver.real_name or give.giver.name),
        "receivers": [member_record(r.slack_user_id, r.real_name or r.name) for r in receivers],
        "message": give.message,
        "values": give.values,
        "created_at": give.created_at.isoformat(),
    }


def award_record(award_id: int, receiver: Member, giver: Member, title: str, points: int) -> dict[str, Any]:
    """An award's public card: who, what title, how many points (the reason stays in Slack)."""
    return {
        "id": award_id,
        "member": member_record(receiver.slack_user_id, receiver.real_name or receiver.name),
        "awarded_by": member_record(giver.slack_user_id, giver.real_name or giver.name),
        "title": title,
        "points": points,
    }


def _deal_events(session: Session, change: DealStageChange) -> None:
    kind = "deal.created" if change.from_stage is None else "deal.stage_changed"
    kinds = [kind, "deal.won"] if change.to_stage == Stage.WON.value else [kind]
    if not any(_targets(session, change.workspace_id, k) for k in kinds):
        return  # nobody listens: the deal is not read (the common case costs one small query)
    deal = session.connection().execute(
        select(Deal.__table__, Customer.name.label("customer_name"), Member.slack_user_id, Member.real_name,
               Member.name.label("member_name"))
        .join(Customer, Customer.id == Deal.customer_id)
        .join(Member, Member.id == Deal.owner_id)
        .where(Deal.id == change.deal_id)
    ).one()  # fmt: skip
    record = _deal_fields(
        deal, deal.customer_name, member_record(deal.slack_user_id, deal.real_name or deal.member_name)
    )
    changed = {"deal": record, "from_stage": change.from_stage, "to_stage": change.to_stage}
    for each in kinds:
        write_event(session, change.workspace_id, each, changed)


def _redemption_event(session: Session, redemption: Redemption) -> None:
    slack_id = (
        session.connection()
        .execute(select(Member.slack_user_id).where(Member.id == redemption.member_id))
        .scalar()
    )
    data = {"id": redemption.id, "member": member_record(slack_id, None), "item_id": redemption.item_id,
            "cost": redemption.cost}  # fmt: skip
    write_event(session, redemption.workspace_id, "reward.redeemed", data)


@event.listens_for(WritingSession, "after_flush")
def _events_of_flushed_rows(session: Session, _context: Any) -> None:
    for row in list(session.new):
        if isinstance(row, DealStageChange):
            _deal_events(session, row)
        elif isinstance(row, Redemption):
            _redemption_event(session, row)


@event.listens_for(WritingSession, "after_commit")
def _kick_senders(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        for kick in list(_kicks):
            kick()


@event.listens_for(WritingSession, "after_rollback")
def _forget_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- deliveries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One claimed attempt: what to send, where, and with which secret."""

    delivery_id: int
    workspace_id: int
    attempt: int
    url: str
    secret: str
    payload: dict[str, Any]
    event_created_at: dt.datetime


def _claimable(now: dt.datetime) -> Any:
    return and_(
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
    )


async def due_deliveries(
    session: AsyncSession, now: dt.datetime, workspace_id: int | None = None, limit: int = 50
) -> list[int]:
    query = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(_claimable(now), WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if workspace_id is not None:
        query = query.where(WebhookDelivery.workspace_id == workspace_id)
    return list(await session.scalars(query))


async def claim_attempt(
    session: AsyncSession,
    delivery_id: int,
    claimant: str,
    now: dt.datetime,
    lease: dt.timedelta = CLAIM_LEASE,
) -> Attempt | None:
    """The next attempt of this delivery for `claimant` alone, or None (taken, done, not due)."""
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id, _claimable(now), WebhookEndpoint.disabled_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    delivery, endpoint, stored = row
    seen = delivery.attempts
    claimed = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.attempts == seen, _claimable(now))
        .values(attempts=seen + 1, claimed_by=claimant[:200], claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None  # another replica took this attempt between our read and our write
    return Attempt(delivery_id, delivery.workspace_id, seen + 1, endpoint.url, endpoint.secret,
                   stored.payload, stored.created_at)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the receiver's HTTP status; None: no answer (timeout, refused)
    error: str | None = None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Timeouts, 5xx, 408 and 429 are tried again; any other 4xx means the receiver refuses it."""
        return self.status is None or self.status >= 500 or self.status in (408, 429)


async def record_outcome(
    session: AsyncSession, attempt: Attempt, claimant: str, outcome: Outcome, now: dt.datetime,
    policy: RetryPolicy,
) -> WebhookEndpoint | None:  # fmt: skip
    """Note how the attempt went; the endpoint when this outcome disabled it (its admin is told)."""
    delivery = await session.get(WebhookDelivery, attempt.delivery_id)
    if delivery is None or delivery.claimed_by != claimant[:200] or delivery.attempts != attempt.attempt:
        return None  # our claim expired and another replica took the delivery over
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    assert endpoint is not None
    delivery.last_status = outcome.status
    delivery.last_error = (outcome.error or "")[:200] or None
    delivery.claimed_by, delivery.claimed_until = None, None
    if outcome.delivered:
        delivery.status, delivery.delivered_at = "delivered", now
        endpoint.consecutive_failures = 0
        return None
    retry_at = now + policy.delay(attempt.attempt, outcome.retry_after)
    if outcome.retryable and retry_at < attempt.event_created_at + policy.give_up_after:
        delivery.next_attempt_at = retry_at
        return None
    delivery.status = "dead"  # dead-lettered: `dealbell webhooks redeliver ID` sends it again
    endpoint.consecutive_failures += 1
    if endpoint.consecutive_failures >= DISABLE_AFTER and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        return endpoint
    return None


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    team_id: str
    event_id: str
    type: str
    url: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: dt.datetime


async def list_deliveries(
    session: AsyncSession, *, failed: bool = False, workspace_id: int | None = None, limit: int = 100
) -> list[DeliveryLine]:
    """The latest deliveries with their attempts; `failed`: dead-lettered or retrying after a failure."""
    query = (
        select(
            WebhookDelivery, WebhookEvent.event_id, WebhookEvent.type, WebhookEndpoint.url, Workspace.team_id
        )
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Workspace, Workspace.id == WebhookDelivery.workspace_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if failed:
        query = query.where(
            or_(WebhookDelivery.status == "dead",
                and_(WebhookDelivery.status == "pending", WebhookDelivery.attempts > 0))
        )  # fmt: skip
    if workspace_id is not None:
        query = query.where(WebhookDelivery.workspace_id == workspace_id)
    return [
        DeliveryLine(
            d.id,
            team,
            event_id,
            type_,
            url,
            d.status,
            d.attempts,
            d.last_status,
            d.last_error,
            d.next_attempt_at,
        )
        for d, event_id, type_, url, team in (await session.execute(query)).all()
    ]


async def redeliver(session: AsyncSession, delivery_id: int, now: dt.datetime) -> bool:
    """Send a delivery again now (dead-lettered or delivered); its endpoint is enabled again."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return False
    delivery.status, delivery.next_attempt_at = "pending", now
    delivery.claimed_by, delivery.claimed_until = None, None
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == delivery.endpoint_id)
        .values(disabled_at=None, consecutive_failures=0)
        .execution_options(synchronize_session=False)
    )
    session.info[_PENDING] = True
    return True


async def delivery_counts(session: AsyncSession, workspace_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.workspace_id == workspace_id)
        .group_by(WebhookDelivery.status)
    )
    return {status: count for status, count in rows.all()}
