"""The `/standup` text and the standup modals' state, parsed without Slack.

/standup [help]                                     usage
/standup list                                       the workspace's standups
/standup setup                                      a new standup (managers; opens a modal)
/standup now [all]                                  prompt now: this channel's standups, or all (managers)
/standup skip                                       skip my next standup (each standup I am in)
/standup remove <id>                                stop a standup (managers)
/standup holidays [list]                            the coming holidays
/standup holidays add 2026-12-25 [Christmas]        (managers)
/standup holidays remove 2026-12-25                 (managers)
/standup ooo [2026-12-24..2026-12-31 | 2026-12-24 | clear]   my out-of-office days
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.kit.blocks import unescape
from bot.kit.command_text import date_of
from bot.kit.views.standups import answer_block
from storage.calendar import MAX_HOLIDAY_NAME
from storage.errors import UserError
from storage.standups import (
    MAX_ANSWER,
    MAX_NAME,
    MAX_QUESTION,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    parse_at,
)

VERBS = ("help", "list", "setup", "now", "skip", "remove", "holidays", "ooo")
# Between the two dates of a range: `..`, `…`, `~`, `to`, `至`, a dash, or just a space.
RANGE_SEPARATORS = re.compile(r"\.{2,}|…|~|～|至|\bto\b|–|—")
# Blockers answers that mean "none": they do not count as blockers.
NO_BLOCKER_WORDS = frozenset(
    {
        "", "none", "no", "nope", "nothing", "n/a", "na", "nil", "no blockers", "no blocker",
        "none so far", "not really", "all good", "-", "--", "—", "无", "没有", "暂无", "没", "无阻碍",
        "没有阻碍", "没有问题", "无问题",
    }
)  # fmt: skip


class StandupSyntaxError(UserError):
    """`/standup` text or modal input that cannot be understood."""


@dataclass(frozen=True)
class StandupCommand:
    verb: str  # one of VERBS
    sub: str = ""  # holidays: list/add/remove; ooo: show/set/clear; now: channel/all
    day: dt.date | None = None  # holidays add/remove; ooo: the first day
    until: dt.date | None = None  # ooo: the last day
    name: str = ""  # holidays add
    standup_id: int = 0  # remove


def parse_date(text: str) -> dt.date:
    day = date_of(text)
    if day is None:
        raise StandupSyntaxError("standups.error.bad_date", date=text.strip())
    return day


def parse_range(text: str) -> tuple[dt.date, dt.date]:
    """`2026-12-24..2026-12-31` (or one day): the first and last day, both included."""
    parts = RANGE_SEPARATORS.sub(" ", text).split()
    if not parts:
        raise StandupSyntaxError("standups.error.ooo_missing")
    if len(parts) > 2:
        raise StandupSyntaxError("standups.error.bad_range", text=text.strip())
    start = parse_date(parts[0])
    end = parse_date(parts[-1])
    if end < start:
        raise StandupSyntaxError(
            "standups.error.range_backwards", start=start.isoformat(), end=end.isoformat()
        )
    return start, end


def _holidays(rest: str) -> StandupCommand:
    sub, tail = (*rest.split(None, 1), "")[:2] if rest else ("list", "")
    sub = sub.lower()
    if sub == "list":
        return StandupCommand(verb="holidays", sub="list")
    if sub not in ("add", "remove"):
        raise StandupSyntaxError("standups.error.holidays_usage")
    words = tail.split(None, 1)
    if not words:
        raise StandupSyntaxError("standups.error.holiday_missing_date")
    day = parse_date(words[0])
    if sub == "remove":
        if len(words) > 1:
            raise StandupSyntaxError("standups.error.holidays_usage")
        return StandupCommand(verb="holidays", sub="remove", day=day)
    name = " ".join(unescape(words[1]).split()) if len(words) > 1 else ""
    if len(name) > MAX_HOLIDAY_NAME:
        raise StandupSyntaxError("standups.error.holiday_name_too_long", limit=MAX_HOLIDAY_NAME)
    return StandupCommand(verb="holidays", sub="add", day=day, name=name)


def _ooo(rest: str) -> StandupCommand:
    if not rest:
        return StandupCommand(verb="ooo", sub="show")
    if rest.lower() in ("clear", "off", "none", "back"):
        return StandupCommand(verb="ooo", sub="clear")
    start, end = parse_range(rest)
    return StandupCommand(verb="ooo", sub="set", day=start, until=end)


def parse_standup_command(text: str) -> StandupCommand:
    text = (text or "").strip()
    if not text:
        return StandupCommand(verb="help")
    head, rest = (*text.split(None, 1), "")[:2]
    verb, rest = head.lower(), rest.strip()
    if verb not in VERBS:
        raise StandupSyntaxError("standups.error.unknown_verb", verb=head)
    if verb == "holidays":
        return _holidays(rest)
    if verb == "ooo":
        return _ooo(rest)
    if verb == "now":
        if rest and rest.lower() != "all":
            raise StandupSyntaxError("standups.error.now_usage")
        return StandupCommand(verb="now", sub="all" if rest else "channel")
    if verb == "remove":
        number = rest.lstrip("#")
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) < 2**31:
            raise StandupSyntaxError("standups.error.bad_id", id=rest)
        return StandupCommand(verb="remove", standup_id=int(number))
    if rest:
        raise StandupSyntaxError("standups.error.no_arguments", verb=verb)
    return StandupCommand(verb=verb)


def no_blockers(text: str) -> bool:
    """An answer to the blockers question that means there are none ("none", "no", "无"…)."""
    words = " ".join((text or "").lower().split()).strip(" .!。！,，")
    return words in NO_BLOCKER_WORDS


# --- the modals' state ---------------------------------------------------------------------------


def element_of(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get("value") or {}


def state_value(values: dict[str, Any], block_id: str) -> Any:
    """What one input holds, for the element kinds these modals use."""
    element = element_of(values, block_id)
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons"):
        return (element.get("selected_option") or {}).get("value")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "checkboxes":
        return [o.get("value") for o in element.get("selected_options") or []]
    if kind == "timepicker":
        return element.get("selected_time")
    return element.get("value")


@dataclass(frozen=True)
class SetupForm:
    name: str  # "" when left empty: the caller names it
    channel_id: str
    user_ids: tuple[str, ...]
    questions: tuple[str, ...]  # the last one is the blockers question
    weekdays: tuple[int, ...]  # Monday = 0
    at: str  # "HH:MM"
    member_zones: bool


@dataclass
class FormErrors:
    """Refusals by input block: block id → (message key, its parameters)."""

    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, block: str, key: str, **params: Any) -> None:
        self.errors.setdefault(block, (key, params))

    def __bool__(self) -> bool:
        return bool(self.errors)


def parse_questions(text: str) -> tuple[str, ...]:
    """One question per line; blank lines dropped; the last line is the blockers question."""
    questions = tuple(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())
    if len(questions) < MIN_QUESTIONS:
        raise StandupSyntaxError("standups.error.too_few_questions", minimum=MIN_QUESTIONS)
    if len(questions) > MAX_QUESTIONS:
        raise StandupSyntaxError("standups.error.too_many_questions", limit=MAX_QUESTIONS)
    for question in questions:
        if len(question) > MAX_QUESTION:
            raise StandupSyntaxError("standups.error.question_too_long", limit=MAX_QUESTION)
    return questions


def read_setup(values: dict[str, Any]) -> tuple[SetupForm | None, FormErrors]:
    """The submitted setup modal, or the refusals by input (nothing is written then)."""
    errors = FormErrors()
    name = " ".join((state_value(values, "name") or "").split())
    if len(name) > MAX_NAME:
        errors.add("name", "standups.error.name_too_long", limit=MAX_NAME)
    channel = state_value(values, "channel") or ""
    if not channel:
        errors.add("channel", "standups.error.channel_missing")
    user_ids = tuple(dict.fromkeys(state_value(values, "participants") or []))
    if not user_ids:
        errors.add("participants", "standups.error.participants_missing")
    questions: tuple[str, ...] = ()
    try:
        questions = parse_questions(state_value(values, "questions") or "")
    except StandupSyntaxError as error:
        errors.add("questions", error.key, **error.params)
    weekdays: list[int] = []
    for value in state_value(values, "days") or []:
        if str(value).isascii() and str(value).isdigit() and int(value) < 7:
            weekdays.append(int(value))
    if not weekdays:
        errors.add("days", "standups.error.days_missing")
    at = state_value(values, "time") or ""
    try:
        at = parse_at(at).strftime("%H:%M")
    except UserError as error:
        errors.add("time", error.key, **error.params)
    zone = state_value(values, "zone") or "workspace"
    if zone not in ("workspace", "member"):
        errors.add("zone", "standups.error.zone_missing")
    if errors:
        return None, errors
    form = SetupForm(
        name=name,
        channel_id=channel,
        user_ids=user_ids,
        questions=questions,
        weekdays=tuple(sorted(set(weekdays))),
        at=at,
        member_zones=zone == "member",
    )
    return form, errors


def read_answers(values: dict[str, Any], question_count: int) -> tuple[list[str], str, FormErrors]:
    """(answers to every question but the last, the blockers answer, refusals by input)."""
    errors = FormErrors()
    answers = []
    for index in range(question_count - 1):
        answer = (state_value(values, answer_block(index)) or "").strip()
        if not answer:
            errors.add(answer_block(index), "standups.error.answer_missing")
        elif len(answer) > MAX_ANSWER:
            errors.add(answer_block(index), "standups.error.answer_too_long", limit=MAX_ANSWER)
        answers.append(answer)
    blockers = (state_value(values, "blockers") or "").strip()
    if len(blockers) > MAX_ANSWER:
        errors.add("blockers", "standups.error.answer_too_long", limit=MAX_ANSWER)
    return answers, blockers, errors
