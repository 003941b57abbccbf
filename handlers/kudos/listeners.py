"""Listeners for `/kudos`, its modal, its card buttons and the kudos reaction."""

from __future__ import annotations

import json
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.mentions import named_in, spell_out
from handlers.kudos import render
from handlers.kudos.syntax import parse_kudos_command
from handlers.middleware import complete_members, known_members, scope
from handlers.replies import tell_user
from storage import kudos, privacy
from storage.db import Database
from storage.errors import UserError
from storage.models import KudosGive, Member, Workspace, utcnow
from storage.periods import Period, member_zone
from storage.workspaces import members_by_user_id

log = logging.getLogger(__name__)


def refusal(locale: str | None, error: UserError) -> str:
    return ":warning: " + t(locale, error.key, **render.error_params(error.params, utcnow(), locale))


async def receivers_for(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    user_ids: list[str],
    known: dict[str, Member] | None = None,
) -> list[Member]:
    """Members for the user ids (those in `known` are not looked up again); an error for any unknown."""
    if known is None:
        found = await known_members(client, db, workspace.id, user_ids)
    else:
        found = await complete_members(client, db, workspace.id, user_ids, known)
    unknown = [user_id for user_id, member in found.items() if member is None]
    if unknown:
        raise kudos.KudosError("kudos.error.unknown_user", user=unknown[0])
    return [m for m in found.values() if m is not None]


# --- /kudos --------------------------------------------------------------------------------------


async def kudos_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_kudos_command(await spell_out(db, workspace.id, command.get("text", "")))
    except UserError as error:  # the syntax, or an @name that names nobody (bot/kit/mentions.py)
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(workspace, locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(workspace, locale))
    elif parsed.verb == "modal":
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"],
            view=render.kudos_modal(workspace, locale, command.get("channel_id")),
        )
    elif parsed.verb == "stats":
        await ack(
            blocks=await my_stats(db, workspace, member, parsed.period),
            text=t(locale, "kudos.stats.title", period=parsed.period),
        )
    else:
        try:
            receivers, result = await _give(
                client, db, workspace, member, list(parsed.user_ids), parsed.message, parsed.values,
                "command", f"command:{command['trigger_id']}", command.get("channel_id"),
            )  # fmt: skip
        except UserError as error:
            await ack(text=refusal(locale, named_in(command.get("text", ""), error)))
            return
        key = "kudos.sent" if result.created else "kudos.already_sent"
        await ack(text=t(locale, key, receivers=render.people(receivers), left=result.allowance.left))
        if result.created:
            await announce(client, db, workspace, result.give, fallback_channel=command.get("channel_id"),
                           people=(receivers, []))  # fmt: skip


async def _give(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    giver: Member,
    user_ids: list[str],
    message: str,
    values: tuple[str, ...] | list[str],
    source: str,
    source_key: str,
    channel_id: str | None,
) -> tuple[list[Member], kudos.GiveResult]:
    """(receivers, result): the receivers are looked up and given to in one transaction when all are
    known (the usual case); anyone never seen before is first asked of Slack, outside a transaction."""

    async def give(session: AsyncSession, receivers: list[Member]) -> kudos.GiveResult:
        return await kudos.give_kudos(
            session, workspace, giver, receivers, message=message, values=list(values), source=source,
            source_key=source_key, channel_id=channel_id, now=utcnow(),
        )  # fmt: skip

    async with db.session() as session:
        known = await members_by_user_id(session, workspace.id, user_ids)
        if all(user_id in known for user_id in user_ids):
            receivers = [known[user_id] for user_id in dict.fromkeys(user_ids)]
            return receivers, await give(session, receivers)
    receivers = await receivers_for(client, db, workspace, user_ids, known)
    async with db.session() as session:
        return receivers, await give(session, receivers)


async def my_stats(db: Database, workspace: Workspace, member: Member, period: str) -> list[bk.Block]:
    zone = member_zone(member, workspace)
    start = end = None
    if period != "all":
        start, end = Period.containing(period, utcnow(), zone).utc_bounds(zone)
    async with db.session() as session:
        rows = await kudos.kudos_stats(session, workspace.id, start, end)
        by_value = await kudos.kudos_by_value(session, workspace.id, member.id, start, end)
    mine = next((row for row in rows if row.member_id == member.id), None)
    return render.stats(mine, by_value, period, member.locale)


# --- the modal -----------------------------------------------------------------------------------


async def submit_kudos_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    state = view["state"]
    user_ids = bk.input_value(state, "receivers") or []
    message = (bk.input_value(state, "message") or "").strip()
    value = bk.input_value(state, "value")
    try:
        receivers, result = await _give(client, db, workspace, member, user_ids, message,
                                        [value] if value else [], "modal", f"view:{view['id']}", None)  # fmt: skip
    except UserError as error:
        block = (
            "receivers"
            if "user" in error.key or "receivers" in error.key or error.key.endswith(("self", "bot"))
            else "message"
        )
        await ack(response_action="errors", errors={block: refusal(locale, error).removeprefix(":warning: ")})
        return
    await ack()
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    if result.created:
        note = t(locale, "kudos.sent", receivers=render.people(receivers), left=result.allowance.left)
        await tell_user(client, member, channel, note, None)
        await announce(client, db, workspace, result.give, fallback_channel=channel, people=(receivers, []))


# --- the card's buttons --------------------------------------------------------------------------


def give_id_of(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**31 else 0


async def me_too(
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
    try:
        async with db.session() as session:
            give, added, allowance = await kudos.add_co_giver(
                session, workspace, give_id_of(action["value"]), member, utcnow()
            )
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if added:
        await respond(
            text=t(locale, "kudos.metoo_added", left=allowance.left),
            response_type="ephemeral",
            replace_original=False,
        )
        await redraw(client, db, workspace, give)


async def undo(
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
    try:
        async with db.session() as session:
            give = await kudos.undo_give(session, workspace, give_id_of(action["value"]), member, utcnow())
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if give.card_channel and give.card_ts:
        text, blocks = render.withdrawn_card(give, workspace.locale)
        await client.chat_update(channel=give.card_channel, ts=give.card_ts, text=text, blocks=blocks)
    await respond(text=t(locale, "kudos.undone"), response_type="ephemeral", replace_original=False)


# --- reactions -----------------------------------------------------------------------------------


def is_kudos_reaction(reaction: str, workspace: Workspace) -> bool:
    """`clap` and its skin tones (`clap::skin-tone-3`) count for the `clap` emoji."""
    return reaction.split("::", 1)[0] == workspace.kudos_emoji


def reaction_key(event: dict[str, Any]) -> str:
    item = event.get("item") or {}
    return f"reaction:{item.get('channel')}:{item.get('ts')}:{event.get('user')}:{event.get('reaction', '').split('::')[0]}"


async def reaction_added(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    item = event.get("item") or {}
    author = event.get("item_user")
    if (
        not is_kudos_reaction(event.get("reaction", ""), workspace)
        or item.get("type") != "message"
        or not author
    ):
        return
    if author == member.slack_user_id:
        return  # clapping for your own message is not a kudos, and not worth a scolding either
    channel, ts = item.get("channel"), item.get("ts")
    try:
        reason = await reaction_reason(client, workspace, channel, ts)
        receivers, result = await _give_for_reaction(client, db, workspace, member, author, reason, event)
    except UserError as error:
        await client.chat_postEphemeral(
            channel=channel, user=member.slack_user_id, text=refusal(member.locale, error)
        )
        return
    if result is not None and result.created:
        note = t(member.locale, "kudos.sent", receivers=render.people(receivers), left=result.allowance.left)
        await client.chat_postEphemeral(channel=channel, user=member.slack_user_id, text=note)
        await announce(client, db, workspace, result.give, fallback_channel=channel, thread_ts=ts,
                       people=(receivers, []))  # fmt: skip


async def _give_for_reaction(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    giver: Member,
    author: str,
    reason: str,
    event: dict[str, Any],
) -> tuple[list[Member], kudos.GiveResult | None]:
    """The give for a reaction, unless Slack already removed it (a newer removal was seen first)."""
    item = event.get("item") or {}

    async def give(session: AsyncSession, receivers: list[Member]) -> kudos.GiveResult | None:
        return await kudos.give_for_reaction(
            session, workspace, giver, receivers, message=reason, source_key=reaction_key(event),
            version=reaction_version(event), channel_id=item.get("channel"), now=utcnow(),
        )  # fmt: skip

    async with db.session() as session:
        known = await members_by_user_id(session, workspace.id, [author])
        if author in known:
            return [known[author]], await give(session, [known[author]])
    receivers = await receivers_for(client, db, workspace, [author], known)
    async with db.session() as session:
        return receivers, await give(session, receivers)


def reaction_version(event: dict[str, Any]) -> Decimal | None:
    """When Slack saw the add or removal (event_ts): the later one is the reaction's final state.
    None when the event carries no usable stamp (it is then applied, unordered)."""
    stamp = str(event.get("event_ts"))
    try:
        version = Decimal(stamp)
    except InvalidOperation:
        return None
    return version if version.is_finite() and len(stamp) <= 32 else None


async def reaction_reason(client: AsyncWebClient, workspace: Workspace, channel: str, ts: str) -> str:
    """What the card says the kudos are for. The message is quoted only where everyone who sees the
    card could read it anyway: a public channel, with the card in that channel or its thread.
    Anywhere else (a private channel, a DM, another channel) the card links to the message, whose
    text then stays behind Slack's own permissions."""
    kudos_channel = workspace.channel("kudos")
    card_beside_message = kudos_channel is None or kudos_channel == channel
    if card_beside_message and await is_public_channel(client, channel):
        text = await message_text(client, channel, ts)
        if text:
            return t(workspace.locale, "kudos.reaction.reason", text=bk.truncate(" ".join(text.split()), 200))
        return t(workspace.locale, "kudos.reaction.no_text")
    link = await message_link(client, channel, ts)
    if link:
        return t(workspace.locale, "kudos.reaction.link", link=link)
    return t(workspace.locale, "kudos.reaction.no_text")


async def is_public_channel(client: AsyncWebClient, channel: str) -> bool:
    """Whether anyone in the workspace may read the channel; False when Slack will not say.

    Asked of Slack (conversations.info): a channel id's first letter does not tell (newer private
    channels start with C too).
    """
    try:
        info = (await client.conversations_info(channel=channel)).get("channel") or {}
    except SlackApiError as exc:
        log.info("could not tell whether a channel is public: %s", exc.response.get("error"))
        return False
    return bool(info.get("is_channel")) and not any(
        info.get(flag) for flag in ("is_private", "is_im", "is_mpim", "is_group")
    )


async def message_link(client: AsyncWebClient, channel: str, ts: str) -> str:
    """The reacted-to message's permalink (no scope needed); '' when Slack will not give one."""
    try:
        answer = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as exc:
        log.info("could not link to the reacted message: %s", exc.response.get("error"))
        return ""
    return str(answer.get("permalink") or "")


async def reaction_removed(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    if not is_kudos_reaction(event.get("reaction", ""), workspace):
        return
    async with db.session() as session:
        give = await kudos.take_back_reaction(
            session, workspace.id, member.id, reaction_key(event), reaction_version(event)
        )
    if give is not None and give.card_channel and give.card_ts:
        await client.chat_delete(channel=give.card_channel, ts=give.card_ts)


async def message_text(client: AsyncWebClient, channel: str, ts: str) -> str:
    """The reacted-to message's text as typed (Slack's `&amp;` `&lt;` `&gt;` undone, escaped again where
    shown), needing channels:history / groups:history; '' when unreadable."""
    try:
        history = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    except SlackApiError as exc:
        log.info("could not read the reacted message: %s", exc.response.get("error"))
        return ""
    messages = history.get("messages") or []
    return bk.unescape(messages[0].get("text", "")) if messages and messages[0].get("ts") == ts else ""


# --- shared steps --------------------------------------------------------------------------------


async def announce(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    give: KudosGive,
    *,
    fallback_channel: str | None,
    thread_ts: str | None = None,
    people: tuple[list[Member], list[Member]] | None = None,
) -> None:
    """Post the card to the kudos channel, or where the kudos were given (in the thread, for reactions).

    `people` (receivers, co-givers) with a give just made (its giver and tags loaded) saves reading
    them back; nobody can be a co-giver yet, as the Me too button is on the card being posted.
    """
    kudos_channel = workspace.channel("kudos")
    channel = kudos_channel or fallback_channel
    if not channel:
        return
    if people is None:
        async with db.session() as session:
            give = await kudos.get_give(session, workspace.id, give.id) or give  # with giver and tags loaded
            people = await kudos.give_people(session, give)
    receivers, co_givers = people
    channel, thread_ts = privacy.kudos_card_place(receivers, channel, None if kudos_channel else thread_ts)
    text, blocks = render.card(give, receivers, co_givers, workspace.locale)
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
    async with db.one_statement() as session:
        still_given = await kudos.record_card(session, give.id, posted["channel"], posted["ts"])
    if not still_given:  # the reaction was removed (or the give undone) while we were posting
        await client.chat_delete(channel=posted["channel"], ts=posted["ts"])


async def redraw(client: AsyncWebClient, db: Database, workspace: Workspace, give: KudosGive) -> None:
    async with db.session() as session:
        fresh = await kudos.get_give(session, workspace.id, give.id)
        if fresh is None or not (fresh.card_channel and fresh.card_ts):
            return
        receivers, co_givers = await kudos.give_people(session, fresh)
    text, blocks = render.card(fresh, receivers, co_givers, workspace.locale)
    await client.chat_update(channel=fresh.card_channel, ts=fresh.card_ts, text=text, blocks=blocks)
