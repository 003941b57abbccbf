"""Reaching a member outside the request/response cycle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from storage.authority import NotAllowed
from storage.errors import UserError
from storage.models import Member

log = logging.getLogger(__name__)


def error_text(locale: str | None, error: UserError) -> str:
    """A refusal in the member's language; the echoed input is escaped."""
    return t(locale, error.key, **{k: bk.escape(str(v)) for k, v in error.params.items()})


def refusal(locale: str | None, error: UserError) -> str:
    """The ephemeral answer to input that was refused: a sign (no entry for a role's limit) and the reason."""
    sign = ":no_entry:" if isinstance(error, NotAllowed) else ":warning:"
    return f"{sign} {error_text(locale, error)}"


def not_allowed(locale: str | None, rule: Callable[[Member], None], member: Member) -> str | None:
    """The answer when `rule` (a storage.authority check) refuses `member`, else None."""
    try:
        rule(member)
    except NotAllowed as error:
        return refusal(locale, error)
    return None


async def tell_user(
    client: AsyncWebClient, member: Member, channel: str | None, text: str, blocks: list[bk.Block] | None
) -> None:
    """An ephemeral note in the channel the user was in, or a DM from the bot when there is none."""
    if channel:
        try:
            await client.chat_postEphemeral(
                channel=channel, user=member.slack_user_id, text=text, blocks=blocks
            )
            return
        except SlackApiError as exc:
            log.info("ephemeral failed (%s); sending a DM instead", exc.response.get("error"))
    await client.chat_postMessage(channel=member.slack_user_id, text=text, blocks=blocks)


async def reply_privately(respond: Any, client: AsyncWebClient, member: Member, text: str) -> None:
    """An ephemeral answer to a click: through its response_url on a message, by DM from the App Home
    (Home clicks carry no response_url, so Bolt's `respond` is None there)."""
    if respond is not None:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        await tell_user(client, member, None, text, None)
