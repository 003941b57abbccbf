"""The `/team` text, parsed without Slack: `/team duties <@U2|li> "Owns enterprise renewals in APAC"`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kit.blocks import unescape
from bot.kit.mentions import USER
from storage.errors import UserError
from storage.team import MAX_DUTIES, MAX_ROLE, MAX_TITLE, is_valid_role, normalise_role

READ_VERBS = {"help": "help", "post": "post", "load": "load", "workload": "load", "list": "roster"}
SET_VERBS = {"role", "duties", "title"}
CLEAR_WORDS = {"-", "clear", "none"}
OPENING_QUOTES = '"“”'  # phones and macOS type curly quotes, sometimes the wrong way round
CLOSING_QUOTES = '"”“'
LEADING_USER = re.compile(rf"^\s*{USER.pattern}")


class TeamSyntaxError(UserError):
    """`/team` text that cannot be understood."""


@dataclass(frozen=True)
class TeamCommand:
    verb: str  # roster, post, help, load, card, role, duties, title
    user_id: str | None = None
    value: str | None = None  # the role, the duties ('' clears) or the title (None clears)


def unquote(text: str) -> str:
    """`"Owns APAC"` → `Owns APAC`: one pair of surrounding quotes (straight or curly) is dropped."""
    text = text.strip()
    if len(text) >= 2 and (
        (text[0] in OPENING_QUOTES and text[-1] in CLOSING_QUOTES) or (text[0] == text[-1] == "'")
    ):
        return text[1:-1].strip()
    return text


def parse_team_command(text: str) -> TeamCommand:
    text = (text or "").strip()
    if not text:
        return TeamCommand(verb="roster")
    head, *more = text.split(maxsplit=1)
    rest = more[0] if more else ""
    verb = head.lower()
    if verb in READ_VERBS:
        return TeamCommand(verb=READ_VERBS[verb])
    if verb == "role":
        return _role(rest)
    if verb in ("duties", "title"):
        return _text_setting(verb, rest)
    lead = LEADING_USER.match(text)
    if lead:
        if text[lead.end() :].strip():
            raise TeamSyntaxError("team.error.card_extra")
        return TeamCommand(verb="card", user_id=lead.group(1))
    raise TeamSyntaxError("team.error.unknown_verb", word=head)


def _role(rest: str) -> TeamCommand:
    users = list(dict.fromkeys(USER.findall(rest)))
    if not users:
        raise TeamSyntaxError("team.error.no_member", verb="role")
    if len(users) > 1:
        raise TeamSyntaxError("team.error.one_member")
    words = USER.sub(" ", rest).split()
    if not words:
        raise TeamSyntaxError("team.error.no_role")
    role = normalise_role(" ".join(words))
    if len(words) > 1 or not is_valid_role(role):
        raise TeamSyntaxError("team.error.bad_role", role=" ".join(words), limit=MAX_ROLE)
    return TeamCommand(verb="role", user_id=users[0], value=role)


def _text_setting(verb: str, rest: str) -> TeamCommand:
    lead = LEADING_USER.match(rest)
    if not lead:
        raise TeamSyntaxError("team.error.no_member", verb=verb)
    raw = rest[lead.end() :].strip()
    if not raw:
        raise TeamSyntaxError(f"team.error.no_{verb}")
    if raw.lower() in CLEAR_WORDS:
        return TeamCommand(verb=verb, user_id=lead.group(1), value="" if verb == "duties" else None)
    value = unescape(unquote(raw))  # stored as typed; escaped where shown
    if not value:
        raise TeamSyntaxError(f"team.error.no_{verb}")
    limit = MAX_DUTIES if verb == "duties" else MAX_TITLE
    if len(value) > limit:
        raise TeamSyntaxError(f"team.error.{verb}_too_long", limit=limit)
    return TeamCommand(verb=verb, user_id=lead.group(1), value=value)
