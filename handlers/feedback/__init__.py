"""`/feedback`: private, optionally anonymous feedback, and feedback requests from managers."""

from slack_bolt.async_app import AsyncAck, AsyncApp


async def feedback_placeholder(ack: AsyncAck) -> None:  # replaced when the feature lands
    await ack(text="Coming soon.")


def register(app: AsyncApp) -> None:
    app.command("/feedback")(feedback_placeholder)
