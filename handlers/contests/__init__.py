"""Contests (placeholder until the feature lands)."""

from slack_bolt.async_app import AsyncAck, AsyncApp


async def placeholder(ack: AsyncAck) -> None:
    await ack(text="Coming soon.")


def register(app: AsyncApp) -> None:
    app.command("/contest")(placeholder)
