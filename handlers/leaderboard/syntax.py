"""The `/leaderboard` text, parsed without Slack: `/leaderboard [week|month|quarter|year] [revenue|deals|kudos|activities]`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kit.blocks import unescape
from storage.errors import UserError
from storage.leaderboard import METRICS, WEEKLY_METRICS

PERIODS = ("week", "month", "quarter", "year")
HELP = {"help", "?"}
MAX_ECHO = 40  # how much of an unknown word is echoed back


class LeaderboardSyntaxError(UserError):
    """`/leaderboard` text that cannot be understood."""


@dataclass(frozen=True)
class LeaderboardCommand:
    verb: str  # "show" or "help"
    period: str = "week"
    metrics: tuple[str, ...] = WEEKLY_METRICS


def parse_leaderboard_command(text: str) -> LeaderboardCommand:
    """At most one period and one metric, in either order, case-insensitive; defaults: this week,
    and revenue, deals and kudos (the weekly post's boards) when no metric is named."""
    words = unescape(text or "").lower().split()
    if any(word in HELP for word in words):
        return LeaderboardCommand(verb="help")
    period: str | None = None
    metric: str | None = None
    for word in words:
        if word in PERIODS:
            if period is not None and period != word:
                raise LeaderboardSyntaxError("leaderboard.error.two_periods", first=period, second=word)
            period = word
        elif word in METRICS:
            if metric is not None and metric != word:
                raise LeaderboardSyntaxError("leaderboard.error.two_metrics", first=metric, second=word)
            metric = word
        else:
            echoed = word if len(word) <= MAX_ECHO else word[: MAX_ECHO - 1] + "…"
            raise LeaderboardSyntaxError("leaderboard.error.unknown_word", word=echoed)
    return LeaderboardCommand(
        verb="show", period=period or "week", metrics=(metric,) if metric else WEEKLY_METRICS
    )
