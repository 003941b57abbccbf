"""Listeners for `/deal`, its modals and its buttons: parse, call one domain operation, render."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import blocks as bk
from bot.kit.i18n import field_error, t
from bot.kit.outbox import deliver_soon
from handlers.customers.listeners import deal_customer
from handlers.deals import lifecycle, render
from handlers.deals.syntax import DealCommand, DealSyntaxError, parse_deal_command
from handlers.middleware import scope
from handlers.replies import error_text, refusal, reply_privately, tell_user
from storage import deal_lifecycle, deals
from storage.dates import check_planned_close
from storage.errors import UserError
from storage.models import Member, Role, Stage
from storage.money import AmountContext, AmountError, amount_context, default_currency, parse_amount
from storage.workspaces import members_by_user_id

log = logging.getLogger(__name__)


# --- /deal ---------------------------------------------------------------------------------------


async def deal_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        currency = amount_context(workspace.currency, member.currency, locale)
        parsed = parse_deal_command(command.get("text", ""), currency)
    except DealSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'deal.usage')}")
        return

    if parsed.verb == "help":
        await ack(text=f"{t(locale, 'deal.usage')}\n{t(locale, 'deal.usage.lifecycle')}")
    elif parsed.verb == "modal":
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"],
            view=render.deal_modal(
                locale, default_currency(workspace.currency, member.currency), command.get("channel_id")
            ),
        )
    elif parsed.verb == "list":
        async with db.session() as session:
            open_deals, totals = await deals.open_pipeline(session, workspace.id, member.id)
            closed = await deals.recently_closed(session, workspace.id, member.id)
        card = render.pipeline(open_deals, totals, locale, closed=closed)
        await ack(text=t(locale, "deal.list.title"), blocks=card)
    elif parsed.verb in lifecycle.COMMANDS:
        await lifecycle.COMMANDS[parsed.verb](ack, parsed, context, client)
    else:
        await _log_or_close(ack, parsed, command, context, client)


async def _log_or_close(
    ack: AsyncAck,
    parsed: DealCommand,
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """`/deal new|won <amount> …` records a deal; `/deal won|lost <customer>` closes an open one."""
    db, workspace, member = scope(context)
    locale = member.locale
    parsed, question = await deal_customer(db, workspace, member, parsed, command)
    if question is not None:  # "Did you mean Acme Corp?": its buttons run this again
        await ack(**question)
        return
    try:
        async with db.session() as session:
            if parsed.money is not None:
                new = deals.NewDeal(
                    customer=parsed.customer,
                    money=parsed.money,
                    title=parsed.title,
                    stage=parsed.stage or Stage.LEAD,
                    expected_close=parsed.close,
                    notes=parsed.notes,
                )
                await check_planned_close(session, workspace.id, member, new, deals.DealError)
                # The trigger id is unique per invocation: a retried request finds the deal it made.
                deal, changed = await deals.create_deal(
                    session,
                    workspace.id,
                    member,
                    new,
                    source_key=f"command:{command['trigger_id']}",
                    channel=command.get("channel_id"),
                )
                headline = "deal.logged" if changed else "deal.already_logged"
            else:
                deal = await deals.find_open_deal(session, workspace.id, member, parsed.customer)
                if deal is None:
                    raise deals.DealError("deal.error.no_open_deal", customer=parsed.customer)
                deal, changed = await deals.change_stage(
                    session,
                    workspace.id,
                    deal.id,
                    parsed.stage or Stage.WON,
                    member,
                    competitor=parsed.competitor,
                    reason=parsed.reason,
                    channel=command.get("channel_id"),
                )
                headline = "deal.moved" if changed else "deal.unchanged"
    except deals.DealError as error:
        await ack(text=refusal(locale, error))
        return
    card = render.deal_card(deal, locale, headline, manager=member.is_manager)
    await ack(text=render.summary(headline, deal, locale), blocks=card)
    await deliver_soon(db, client, workspace, deal.id)


# --- the deal modal ------------------------------------------------------------------------------


def read_deal_modal(
    values: dict[str, Any], currency: str, locale: str | None = None
) -> tuple[deals.NewDeal | None, dict[str, tuple[str, dict[str, str]]]]:
    """The submitted form as a NewDeal, or field errors keyed by block id (nothing is written then):
    (catalogue key, its parameters). A symbol disagreeing with the chosen currency is one."""
    state = {"values": values}
    errors: dict[str, tuple[str, dict[str, str]]] = {}
    customer = " ".join((bk.input_value(state, "customer") or "").split())
    if not customer:
        errors["customer"] = ("deal.error.customer_missing", {})
    chosen = AmountContext(bk.input_value(state, "currency") or currency, locale, chosen=True)
    money = None
    try:
        money = parse_amount(bk.input_value(state, "amount") or "", chosen)
    except AmountError as error:
        errors["amount"] = (f"amount.error.{error.reason}", error.params)
    stage_value = bk.input_value(state, "stage") or Stage.LEAD.value
    close = bk.input_value(state, "close")
    if errors or money is None:
        return None, errors
    new = deals.NewDeal(
        customer=customer,
        money=money,
        title=(bk.input_value(state, "title") or "").strip(),
        stage=Stage(stage_value),
        expected_close=dt.date.fromisoformat(close) if close else None,
        notes=(bk.input_value(state, "notes") or "").strip(),
    )
    return new, {}


async def read_or_refuse(
    ack: AsyncAck, view: dict[str, Any], currency: str, locale: str | None
) -> deals.NewDeal | None:
    """The deal form (new or edit) read, or refused with each error under its field (None then)."""
    new, errors = read_deal_modal(view["state"]["values"], currency, locale)
    if new is None:
        amount = bk.input_value(view["state"], "amount") or ""
        await ack(
            response_action="errors",
            errors={
                block: field_error(locale, key, amount=amount, **p) for block, (key, p) in errors.items()
            },
        )
    return new


# Which input of the deal modal a refusal from the domain is shown under.
MODAL_FIELD_OF_ERROR = {
    "customers.error.name_too_long": "customer",
    "deal.error.customer_missing": "customer",
    "deal.error.title_too_long": "title",
    "dates.error.past": "close",  # the one rule for planned dates (storage/dates.py)
}


async def submit_deal_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    new = await read_or_refuse(ack, view, default_currency(workspace.currency, member.currency), locale)
    if new is None:
        return
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    try:
        async with db.session() as session:
            owner = await deal_owner(session, workspace.id, member, view)
            await check_planned_close(session, workspace.id, owner, new, deals.DealError)
            # One deal per view: a double-clicked Save submits the same view id twice.
            deal, created = await deals.create_deal(
                session, workspace.id, owner, new, source_key=f"view:{view['id']}", channel=channel
            )
    except deals.DealError as error:  # beyond the domain's limits: shown under the field, nothing written
        block = MODAL_FIELD_OF_ERROR.get(error.key, "customer")
        await ack(response_action="errors", errors={block: error_text(locale, error)})
        return
    await ack()
    headline = "deal.logged" if created else "deal.already_logged"
    card = render.deal_card(deal, locale, manager=member.is_manager)
    await tell_user(client, member, channel, render.summary(headline, deal, locale), card)
    await deliver_soon(db, client, workspace, deal.id)


async def submit_edit_form(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The edit form is the new-deal form: read by the same reader, refused under the same fields."""
    db, workspace, member = scope(context)
    locale = member.locale
    metadata = lifecycle.metadata_of(view)
    deal_id = lifecycle.deal_id_of(str(metadata.get("deal", "")))
    new = await read_or_refuse(ack, view, workspace.currency, locale)
    if new is None:
        return
    edit = deal_lifecycle.DealEdit(new, owner=lifecycle.selected_user(view, "owner"))
    try:
        async with db.session() as session:
            await deal_lifecycle.edit_deal(session, workspace.id, deal_id, member, edit)
    except UserError as error:
        block = MODAL_FIELD_OF_ERROR.get(error.key, "customer")
        await ack(response_action="errors", errors={block: error_text(locale, error)})
        return
    await ack()
    await lifecycle.redraw_from_form(client, db, workspace, member, metadata, deal_id, "deal.edited")
    await deliver_soon(db, client, workspace, deal_id)


async def deal_owner(
    session: AsyncSession, workspace_id: int, member: Member, view: dict[str, Any]
) -> Member:
    """Who the form's deal is for: the rep a message shortcut named (when still a rep here), else you."""
    user_id = json.loads(view.get("private_metadata") or "{}").get("owner")
    if not user_id or user_id == member.slack_user_id:
        return member
    owner = (await members_by_user_id(session, workspace_id, [user_id])).get(user_id)
    is_rep = owner is not None and owner.role == Role.REP.value and not (owner.is_bot or owner.deleted)
    return owner if is_rep else member


async def submit_lost_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    metadata = json.loads(view.get("private_metadata") or "{}")
    competitor = (bk.input_value(view["state"], "competitor") or "").strip() or None
    reason = (bk.input_value(view["state"], "reason") or "").strip() or None
    try:
        async with db.session() as session:
            deal, changed = await deals.change_stage(
                session,
                workspace.id,
                lifecycle.deal_id_of(str(metadata.get("deal", ""))),
                Stage.LOST,
                member,
                competitor=competitor,
                reason=reason,
            )
    except deals.DealError as error:
        await tell_user(client, member, None, error_text(locale, error), None)
        return
    headline = "deal.moved" if changed else "deal.unchanged"
    await lifecycle.redraw_from_form(client, db, workspace, member, metadata, deal.id, headline)


# --- buttons -------------------------------------------------------------------------------------


async def move_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """The deal card's stage buttons; the value is "<deal id>:<target stage>"."""
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        target = Stage(action["value"].partition(":")[2])
        async with db.session() as session:
            deal, changed = await deals.change_stage(
                session, workspace.id, lifecycle.deal_id_of(action["value"]), target, member, channel=channel
            )
    except ValueError:
        await reply_privately(respond, client, member, f":warning: {t(locale, 'deal.error.not_found')}")
        return
    except deals.DealError as error:
        await reply_privately(respond, client, member, refusal(locale, error))
        return
    headline = "deal.moved" if changed else "deal.unchanged"
    await lifecycle.redraw(body, client, respond, db, workspace, member, deal.id, headline)
    await deliver_soon(db, client, workspace, deal.id)


async def open_lost_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    async with db.session() as session:
        deal = await deals.get_deal(session, workspace.id, lifecycle.deal_id_of(action["value"]))
    if deal is None:
        return
    await lifecycle.open_form(
        client, body, render.lost_modal(deal, member.locale, lifecycle.form_origin(body))
    )


async def congratulate_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    try:
        async with db.session() as session:
            deal = await deals.get_deal(session, workspace.id, lifecycle.deal_id_of(action["value"]))
            if deal is None:
                return
            congratulations, added = await deals.congratulate(session, workspace.id, deal, member)
    except deals.DealError as error:  # their own win
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)
        return
    if not added:
        return  # a second click by the same person: counted once, nothing to redraw
    container = body.get("container") or {}
    text, card = render.celebration(deal, congratulations, workspace.locale)
    await client.chat_update(
        channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=card
    )
