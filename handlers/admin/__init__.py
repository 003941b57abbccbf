"""`/dealbell`: help and workspace settings."""

from slack_bolt.async_app import AsyncApp

from handlers.admin import listeners
from handlers.errors import guarded


def register(app: AsyncApp) -> None:
    app.command("/dealbell")(guarded(listeners.dealbell_command))
