"""`/dealbell`: help and workspace settings."""

from slack_bolt.async_app import AsyncApp

from handlers.admin import listeners


def register(app: AsyncApp) -> None:
    app.command("/dealbell")(listeners.dealbell_command)
