"""The App Home tab: what dealbell does and how to start (the dashboard builds on this)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks as bk
from bot.i18n import t
from handlers.errors import guarded


def home_view(locale: str | None) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [
            bk.header(t(locale, "home.title")),
            bk.section(t(locale, "home.intro")),
            bk.divider(),
            bk.section(t(locale, "deal.usage")),
            bk.section(t(locale, "admin.usage")),
        ],
    }


async def publish_home(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    if event.get("tab", "home") != "home":
        return
    member = context.get("member")
    await client.views_publish(user_id=event["user"], view=home_view(member.locale if member else None))


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(guarded(publish_home))
