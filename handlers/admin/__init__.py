"""`/dealbell`: help and workspace settings."""

from slack_bolt.async_app import AsyncApp

from handlers.admin import listeners, settings
from handlers.errors import guarded


def register(app: AsyncApp) -> None:
    app.command("/dealbell")(guarded(listeners.dealbell_command))
    app.view(settings.CALLBACK_ID)(guarded(settings.submit_settings))
