"""The sandbox's "API" panel: how to make a token and call the API of the sandbox's own bot with curl,
and a webhook inbox that receives the bot's webhooks so a newcomer sees the signed payloads.

The inbox is a listener of its own on 127.0.0.1 (the bot posts to it as to any receiver); it checks
each signature with the secret of the endpoint registered for its URL, as a receiver would."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import select

from storage.db import Database
from storage.models import WebhookEndpoint

KEPT = 30  # the latest webhooks shown


@dataclass
class WebhookInbox:
    db: Database
    url: str = ""
    received: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=KEPT))
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set at each webhook (tests wait on it)

    async def secrets(self) -> list[str]:
        async with self.db.session() as session:
            return list(
                await session.scalars(select(WebhookEndpoint.secret).where(WebhookEndpoint.url == self.url))
            )

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get("X-Dealbell-Timestamp", "")
        signature = request.headers.get("X-Dealbell-Signature", "")
        base = f"v1:{timestamp}:".encode() + body
        verified = any(
            hmac.compare_digest("v1=" + hmac.new(s.encode(), base, hashlib.sha256).hexdigest(), signature)
            for s in await self.secrets()
        )
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        self.received.appendleft(
            {"timestamp": timestamp, "signature": signature, "verified": verified, "event": event}
        )
        self.arrived.set()
        return web.Response(status=200 if event is not None else 400)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/hook", self.receive)
        return app


def panel(bot_url: str, inbox: WebhookInbox | None) -> dict[str, Any]:
    """What the panel shows: where the API is, the commands to type, and the inbox."""
    inbox_url = inbox.url if inbox else ""
    return {
        "api_url": f"{bot_url}/api/v1",
        "docs_url": f"{bot_url}/api/v1/docs",
        "create_token": "/dealbell api tokens create demo scope:write",
        "curl": f"curl -H 'Authorization: Bearer dbk_…' {bot_url}/api/v1/deals",
        "add_webhook": f"/dealbell webhooks add {inbox_url} events:deal.created,deal.won,kudos.given",
        "received": list(inbox.received) if inbox else [],
    }
