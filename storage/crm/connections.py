"""CRM connections: made, listed, mapped, removed by workspace admins; their health after each sync."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import crm_secrets
from storage.crm import KINDS
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import CrmConnection, CrmDealLink, Stage, utcnow

# a failing connection waits 1, 2, 4 … minutes between tries, at most a day
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(days=1)


class ConnectionError_(UserError):
    """A refused change to a connection."""


def check_kind(kind: str) -> str:
    kind = kind.lower()
    if kind not in KINDS:
        raise ConnectionError_("crm.error.kind", kinds=", ".join(KINDS))
    return kind


async def connect(
    session: AsyncSession,
    workspace_id: int,
    kind: str,
    *,
    account: str,
    base_url: str,
    credentials: dict[str, Any],
    secret_key: bytes,
    by: str,
) -> CrmConnection:
    """Save (or replace) the workspace's connection to this CRM; the credentials only ever sealed."""
    kind = check_kind(kind)
    sealed = crm_secrets.seal(secret_key, credentials)
    # the form submitted twice at once: one INSERT lands, the other finds its row (no unique-key error)
    await session.execute(
        insert_ignoring_conflicts(session, CrmConnection.__table__, ["workspace_id", "kind"]).values(
            workspace_id=workspace_id,
            kind=kind,
            account=account,
            base_url=base_url,
            credentials=sealed,
            failures=0,
            deals_synced=0,
            created_by=by,
            created_at=utcnow(),
        )
    )
    found = await session.scalar(
        select(CrmConnection)
        .where(CrmConnection.workspace_id == workspace_id, CrmConnection.kind == kind)
        .execution_options(populate_existing=True)
    )
    assert found is not None
    same = (found.account, found.base_url) == (account, base_url.rstrip("/"))
    if same and found.credentials != sealed and _opens_to(secret_key, found.credentials) == credentials:
        return found  # the same form again (a double submit): nothing to change
    found.account, found.base_url, found.credentials = account, base_url.rstrip("/"), sealed
    found.failures, found.retry_after, found.admin_told_at, found.last_error = 0, None, None, None
    await session.flush()
    return found


def _opens_to(secret_key: bytes, sealed: str) -> dict[str, Any] | None:
    try:
        return crm_secrets.open_sealed(secret_key, sealed)
    except crm_secrets.CredentialsUnreadable:
        return None


def credentials_of(connection: CrmConnection, secret_key: bytes) -> dict[str, Any]:
    return crm_secrets.open_sealed(secret_key, connection.credentials)


async def get_connection(session: AsyncSession, workspace_id: int, kind: str) -> CrmConnection | None:
    return await session.scalar(
        select(CrmConnection).where(CrmConnection.workspace_id == workspace_id, CrmConnection.kind == kind)
    )


async def connections_for_account(session: AsyncSession, kind: str, account: str) -> list[CrmConnection]:
    """The connections a webhook from this CRM account may be for (one per workspace that connected it)."""
    query = select(CrmConnection).where(CrmConnection.kind == kind, CrmConnection.account == account)
    return list(await session.scalars(query.order_by(CrmConnection.id)))


async def list_connections(session: AsyncSession, workspace_id: int | None = None) -> list[CrmConnection]:
    query = select(CrmConnection).order_by(CrmConnection.workspace_id, CrmConnection.kind)
    if workspace_id is not None:
        query = query.where(CrmConnection.workspace_id == workspace_id)
    return list(await session.scalars(query))


async def remove(session: AsyncSession, workspace_id: int, kind: str) -> bool:
    """Disconnect: the credentials go; the deals it fed stay, as any deal does."""
    result = await session.execute(
        delete(CrmConnection).where(
            CrmConnection.workspace_id == workspace_id, CrmConnection.kind == check_kind(kind)
        )
    )
    return result.rowcount == 1


async def map_owner(
    session: AsyncSession, connection: CrmConnection, owner_key: str, slack_user_id: str
) -> None:
    """Credit this CRM owner's deals to this Slack member from now on (an admin's override or e-mail match)."""
    owners = dict(connection.owner_map or {})
    owners[owner_key] = slack_user_id
    connection.owner_map = owners
    await session.flush()


async def map_stage(session: AsyncSession, connection: CrmConnection, crm_stage: str, stage: str) -> None:
    """An admin's mapping of one CRM stage (id or, for Salesforce, StageName) over the default from its flags."""
    if stage not in {s.value for s in Stage}:
        raise ConnectionError_("crm.error.bad_stage", stages=", ".join(s.value for s in Stage))
    connection.stage_map = {**(connection.stage_map or {}), crm_stage: stage}
    await session.flush()


async def set_pipelines(session: AsyncSession, connection: CrmConnection, pipelines: list[str]) -> None:
    """The pipelines whose deals count (renewals or partners left out); none named: all count."""
    connection.pipelines = pipelines or None
    await session.flush()


async def unmapped_owners(session: AsyncSession, connection_id: int) -> list[tuple[str, str | None, int]]:
    """(CRM owner id, e-mail, deals waiting) for the owners whose deals are kept until mapped."""
    rows = await session.execute(
        select(CrmDealLink.owner_key, func.max(CrmDealLink.owner_email), func.count())
        .where(CrmDealLink.connection_id == connection_id, CrmDealLink.pending.is_not(None))
        .group_by(CrmDealLink.owner_key)
        .order_by(CrmDealLink.owner_key)
    )
    return [(key or "", email, count) for key, email, count in rows.all()]


async def record_success(
    session: AsyncSession, connection_id: int, now: dt.datetime, cursor: str | None
) -> None:
    values: dict[str, Any] = {"last_sync_at": now, "failures": 0, "retry_after": None, "admin_told_at": None,
                              "last_error": None}  # fmt: skip
    if cursor is not None:
        values["cursor"] = cursor
    await session.execute(update(CrmConnection).where(CrmConnection.id == connection_id).values(**values))


async def record_failure(
    session: AsyncSession, connection_id: int, now: dt.datetime, reason: str, retry_after: float | None
) -> bool:
    """Back off (the CRM's Retry-After, else doubling); True once per failing spell: tell the admin now."""
    connection = await session.get(CrmConnection, connection_id)
    assert connection is not None
    failures = connection.failures + 1
    wait = FIRST_BACKOFF * 2 ** min(failures - 1, 12)
    if retry_after is not None:
        wait = dt.timedelta(seconds=retry_after)
    tell = connection.admin_told_at is None and retry_after is None  # a 429 alone is no failure to report
    connection.failures = failures
    connection.retry_after = now + min(wait, MAX_BACKOFF)
    connection.last_error = reason[:300]
    if tell:
        connection.admin_told_at = now
    await session.flush()
    return tell


def due(connection: CrmConnection, now: dt.datetime) -> bool:
    return connection.retry_after is None or connection.retry_after <= now


async def add_synced(session: AsyncSession, connection_id: int, count: int) -> None:
    if count:
        await session.execute(
            update(CrmConnection)
            .where(CrmConnection.id == connection_id)
            .values(deals_synced=CrmConnection.deals_synced + count)
        )
