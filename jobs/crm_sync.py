"""`crm-sync`: reconcile each connected CRM after its saved cursor, so a missed webhook is caught.

Also the one ingest path of CRM deals: the webhook endpoints (bot/integrations), `dealbell connections
sync` and this job all hand RemoteDeals to `ingest`, which maps owners by e-mail, applies each deal in
its own transaction (storage/crm/apply.py) and celebrates the wins after the commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.kit.i18n import t
from jobs.base import JobContext, JobServices, JobSpec
from storage.crm import CrmError, RemoteDeal
from storage.crm import connections as crm_connections
from storage.crm.apply import Applied, apply_remote_deal
from storage.crm.hubspot import HubSpot
from storage.crm.pipedrive import Pipedrive
from storage.crm.salesforce import Salesforce
from storage.crm_secrets import CredentialsUnreadable
from storage.models import CrmConnection, Workspace
from storage.workspaces import get_member, list_members

log = logging.getLogger(__name__)


class Connector(Protocol):
    def changed_since(self, cursor: str | None) -> AsyncIterator[RemoteDeal]: ...
    def cursor_of(self, remote: RemoteDeal) -> str: ...
    async def account(self) -> str: ...


CONNECTORS: dict[str, Any] = {"hubspot": HubSpot, "pipedrive": Pipedrive, "salesforce": Salesforce}


def connector(http: aiohttp.ClientSession, connection: CrmConnection, secret_key: bytes) -> Any:
    credentials = crm_connections.credentials_of(connection, secret_key)
    return CONNECTORS[connection.kind](http, connection, credentials)


@dataclass
class Tally:
    written: int = 0
    celebrated: int = 0
    backfilled_wins: list[Applied] = field(default_factory=list)
    unmapped: set[str] = field(default_factory=set)
    not_in_slack: set[str] = field(default_factory=set)  # e-mails Slack did not know: asked once per run


async def map_owner_by_email(
    services: JobServices, workspace: Workspace, connection: CrmConnection, remote: RemoteDeal, tally: Tally
) -> None:
    """An owner not mapped yet whose CRM e-mail is a Slack member's: mapped once, for good (users:read.email)."""
    if not remote.owner_key or not remote.owner_email or remote.owner_key in (connection.owner_map or {}):
        return
    if remote.owner_email in tally.not_in_slack:
        return
    try:
        found = await services.client_for(workspace).users_lookupByEmail(email=remote.owner_email)
    except SlackApiError:
        tally.not_in_slack.add(remote.owner_email)
        return  # users_not_found: listed as unmapped, never guessed
    async with services.db.session() as session:
        member = await get_member(session, workspace.id, str(found["user"]["id"]))
        current = await session.get(CrmConnection, connection.id)
        if member is not None and current is not None:
            await crm_connections.map_owner(session, current, remote.owner_key, member.slack_user_id)
            connection.owner_map = dict(current.owner_map or {})


async def ingest(
    services: JobServices, workspace: Workspace, connection: CrmConnection, remote: RemoteDeal, tally: Tally,
    *, backfill: bool = False,
) -> Applied:  # fmt: skip
    """Apply one CRM deal in its own transaction; celebrate a win once, after the commit."""
    await map_owner_by_email(services, workspace, connection, remote, tally)
    async with services.db.session() as session:
        current = await session.get(CrmConnection, connection.id)
        if current is None:
            return Applied()  # disconnected meanwhile
        applied = await apply_remote_deal(session, workspace, current, remote, backfill=backfill)
        if applied.written:
            await crm_connections.add_synced(session, connection.id, 1)
    tally.written += applied.written
    if applied.unmapped_owner is not None:
        tally.unmapped.add(applied.unmapped_owner)
    if applied.backfilled_win:
        tally.backfilled_wins.append(applied)
    if applied.won_now and applied.deal is not None and applied.owner is not None and services.on_win:
        await services.on_win(workspace, applied.deal, applied.owner)
        tally.celebrated += 1
    return applied


async def sync_connection(
    services: JobServices, workspace: Workspace, connection: CrmConnection, now: dt.datetime,
    *, since: str | None = None, backfill: bool = False,
) -> Tally:  # fmt: skip
    """Everything changed in the CRM after `since` (else the saved cursor); a failure backs off and tells
    the workspace's admins once per failing spell."""
    tally = Tally()
    cursor = None
    backfill = backfill or connection.last_sync_at is None  # the first sync imports; it does not celebrate
    assert services.secret_key is not None, "CRM sync needs the secret key its credentials are sealed with"
    try:
        async with aiohttp.ClientSession() as http:
            crm = connector(http, connection, services.secret_key)
            async for remote in crm.changed_since(since or connection.cursor):
                await ingest(services, workspace, connection, remote, tally, backfill=backfill)
                cursor = max(cursor or "", crm.cursor_of(remote), key=_cursor_order)
    except (CrmError, CredentialsUnreadable) as error:
        reason = getattr(error, "reason", "credentials unreadable: reconnect")
        await failed(
            services, workspace, connection, now, reason, getattr(error, "retry_after", None), cursor
        )
        return tally
    async with services.db.session() as session:
        await crm_connections.record_success(session, connection.id, now, cursor)
    if backfill and tally.backfilled_wins:
        await post_backfill_summary(services, workspace, connection, tally)
    return tally


def _cursor_order(cursor: str) -> tuple[int, str]:
    return (len(cursor), cursor)  # epoch milliseconds and ISO times alike order as text of equal length


async def failed(
    services: JobServices, workspace: Workspace, connection: CrmConnection, now: dt.datetime,
    reason: str, retry_after: float | None, cursor: str | None,
) -> None:  # fmt: skip
    log.warning("crm %s of workspace %s failed: %s", connection.kind, workspace.id, reason)
    async with services.db.session() as session:
        tell = await crm_connections.record_failure(session, connection.id, now, reason, retry_after)
        if cursor is not None:  # keep what was reconciled before the failure
            current = await session.get(CrmConnection, connection.id)
            if current is not None:
                current.cursor = cursor
        admins = (
            [m for m in await list_members(session, workspace.id) if m.is_workspace_admin] if tell else []
        )
    client = services.client_for(workspace)
    for admin in admins:
        text = t(admin.locale, "crm.failing", crm=connection.kind, reason=reason)
        try:
            await client.chat_postMessage(channel=admin.slack_user_id, text=text)
        except SlackApiError as error:
            log.warning("crm failure DM not sent: %s", error.response.get("error"))


async def post_backfill_summary(
    services: JobServices, workspace: Workspace, connection: CrmConnection, tally: Tally
) -> None:
    """Backfilled wins are recorded without celebrating: one summary in the wins channel instead."""
    channel = workspace.channel("wins")
    if not channel:
        return
    text = t(workspace.locale, "crm.backfill_summary", crm=connection.kind, count=len(tally.backfilled_wins))
    try:
        await services.client_for(workspace).chat_postMessage(channel=channel, text=text)
    except SlackApiError as error:
        log.warning("crm backfill summary not posted: %s", error.response.get("error"))


async def crm_sync(ctx: JobContext) -> dict[str, int]:
    """Each due connection of the workspace, after its cursor; a backing-off one waits its turn."""
    async with ctx.services.db.session() as session:
        found = await crm_connections.list_connections(session, ctx.workspace.id)
    written = 0
    for connection in found:
        if ctx.on_schedule and not crm_connections.due(connection, ctx.now):
            continue
        tally = await sync_connection(ctx.services, ctx.workspace, connection, ctx.now)
        written += tally.written
    return {"written": written}


JOB = JobSpec(
    name="crm-sync",
    function=crm_sync,
    cadence="day",
    cron={"minute": "*/5"},
    description="Reconcile connected CRMs (HubSpot, Pipedrive, Salesforce) after their saved cursors (every 5 minutes).",
    claim_period=False,
)
