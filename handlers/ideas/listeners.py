"""Listeners for `/idea`, the Upvote button and the status menu: parse, one domain operation, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import delivery
from bot.kit.i18n import t
from handlers.ideas import render
from handlers.ideas.syntax import IdeaSyntaxError, parse_idea_command
from handlers.middleware import scope
from handlers.replies import refusal
from storage import ideas
from storage.db import Database
from storage.errors import UserError
from storage.models import Idea, Member, Workspace, utcnow
from storage.periods import Period, member_zone

TOP_LIMIT = 10


def idea_id_of(value: str) -> int:
    """The idea id at the front of a value ("42" or "42:planned"); forged values find nothing."""
    head = (value or "").split(":", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and int(head) < 2**31 else 0


# --- /idea ---------------------------------------------------------------------------------------


async def idea_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    channel = workspace.channel("ideas") or command.get("channel_id")
    try:
        parsed = parse_idea_command(command.get("text", ""))
    except IdeaSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(channel, locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(channel, locale))
    elif parsed.verb == "top":
        zone = member_zone(member, workspace)
        moment = dt.datetime.combine(parsed.month, dt.time(12), dt.UTC) if parsed.month else utcnow()
        month = Period.containing("month", moment, zone)
        start, end = month.utc_bounds(zone)
        async with db.session() as session:
            ranked = await ideas.top_ideas(session, workspace.id, start, end, TOP_LIMIT)
        text, blocks = render.top_list(ranked, month.start, locale)
        await ack(text=text, blocks=blocks)
    else:
        try:
            async with db.session() as session:
                # The trigger id is unique per invocation: a retried request finds the idea it made.
                idea, created = await ideas.submit_idea(
                    session, workspace.id, member, parsed.text,
                    source_key=f"command:{command['trigger_id']}", channel_id=channel, now=utcnow(),
                )  # fmt: skip
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        if not created:
            await ack(text=t(locale, "ideas.already_posted"))
            return
        await ack(text=t(locale, "ideas.posted", channel=channel))
        await post_card(client, db, workspace, member, idea, channel)


async def post_card(
    client: AsyncWebClient, db: Database, workspace: Workspace, author: Member, idea: Idea, channel: str
) -> None:
    async with db.session() as session:
        fresh = await ideas.get_idea(session, workspace.id, idea.id)
    if fresh is None:
        return
    text, blocks = render.card(fresh, 0, workspace.locale)
    posted = await delivery.post_or_tell(
        client, channel, text, blocks, tell=author, locale=author.locale, what="idea card"
    )
    if posted is None:
        return
    async with db.session() as session:
        await ideas.record_card(session, workspace.id, fresh.id, posted["channel"], posted["ts"])


async def redraw(client: AsyncWebClient, db: Database, workspace: Workspace, idea_id: int) -> None:
    async with db.session() as session:
        idea = await ideas.get_idea(session, workspace.id, idea_id)
        if idea is None or not (idea.channel_id and idea.message_ts):
            return
        votes = await ideas.vote_count(session, idea.id)
    text, blocks = render.card(idea, votes, workspace.locale)
    await client.chat_update(channel=idea.channel_id, ts=idea.message_ts, text=text, blocks=blocks)


# --- the card ------------------------------------------------------------------------------------


async def upvote(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Upvote, or take the vote back: one vote per person, the card shows the count."""
    db, workspace, member = scope(context)
    await ack()
    try:
        async with db.session() as session:
            result = await ideas.toggle_vote(
                session, workspace.id, idea_id_of(action.get("value", "")), member, utcnow()
            )
    except UserError as error:
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)
        return
    if result.changed:
        await redraw(client, db, workspace, result.idea.id)


async def change_status(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The status menu; its option values are "<idea id>:<status>"."""
    db, workspace, member = scope(context)
    await ack()
    value = (action.get("selected_option") or {}).get("value", "")
    idea_id = idea_id_of(value)
    try:
        async with db.session() as session:
            _idea, changed = await ideas.set_status(
                session, workspace.id, idea_id, member, value.partition(":")[2]
            )
    except UserError as error:
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)
        # The refused person's Slack shows the option they picked: put the real status back.
        await redraw(client, db, workspace, idea_id)
        return
    if changed:
        await redraw(client, db, workspace, idea_id)
