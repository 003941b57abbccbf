"""`/dealbell settings` (one modal) and `/dealbell language` (placeholders until the feature lands)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient


async def open_settings(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    await ack(text="Coming soon.")


async def set_language(context: AsyncBoltContext, args: list[str]) -> str:
    return "Coming soon."
