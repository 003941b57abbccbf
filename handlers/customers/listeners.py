"""Listeners for `/customer` and `/log`: parse, call one domain operation, render (all ephemeral)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.i18n import t
from handlers.customers import render
from handlers.customers.syntax import CustomerCommand, LogCommand, parse_customer_command, parse_log_command
from handlers.middleware import known_members, scope
from handlers.replies import refusal
from storage import activities, customers
from storage.db import Database
from storage.errors import UserError
from storage.models import Customer, Member, Workspace, utcnow
from storage.money import amount_context
from storage.periods import member_zone

if TYPE_CHECKING:  # the deals feature imports this module: its modules are imported when used
    from handlers.deals.syntax import DealCommand

MAX_BUTTON_VALUE = 2000  # Slack's limit on a button's value

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
        if parsed.verb == "merge":
            async with db.session() as session:  # one transaction: everything moves, or nothing
                result = await customers.merge_customers(
                    session, workspace.id, member, parsed.name, parsed.into
                )
            await ack(text=render.merged(result, locale))
            return
        async with db.session() as session:
            found = await customers.match_customer(session, workspace.id, parsed.name)
        if found.customer is None and found.suggestion is not None:
            await ack(**_customer_question(parsed, found.suggestion, locale))
            return
        if found.customer is not None:
            parsed = replace(parsed, name=found.customer.name)  # "acme corp." is Acme Corp
        await ack(**await _customer_answer(client, db, workspace, member, parsed))
    except UserError as error:
        await ack(text=refusal(locale, error))


def _customer_question(parsed: CustomerCommand, suggestion: Customer, locale: str | None) -> dict[str, Any]:
    """ "Did you mean Initech?" for `/customer Intech` or `/customer add Intech …`."""
    request = {"verb": parsed.verb, "segment": parsed.segment, "owner": parsed.owner}
    use = json.dumps({**request, "name": suggestion.name})
    create = json.dumps({**request, "name": parsed.name, "confirmed": True})
    key = "customers.suggest.add" if parsed.verb == "add" else "customers.suggest.show"
    text, blocks = render.did_you_mean(key, parsed.name, suggestion, locale, "customer_pick", use, create)
    return {"text": text, "blocks": blocks}


async def _customer_answer(
    client: AsyncWebClient, db: Database, workspace: Workspace, member: Member, parsed: CustomerCommand
) -> dict[str, Any]:
    """Add (or update) the customer, or show its card; UserError when refused."""
    locale = member.locale
    if parsed.verb == "add":
        owner = await _owner(client, db, workspace, parsed.owner) if parsed.owner else None
        async with db.session() as session:
            result = await customers.set_customer(
                session, workspace.id, parsed.name, segment=parsed.segment,
                owner_id=owner.id if owner else None, default_owner_id=member.id,
            )  # fmt: skip
            owner = await customers.owner_of(session, workspace.id, result.customer)
        return {"text": render.set_reply(result, owner, locale)}
    async with db.session() as session:
        customer = await customers.find_customer(session, workspace.id, parsed.name)
        if customer is None:
            raise customers.CustomerError(
                "customers.error.unknown_customer", name=parsed.name, command=render.command_name(parsed.name)
            )
        card = await customers.customer_card(session, workspace.id, customer)
    text, blocks = render.card(card, locale, member_zone(member, workspace), utcnow())
    return {"text": text, "blocks": blocks}


async def pick_customer(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """A "Did you mean…?" button of `/customer`: the value is the request, with the name chosen."""
    db, workspace, member = scope(context)
    await ack()
    try:
        request = json.loads(action.get("value") or "{}")
        parsed = CustomerCommand(
            verb="add" if request.get("verb") == "add" else "show",
            name=str(request["name"]),
            segment=request.get("segment"),
            owner=request.get("owner"),
        )
    except (ValueError, KeyError, TypeError):
        await respond(text=t(member.locale, "customers.suggest.stale"), replace_original=True)
        return
    try:
        answer = await _customer_answer(client, db, workspace, member, parsed)
    except UserError as error:
        answer = {"text": refusal(member.locale, error)}
    await respond(replace_original=True, **answer)


async def customer_options(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The deal form's customer menu as the rep types: matching customers, then the typed name as new."""
    db, workspace, member = scope(context)
    typed = str(body.get("value") or "")
    async with db.session() as session:
        found = await customers.search_customers(session, workspace.id, typed)
    await ack(options=render.picker_options(found, typed, member.locale))


# --- "Did you mean…?" for /deal --------------------------------------------------------------------


async def deal_customer(
    db: Database, workspace: Workspace, member: Member, parsed: DealCommand, command: dict[str, Any]
) -> tuple[DealCommand, dict[str, Any] | None]:
    """The deal command with its customer as the workspace knows it, or a question to ask first.

    `/deal new|won <amount> Acme Crop` next to Acme Corp asks (use it / create new); `/deal won Glob`
    closes the deal with the one customer of the member's open deals whose name starts so, and asks
    about a merely similar one. Confirmed picks and unknown names pass through unchanged."""
    if parsed.customer_confirmed or parsed.verb not in ("new", "won", "lost"):
        return parsed, None
    async with db.session() as session:
        if parsed.money is not None:
            found = await customers.match_customer(session, workspace.id, parsed.customer)
        else:
            found = await customers.open_deal_customer(session, workspace.id, member.id, parsed.customer)
    chosen = found.customer or (found.suggestion if found.prefix and parsed.money is None else None)
    if chosen is not None:
        return replace(parsed, customer=chosen.name), None
    if found.suggestion is None:
        return parsed, None
    request = {"text": command.get("text", ""), "trigger": command["trigger_id"]}
    use = json.dumps({**request, "customer": found.suggestion.id})
    create = json.dumps({**request, "customer": 0}) if parsed.money is not None else None
    if len(use) > MAX_BUTTON_VALUE - 20:
        return parsed, None  # too long to carry in a button: recorded as typed
    key = "customers.suggest.deal" if parsed.money is not None else "customers.suggest.open_deal"
    text, blocks = render.did_you_mean(
        key, parsed.customer, found.suggestion, member.locale, "deal_customer_pick", use, create
    )
    return parsed, {"text": text, "blocks": blocks}


async def pick_deal_customer(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """A "Did you mean…?" button of `/deal`: run the command again with the customer chosen. Its
    original trigger id stays the deal's key, so a double click (or both buttons) logs one deal."""
    from handlers.deals import listeners as deal_listeners  # the deals feature imports this module
    from handlers.deals.syntax import DealSyntaxError, parse_deal_command

    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    try:
        request = json.loads(action.get("value") or "{}")
        currency = amount_context(workspace.currency, member.currency, locale)
        parsed = parse_deal_command(str(request["text"]), currency)
        customer_id, trigger = int(request["customer"]), str(request["trigger"])
    except (ValueError, KeyError, TypeError, DealSyntaxError):
        await respond(text=t(locale, "customers.suggest.stale"), replace_original=True)
        return
    if customer_id:
        async with db.session() as session:
            customer = await customers.get_customer(session, workspace.id, customer_id)
        if customer is None:
            await respond(text=refusal(locale, customers.CustomerError("customers.error.not_found")))
            return
        parsed = replace(parsed, customer=customer.name)
    parsed = replace(parsed, customer_confirmed=True)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")

    async def answer(**reply: Any) -> None:
        await respond(replace_original=True, **reply)

    command = {"trigger_id": trigger, "channel_id": channel, "text": request["text"]}
    await deal_listeners._log_or_close(answer, parsed, command, context, client)


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
