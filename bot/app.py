"""The Bolt app factory: build the app, then register every feature that handlers/ declares."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import Installations
from bot.settings import Settings
from bot.slack import make_client
from handlers import errors, middleware
from handlers.features import discover
from storage.db import Database

log = logging.getLogger(__name__)

# Bolt tries its listeners in the order they were registered, building each matcher's arguments on
# the way (tens of microseconds each): the features most requests are for go first.
BUSIEST_FIRST = ("kudos", "deals")


class WithoutTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that the client given to
    it wins ("As you gave `client` as well, `token` will be unused"): it does by design (the client
    carries the same token and the base URL), so the warning only worries operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt")
    if not any(isinstance(known, WithoutTokenNotice) for known in logger.filters):
        logger.addFilter(WithoutTokenNotice())
    return logger


def create_app(settings: Settings, db: Database, client: AsyncWebClient | None = None) -> AsyncApp:
    """One workspace with SLACK_BOT_TOKEN, or many with SLACK_CLIENT_ID/SECRET (OAuth, tokens in `db`)."""
    installations = Installations(settings, db) if settings.oauth else None
    app = AsyncApp(
        client=client or make_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        oauth_settings=installations.oauth_settings() if installations else None,
        authorize=installations.authorize() if installations else None,
        logger=bolt_logger(),
        # Bolt answers when a listener returns: handlers.errors.guarded returns at the ack and lets
        # the listener finish in a task (Bolt's own way of doing that polls for the ack every 10 ms).
        process_before_response=True,
    )
    middleware.register(app, db, settings)
    for feature in sorted(discover(), key=lambda feature: feature.name not in BUSIEST_FIRST):
        feature.register(app)
    errors.register(app)
    return app
