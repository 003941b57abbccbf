"""The `/reward` text, parsed without Slack.

/reward @li "Sales Champion" for closing 3 enterprise deals [points:50]
/reward points [@li]
/reward catalogue [add "Lunch with the VP" 200 [stock:3] | remove <id|name>]
/reward redeem "Lunch with the VP"      (or by id: /reward redeem 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kit.blocks import unescape
from bot.kit.mentions import USER
from storage.errors import UserError
from storage.rewards import (
    BUILT_IN_AWARDS,
    DEFAULT_AWARD_POINTS,
    MAX_AWARD_POINTS,
    MAX_COST,
    MAX_ITEM_NAME,
    MAX_STOCK,
    MAX_TITLE,
)

QUOTES = '"“”„«»「」'
QUOTED = re.compile(rf"^[{QUOTES}]([^{QUOTES}]*)[{QUOTES}]")
NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
CATALOGUE_WORDS = {"catalogue", "catalog", "shop"}


class RewardSyntaxError(UserError):
    """`/reward` text that cannot be understood."""


@dataclass(frozen=True)
class RewardCommand:
    verb: str  # help, points, award, catalogue, catalogue-add, catalogue-remove, redeem
    user_id: str | None = None
    title: str = ""
    reason: str = ""
    points: int = DEFAULT_AWARD_POINTS
    name: str = ""  # an item's name, or the id / name given to remove or redeem
    cost: int = 0
    stock: int | None = None


def option(name: str) -> re.Pattern[str]:
    """`[points:50]`, `points:50`, `points=50` (brackets optional, any case)."""
    return re.compile(rf"\[?\s*\b{name}\s*[:=]\s*([^\]\s]*)\s*\]?", re.IGNORECASE)


def take_option(text: str, name: str, error: str, limit: int) -> tuple[str, int | None]:
    """(text without the option, its value or None). A value that is not a whole number ≤ limit is refused."""
    matches = list(option(name).finditer(text))
    if not matches:
        return text, None
    if len(matches) > 1:
        raise RewardSyntaxError(error, limit=limit)
    raw = matches[0].group(1)
    value = whole_number(raw)
    if value is None or value > limit:
        raise RewardSyntaxError(error, limit=limit)
    return option(name).sub(" ", text, count=1), value


def whole_number(raw: str) -> int | None:
    raw = raw.strip()
    if not NUMBER.match(raw) or len(raw) > 12:
        return None
    return int(raw.replace(",", ""))


def squash(text: str) -> str:
    return " ".join(text.split())


def quoted_or_rest(text: str) -> tuple[str, str]:
    """(a leading quoted phrase, what follows it); without quotes: (the whole text, "")."""
    text = text.strip()
    match = QUOTED.match(text)
    if match:
        return squash(match.group(1)), text[match.end() :].strip()
    return squash(text), ""


def takes_person(text: str) -> bool:
    """Whether the command names a person (an award, or someone's points), not an item."""
    head = (text or "").strip().partition(" ")[0].lower()
    return head not in {"", "help", "redeem", *CATALOGUE_WORDS}


def parse_reward_command(text: str) -> RewardCommand:
    text = unescape((text or "").strip())
    head, _, rest = text.partition(" ")
    verb = head.lower()
    if verb in ("", "help"):
        return RewardCommand(verb="help")
    if verb == "points":
        return parse_points(rest)
    if verb in CATALOGUE_WORDS:
        return parse_catalogue(rest)
    if verb == "redeem":
        name, _ = quoted_or_rest(rest)
        if not name:
            raise RewardSyntaxError("rewards.error.redeem_what")
        return RewardCommand(verb="redeem", name=name)
    return parse_award(text)


def parse_points(rest: str) -> RewardCommand:
    users = list(dict.fromkeys(USER.findall(rest)))
    if len(users) > 1:
        raise RewardSyntaxError("rewards.error.one_person")
    if squash(USER.sub(" ", rest)):
        raise RewardSyntaxError("rewards.error.points_usage")
    return RewardCommand(verb="points", user_id=users[0] if users else None)


def parse_catalogue(rest: str) -> RewardCommand:
    sub, _, tail = rest.strip().partition(" ")
    sub = sub.lower()
    if sub in ("", "list"):
        return RewardCommand(verb="catalogue")
    if sub == "remove":
        name, _ = quoted_or_rest(tail)
        if not name:
            raise RewardSyntaxError("rewards.error.catalogue_usage")
        return RewardCommand(verb="catalogue-remove", name=name)
    if sub != "add":
        raise RewardSyntaxError("rewards.error.catalogue_usage")
    tail = tail.strip()
    if QUOTED.match(tail):
        name, after = quoted_or_rest(tail)
        after, stock = take_option(after, "stock", "rewards.error.bad_stock", MAX_STOCK)
        words = after.split()
        if len(words) != 1:
            raise RewardSyntaxError("rewards.error.bad_cost", limit=MAX_COST)
        raw_cost = words[0]
    else:
        tail, stock = take_option(tail, "stock", "rewards.error.bad_stock", MAX_STOCK)
        words = tail.split()
        if len(words) < 2:
            raise RewardSyntaxError("rewards.error.catalogue_usage")
        name, raw_cost = " ".join(words[:-1]), words[-1]
    if not name:
        raise RewardSyntaxError("rewards.error.no_item_name")
    if len(name) > MAX_ITEM_NAME:
        raise RewardSyntaxError("rewards.error.name_too_long", limit=MAX_ITEM_NAME)
    cost = whole_number(raw_cost)
    if cost is None or not 1 <= cost <= MAX_COST:
        raise RewardSyntaxError("rewards.error.bad_cost", limit=MAX_COST)
    return RewardCommand(verb="catalogue-add", name=name, cost=cost, stock=stock)


def parse_award(text: str) -> RewardCommand:
    users = list(dict.fromkeys(USER.findall(text)))
    if not users:
        raise RewardSyntaxError("rewards.error.no_user")
    if len(users) > 1:
        raise RewardSyntaxError("rewards.error.one_person")
    rest = USER.sub(" ", text).strip()
    if QUOTED.match(rest):  # options are read after the title, so a title may contain anything
        title, reason = quoted_or_rest(rest)
        reason, points = take_option(reason, "points", "rewards.error.bad_points", MAX_AWARD_POINTS)
    else:
        rest, points = take_option(rest, "points", "rewards.error.bad_points", MAX_AWARD_POINTS)
        folded = squash(rest).casefold()
        built_in = next(
            (name for name in BUILT_IN_AWARDS.values() if folded == name.casefold()
             or folded.startswith(name.casefold() + " ")),
            None,
        )  # fmt: skip
        if built_in is None:
            raise RewardSyntaxError("rewards.error.no_title")
        title, reason = built_in, squash(rest)[len(built_in) :]
    if not title:
        raise RewardSyntaxError("rewards.error.no_title")
    if len(title) > MAX_TITLE:
        raise RewardSyntaxError("rewards.error.title_too_long", limit=MAX_TITLE)
    reason = squash(reason)
    if reason.lower().startswith("for "):
        reason = reason[4:].strip()
    return RewardCommand(
        verb="award",
        user_id=users[0],
        title=title,
        reason=reason,
        points=DEFAULT_AWARD_POINTS if points is None else points,
    )
