"""CRM webhooks (issue 20): POST /integrations/hubspot/webhook and /integrations/pipedrive/webhook.

A request is authenticated against the connection of the account it names (HubSpot's signature v3 with
the app secret; Pipedrive's HTTP Basic credentials set on the webhook) before anything is read or
written: forged, stale or unsigned requests get 401. Each deal it names is then read back from the CRM
(a webhook carries only what changed) and handed to jobs/crm_sync.py's `ingest`, the path the poll takes."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.outbox import deliver_soon
from jobs.base import JobServices
from jobs.crm_sync import Tally, connector, ingest
from storage.crm import CrmError, RemoteDeal, hubspot, pipedrive
from storage.crm import connections as crm_connections
from storage.crm_secrets import CredentialsUnreadable
from storage.db import Database
from storage.models import CrmConnection, Deal, Member, Stage, Workspace, utcnow
from storage.workspaces import get_workspace_by_id

log = logging.getLogger(__name__)
SERVICES = web.AppKey("crm_services", JobServices)
WinHook = Callable[[Workspace, Deal, Member], Awaitable[None]]


def setup_integrations(web_app: web.Application, services: JobServices) -> None:
    web_app[SERVICES] = services
    web_app.router.add_post("/integrations/hubspot/webhook", hubspot_webhook)
    web_app.router.add_post("/integrations/pipedrive/webhook", pipedrive_webhook)


def signed_uri(request: web.Request) -> str:
    """The URI HubSpot called: behind a proxy, its X-Forwarded-Proto and -Host, else what reached us."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
    host = request.headers.get("X-Forwarded-Host", request.host)
    return f"{scheme}://{host}{request.rel_url}"


async def candidates(services: JobServices, kind: str, account: str | None) -> list[CrmConnection]:
    if not account:
        return []
    async with services.db.session() as session:
        return await crm_connections.connections_for_account(session, kind, account)


def credentials(services: JobServices, connection: CrmConnection) -> dict[str, Any] | None:
    assert services.secret_key is not None
    try:
        return crm_connections.credentials_of(connection, services.secret_key)
    except CredentialsUnreadable:
        return None


async def hubspot_webhook(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    body = await request.read()
    try:
        events = json.loads(body)
        portal, changes = hubspot.webhook_deal_events(events if isinstance(events, list) else [])
    except (ValueError, TypeError, AttributeError):
        return web.Response(status=400)
    verified = []
    for connection in await candidates(services, "hubspot", portal):
        secret = (credentials(services, connection) or {}).get("client_secret")
        if secret and hubspot.verify_v3(
            secret,
            request.method,
            signed_uri(request),
            body,
            request.headers.get("X-HubSpot-Request-Timestamp"),
            request.headers.get("X-HubSpot-Signature-v3"),
            utcnow(),
        ):
            verified.append(connection)
    if not verified:
        return web.Response(status=401)
    return await applied(services, verified, changes)


async def applied(
    services: JobServices, verified: list[CrmConnection], changes: list[tuple[str, bool, Any]]
) -> web.Response:
    """204 once every change is in; 503 when the CRM could not be read, so its webhook retries (what was
    applied before stays, once: a retry finds it applied)."""
    try:
        for connection in verified:
            await apply_changes(services, connection, changes)
    except CrmError as error:
        log.warning("crm webhook not applied, the CRM will retry: %s", error.reason)
        return web.Response(status=503)
    return web.Response(status=204)


async def apply_changes(
    services: JobServices, connection: CrmConnection, changes: list[tuple[str, bool, Any]]
) -> None:
    """Read each changed deal back from the CRM, then ingest it; a deleted one needs no read."""
    async with services.db.session() as session:
        workspace = await get_workspace_by_id(session, connection.workspace_id)
    if workspace is None:
        return
    tally = Tally()
    assert services.secret_key is not None
    async with aiohttp.ClientSession() as http:
        crm = connector(http, connection, services.secret_key)
        for deal_id, deleted, occurred in changes:
            remote = None if deleted else await crm.deal(deal_id)
            if remote is None:  # deleted (or gone before we read it): the event's own time orders it
                remote = RemoteDeal(external_id=deal_id, modified_at=occurred, stage=Stage.LOST, deleted=True)
            await ingest(services, workspace, connection, remote, tally)


def basic_credentials(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def basic_matches(given: tuple[str, str] | None, stored: dict[str, Any] | None) -> bool:
    if given is None or not stored or not stored.get("webhook_user"):
        return False
    return hmac.compare_digest(given[0], str(stored["webhook_user"])) & hmac.compare_digest(
        given[1], str(stored.get("webhook_password", ""))
    )


async def pipedrive_webhook(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    given = basic_credentials(request)
    try:
        payload = await request.json()
        company, change = pipedrive.webhook_deal_event(payload)
    except (ValueError, TypeError, AttributeError):
        return web.Response(status=400)
    verified = [
        connection
        for connection in await candidates(services, "pipedrive", company)
        if basic_matches(given, credentials(services, connection))
    ]
    if not verified:
        return web.Response(status=401)
    return await applied(services, verified, [change] if change is not None else [])


def win_celebrator(db: Database, client_for: Callable[[Workspace], AsyncWebClient]) -> WinHook:
    """A CRM win celebrated exactly as `/deal won` celebrates it: its celebration, queued in the
    deal's transaction (the Slack outbox), delivered now; the outbox job retries it if Slack is away."""

    async def on_win(workspace: Workspace, deal: Deal, owner: Member) -> None:
        await deliver_soon(db, client_for(workspace), workspace, deal.id)

    return on_win
