"""Listeners for `/reward`, the nomination buttons and the redemption buttons."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit import delivery
from bot.kit.i18n import t
from bot.kit.mentions import named_in, spell_out
from bot.kit.views import rewards as views
from handlers.middleware import known_members, scope
from handlers.replies import refusal, reply_privately
from handlers.rewards import render
from handlers.rewards.syntax import RewardCommand, parse_reward_command, takes_person
from storage import points, rewards
from storage.authority import require_manager, require_sight_of_others
from storage.db import Database
from storage.errors import UserError
from storage.models import Award, Member, Workspace, utcnow

log = logging.getLogger(__name__)
HISTORY = 10


def target_id(value: str) -> int:
    """The row a button names; a forged value finds nothing (and every lookup is per workspace)."""
    return int(value) if (value or "").isascii() and value.isdigit() and int(value) < 2**31 else 0


async def one_member(client: AsyncWebClient, db: Database, workspace: Workspace, user_id: str) -> Member:
    found = (await known_members(client, db, workspace.id, [user_id]))[user_id]
    if found is None:
        raise rewards.RewardError("rewards.error.unknown_user", user=user_id)
    return found


# --- /reward -------------------------------------------------------------------------------------


async def reward_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    text = command.get("text", "")
    try:  # a typed @name is read as the person it names, where the command takes a person
        if takes_person(text):
            text = await spell_out(db, workspace.id, text, addressee_only=True)
        parsed = parse_reward_command(text)
    except UserError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale, member.is_manager)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(locale, member.is_manager))
        return
    try:
        if parsed.verb == "points":
            await show_points(ack, client, db, workspace, member, parsed)
        elif parsed.verb == "catalogue":
            await show_catalogue(ack, db, workspace, member)
        elif parsed.verb in ("catalogue-add", "catalogue-remove"):
            await change_catalogue(ack, db, workspace, member, parsed)
        elif parsed.verb == "redeem":
            await redeem(ack, client, db, workspace, member, parsed, command)
        else:
            await award(ack, client, db, workspace, member, parsed, command)
    except UserError as error:
        await ack(text=refusal(locale, named_in(text, error)))


async def show_points(
    ack: AsyncAck, client: AsyncWebClient, db: Database, workspace: Workspace, member: Member,
    parsed: RewardCommand,
) -> None:  # fmt: skip
    target = member
    if parsed.user_id and parsed.user_id != member.slack_user_id:
        require_sight_of_others(member)
        target = await one_member(client, db, workspace, parsed.user_id)
    async with db.session() as session:
        balance = await points.balance(session, workspace.id, target.id)
        entries = await points.history(session, workspace.id, target.id, HISTORY)
    text, blocks = render.points_view(target, balance, entries, target.id == member.id, member.locale)
    await ack(text=text, blocks=blocks)


async def show_catalogue(ack: AsyncAck, db: Database, workspace: Workspace, member: Member) -> None:
    async with db.session() as session:
        items = await rewards.list_items(session, workspace.id)
        balance = await points.balance(session, workspace.id, member.id)
    text, blocks = render.catalogue(items, balance, member.locale)
    await ack(text=text, blocks=blocks)


async def change_catalogue(
    ack: AsyncAck, db: Database, workspace: Workspace, member: Member, parsed: RewardCommand
) -> None:
    locale = member.locale
    async with db.session() as session:
        if parsed.verb == "catalogue-add":
            item = await rewards.add_item(
                session, workspace.id, member, parsed.name, parsed.cost, parsed.stock
            )
        else:
            item = await rewards.remove_item(session, workspace.id, member, parsed.name)
    if parsed.verb == "catalogue-add":
        stock = (
            t(locale, "rewards.catalogue.stock", stock=item.stock)
            if item.stock is not None
            else t(locale, "rewards.catalogue.unlimited")
        )
        await ack(
            text=t(
                locale,
                "rewards.catalogue.added",
                id=item.id,
                name=bk.escape(item.name),
                cost=render.points(locale, item.cost),
                stock=stock,
            )
        )
    else:
        await ack(text=t(locale, "rewards.catalogue.removed", name=bk.escape(item.name)))


async def redeem(
    ack: AsyncAck, client: AsyncWebClient, db: Database, workspace: Workspace, member: Member,
    parsed: RewardCommand, command: dict[str, Any],
) -> None:  # fmt: skip
    locale = member.locale
    async with db.session() as session:
        result = await rewards.redeem(
            session,
            workspace,
            member,
            parsed.name,
            source_key=f"command:{command['trigger_id']}",
            now=utcnow(),
        )
    name = bk.escape(result.item.name)
    if not result.created:
        await ack(text=t(locale, "rewards.redeem.already", item=name))
        return
    async with db.session() as session:  # nobody approves their own: the redeemer gets no card
        deciders = await rewards.other_managers(session, workspace.id, member)
    text = views.redeem_requested(locale, name, result.item.cost, result.balance)
    if not deciders and member.is_manager:
        text += "\n" + t(locale, "rewards.redeem.no_other_manager")
    await ack(text=text)
    card = partial(views.redemption_card, result.redemption, result.item, member)
    await delivery.dm_each(client, deciders, lambda manager: card(manager.locale), what="redemption request")


async def award(
    ack: AsyncAck, client: AsyncWebClient, db: Database, workspace: Workspace, member: Member,
    parsed: RewardCommand, command: dict[str, Any],
) -> None:  # fmt: skip
    require_manager(member)  # before looking anyone up: a refusal writes nothing
    assert parsed.user_id is not None
    receiver = await one_member(client, db, workspace, parsed.user_id)
    async with db.session() as session:
        result = await rewards.give_award(
            session, workspace, member, receiver, title=parsed.title, reason=parsed.reason,
            points_given=parsed.points, source_key=f"command:{command['trigger_id']}", now=utcnow(),
        )  # fmt: skip
    key = "rewards.awarded" if result.created else "rewards.award_already"
    await ack(text=t(member.locale, key, user=render.mention(receiver), title=bk.escape(result.award.title),
                     points=render.points(member.locale, result.award.points)))  # fmt: skip
    if result.created:
        await announce(client, db, workspace, result.award, receiver, member, command.get("channel_id"))


async def announce(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    award: Award,
    receiver: Member,
    giver: Member,
    fallback_channel: str | None,
) -> None:
    """The rich card in the team channel, else where the award was given."""
    channel = workspace.channel("team") or fallback_channel
    if not channel:
        return
    text, blocks = views.award_card(award, receiver, giver, workspace.locale)
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    async with db.session() as session:
        await rewards.record_award_card(session, workspace.id, award.id, posted["channel"], posted["ts"])


# --- nomination buttons --------------------------------------------------------------------------


async def nomination_clicked(
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
    announce_it = action["action_id"] == "rewards_nomination_announce"
    try:
        async with db.session() as session:
            nomination = await rewards.get_nomination(
                session, workspace.id, target_id(action.get("value", ""))
            )
            reason = views.nomination_reason(nomination, workspace.locale) if nomination else ""
            result = await rewards.decide_nomination(
                session, workspace, member, nomination.id if nomination else 0, announce=announce_it,
                reason=reason, now=utcnow(),
            )  # fmt: skip
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if not result.changed:
        await respond(
            text=t(locale, "rewards.nomination.already"), response_type="ephemeral", replace_original=False
        )
    elif result.award is not None:
        async with db.session() as session:
            receiver = await rewards.get_member_by_id(session, workspace.id, result.award.member_id)
        if receiver is not None:
            await announce(client, db, workspace, result.award, receiver, member,
                           (body.get("container") or {}).get("channel_id"))  # fmt: skip
    await redraw_nominations(client, db, workspace, result.nomination.month, member, body)


async def redraw_nominations(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    month: str,
    member: Member,
    body: dict[str, Any],
) -> None:
    container = body.get("container") or {}
    if not (container.get("channel_id") and container.get("message_ts")):
        return
    async with db.session() as session:
        nominations = await rewards.nominations_of(session, workspace.id, month)
        people = {}
        for nomination in nominations:
            person = await rewards.get_member_by_id(session, workspace.id, nomination.member_id)
            if person is not None:
                people[person.id] = person
    text, blocks = views.nominations_card(nominations, people, member.locale)
    await client.chat_update(
        channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
    )


# --- redemption buttons --------------------------------------------------------------------------


async def redemption_clicked(
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
    approve = action["action_id"] == "rewards_redemption_approve"
    try:
        async with db.session() as session:
            decision = await rewards.decide_redemption(
                session,
                workspace.id,
                member,
                target_id(action.get("value", "")),
                approve=approve,
                now=utcnow(),
            )
            balance = await points.balance(session, workspace.id, decision.member.id)
            decider = (
                await rewards.get_member_by_id(session, workspace.id, decision.redemption.decided_by_id)
                if decision.redemption.decided_by_id
                else None
            )
    except UserError as error:
        await reply_privately(respond, client, member, refusal(locale, error))
        return
    if decision.changed:
        note = views.redemption_outcome(decision.redemption, decision.item, decision.out_of_stock, balance,
                                        decision.member.locale)  # fmt: skip
        await client.chat_postMessage(channel=decision.member.slack_user_id, text=note)
    else:
        await reply_privately(respond, client, member, t(locale, "rewards.redemption.already"))
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        text, blocks = views.redemption_card(
            decision.redemption, decision.item, decision.member, locale, decider
        )
        await client.chat_update(
            channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
        )
