"""Slack telling dealbell it was uninstalled or its tokens were revoked."""

from slack_bolt.async_app import AsyncApp

from handlers.installs import listeners


def register(app: AsyncApp) -> None:
    app.event("app_uninstalled")(listeners.app_uninstalled)
    app.event("tokens_revoked")(listeners.tokens_revoked)
