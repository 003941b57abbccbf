"""`/standup` text and the standup modals' state, parsed without Slack."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kit.i18n import t
from handlers.standups.syntax import (
    StandupCommand,
    StandupSyntaxError,
    no_blockers,
    parse_questions,
    parse_standup_command,
    read_answers,
    read_setup,
)
from storage.models import DEFAULT_STANDUP_QUESTIONS
from storage.standups import parse_at
from tests.slack_requests import checkbox_value, text_value


def refused(text: str) -> str:
    with pytest.raises(StandupSyntaxError) as info:
        parse_standup_command(text)
    return info.value.key


def test_verbs():
    assert parse_standup_command("") == StandupCommand(verb="help")
    assert parse_standup_command("HELP").verb == "help"
    assert parse_standup_command("list").verb == "list"
    assert parse_standup_command("setup").verb == "setup"
    assert parse_standup_command("skip").verb == "skip"
    assert parse_standup_command("now") == StandupCommand(verb="now", sub="channel")
    assert parse_standup_command("now all") == StandupCommand(verb="now", sub="all")
    assert parse_standup_command("remove #12") == StandupCommand(verb="remove", standup_id=12)
    assert refused("now everyone") == "standups.error.now_usage"
    assert refused("remove twelve") == "standups.error.bad_id"
    assert refused("remove 0") == "standups.error.bad_id"
    assert refused("skip tomorrow") == "standups.error.no_arguments"
    assert refused("dance") == "standups.error.unknown_verb"


def test_holidays():
    assert parse_standup_command("holidays") == StandupCommand(verb="holidays", sub="list")
    assert parse_standup_command("holidays list").sub == "list"
    assert parse_standup_command("holidays add 2026-12-25 Christmas  Day") == StandupCommand(
        verb="holidays", sub="add", day=dt.date(2026, 12, 25), name="Christmas Day"
    )
    assert parse_standup_command("holidays add 2026-12-25").name == ""
    assert parse_standup_command("holidays add 2026-1-1 Fish &amp; chips").name == "Fish & chips"
    assert parse_standup_command("holidays remove 2026-12-25") == StandupCommand(
        verb="holidays", sub="remove", day=dt.date(2026, 12, 25)
    )
    assert refused("holidays add 2026-02-30 Nope") == "standups.error.bad_date"
    assert refused("holidays add 25/12/2026 Christmas") == "standups.error.bad_date"
    assert refused("holidays add") == "standups.error.holiday_missing_date"
    assert refused("holidays move 2026-12-25") == "standups.error.holidays_usage"
    assert refused("holidays add 2026-12-25 " + "x" * 121) == "standups.error.holiday_name_too_long"


def test_out_of_office():
    assert parse_standup_command("ooo") == StandupCommand(verb="ooo", sub="show")
    assert parse_standup_command("ooo clear") == StandupCommand(verb="ooo", sub="clear")
    week = StandupCommand(verb="ooo", sub="set", day=dt.date(2026, 12, 24), until=dt.date(2026, 12, 31))
    for text in (
        "2026-12-24..2026-12-31",
        "2026-12-24 .. 2026-12-31",
        "2026-12-24…2026-12-31",
        "2026-12-24 to 2026-12-31",
        "2026-12-24 2026-12-31",
        "2026-12-24至2026-12-31",
    ):
        assert parse_standup_command(f"ooo {text}") == week, text
    one = parse_standup_command("ooo 2026-12-24")
    assert (one.day, one.until) == (dt.date(2026, 12, 24), dt.date(2026, 12, 24))
    assert refused("ooo 2026-12-31..2026-12-24") == "standups.error.range_backwards"
    assert refused("ooo next week") == "standups.error.bad_date"
    assert refused("ooo 2026-12-24..2026-12-31..2027-01-02") == "standups.error.bad_range"
    assert refused("ooo 2026-13-01..2026-12-31") == "standups.error.bad_date"


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_with_a_known_message(text):
    try:
        parsed = parse_standup_command(text)
    except StandupSyntaxError as error:
        t("en", error.key, **error.params)  # every refusal names a message that fills
        return
    assert parsed.verb in ("help", "list", "setup", "now", "skip", "remove", "holidays", "ooo")


@given(
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    st.integers(0, 400),
    st.sampled_from(["..", " .. ", "…", " to ", " ", "~"]),
)
def test_date_ranges_round_trip(start, length, separator):
    end = start + dt.timedelta(days=length)
    parsed = parse_standup_command(f"ooo {start.isoformat()}{separator}{end.isoformat()}")
    assert (parsed.day, parsed.until) == (start, end)


def test_blockers_that_mean_none():
    for text in ("", "None", "no.", "  N/A ", "nothing!", "无", "没有。", "-"):
        assert no_blockers(text), text
    for text in ("Waiting on legal for the Acme contract", "no budget sign-off yet", "没有预算"):
        assert not no_blockers(text), text


def test_times_of_day():
    assert parse_at("09:00") == dt.time(9, 0)
    assert parse_at("9:05") == dt.time(9, 5)
    for bad in ("24:00", "09:60", "9", "nine", ""):
        with pytest.raises(Exception) as info:
            parse_at(bad)
        assert getattr(info.value, "key", "") == "standups.error.bad_time"


def test_questions_one_per_line_the_last_about_blockers():
    assert parse_questions("  What did you close?\n\n What   next? \nBlockers?\n") == (
        "What did you close?",
        "What next?",
        "Blockers?",
    )
    for text, key in [
        ("Only one?", "too_few_questions"),
        ("  \n\n  ", "too_few_questions"),
        ("\n".join(f"q{i}" for i in range(11)), "too_many_questions"),
        ("a\n" + "x" * 151, "question_too_long"),
    ]:
        with pytest.raises(StandupSyntaxError) as info:
            parse_questions(text)
        assert info.value.key == f"standups.error.{key}"


def test_the_english_default_questions_are_the_models():
    assert t("en", "standups.setup.default_questions").splitlines() == list(DEFAULT_STANDUP_QUESTIONS)
    assert len(t("zh", "standups.setup.default_questions").splitlines()) == len(DEFAULT_STANDUP_QUESTIONS)


def setup_values(**overrides):
    values = {
        "name": text_value("Morning"),
        "channel": {"value": {"type": "conversations_select", "selected_conversation": "C0STAND"}},
        "participants": {
            "value": {"type": "multi_users_select", "selected_users": ["U0002", "U0003", "U0002"]}
        },
        "questions": text_value("\n".join(DEFAULT_STANDUP_QUESTIONS)),
        "days": checkbox_value("4", "0", "2"),
        "time": {"value": {"type": "timepicker", "selected_time": "09:30"}},
        "zone": {"value": {"type": "radio_buttons", "selected_option": {"value": "member"}}},
    }
    values.update(overrides)
    return values


def test_the_setup_modal_is_read():
    form, errors = read_setup(setup_values())
    assert not errors and form is not None
    assert (form.name, form.channel_id, form.user_ids) == ("Morning", "C0STAND", ("U0002", "U0003"))
    assert form.questions == DEFAULT_STANDUP_QUESTIONS
    assert (form.weekdays, form.at, form.member_zones) == ((0, 2, 4), "09:30", True)


def test_every_bad_setup_input_is_refused_under_its_own_field():
    form, errors = read_setup(
        setup_values(
            name=text_value("x" * 121),
            channel={"value": {"type": "conversations_select", "selected_conversation": None}},
            participants={"value": {"type": "multi_users_select", "selected_users": []}},
            questions=text_value("Just one?"),
            days=checkbox_value(),
            time={"value": {"type": "timepicker", "selected_time": None}},
            zone={"value": {"type": "radio_buttons", "selected_option": {"value": "mars"}}},
        )
    )
    assert form is None
    assert {block: key for block, (key, _) in errors.errors.items()} == {
        "name": "standups.error.name_too_long",
        "channel": "standups.error.channel_missing",
        "participants": "standups.error.participants_missing",
        "questions": "standups.error.too_few_questions",
        "days": "standups.error.days_missing",
        "time": "standups.error.bad_time",
        "zone": "standups.error.zone_missing",
    }


def test_answers_are_read_with_the_blockers_apart():
    values = {
        "q0": text_value(" Won Acme "),
        "q1": text_value("Call Globex"),
        "blockers": text_value(" Legal "),
    }
    answers, blockers, errors = read_answers(values, 3)
    assert (answers, blockers, bool(errors)) == (["Won Acme", "Call Globex"], "Legal", False)
    _, _, errors = read_answers({"q0": text_value(" "), "q1": text_value("x" * 3001)}, 3)
    assert {b: k for b, (k, _) in errors.errors.items()} == {
        "q0": "standups.error.answer_missing",
        "q1": "standups.error.answer_too_long",
    }
