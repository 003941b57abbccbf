"""Slack Web API clients: one place decides the base URL and the 429 handling for all of them."""

from __future__ import annotations

import weakref

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES = 10  # each waits Retry-After; a message is delayed, never dropped
SERVER_ERROR_RETRIES = 2  # 500/503 from Slack: retried with backoff
TIMEOUT = 30  # seconds per Slack call, slack_sdk's default


def make_client(
    settings: Settings, token: str | None = None, client_class: type[AsyncWebClient] = AsyncWebClient
) -> AsyncWebClient:
    """A client for the configured Slack API, with the retry handlers. In OAuth mode pass token=None
    (never the environment's bot token: each workspace has its own)."""
    if token is None and not settings.oauth:
        token = settings.slack_bot_token
    client = client_class(token=token, base_url=settings.slack_api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES))
    return client


class SlackConnections:
    """One aiohttp session, so one pool of kept-alive connections, for a process's Slack clients.

    Without it slack_sdk opens a session and a new connection (DNS lookup and TLS handshake
    included) for every call. The session must be made on the running loop: `open()` at startup
    gives it to every client attached so far, and `close()` at shutdown takes it back."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.session: aiohttp.ClientSession | None = None
        self._clients: weakref.WeakSet[AsyncWebClient] = weakref.WeakSet()

    def attach(self, client: AsyncWebClient) -> AsyncWebClient:
        self._clients.add(client)
        client.session = self.session
        return client

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        for client in self._clients:
            client.session = self.session

    async def close(self) -> None:
        session, self.session = self.session, None
        for client in self._clients:
            client.session = None  # a call after shutdown falls back to a session of its own
        if session is not None:
            await session.close()
