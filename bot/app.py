"""The Bolt app factory: build the app, then let each listener module register itself."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.i18n import t
from bot.settings import Settings
from bot.slack import make_client
from handlers import admin, deals, home, middleware
from storage.db import Database
from storage.workspaces import WorkspaceDefaults

log = logging.getLogger(__name__)

LISTENER_MODULES = (deals, admin, home)


def create_app(settings: Settings, db: Database, client: AsyncWebClient | None = None) -> AsyncApp:
    app = AsyncApp(
        client=client or make_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        logger=logging.getLogger("slack_bolt"),
    )
    defaults = WorkspaceDefaults(timezone=settings.dealbell_timezone, currency=settings.dealbell_currency)
    middleware.register(app, db, defaults)
    for module in LISTENER_MODULES:
        module.register(app)
    app.error(report_error)
    return app


async def report_error(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Log the failure (type and place, never the message) and tell the user plainly."""
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    response_url = body.get("response_url") or next(iter(body.get("response_urls") or []), {}).get(
        "response_url"
    )
    if response_url:
        member = context.get("member")
        text = ":warning: " + t(member.locale if member else None, "error.try_again")
        await AsyncWebhookClient(response_url).send(
            text=text, response_type="ephemeral", replace_original=False
        )
