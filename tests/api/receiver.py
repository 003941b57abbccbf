"""A webhook receiver as a user would write one: it verifies each signature with hmac and hashlib only."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.serving import serving

SECRET = re.compile(r"`(whsec_[A-Za-z0-9_-]+)`")


def verified(secret: str, headers: Any, body: bytes, tolerance: int = 300) -> bool:
    """What the README's receiver does: recompute v1=HMAC-SHA256(secret, "v1:{ts}:{body}")."""
    timestamp = headers.get("X-Dealbell-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = (
        "v1=" + hmac.new(secret.encode(), f"v1:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    return hmac.compare_digest(expected, headers.get("X-Dealbell-Signature", ""))


@dataclass
class Received:
    event: dict[str, Any]
    valid: bool


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # statuses to answer first, then 200
    delay: float = 0.0
    fail_first: bool = False  # answer 500 to the first send of each event, 200 to its repeats
    release: asyncio.Event = field(default_factory=asyncio.Event)  # ends a delay early
    got: list[Received] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.delay:
            try:
                async with asyncio.timeout(self.delay):
                    await self.release.wait()
            except TimeoutError:
                pass
        event = json.loads(body)
        first_time = event["id"] not in self.ids()
        async with self.changed:
            self.got.append(Received(event, verified(self.secret, request.headers, body)))
            self.changed.notify_all()
        if self.fail_first and first_time:
            return web.Response(status=500)
        return web.Response(status=self.answers.pop(0) if self.answers else 200)

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(lambda: len(self.got) >= count)
        return list(self.got)

    def ids(self) -> list[str]:
        return [r.event["id"] for r in self.got]


@asynccontextmanager
async def receiving(receiver: Receiver | None = None) -> AsyncIterator[Receiver]:
    receiver = receiver or Receiver()
    web_app = web.Application()
    web_app.router.add_post("/hook", receiver.handle)
    async with serving(web_app) as url:
        receiver.url = f"{url}/hook"
        yield receiver


def secret_in(text: str) -> str:
    found = SECRET.search(text)
    assert found, text
    return found.group(1)
