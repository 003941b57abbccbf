"""The Bolt app factory: build the app, then let each listener module register itself."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

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
    rewards, goals, contests, admin, home,
)  # fmt: skip


def create_app(settings: Settings, db: Database, client: AsyncWebClient | None = None) -> AsyncApp:
    app = AsyncApp(
        client=client or make_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        logger=logging.getLogger("slack_bolt"),
    )
    middleware.register(app, db, settings)
    for module in LISTENER_MODULES:
        module.register(app)
    errors.register(app)
    return app
