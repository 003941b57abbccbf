"""The `/kudos` text, parsed without Slack: `/kudos <@U1|ana> <@U2|li> for the Acme demo #teamwork`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kit.blocks import unescape
from bot.kit.mentions import USER
from storage.errors import UserError

VERBS = {"help", "stats"}
STATS_PERIODS = ("week", "month", "quarter", "year", "all")
GROUP = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>")
TAG = re.compile(r"(?<![<\w])#([\w][\w-]{0,63})")


class KudosSyntaxError(UserError):
    """`/kudos` text that cannot be understood."""


@dataclass(frozen=True)
class KudosCommand:
    verb: str  # "modal" (no text), "give", "help" or "stats"
    user_ids: tuple[str, ...] = ()
    message: str = ""
    values: tuple[str, ...] = ()
    period: str = "month"


def parse_kudos_command(text: str) -> KudosCommand:
    text = (text or "").strip()
    if not text:
        return KudosCommand(verb="modal")
    head, _, rest = text.partition(" ")
    if head.lower() in VERBS:
        if head.lower() == "stats":
            period = rest.strip().lower() or "month"
            if period not in STATS_PERIODS:
                raise KudosSyntaxError(
                    "kudos.error.bad_period", period=period, periods=", ".join(STATS_PERIODS)
                )
            return KudosCommand(verb="stats", period=period)
        return KudosCommand(verb="help")
    if GROUP.search(text):
        raise KudosSyntaxError("kudos.error.group")
    user_ids = tuple(dict.fromkeys(USER.findall(text)))
    if not user_ids:
        raise KudosSyntaxError("kudos.error.no_receivers")
    values = tuple(dict.fromkeys(tag.lower() for tag in TAG.findall(text)))
    message = unescape(" ".join(TAG.sub(" ", USER.sub(" ", text)).split()))
    return KudosCommand(verb="give", user_ids=user_ids, message=message, values=values)
