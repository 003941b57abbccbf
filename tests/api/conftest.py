"""The running app with its REST API, and tokens made the way an admin makes them: `/dealbell api tokens`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.api import ApiOptions
from bot.api.core import RateLimiter
from bot.app import create_app
from bot.server import create_web_app
from bot.slack import make_client
from jobs.base import JobServices
from storage.db import Database
from storage.webhooks import RetryPolicy
from tests.conftest import SIGNING_SECRET, RunningApp, make_settings
from tests.fake_slack import FakeSlack
from tests.sandbox.conftest import migrated_sqlite, page_api, sandbox  # noqa: F401  (the sandbox panel's test)
from tests.serving import serving
from tests.slack_requests import SlackSender

TOKEN = re.compile(r"`(dbk_[A-Za-z0-9_-]+)`")
FAST_RETRIES = RetryPolicy(first=dt.timedelta(milliseconds=200), jitter=0)


@dataclass
class ApiReply:
    status: int
    headers: Any
    body: Any


class ApiClient:
    """JSON over HTTP to /api/v1 with a bearer token."""

    def __init__(self, url: str, http: aiohttp.ClientSession, token: str | None) -> None:
        self.url, self.http, self.token = url, http, token

    def as_(self, token: str | None) -> ApiClient:
        return ApiClient(self.url, self.http, token)

    async def call(self, method: str, path: str, body: Any = None, **headers: str) -> ApiReply:
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        async with self.http.request(
            method,
            f"{self.url}/api/v1{path}",
            json=body,
            headers={k.replace("_", "-"): v for k, v in headers.items()},
        ) as response:
            text = await response.text()
            kind = response.headers.get("Content-Type", "")
            parsed = await response.json(content_type=None) if "json" in kind else text
            return ApiReply(response.status, response.headers, parsed)

    async def get(self, path: str, **headers: str) -> ApiReply:
        return await self.call("GET", path, **headers)

    async def post(self, path: str, body: Any, **headers: str) -> ApiReply:
        return await self.call("POST", path, body, **headers)

    async def patch(self, path: str, body: Any, **headers: str) -> ApiReply:
        return await self.call("PATCH", path, body, **headers)


async def create_token(
    send: SlackSender, name: str, scope: str, team: str = "T0001", user: str = "U0001"
) -> str:
    reply = await send.command("/dealbell", f"api tokens create {name} scope:{scope}", team=team, user=user)
    found = TOKEN.search(reply.text)
    assert found, reply.text
    return found.group(1)


@dataclass
class ApiApp(RunningApp):
    api: ApiClient
    read: ApiClient


@pytest.fixture
def api_options() -> ApiOptions:
    return ApiOptions(limiter=RateLimiter(per_minute=6000, burst=1000), retry=FAST_RETRIES, poll=0.2)


@pytest.fixture
async def api_app(
    db: Database, database_url: str, fake_slack: FakeSlack, api_options: ApiOptions
) -> AsyncIterator[ApiApp]:
    """The app (as tests.conftest's `app`) with a write and a read token of workspace T0001, whose
    admin is U0001; U0002 and U0003 are members too."""
    settings = make_settings(database_url, fake_slack)
    web_app = create_web_app(create_app(settings, db), db, close_db=False, api_options=api_options)
    client = make_client(settings)
    services = JobServices(db=db, client_for=lambda _ws: client, claimant="test")
    fake_slack.add_user("U0001", is_admin=True)
    async with serving(web_app) as url, aiohttp.ClientSession() as http:
        send = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        for user in ("U0002", "U0003"):
            await send.command("/deal", "help", user=user)  # known to dealbell from their first command
        write, read = await create_token(send, "ci", "write"), await create_token(send, "bi", "read")
        yield ApiApp(url, db, fake_slack, settings, send, services, ApiClient(url, http, write),
                     ApiClient(url, http, read))  # fmt: skip
