"""Listeners for `/customer` and `/log`: parse, call one domain operation, render (all ephemeral)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.customers import render
from handlers.customers.syntax import LogCommand, parse_customer_command, parse_log_command
from handlers.middleware import known_members, scope
from handlers.replies import refusal
from storage import activities, customers
from storage.db import Database
from storage.errors import UserError
from storage.models import Customer, Member, Workspace, utcnow
from storage.periods import member_zone

# --- /customer -----------------------------------------------------------------------------------


async def customer_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_customer_command(command.get("text", ""))
        if parsed.verb == "help":
            await ack(text=render.customer_usage(locale))
            return
        if parsed.verb == "add":
            owner = await _owner(client, db, workspace, parsed.owner) if parsed.owner else None
            async with db.session() as session:
                result = await customers.set_customer(
                    session, workspace.id, parsed.name, segment=parsed.segment,
                    owner_id=owner.id if owner else None, default_owner_id=member.id,
                )  # fmt: skip
                owner = await customers.owner_of(session, workspace.id, result.customer)
            await ack(text=render.set_reply(result, owner, locale))
            return
        async with db.session() as session:
            customer = await customers.find_customer(session, workspace.id, parsed.name)
            if customer is None:
                raise customers.CustomerError(
                    "customers.error.unknown_customer",
                    name=parsed.name,
                    command=render.command_name(parsed.name),
                )
            card = await customers.customer_card(session, workspace.id, customer)
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    text, blocks = render.card(card, locale, member_zone(member, workspace), utcnow())
    await ack(text=text, blocks=blocks)


async def _owner(client: AsyncWebClient, db: Database, workspace: Workspace, user_id: str) -> Member:
    owner = (await known_members(client, db, workspace.id, [user_id]))[user_id]
    if owner is None:
        raise customers.CustomerError("customers.error.unknown_owner", user=user_id)
    return owner


# --- /log ----------------------------------------------------------------------------------------


async def log_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_log_command(command.get("text", ""))
        if parsed.verb == "help":
            await ack(text=render.log_usage(locale))
            return
        async with db.session() as session:
            customer, note = await _target(session, workspace, parsed)
            # The trigger id is unique per invocation: a retried request finds the activity it made.
            result = await activities.record_activity(
                session, workspace, member, customer.id, kind=parsed.kind, note=note, csat=parsed.csat,
                next_follow_up=parsed.next_follow_up, source_key=f"command:{command['trigger_id']}",
            )  # fmt: skip
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    await ack(text=render.log_reply(result, locale, member_zone(member, workspace)))


async def _target(session: AsyncSession, workspace: Workspace, parsed: LogCommand) -> tuple[Customer, str]:
    """The customer the words name (the longest known reading) and the note that follows it."""
    found = await customers.find_first_customer(session, workspace.id, [t.customer for t in parsed.targets])
    if found is None:
        key = (
            "customers.error.unknown_customer"
            if len(parsed.targets) == 1
            else "customers.error.unknown_customer_words"
        )
        name = parsed.targets[0].customer
        raise customers.CustomerError(key, name=name, command=render.command_name(name))
    index, customer = found
    return customer, parsed.targets[index].note
