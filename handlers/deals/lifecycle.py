"""The deal card any time (`/deal 42`, `/deal list`, App Home, the celebration's Open) and what it
corrects: edit, reassign, reopen, delete, `/deal undo`, and a manager's approval of a big win.

Listeners stay thin: parse, one domain operation (storage/deal_lifecycle.py), render. The card is
shown where the click came from: an ephemeral message (redrawn through its response_url) or, from
App Home where there is no channel, a modal (opened, pushed or updated with the trigger or view id).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.outbox import deliver_soon
from bot.kit.views.modal import catalogue_modal
from handlers.deals import render
from handlers.deals.syntax import DealCommand
from handlers.middleware import scope
from handlers.replies import error_text, refusal, reply_privately, tell_user
from storage import deal_history, deal_lifecycle, deals
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Workspace
from storage.money import AmountError, parse_amount

HISTORY_LINES = 5  # the latest lines of a deal's history shown on its card


def deal_id_of(value: str) -> int:
    """The deal id at the front of a button value ("42" or "42:qualified"); forged values find nothing."""
    head = value.split(":", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and int(head) < 2**31 else 0


# --- the card, wherever it is shown ---------------------------------------------------------------


async def card_for(
    db: Database, workspace: Workspace, member: Member, deal_id: int, headline: str = "deal.card.headline"
) -> tuple[str, list[bk.Block]]:
    """The card of one deal for this member: every button for its owner or a manager, the facts for
    anyone else; a deleted deal says so, with its history."""
    locale = member.locale
    async with db.session() as session:
        deal = await deals.get_deal(session, workspace.id, deal_id)
        history = await deal_history.recent(session, workspace.id, deal_id, HISTORY_LINES)
    if deal is None:
        if not history:
            return t(locale, "deal.error.not_found"), [bk.section(t(locale, "deal.error.not_found"))]
        if not member.is_manager and member.slack_user_id not in {line.by for line in history}:
            history = []  # a deleted deal's history is for managers and whoever worked on it
        return t(locale, "deal.card.deleted", id=deal_id), render.gone_card(deal_id, history, locale)
    card = render.deal_card(deal, locale, headline, history=history, manager=member.is_manager)
    if not deals.may_edit(member, deal):
        card = card[:2]  # someone else's deal: what it is, not its buttons or history
    return render.summary(headline, deal, locale), card


def _modal_of(body: dict[str, Any]) -> dict[str, Any] | None:
    view = body.get("view") or {}
    return view if view.get("type") == "modal" else None


def form_origin(body: dict[str, Any]) -> dict[str, Any]:
    """Where the card a form was opened from lives, so its submission can redraw it."""
    modal = _modal_of(body)
    return {"card_view": modal["id"]} if modal else {"response_url": body.get("response_url")}


async def open_form(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """A form on top of a card modal (pushed), or opened from a message."""
    if _modal_of(body):
        await client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        await client.views_open(trigger_id=body["trigger_id"], view=view)


async def show(
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    card: tuple[str, list[bk.Block]],
    member: Member,
    deal_id: int,
    *,
    replace: bool,
) -> None:
    """Show the card where the click came from: redraw a card modal, open a modal from App Home
    (no channel there), answer ephemerally under a message (replacing it when it is the card)."""
    text, blocks = card
    modal = _modal_of(body)
    if modal is not None:
        view = render.card_modal(blocks, member.locale, deal_id)
        if replace:
            await client.views_update(view_id=modal["id"], view=view)
        else:
            await client.views_push(trigger_id=body["trigger_id"], view=view)
    elif respond is None or (body.get("container") or {}).get("type") == "view":
        await client.views_open(
            trigger_id=body["trigger_id"], view=render.card_modal(blocks, member.locale, deal_id)
        )
    else:
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=replace)


async def redraw(
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    db: Database,
    workspace: Workspace,
    member: Member,
    deal_id: int,
    headline: str,
) -> None:
    """After a card's button changed the deal: the card again, in place."""
    card = await card_for(db, workspace, member, deal_id, headline)
    await show(body, client, respond, card, member, deal_id, replace=True)


async def redraw_from_form(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    member: Member,
    metadata: dict[str, Any],
    deal_id: int,
    headline: str,
) -> None:
    """After a form opened from a card was saved: that card again, where it was."""
    text, blocks = await card_for(db, workspace, member, deal_id, headline)
    if metadata.get("card_view"):
        view = render.card_modal(blocks, member.locale, deal_id)
        await client.views_update(view_id=metadata["card_view"], view=view)
    elif metadata.get("response_url"):
        await AsyncWebhookClient(metadata["response_url"]).send(
            replace_original=True, text=text, blocks=blocks
        )
    else:
        await tell_user(client, member, None, text, blocks)


# --- /deal 42, /deal undo, /deal approval ----------------------------------------------------------


async def open_command(
    ack: AsyncAck, parsed: DealCommand, context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    db, workspace, member = scope(context)
    text, blocks = await card_for(db, workspace, member, parsed.deal_id)
    await ack(text=text, blocks=blocks)


async def undo_command(
    ack: AsyncAck, parsed: DealCommand, context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        async with db.session() as session:
            undone = await deal_lifecycle.undo_last(session, workspace.id, member)
    except deals.DealError as error:
        await ack(text=refusal(locale, error))
        return
    text, blocks = await card_for(db, workspace, member, undone.deal_id, "deal.undone")
    note = t(locale, "deal.undone_note", action=t(locale, f"deal.history.{undone.action}"))
    await ack(text=f"{note}\n{text}", blocks=[bk.section(note), *blocks])
    await deliver_soon(db, client, workspace, undone.deal_id)


async def approval_command(
    ack: AsyncAck, parsed: DealCommand, context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """`/deal approval 50000` (in the workspace currency) or `/deal approval off`."""
    db, workspace, member = scope(context)
    locale = member.locale
    argument = parsed.argument.strip()
    if not argument:  # `/deal approval`: what it is now
        async with db.session() as session:
            current = await deal_history.approval_threshold(session, workspace.id)
        await ack(text=_threshold_text(locale, current, workspace.currency))
        return
    try:
        minor = (
            None if argument.lower() in ("off", "none", "0") else parse_amount(argument, workspace.currency)
        )
        if minor is not None and minor.currency != workspace.currency:
            raise AmountError("unknown_currency")
        async with db.session() as session:
            await deal_lifecycle.set_approval_threshold(
                session, workspace, member, None if minor is None else minor.minor
            )
    except AmountError as error:
        detail = t(locale, f"amount.error.{error.reason}", amount=bk.escape(argument))
        await ack(text=f":warning: {detail}\n{t(locale, 'deal.approval.usage', currency=workspace.currency)}")
        return
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    await ack(text=_threshold_text(locale, None if minor is None else minor.minor, workspace.currency))


def _threshold_text(locale: str | None, minor: int | None, currency: str) -> str:
    if minor is None:
        return t(locale, "deal.approval.off")
    return t(locale, "deal.approval.on", amount=render.money(minor, currency, locale))


COMMANDS: dict[str, Callable[..., Awaitable[None]]] = {
    "open": open_command,
    "undo": undo_command,
    "approval": approval_command,
}


# --- buttons ---------------------------------------------------------------------------------------


async def open_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """`deal_open` (the list, App Home, the celebration, an approval request): the card."""
    db, workspace, member = scope(context)
    await ack()
    deal_id = deal_id_of(action.get("value", ""))
    card = await card_for(db, workspace, member, deal_id)
    await show(body, client, respond, card, member, deal_id, replace=False)


async def _change(
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
    operation: Callable[..., Awaitable[Any]],
    headline: str,
) -> None:
    """One button's change to a deal, then the card redrawn and its posts kept in step."""
    db, workspace, member = scope(context)
    deal_id = deal_id_of(body["actions"][0].get("value", ""))
    try:
        async with db.session() as session:
            await operation(session, workspace.id, deal_id, member)
    except UserError as error:
        await reply_privately(respond, client, member, refusal(member.locale, error))
        return
    await redraw(body, client, respond, db, workspace, member, deal_id, headline)
    await deliver_soon(db, client, workspace, deal_id)


async def delete_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _change(body, client, respond, context, deal_lifecycle.delete_deal, "deal.deleted")


async def reopen_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _change(body, client, respond, context, deal_lifecycle.reopen, "deal.reopened")


async def _decide(
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
    approve: bool,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    deal_id = deal_id_of(body["actions"][0].get("value", ""))
    try:
        async with db.session() as session:
            deal, decided = await deal_lifecycle.decide_win(session, workspace.id, deal_id, member, approve)
    except UserError as error:
        await reply_privately(respond, client, member, refusal(locale, error))
        return
    if deal is None or not decided:
        await reply_privately(respond, client, member, t(locale, "deal.approval.already_decided"))
        return
    key = "deal.approval.approved" if approve else "deal.approval.declined"
    note = t(locale, key, customer=bk.escape(deal.customer.name), amount=render.money_text(deal, locale))
    await respond(text=note, blocks=[bk.section(note)], replace_original=True)
    if not approve:
        owner_note = t(
            deal.owner.locale, "deal.approval.declined_owner", customer=bk.escape(deal.customer.name)
        )
        await tell_user(client, deal.owner, None, owner_note, None)
    await deliver_soon(db, client, workspace, deal_id)


async def approve_win(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _decide(body, context, client, respond, approve=True)


async def decline_win(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _decide(body, context, client, respond, approve=False)


# --- the edit and reassign forms -------------------------------------------------------------------


async def open_edit_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The new-deal form, filled in with the deal (and an owner picker for managers)."""
    db, workspace, member = scope(context)
    await ack()
    async with db.session() as session:
        deal = await deals.get_deal(session, workspace.id, deal_id_of(action.get("value", "")))
    if deal is None or not deals.may_edit(member, deal):
        return
    metadata = {"deal": deal.id, **form_origin(body)}
    view = render.deal_modal(
        member.locale, deal.currency, None, deal=deal, owner_picker=member.is_manager, metadata=metadata
    )
    await open_form(client, body, view)


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def selected_user(view: dict[str, Any], block_id: str) -> str | None:
    element = view["state"]["values"].get(block_id, {}).get("value") or {}
    return element.get("selected_user")


async def open_reassign_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    async with db.session() as session:
        deal = await deals.get_deal(session, workspace.id, deal_id_of(action.get("value", "")))
    if deal is None or not member.is_manager:
        return
    locale = member.locale
    picker = {"type": "users_select", "action_id": "value", "initial_user": deal.owner.slack_user_id}
    body_blocks = [
        bk.section(render.summary("deal.card.headline", deal, locale)),
        bk.input_block("owner", t(locale, "modal.deal.owner"), picker),
    ]
    metadata = json.dumps({"deal": deal.id, **form_origin(body)})
    await open_form(
        client,
        body,
        catalogue_modal(locale, "deal_reassign", body_blocks, keys="modal.reassign", metadata=metadata),
    )


async def submit_reassign_form(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    metadata = metadata_of(view)
    deal_id = deal_id_of(str(metadata.get("deal", "")))
    try:
        async with db.session() as session:
            await deal_lifecycle.reassign(
                session, workspace.id, deal_id, member, selected_user(view, "owner") or ""
            )
    except UserError as error:
        await ack(response_action="errors", errors={"owner": error_text(member.locale, error)})
        return
    await ack()
    await redraw_from_form(client, db, workspace, member, metadata, deal_id, "deal.reassigned")
    await deliver_soon(db, client, workspace, deal_id)
