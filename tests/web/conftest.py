"""The dashboard served by the real app (bot.server.create_web_app with Sign in with Slack on), a browser-like
HTTP client keeping cookies, and signing in through the fake Slack's OpenID Connect endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import create_app
from bot.server import create_web_app
from bot.slack import make_client
from bot.web import DashboardConfig
from jobs.base import JobServices
from storage.db import Database
from tests.conftest import SIGNING_SECRET, RunningApp, make_settings
from tests.fake_slack import FakeSlack
from tests.serving import serving
from tests.slack_requests import SlackSender

CLIENT_ID, CLIENT_SECRET = "1111.2222", "dashboard-client-secret"


@pytest.fixture
async def dash(db: Database, database_url: str, fake_slack: FakeSlack) -> AsyncIterator[RunningApp]:
    """As the `app` fixture, with the dashboard mounted."""
    settings = make_settings(database_url, fake_slack)
    config = DashboardConfig(CLIENT_ID, CLIENT_SECRET, fake_slack.api_url, SIGNING_SECRET)
    web_app = create_web_app(create_app(settings, db), db, close_db=False, dashboard=config)
    client = make_client(settings)
    services = JobServices(db=db, client_for=lambda _ws: client, claimant="test")
    async with serving(web_app) as url:
        yield RunningApp(
            url,
            db,
            fake_slack,
            settings,
            SlackSender(url, SIGNING_SECRET, fake_slack.response_url()),
            services,
        )


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps cookies as a browser does (for 127.0.0.1 too) and does not follow redirects."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def sign_in(
    dash: RunningApp, browser: aiohttp.ClientSession, user: str, team: str = "T0001"
) -> aiohttp.ClientResponse:
    """The whole Sign in with Slack dance, as a browser follows it; the last response (the dashboard or a refusal)."""
    dash.fake.sign_in_browser(user, team)
    async with browser.get(f"{dash.url}/app/login", allow_redirects=True) as response:
        await response.read()
        return response


# The sandbox and Debian's Chromium, for the browser test (tests/sandbox/conftest.py's fixtures).
from tests.sandbox.conftest import chromium, migrated_sqlite, page_api, sandbox  # noqa: E402, F401
