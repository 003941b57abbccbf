"""The `/idea` text, parsed without Slack: `/idea <text>`, `/idea help`, `/idea top [YYYY-MM]`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.kit.command_text import LINK
from bot.kit.mentions import CHANNEL, USER
from storage.errors import UserError
from storage.ideas import MAX_TEXT

MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class IdeaSyntaxError(UserError):
    """`/idea` text that cannot be understood."""


@dataclass(frozen=True)
class IdeaCommand:
    verb: str  # "help", "top" or "submit"
    text: str = ""  # submit: the idea as the person typed it (unescaped; escape it to show it)
    month: dt.date | None = None  # top: the first day of the month asked for; None: this month


def _label(reference: str) -> str:
    _, _, label = reference[:-1].partition("|")
    return label.lstrip("@#")


def plain_text(text: str) -> str:
    """Command text as the person typed it: `<@U1|li>` → `@li`, `<#C1|wins>` → `#wins`, links → URL,
    and Slack's `&lt;` `&gt;` `&amp;` back to `<` `>` `&`. Whoever shows the text escapes it again."""
    text = USER.sub(lambda m: "@" + (_label(m.group(0)) or m.group(1)), text)
    text = CHANNEL.sub(lambda m: "#" + (_label(m.group(0)) or m.group(1)), text)
    text = LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_month(text: str) -> dt.date:
    match = MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise IdeaSyntaxError("ideas.error.bad_month", month=text.strip())
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_idea_command(text: str) -> IdeaCommand:
    text = (text or "").strip()
    if not text or text.lower() == "help":
        return IdeaCommand(verb="help")
    head, rest = (*text.split(None, 1), "")[:2]
    rest = rest.strip()
    if head.lower() == "top" and (not rest or MONTH.fullmatch(rest)):
        return IdeaCommand(verb="top", month=parse_month(rest) if rest else None)
    idea = plain_text(text).strip()
    if len(idea) > MAX_TEXT:
        raise IdeaSyntaxError("ideas.error.too_long", limit=MAX_TEXT, length=len(idea))
    return IdeaCommand(verb="submit", text=idea)
