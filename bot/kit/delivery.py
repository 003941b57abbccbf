"""Slack side effects that listeners and jobs share: post in a channel (telling someone when the bot
cannot), and DM each of several people their own card.

The caller says who is concerned (the clicker, the organiser, the managers): nothing here queries
who that is, so the rules for it stay in storage and the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.kit.i18n import t
from storage.models import Member

log = logging.getLogger(__name__)

# Slack's answers when the bot cannot post in a channel: not invited, deleted, archived.
CHANNEL_GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

Card = tuple[str, list[dict[str, Any]] | None]  # (fallback text, blocks)


async def post_or_tell(
    client: AsyncWebClient,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    *,
    tell: Member | None,
    locale: str | None,
    what: str,
) -> AsyncSlackResponse | None:
    """Post in `channel`; None when the bot cannot post there, after DMing `tell` how to invite it.

    `what` names the post in the log. Any other Slack error is raised for the caller's retry rules.
    """
    posted = await post_unless_gone(client, channel, text, blocks, what=what)
    if posted is None:
        await tell_cannot_post(client, tell, locale, channel)
    return posted


async def post_unless_gone(
    client: AsyncWebClient, channel: str, text: str, blocks: list[dict[str, Any]] | None, *, what: str
) -> AsyncSlackResponse | None:
    """Post in `channel`; None when the bot cannot post there (a caller with a claim to give back
    does so before telling anyone, so that their retry finds it free)."""
    try:
        return await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("%s not posted: %s", what, error)
        if error not in CHANNEL_GONE:
            raise
    return None


async def tell_cannot_post(
    client: AsyncWebClient, tell: Member | None, locale: str | None, channel: str
) -> None:
    """DM `tell` that the bot cannot post in `channel` and how to invite it."""
    if tell is not None and not tell.deleted:
        note = t(locale, "error.not_in_channel", channel=channel)
        await client.chat_postMessage(channel=tell.slack_user_id, text=note)


async def dm_each(
    client: AsyncWebClient, recipients: Iterable[Member], card: Callable[[Member], Card], *, what: str
) -> int:
    """DM each recipient the card drawn for them (their language); returns how many got it.

    One unreachable person does not stop the others: their failure is logged and skipped.
    """
    sent = 0
    for person in recipients:
        text, blocks = card(person)
        try:
            await client.chat_postMessage(channel=person.slack_user_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("%s DM not sent: %s", what, exc.response.get("error"))
            continue
        sent += 1
    return sent


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The bot's DM with the user; the user id itself if Slack will not open it."""
    try:
        response = await client.conversations_open(users=user_id)
        return str(response["channel"]["id"])
    except SlackApiError as error:
        log.info("conversations.open failed (%s); uploading to the user id", error.response.get("error"))
        return user_id


async def upload_to_dm(
    client: AsyncWebClient, user_id: str, content: bytes, *, filename: str, title: str, comment: str
) -> None:
    """A file (a CSV export, a table) in the user's DM with the bot."""
    await client.files_upload_v2(
        channel=await dm_channel(client, user_id),
        content=content,
        filename=filename,
        title=title,
        initial_comment=comment,
    )
