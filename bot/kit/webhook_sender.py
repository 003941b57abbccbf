"""Sending the webhook outbox's due deliveries: for the `webhook-delivery` job and for the server,
which sends right after each commit.

Each attempt is claimed first (storage.webhooks.claim_attempt), so replicas and this job never send
the same attempt twice; a slow receiver holds only its own attempt (each is sent concurrently, with
a timeout), never a Slack request, which runs elsewhere.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.i18n import t
from storage import webhooks
from storage.db import Database
from storage.models import WebhookEndpoint, Workspace, utcnow
from storage.workspaces import get_workspace_by_id

log = logging.getLogger(__name__)

SEND_TIMEOUT = aiohttp.ClientTimeout(total=15)  # a receiver slower than this counts as a timeout
PARALLEL = 10  # attempts in flight at once per sender
USER_AGENT = "dealbell-webhooks/1"


def signed_request(attempt: webhooks.Attempt, now: float) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(attempt.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Dealbell-Event-Id": attempt.payload["id"],
        "X-Dealbell-Timestamp": timestamp,
        "X-Dealbell-Signature": webhooks.signature(attempt.secret, timestamp, body),
    }
    return body, headers


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from webhook receivers and read as absent)."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


async def send(http: aiohttp.ClientSession, attempt: webhooks.Attempt) -> webhooks.Outcome:
    body, headers = signed_request(attempt, time.time())
    try:
        async with http.post(attempt.url, data=body, headers=headers, timeout=SEND_TIMEOUT,
                             allow_redirects=False) as response:  # fmt: skip
            await response.read()
            return webhooks.Outcome(response.status, None, retry_after(response.headers.get("Retry-After")))
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return webhooks.Outcome(None, type(error).__name__)


ClientFor = Callable[[Workspace], AsyncWebClient]


async def tell_disabled(db: Database, client_for: ClientFor | None, endpoint: WebhookEndpoint) -> None:
    """A DM to the admin who added the endpoint: it failed DISABLE_AFTER times running and is off."""
    if client_for is None or not endpoint.created_by:
        return
    async with db.session() as session:
        workspace = await get_workspace_by_id(session, endpoint.workspace_id)
    if workspace is None:
        return
    text = t(workspace.locale, "webhooks.disabled", url=endpoint.url, failures=endpoint.consecutive_failures)
    try:
        await client_for(workspace).chat_postMessage(channel=endpoint.created_by, text=text)
    except SlackApiError as error:
        log.warning("could not tell the admin webhook endpoint %s was disabled: %s", endpoint.id, error)


async def deliver_one(
    db: Database, claimant: str, http: aiohttp.ClientSession, delivery_id: int,
    policy: webhooks.RetryPolicy, client_for: ClientFor | None,
) -> bool:  # fmt: skip
    """One attempt of one delivery, if this process gets its claim; True when it was made."""
    async with db.session() as session:
        attempt = await webhooks.claim_attempt(session, delivery_id, claimant, utcnow())
    if attempt is None:
        return False
    outcome = await send(http, attempt)
    async with db.session() as session:
        disabled = await webhooks.record_outcome(session, attempt, claimant, outcome, utcnow(), policy)
    if disabled is not None:
        await tell_disabled(db, client_for, disabled)
    return True


async def deliver_due(
    db: Database, claimant: str, http: aiohttp.ClientSession, *, policy: webhooks.RetryPolicy,
    client_for: ClientFor | None = None, workspace_id: int | None = None, now: dt.datetime | None = None,
) -> int:  # fmt: skip
    """Every delivery due at `now` (one attempt each); how many attempts this process made."""
    async with db.session() as session:
        due = await webhooks.due_deliveries(session, now or utcnow(), workspace_id)
    gate = asyncio.Semaphore(PARALLEL)

    async def one(delivery_id: int) -> bool:
        async with gate:
            return await deliver_one(db, claimant, http, delivery_id, policy, client_for)

    return sum(await asyncio.gather(*(one(i) for i in due)))
