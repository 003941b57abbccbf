"""Listeners for `/deal`, its modals and its buttons: parse, call one domain operation, render."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import blocks as bk
from bot.kit import delivery
from bot.kit.i18n import field_error, t
from handlers.deals import render
from handlers.deals.syntax import DealCommand, DealSyntaxError, parse_deal_command
from handlers.middleware import scope
from handlers.replies import error_text, refusal, tell_user
from storage import deals
from storage.dates import check_planned_close
from storage.db import Database
from storage.models import Deal, Member, Role, Stage, Workspace
from storage.money import AmountError, parse_amount
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
        parsed = parse_deal_command(command.get("text", ""), workspace.currency)
    except DealSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'deal.usage')}")
        return

    if parsed.verb == "help":
        await ack(text=t(locale, "deal.usage"))
    elif parsed.verb == "modal":
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"],
            view=render.deal_modal(locale, workspace.currency, command.get("channel_id")),
        )
    elif parsed.verb == "list":
        async with db.session() as session:
            open_deals, totals = await deals.open_pipeline(session, workspace.id, member.id)
        await ack(text=t(locale, "deal.list.title"), blocks=render.pipeline(open_deals, totals, locale))
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
                    session, workspace.id, member, new, source_key=f"command:{command['trigger_id']}"
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
                )
                headline = "deal.moved" if changed else "deal.unchanged"
    except deals.DealError as error:
        await ack(text=refusal(locale, error))
        return
    await ack(text=render.summary(headline, deal, locale), blocks=render.deal_card(deal, locale, headline))
    if deal.stage == Stage.WON:
        await celebrate(client, db, workspace, deal, fallback_channel=command.get("channel_id"), user=member)


# --- the deal modal ------------------------------------------------------------------------------


def read_deal_modal(
    values: dict[str, Any], default_currency: str
) -> tuple[deals.NewDeal | None, dict[str, str]]:
    """The submitted form as a NewDeal, or field errors keyed by block id (nothing is written then)."""
    state = {"values": values}
    errors: dict[str, str] = {}
    customer = " ".join((bk.input_value(state, "customer") or "").split())
    if not customer:
        errors["customer"] = "deal.error.customer_missing"
    currency = bk.input_value(state, "currency") or default_currency
    money = None
    try:
        money = parse_amount(bk.input_value(state, "amount") or "", currency)
    except AmountError as error:
        errors["amount"] = f"amount.error.{error.reason}"
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
    new, errors = read_deal_modal(view["state"]["values"], workspace.currency)
    if new is None:
        amount = bk.input_value(view["state"], "amount") or ""
        await ack(
            response_action="errors",
            errors={block: field_error(locale, key, amount=amount) for block, key in errors.items()},
        )
        return
    try:
        async with db.session() as session:
            owner = await deal_owner(session, workspace.id, member, view)
            await check_planned_close(session, workspace.id, owner, new, deals.DealError)
            # One deal per view: a double-clicked Save submits the same view id twice.
            deal, created = await deals.create_deal(
                session, workspace.id, owner, new, source_key=f"view:{view['id']}"
            )
    except deals.DealError as error:  # beyond the domain's limits: shown under the field, nothing written
        block = MODAL_FIELD_OF_ERROR.get(error.key, "customer")
        await ack(response_action="errors", errors={block: error_text(locale, error)})
        return
    await ack()
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    headline = "deal.logged" if created else "deal.already_logged"
    await tell_user(
        client, member, channel, render.summary(headline, deal, locale), render.deal_card(deal, locale)
    )
    if deal.stage == Stage.WON:
        await celebrate(client, db, workspace, deal, fallback_channel=channel, user=member)


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
                deal_id_of(str(metadata.get("deal", ""))),
                Stage.LOST,
                member,
                competitor=competitor,
                reason=reason,
            )
    except deals.DealError as error:
        await tell_user(client, member, None, error_text(locale, error), None)
        return
    headline = "deal.moved" if changed else "deal.unchanged"
    if metadata.get("response_url"):  # redraw the ephemeral card the Lost button was on
        await AsyncWebhookClient(metadata["response_url"]).send(
            replace_original=True,
            text=render.summary(headline, deal, locale),
            blocks=render.deal_card(deal, locale, headline),
        )


# --- buttons -------------------------------------------------------------------------------------


def deal_id_of(value: str) -> int:
    """The deal id at the front of a button value ("42" or "42:qualified"); forged values find nothing."""
    head = value.split(":", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and int(head) < 2**31 else 0


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
    try:
        target = Stage(action["value"].partition(":")[2])
        async with db.session() as session:
            deal, changed = await deals.change_stage(
                session, workspace.id, deal_id_of(action["value"]), target, member
            )
    except ValueError:
        await respond(text=f":warning: {t(locale, 'deal.error.not_found')}", replace_original=False)
        return
    except deals.DealError as error:
        await respond(text=refusal(locale, error), replace_original=False)
        return
    headline = "deal.moved" if changed else "deal.unchanged"
    await respond(
        replace_original=True,
        text=render.summary(headline, deal, locale),
        blocks=render.deal_card(deal, locale, headline),
    )
    if deal.stage == Stage.WON:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        await celebrate(client, db, workspace, deal, fallback_channel=channel, user=member)


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
        deal = await deals.get_deal(session, workspace.id, deal_id_of(action["value"]))
    if deal is None:
        return
    await client.views_open(
        trigger_id=body["trigger_id"], view=render.lost_modal(deal, member.locale, body.get("response_url"))
    )


async def congratulate_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    async with db.session() as session:
        deal = await deals.get_deal(session, workspace.id, deal_id_of(action["value"]))
        if deal is None:
            return
        total, added = await deals.congratulate(session, workspace.id, deal.id, member)
    if not added:
        return  # a second click by the same person: counted once, nothing to redraw
    container = body.get("container") or {}
    text, card = render.celebration(deal, total, workspace.locale)
    await client.chat_update(
        channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=card
    )


# --- shared steps --------------------------------------------------------------------------------


async def celebrate(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    deal: Deal,
    *,
    fallback_channel: str | None,
    user: Member,
) -> None:
    """Post the win to the wins channel once per deal, whoever clicked or retried."""
    channel = workspace.channel("wins") or fallback_channel
    if not channel:
        return
    async with db.session() as session:
        if not await deals.claim_celebration(session, workspace.id, deal.id):
            return
    text, card = render.celebration(deal, 0, workspace.locale)
    posted = None
    try:
        posted = await delivery.post_unless_gone(client, channel, text, card, what="celebration")
    finally:
        if posted is None:  # not out: a retry or the next click may post it
            async with db.session() as session:
                await deals.release_celebration(session, workspace.id, deal.id)
    if posted is None:
        await delivery.tell_cannot_post(client, user, user.locale, channel)
        return
    async with db.session() as session:
        await deals.record_celebration(session, workspace.id, deal.id, posted["channel"], posted["ts"])
