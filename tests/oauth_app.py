"""dealbell installed into many workspaces (OAuth), running on a local port against the fake Slack."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.app import create_app
from bot.server import create_web_app, job_services
from bot.settings import Settings
from jobs.base import JobServices
from storage.db import Database
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fake_slack import FakeSlack
from tests.serving import serving
from tests.slack_requests import SlackSender, payload

OAUTH = {
    "slack_client_id": "111.222",
    "slack_client_secret": "client-secret",
    "slack_state_secret": "state-secret",
    "dealbell_secret_key": "test-secret-key",
}


@dataclass
class OAuthApp:
    url: str
    db: Database
    fake: FakeSlack
    send: SlackSender
    settings: Settings
    services: JobServices  # jobs post with each workspace's installed token

    async def install(self, team: str, code: str | None = None) -> tuple[int, str]:
        """Walk the install flow as a browser would: the Add to Slack page, Slack's consent (the fake
        hands out `code`), then the redirect back. Returns the redirect's status and page."""
        code = code or f"code-{team}"
        async with aiohttp.ClientSession() as browser:
            state, cookie = await self.start_install(browser)
            self.fake.grant_install(code, team, f"Team {team}")
            return await self.come_back(browser, code, state, cookie)

    async def start_install(self, browser: aiohttp.ClientSession) -> tuple[str, str]:
        """The Add to Slack page: the state in its link, and the cookie tying it to this browser
        (sent back by hand: it is `Secure`, and these tests speak plain HTTP)."""
        async with browser.get(f"{self.url}/slack/install") as page:
            assert page.status == 200
            found = re.search(r"state=([^&\"]+)", await page.text())
            assert found is not None
            cookie = page.headers["Set-Cookie"].split(";")[0]
        return found.group(1), cookie

    async def come_back(
        self, browser: aiohttp.ClientSession, code: str, state: str, cookie: str
    ) -> tuple[int, str]:
        async with browser.get(
            f"{self.url}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": cookie},
        ) as back:
            return back.status, await back.text()

    async def lifecycle_event(self, team: str, event: dict[str, Any]) -> int:
        """app_uninstalled / tokens_revoked, as Slack sends them to the events URL."""
        data = payload("event_reaction_added")
        data.update(team_id=team, event_id=f"Ev-{team}-{event['type']}", event=event)
        reply = await self.send.post(json.dumps(data).encode(), "application/json")
        return reply.status


@asynccontextmanager
async def running_oauth_app(db: Database, database_url: str, fake: FakeSlack) -> AsyncIterator[OAuthApp]:
    settings = make_settings(database_url, fake, slack_bot_token=None, **OAUTH)
    web_app = create_web_app(create_app(settings, db), db, close_db=False)  # the `db` fixture disposes it
    async with serving(web_app) as url:
        sender = SlackSender(url, SIGNING_SECRET, fake.response_url())
        yield OAuthApp(url, db, fake, sender, settings, job_services(settings, db))
