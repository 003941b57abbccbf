"""Shortcuts: a message's ⋯ menu and the ⚡ menu open the same forms as the commands, pre-filled.

Each listener acknowledges, then opens a form with the trigger id (valid for 3 seconds); the form's
submission is the command's own (kudos_new, deal_new), so it writes once per view as they do.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.i18n import t
from handlers.deals import render as deal_render
from handlers.kudos import render as kudos_render
from handlers.middleware import scope
from handlers.shortcuts.syntax import is_from_bot, people_of, permalink, read_deal


def _channel(shortcut: dict[str, Any]) -> str | None:
    return (shortcut.get("channel") or {}).get("id")


async def kudos_for_message(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """ "Give kudos for this": the author and the people it names (not you, not a bot), its link as the reason."""
    await ack()
    _, workspace, member = scope(context)
    receivers = people_of(shortcut["message"], giver=member.slack_user_id)
    reason = t(member.locale, "shortcuts.kudos.reason", link=permalink(shortcut))
    view = kudos_render.kudos_modal(workspace, member.locale, _channel(shortcut), receivers, reason)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)


async def deal_from_message(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """ "Log a deal from this": the customer, amount and stage the message mentions, read as /deal reads them."""
    await ack()
    _, workspace, member = scope(context)
    message = shortcut["message"]
    draft = read_deal(message.get("text", ""), workspace.currency)
    prefill = {**draft.prefill(), "owner": "" if is_from_bot(message) else message.get("user", "")}
    view = deal_render.deal_modal(member.locale, workspace.currency, _channel(shortcut), prefill)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)


async def log_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """⚡ "Log a deal": `/deal` with no text."""
    await ack()
    _, workspace, member = scope(context)
    view = deal_render.deal_modal(member.locale, workspace.currency, None)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)


async def give_kudos(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """⚡ "Give kudos": `/kudos` with no text."""
    await ack()
    _, workspace, member = scope(context)
    view = kudos_render.kudos_modal(workspace, member.locale, None)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)
