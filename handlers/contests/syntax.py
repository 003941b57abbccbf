"""The `/contest` text, parsed without Slack.

/contest                       standings of the running and upcoming contests
/contest <id>                  one contest
/contest help
/contest new "December sprint" metric:revenue from:2026-12-01 to:2026-12-31 prize:"Team dinner" [team:rep] [#channel]

The name is the words (or the quoted text) that are not an option; option names are
case-insensitive; values may be quoted ("…" or “…”). Dates are checked against today elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.kit import command_text
from bot.kit.blocks import unescape
from storage.errors import UserError

OPTIONS = ("metric", "from", "to", "prize", "team")
REQUIRED = ("metric", "from", "to")
CONTEST_ID = re.compile(r"#?([0-9]+)")


class ContestSyntaxError(UserError):
    """`/contest` text that cannot be understood."""


@dataclass(frozen=True)
class ContestCommand:
    verb: str  # "list", "show", "help" or "new"
    contest_id: int = 0
    name: str = ""
    metric: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    prize: str = ""
    team_role: str | None = None
    channel_id: str | None = None


def parse_date(text: str, option: str) -> dt.date:
    day = command_text.date_of(text)
    if day is None:
        raise ContestSyntaxError("contests.error.bad_date", option=option, date=text)
    return day


def parse_contest_command(text: str) -> ContestCommand:
    text = (text or "").strip()
    if not text:
        return ContestCommand(verb="list")
    head, _, rest = text.partition(" ")
    verb = head.lower()
    if verb == "help":
        return ContestCommand(verb="help")
    if verb == "list" and not rest.strip():
        return ContestCommand(verb="list")
    number = CONTEST_ID.fullmatch(head)
    if number and not rest.strip():
        digits = number.group(1).lstrip("0")
        # beyond any id a database holds (and PostgreSQL's integer): a contest that does not exist
        return ContestCommand(verb="show", contest_id=int(digits) if 0 < len(digits) <= 9 else 0)
    if verb != "new":
        raise ContestSyntaxError("contests.error.unknown_verb", verb=head[:40])
    return _parse_new(rest)


def _parse_new(rest: str) -> ContestCommand:
    options: dict[str, str] = {}
    name_parts: list[str] = []
    channel_id: str | None = None
    for token in command_text.tokens(rest, OPTIONS):
        if token.kind == command_text.CHANNEL_MENTION:
            channel_id = token.ref
        elif token.kind == command_text.OPTION:
            if token.key in options:
                raise ContestSyntaxError("contests.error.repeated", option=token.key)
            options[token.key] = unescape(token.text).strip()
        else:
            name_parts.append(token.text)
    name = unescape(" ".join(" ".join(name_parts).split()))
    if not name:
        raise ContestSyntaxError("contests.error.no_name")
    missing = [key for key in REQUIRED if not options.get(key)]
    if missing:
        raise ContestSyntaxError("contests.error.missing", option=missing[0])
    team = options.get("team")
    return ContestCommand(
        verb="new",
        name=name,
        metric=options["metric"].lower(),
        starts_on=parse_date(options["from"], "from"),
        ends_on=parse_date(options["to"], "to"),
        prize=options.get("prize", ""),
        team_role=team.lower() if team else None,
        channel_id=channel_id,
    )
