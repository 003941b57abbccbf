"""Listener for `/intel`: parse, one domain operation, render."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.kit import blocks as bk
from bot.kit.i18n import t
from handlers.intel import render
from handlers.intel.syntax import IntelSyntaxError, parse_intel_command
from handlers.middleware import scope
from handlers.replies import refusal
from storage import intel
from storage.errors import UserError


async def intel_command(
    ack: AsyncAck, body: dict[str, Any], command: dict[str, Any], context: AsyncBoltContext
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_intel_command(command.get("text", ""))
    except IntelSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale)}")
        return

    if parsed.verb == "help":
        await ack(text=render.usage(locale))
    elif parsed.verb == "list":
        async with db.session() as session:
            rows = await intel.competitors(session, workspace.id)
        text, blocks = render.competitor_list(rows, locale)
        await ack(text=text, blocks=blocks)
    elif parsed.verb == "card":
        async with db.session() as session:
            info = await intel.competitor_card(session, workspace.id, parsed.competitor)
        text, blocks = render.card(info, locale)
        await ack(text=text, blocks=blocks)
    else:
        try:
            async with db.session() as session:
                # The trigger id is unique per invocation: a retried request finds the note it made.
                note, created = await intel.add_note(
                    session, workspace.id, member, parsed.competitor, parsed.note,
                    source_key=f"command:{workspace.id}:{command['trigger_id']}",
                )  # fmt: skip
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        key = "intel.noted" if created else "intel.already_noted"
        await ack(text=t(locale, key, competitor=bk.escape(note.competitor)))
