"""The REST API (/api/v1) and the webhook sender, mounted on the same aiohttp server as Slack's events.

`setup_api` adds the declared endpoints (bot/api/routes.py), the generated OpenAPI document and its
docs page, and runs the sender: it sends due webhook deliveries when a commit wrote events (at once)
and every `poll` seconds (retries), beside the `webhook-delivery` job that does the same."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.api.core import API, ApiContext, RateLimiter, serve
from bot.api.docs import docs_page
from bot.api.openapi import PREFIX, openapi_document
from bot.api.routes import ENDPOINTS
from bot.kit.webhook_sender import deliver_due
from storage import webhooks
from storage.db import Database
from storage.models import Workspace

log = logging.getLogger(__name__)

STOP_TIMEOUT = 5.0  # seconds the sender gets to stop on shutdown (an attempt cut short is sent again)


@dataclass
class ApiOptions:
    limiter: RateLimiter = field(default_factory=RateLimiter)
    retry: webhooks.RetryPolicy = field(default_factory=webhooks.RetryPolicy)
    poll: float = 5.0  # seconds between looks for due retries
    send_webhooks: bool = True


class Sender:
    """Sends due deliveries when kicked (a commit wrote events) and every `poll` seconds."""

    def __init__(self, db: Database, claimant: str, options: ApiOptions,
                 client_for: Callable[[Workspace], AsyncWebClient]) -> None:  # fmt: skip
        self.db, self.claimant, self.options, self.client_for = db, claimant, options, client_for
        self.wake = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.stopping = False

    def kick(self) -> None:
        self.loop.call_soon_threadsafe(self.wake.set)

    async def run(self) -> None:
        async with aiohttp.ClientSession() as http:
            while not self.stopping:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel racing a wake-up
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.options.poll):
                        await self.wake.wait()
                self.wake.clear()
                try:
                    await deliver_due(self.db, self.claimant, http, policy=self.options.retry,
                                      client_for=self.client_for)  # fmt: skip
                except Exception:
                    log.exception("webhook delivery failed; trying again in %ss", self.options.poll)


def _sender_context(db: Database, claimant: str, options: ApiOptions,
                    client_for: Callable[[Workspace], AsyncWebClient]):  # fmt: skip
    async def run_sender(_app: web.Application) -> AsyncIterator[None]:
        sender = Sender(db, claimant, options, client_for)
        stop_kicks = webhooks.on_commit(sender.kick)
        task = asyncio.create_task(sender.run(), name="webhook-sender")
        yield
        stop_kicks()
        # A flag as well as the cancel: a library may turn a cancel that lands mid-send into its own error.
        sender.stopping = True
        task.cancel()
        await asyncio.wait([task], timeout=STOP_TIMEOUT)

    return run_sender


def setup_api(
    web_app: web.Application, db: Database, client_for: Callable[[Workspace], AsyncWebClient], claimant: str,
    options: ApiOptions | None = None,
) -> None:  # fmt: skip
    options = options or ApiOptions()
    web_app[API] = ApiContext(db, client_for, options.limiter)
    for endpoint in ENDPOINTS:
        web_app.router.add_route(endpoint.method, PREFIX + endpoint.path, serve(endpoint))
    document = openapi_document(ENDPOINTS)
    page = docs_page(document)

    async def openapi_json(_request: web.Request) -> web.Response:
        return web.json_response(document)

    async def docs(_request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    web_app.router.add_get(PREFIX + "/openapi.json", openapi_json)
    web_app.router.add_get(PREFIX + "/docs", docs)
    if options.send_webhooks:
        web_app.cleanup_ctx.append(_sender_context(db, claimant, options, client_for))
