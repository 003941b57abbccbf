"""`/feedback`: private, optionally anonymous feedback, and feedback requests from managers."""

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    app.command("/feedback")(lambda ack: ack())  # placeholder until the feature lands
