"""Listeners for `/lead`, its modal and the assignee's Accept / Pass back buttons."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import field_error, t
from handlers.leads import render
from handlers.leads.syntax import (
    LeadCommand,
    LeadSyntaxError,
    company_of,
    money_of,
    notes_of,
    parse_lead_command,
    source_of,
)
from handlers.middleware import known_members, scope
from handlers.replies import refusal, tell_user
from storage import leads
from storage.authority import require_manager
from storage.db import Database
from storage.errors import UserError
from storage.models import Deal, Member, Workspace, utcnow


async def send_lead(client: AsyncWebClient, deal: Deal, assignee: Member, by: Member, how: str) -> None:
    """The assignee's DM, in their language, with Accept and Pass back."""
    text, blocks = render.lead_dm(deal, by, how, assignee.locale)
    await client.chat_postMessage(channel=assignee.slack_user_id, text=text, blocks=blocks)


# --- /lead ---------------------------------------------------------------------------------------


async def lead_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_lead_command(command.get("text", ""), workspace.currency)
    except LeadSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'lead.usage')}")
        return
    if parsed.verb == "help":
        await ack(text=t(locale, "lead.usage"))
    elif parsed.verb == "modal":
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"], view=render.lead_modal(locale, command.get("channel_id"))
        )
    elif parsed.verb == "assign":
        await _assign(ack, parsed, context, client)
    else:
        assert parsed.lead is not None
        try:
            result = await _create(db, workspace, member, parsed.lead, f"command:{command['trigger_id']}")
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        text = render.confirmation(result, member, locale)
        await ack(text=text, blocks=render.confirmation_blocks(text, result, member, locale))
        if result.created and result.assignee is not None:
            await send_lead(client, result.deal, result.assignee, member, render.FROM_CREATOR)


async def _create(
    db: Database, workspace: Workspace, member: Member, new: leads.NewLead, source_key: str
) -> leads.LeadResult:
    async with db.session() as session:
        return await leads.create_lead(session, workspace, member, new, source_key, utcnow())


async def _assign(
    ack: AsyncAck, parsed: LeadCommand, context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """`/lead assign 42 @li`: a manager gives a lead to a chosen person, who gets the DM."""
    await ack(text=await reassign(context, client, parsed.deal_id, parsed.user_id))


async def reassign_from_menu(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The "Reassign to…" menu on a manager's confirmation: the block id names the lead."""
    await ack()
    deal_id = render.reassign_target(action.get("block_id", ""))
    note = await reassign(context, client, deal_id, action.get("selected_user") or "")
    await respond(text=note, response_type="ephemeral", replace_original=False)


async def reassign(context: AsyncBoltContext, client: AsyncWebClient, deal_id: int, user_id: str) -> str:
    """Move a lead to `user_id` (managers only); the new owner gets the DM, the previous one a note."""
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        require_manager(member)  # before looking anyone up
        async with db.session() as session:  # a lead that is gone or closed: refused, nobody looked up
            await leads.check_open_lead(session, workspace.id, deal_id)
        target = (await known_members(client, db, workspace.id, [user_id]))[user_id]
        if target is None:
            raise leads.LeadError("lead.error.unknown_user", user=user_id)
        async with db.session() as session:
            move = await leads.reassign_lead(session, workspace, deal_id, member, target, utcnow())
    except UserError as error:
        return refusal(locale, error)
    if move.changed and move.new_owner is not None:
        await send_lead(client, move.deal, move.new_owner, member, render.FROM_MANAGER)
        previous = move.previous
        if previous is not None and previous.id != member.id and not previous.is_bot:
            note = render.moved_away(move, member, previous.locale)
            await client.chat_postMessage(channel=previous.slack_user_id, text=note)
    return render.reassigned(move, locale)


# --- the modal -----------------------------------------------------------------------------------


def read_lead_modal(
    state: dict[str, Any], default_currency: str
) -> tuple[leads.NewLead | None, dict[str, LeadSyntaxError]]:
    """The submitted form as a NewLead, or the refusal per input block (nothing is written then)."""
    errors: dict[str, LeadSyntaxError] = {}
    values: dict[str, Any] = {}
    readers = {
        "company": lambda raw: company_of(raw),
        "source": lambda raw: source_of(raw if (raw or "").strip() else None),
        "amount": lambda raw: money_of(raw if (raw or "").strip() else None, default_currency),
        "notes": lambda raw: notes_of(raw),
    }
    for block, read in readers.items():
        try:
            values[block] = read(bk.input_value(state, block))
        except LeadSyntaxError as error:
            errors[block] = error
    if errors:
        return None, errors
    return leads.NewLead(
        company=values["company"], source=values["source"], money=values["amount"], notes=values["notes"]
    ), {}


def field_errors(locale: str | None, errors: Mapping[str, UserError]) -> dict[str, str]:
    return {block: field_error(locale, e.key, **render.error_params(e.params)) for block, e in errors.items()}


async def submit_lead_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    new, errors = read_lead_modal(view["state"], workspace.currency)
    if new is None:
        await ack(response_action="errors", errors=field_errors(locale, errors))
        return
    try:
        # One lead per view: a double-clicked submit sends the same view id twice.
        result = await _create(db, workspace, member, new, f"view:{view['id']}")
    except UserError as error:
        await ack(response_action="errors", errors=field_errors(locale, {"company": error}))
        return
    await ack()
    if not result.created:
        return  # the same submission again: the first one told everybody
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    await tell_user(client, member, channel, render.confirmation(result, member, locale), None)
    if result.assignee is not None:
        await send_lead(client, result.deal, result.assignee, member, render.FROM_CREATOR)


# --- the DM's buttons ----------------------------------------------------------------------------


async def _redraw(client: AsyncWebClient, body: dict[str, Any], text: str, blocks: list[bk.Block]) -> None:
    container = body.get("container") or {}
    await client.chat_update(
        channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
    )


async def accept(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    deal_id, expected_owner = render.target_of(action.get("value", ""))
    try:
        async with db.session() as session:
            deal, changed = await leads.accept_lead(
                session, workspace.id, deal_id, member, expected_owner, utcnow()
            )
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if changed:  # a second click finds it accepted and draws nothing again
        await _redraw(client, body, *render.accepted_dm(deal, locale))


async def pass_back(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    deal_id, expected_owner = render.target_of(action.get("value", ""))
    try:
        async with db.session() as session:
            move = await leads.pass_lead(session, workspace, deal_id, member, expected_owner, utcnow())
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if not move.changed or move.new_owner is None:
        return
    await _redraw(client, body, *render.passed_dm(move, locale))
    await send_lead(client, move.deal, move.new_owner, member, render.FROM_PASS)
