"""The `/training` text, parsed without Slack.

/training                                          upcoming sessions and the ones I attended
/training help
/training schedule "Product X deep-dive" 2026-12-03 15:00 [#channel]
/training event "Team dinner" 2026-12-05 19:00 [#channel]
/training attendance <id>
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.kit.command_text import date_of, time_of
from bot.kit.mentions import CHANNEL
from handlers.ideas.syntax import plain_text
from storage.errors import UserError
from storage.training import MAX_TITLE

KIND_OF_VERB = {"schedule": "training", "event": "event"}
QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」"}


class TrainingSyntaxError(UserError):
    """`/training` text that cannot be understood."""


@dataclass(frozen=True)
class TrainingCommand:
    verb: str  # "list", "help", "schedule", "event" or "attendance"
    kind: str = ""  # schedule/event: "training" or "event"
    title: str = ""
    day: dt.date | None = None
    at: dt.time | None = None
    channel_id: str | None = None
    training_id: int = 0


def parse_date(text: str) -> dt.date:
    day = date_of(text)
    if day is None:
        raise TrainingSyntaxError("training.error.bad_date", date=text)
    return day


def parse_time(text: str) -> dt.time:
    at = time_of(text)
    if at is None:
        raise TrainingSyntaxError("training.error.bad_time", time=text)
    return at


def check_title(title: str) -> str:
    if not title:
        raise TrainingSyntaxError("training.error.no_title")
    if len(title) > MAX_TITLE:
        raise TrainingSyntaxError("training.error.title_too_long", limit=MAX_TITLE, length=len(title))
    return title


def well_formed(tail: list[str]) -> bool:
    """Date and time, and maybe a channel."""
    return len(tail) == 2 or (len(tail) == 3 and CHANNEL.fullmatch(tail[2]) is not None)


def looks_like_when(tail: list[str]) -> bool:
    return len(tail) >= 2 and date_of(tail[0]) is not None and time_of(tail[1]) is not None


def split_session(rest: str) -> tuple[str, list[str]]:
    """(title, the words after it): a quoted title may hold anything; else the last words are the rest."""
    rest = rest.strip()
    words = rest.split()
    size = 3 if words and CHANNEL.fullmatch(words[-1]) else 2
    unquoted = " ".join(words[:-size]), words[-size:]
    close = QUOTES.get(rest[:1])
    if close and close in rest[1:]:
        end = rest.index(close, 1)
        quoted = rest[1:end], rest[end + 1 :].split()
        # `"Q4" kickoff 2026-12-03 15:00`: the quotes were only part of the title
        if well_formed(quoted[1]) or not (unquoted[0] and looks_like_when(unquoted[1])):
            return quoted
    return unquoted


def parse_session(verb: str, rest: str) -> TrainingCommand:
    title, tail = split_session(rest)
    if not well_formed(tail):
        raise TrainingSyntaxError("training.error.bad_format", verb=verb)
    title = check_title(" ".join(plain_text(title).split()))
    day = parse_date(tail[0])
    at = parse_time(tail[1])
    channel = CHANNEL.fullmatch(tail[2]) if len(tail) == 3 else None
    return TrainingCommand(
        verb=verb,
        kind=KIND_OF_VERB[verb],
        title=title,
        day=day,
        at=at,
        channel_id=channel.group(1) if channel else None,
    )


def parse_training_command(text: str) -> TrainingCommand:
    text = (text or "").strip()
    if not text:
        return TrainingCommand(verb="list")
    head, rest = (*text.split(None, 1), "")[:2]
    verb = head.lower()
    if verb in ("help", "list"):
        return TrainingCommand(verb=verb)
    if verb in KIND_OF_VERB:
        return parse_session(verb, rest)
    if verb == "attendance":
        number = rest.strip().lstrip("#")
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) < 2**31:
            raise TrainingSyntaxError("training.error.bad_id", id=rest.strip())
        return TrainingCommand(verb="attendance", training_id=int(number))
    raise TrainingSyntaxError("training.error.unknown_verb", verb=head)
