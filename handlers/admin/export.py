"""`/dealbell export deals|kudos|activities [period]` (placeholder until the feature lands)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient


async def export_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    await ack(text="Coming soon.")
