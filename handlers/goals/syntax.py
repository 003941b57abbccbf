"""`/goal` and `/scorecard` text, parsed without Slack.

/goal                                   my goals and the team's
/goal <@U1|li>                          li's (managers)
/goal set <@U1|li> revenue 100k month   set or replace a goal (managers)
/goal set team deals 30 quarter
/scorecard [<@U1|li>|team] [month|quarter|year]
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kit.blocks import unescape
from bot.kit.mentions import USER
from storage.errors import UserError
from storage.goals import GOAL_PERIODS, MAX_COUNT
from storage.models import GOAL_METRICS
from storage.money import AmountError, take_amount

HELP = {"help", "?"}
TEAM = "team"


class GoalSyntaxError(UserError):
    """`/goal` or `/scorecard` text that cannot be understood."""


@dataclass(frozen=True)
class GoalCommand:
    verb: str  # "show", "set" or "help"
    user_id: str | None = None  # None with verb "set": the team
    metric: str = ""
    target: int = 0  # minor units for revenue, a count otherwise
    currency: str | None = None
    period: str = "month"


@dataclass(frozen=True)
class ScorecardCommand:
    verb: str  # "show", "team" or "help"
    user_id: str | None = None  # None: the asker
    period: str = "month"


def _mention(word: str) -> str | None:
    match = USER.fullmatch(word)
    return match.group(1) if match else None


def _shown(word: str) -> str:
    return unescape(word)[:40]


def parse_count(word: str) -> int:
    text = word.replace(",", "")
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_COUNT:
        raise GoalSyntaxError("goals.error.bad_count", limit=MAX_COUNT)
    return int(text)


def parse_goal_command(text: str, default_currency: str) -> GoalCommand:
    words = (text or "").split()
    if not words:
        return GoalCommand(verb="show")
    head = words[0].lower()
    if head in HELP:
        return GoalCommand(verb="help")
    if head != "set":
        user = _mention(words[0])
        if user is None or len(words) > 1:
            raise GoalSyntaxError("goals.error.unknown_words", words=_shown(" ".join(words)))
        return GoalCommand(verb="show", user_id=user)
    rest = words[1:]
    if not rest:
        raise GoalSyntaxError("goals.error.no_subject")
    subject, rest = rest[0], rest[1:]
    user = _mention(subject)
    if user is None and subject.lower() != TEAM:
        raise GoalSyntaxError("goals.error.no_subject")
    if not rest:
        raise GoalSyntaxError("goals.error.no_metric", metrics=", ".join(GOAL_METRICS))
    metric, rest = rest[0].lower(), rest[1:]
    if metric not in GOAL_METRICS:
        raise GoalSyntaxError(
            "goals.error.bad_metric", metric=_shown(metric), metrics=", ".join(GOAL_METRICS)
        )
    if not rest:
        raise GoalSyntaxError("goals.error.no_target")
    currency = None
    if metric == "revenue":
        try:
            money, used = take_amount(rest, default_currency)
        except AmountError as error:
            raise GoalSyntaxError("goals.error.bad_amount", amount=_shown(rest[0])) from error
        if money is None:
            raise GoalSyntaxError("goals.error.bad_amount", amount=_shown(rest[0]))
        target, currency, rest = money.minor, money.currency, rest[used:]
    else:
        target, rest = parse_count(rest[0]), rest[1:]
    period = "month"
    if rest:
        period = rest[0].lower()
        if period not in GOAL_PERIODS:
            raise GoalSyntaxError(
                "goals.error.bad_period", period=_shown(rest[0]), periods=", ".join(GOAL_PERIODS)
            )
        if len(rest) > 1:
            raise GoalSyntaxError("goals.error.unknown_words", words=_shown(" ".join(rest[1:])))
    return GoalCommand(
        verb="set", user_id=user, metric=metric, target=target, currency=currency, period=period
    )


def parse_scorecard_command(text: str) -> ScorecardCommand:
    user: str | None = None
    team = False
    period: str | None = None
    for word in (text or "").split():
        lower = word.lower()
        if lower in HELP:
            return ScorecardCommand(verb="help")
        if lower in GOAL_PERIODS and period is None:
            period = lower
        elif lower == TEAM and not team and user is None:
            team = True
        elif _mention(word) and user is None and not team:
            user = _mention(word)
        elif lower in GOAL_PERIODS or lower == TEAM or _mention(word):
            raise GoalSyntaxError("goals.error.unknown_words", words=_shown(word))
        else:
            raise GoalSyntaxError(
                "goals.error.bad_period", period=_shown(word), periods=", ".join(GOAL_PERIODS)
            )
    return ScorecardCommand(verb="team" if team else "show", user_id=user, period=period or "month")
