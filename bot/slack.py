"""Slack Web API clients: one place decides the base URL and the 429 handling for all of them."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES = 10  # each waits Retry-After; a message is delayed, never dropped
SERVER_ERROR_RETRIES = 2  # 500/503 from Slack: retried with backoff


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
