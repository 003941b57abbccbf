"""The Bolt app factory: build the app, then let each listener module register itself."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
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


async def report_error(
    error: Exception, body: dict[str, Any], context: AsyncBoltContext, response: BoltResponse | None
) -> None:
    """Log the failure (its type and place, never the message text) and tell the user plainly.

    Bolt passes `response` when the listener failed before ack(): a slash command then gets a
    normal ephemeral answer instead of Slack's "dispatch_failed". After ack(), the response_url is
    the only way left to reach the user.
    """
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    member = context.get("member")
    locale = member.locale if member else None
    if response is not None:
        if body.get("command"):
            response.status = 200
            response.body = json.dumps(
                {"response_type": "ephemeral", "text": ":warning: " + t(locale, "error.try_again")}
            )
            response.headers["content-type"] = ["application/json;charset=utf-8"]
        return  # modals and buttons keep Slack's own error, which leaves the user's input in place
    response_url = body.get("response_url") or next(iter(body.get("response_urls") or []), {}).get(
        "response_url"
    )
    if response_url:
        await AsyncWebhookClient(response_url).send(
            text=":warning: " + t(locale, "error.after_ack"),
            response_type="ephemeral",
            replace_original=False,
        )
