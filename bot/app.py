"""The Bolt app factory: build the app, then let each listener module register itself."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import Installations
from bot.settings import Settings
from bot.slack import make_client
from handlers import (
    admin,
    contests,
    customers,
    deals,
    errors,
    feedback,
    followups,
    goals,
    home,
    ideas,
    installs,
    intel,
    kudos,
    leaderboard,
    leads,
    middleware,
    rewards,
    standups,
    team,
    training,
)
from storage.db import Database

log = logging.getLogger(__name__)

LISTENER_MODULES = (
    deals, kudos, feedback, team, customers, leads, intel, ideas, training, standups, leaderboard, followups,
    rewards, goals, contests, admin, home, installs,
)  # fmt: skip


def create_app(settings: Settings, db: Database, client: AsyncWebClient | None = None) -> AsyncApp:
    """One workspace with SLACK_BOT_TOKEN, or many with SLACK_CLIENT_ID/SECRET (OAuth, tokens in `db`)."""
    installations = Installations(settings, db) if settings.oauth else None
    app = AsyncApp(
        client=client or make_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        oauth_settings=installations.oauth_settings() if installations else None,
        authorize=installations.authorize() if installations else None,
        logger=logging.getLogger("slack_bolt"),
        # Bolt answers when a listener returns: handlers.errors.guarded returns at the ack and lets
        # the listener finish in a task (Bolt's own way of doing that polls for the ack every 10 ms).
        process_before_response=True,
    )
    middleware.register(app, db, settings)
    for module in LISTENER_MODULES:
        module.register(app)
    errors.register(app)
    return app
