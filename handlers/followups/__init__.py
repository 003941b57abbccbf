"""Buttons on the follow-up reminder DM (placeholder until the feature lands)."""

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    return None
