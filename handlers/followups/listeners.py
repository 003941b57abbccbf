"""The follow-up DM's buttons: Done, Snooze and Open. Each value names its line and the DM's date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.views import followups as render
from bot.kit.views.followup_lines import parse_value, targets_in
from handlers.customers import render as customer_render
from handlers.middleware import scope
from handlers.replies import refusal, reply_privately
from storage import followups
from storage.customers import customer_card
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Workspace, utcnow


async def mark_done(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Log a note with the customer (once per line and day, however often it is clicked), then redraw."""
    db, workspace, member = scope(context)
    await ack()
    try:
        target, day = parse_value(action.get("value", ""))
        async with db.session() as session:
            await followups.mark_done(session, workspace, member, target, day, utcnow())
    except UserError as error:
        await reply_privately(respond, client, member, refusal(member.locale, error))
        return
    await _redraw(body, client, db, workspace, member, day)


async def snooze(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Move the follow-up (a deal's expected close) to the owner's today + 3, then redraw."""
    db, workspace, member = scope(context)
    await ack()
    try:
        target, day = parse_value(action.get("value", ""))
        async with db.session() as session:
            await followups.snooze(session, workspace, member, target, utcnow())
    except UserError as error:
        await reply_privately(respond, client, member, refusal(member.locale, error))
        return
    await _redraw(body, client, db, workspace, member, day)


async def open_customer(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The line's customer card, for the clicker only."""
    db, workspace, member = scope(context)
    await ack()
    try:
        target, _ = parse_value(action.get("value", ""))
        async with db.session() as session:
            customer = await followups.check_may_use(session, workspace.id, member, target)
            card = await customer_card(session, workspace.id, customer)
    except UserError as error:
        await reply_privately(respond, client, member, refusal(member.locale, error))
        return
    text, blocks = customer_render.card(
        card, member.locale, followups.owner_zone(workspace, member), utcnow()
    )
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


async def _redraw(
    body: dict[str, Any],
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    member: Member,
    day: dt.date,
) -> None:
    """Redraw every line of the DM from the data as it stands (so concurrent clicks all show)."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    blocks = message.get("blocks") or []
    targets = targets_in(blocks)
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not targets or not channel or not ts:
        return
    async with db.session() as session:
        states = await followups.line_states(session, workspace.id, targets, day)
    zone = followups.owner_zone(workspace, member)
    await client.chat_update(
        channel=channel,
        ts=ts,
        text=message.get("text") or "",
        blocks=render.redraw(blocks, states, day, member.locale, zone),
    )
