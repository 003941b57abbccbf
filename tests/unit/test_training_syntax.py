"""Pure parts of training and ideas: the /training and /idea parsers, local times, reminder timing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.ideas.syntax import IdeaSyntaxError, parse_idea_command, plain_text
from handlers.training.render import when
from handlers.training.syntax import TrainingSyntaxError, parse_training_command
from storage.errors import UserError
from storage.training import TrainingError, local_to_utc, reminder_kinds_due

START = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


# --- /training -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'schedule "Product X deep-dive" 2026-12-03 15:00 <#C0SALES|sales>',
        "schedule “Product X deep-dive” 2026-12-03 15:00 <#C0SALES|sales>",
        "schedule Product X deep-dive 2026-12-03 15:00 <#C0SALES>",
        'SCHEDULE   "Product   X deep-dive"   2026-12-3   15:00   <#C0SALES|sales>',
    ],
)
def test_schedule_with_title_date_time_and_channel(text):
    cmd = parse_training_command(text)
    assert (cmd.verb, cmd.kind, cmd.title) == ("schedule", "training", "Product X deep-dive")
    assert (cmd.day, cmd.at, cmd.channel_id) == (dt.date(2026, 12, 3), dt.time(15, 0), "C0SALES")


def test_an_event_without_a_channel_and_titles_that_only_start_with_quotes():
    cmd = parse_training_command('event "Team dinner" 2026-12-05 9:05')
    assert (cmd.verb, cmd.kind, cmd.title, cmd.at, cmd.channel_id) == (
        "event",
        "event",
        "Team dinner",
        dt.time(9, 5),
        None,
    )
    assert parse_training_command('event "Q4" kickoff 2026-12-05 19:00').title == '"Q4" kickoff'
    assert parse_training_command("event R&amp;D &lt;3 2026-12-05 19:00").title == "R&D <3"
    assert parse_training_command("event Lunch with <@U0002|ana> 2026-12-05 12:00").title == "Lunch with @ana"


@pytest.mark.parametrize(
    ("text", "verb"),
    [("", "list"), ("  ", "list"), ("list", "list"), ("help", "help"), ("Help", "help")],
)
def test_list_and_help(text, verb):
    assert parse_training_command(text).verb == verb


def test_attendance_takes_a_number():
    assert parse_training_command("attendance 12").training_id == 12
    assert parse_training_command("attendance #12").training_id == 12


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('schedule "X" 2026-02-30 15:00', "training.error.bad_date"),
        ('schedule "X" 2026/12/03 15:00', "training.error.bad_date"),
        ('schedule "X" 2026-12-03 24:00', "training.error.bad_time"),
        ('schedule "X" 2026-12-03 15:60', "training.error.bad_time"),
        ('schedule "X" 2026-12-03 3pm', "training.error.bad_time"),
        ('schedule "X" 2026-12-03', "training.error.bad_format"),
        ('schedule "X" 2026-12-03 15:00 extra', "training.error.bad_format"),
        ("schedule", "training.error.bad_format"),
        ('schedule "" 2026-12-03 15:00', "training.error.no_title"),
        ("schedule 2026-12-03 15:00", "training.error.no_title"),
        (f'schedule "{"x" * 201}" 2026-12-03 15:00', "training.error.title_too_long"),
        ("attendance", "training.error.bad_id"),
        ("attendance twelve", "training.error.bad_id"),
        ("attendance 99999999999", "training.error.bad_id"),
        ("cancel 12", "training.error.unknown_verb"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(TrainingSyntaxError) as info:
        parse_training_command(text)
    assert info.value.key == key


@given(st.text(max_size=250))
def test_any_quoted_title_is_read_back_or_refused_as_a_user_error(title):
    try:
        cmd = parse_training_command(f'schedule "{title}" 2026-12-03 15:00')
    except TrainingSyntaxError:
        return
    assert 0 < len(cmd.title) <= 200
    assert cmd.title == " ".join(cmd.title.split())
    assert (cmd.day, cmd.at) == (dt.date(2026, 12, 3), dt.time(15, 0))


@given(st.text(max_size=300))
def test_any_text_parses_or_is_a_user_error(text):
    try:
        cmd = parse_training_command(text)
    except UserError:
        return
    assert cmd.verb in {"list", "help", "schedule", "event", "attendance"}


# --- local times ---------------------------------------------------------------------------------


def test_local_times_become_utc_in_the_organisers_zone():
    assert local_to_utc(dt.date(2026, 12, 3), dt.time(15), "Asia/Shanghai") == START
    assert local_to_utc(dt.date(2026, 7, 1), dt.time(9), "Europe/Berlin") == dt.datetime(
        2026, 7, 1, 7, tzinfo=dt.UTC
    )
    # the repeated hour when New York's clocks go back: the first 01:30 (EDT) is meant
    assert local_to_utc(dt.date(2026, 11, 1), dt.time(1, 30), "America/New_York") == dt.datetime(
        2026, 11, 1, 5, 30, tzinfo=dt.UTC
    )


def test_a_time_the_clocks_skip_is_refused():
    with pytest.raises(TrainingError) as info:
        local_to_utc(dt.date(2026, 3, 8), dt.time(2, 30), "America/New_York")
    assert info.value.key == "training.error.no_such_time"


def test_times_are_shown_in_the_readers_zone_and_language():
    assert (
        when(START, "America/New_York", "en-US")
        == "Thursday, December 3, 2026, 2:00 AM (Eastern Standard Time)"
    )
    assert when(START, "Asia/Shanghai", "zh-CN") == "2026年12月3日星期四 15:00 (中国标准时间)"


@pytest.mark.parametrize(
    ("before_start", "kinds"),
    [
        (dt.timedelta(hours=25), []),
        (dt.timedelta(hours=24, seconds=1), []),
        (dt.timedelta(hours=24), ["day"]),
        (dt.timedelta(hours=23, minutes=50), ["day"]),
        (dt.timedelta(hours=1, seconds=1), ["day"]),
        (dt.timedelta(hours=1), []),
        (dt.timedelta(minutes=15, seconds=1), []),
        (dt.timedelta(minutes=15), ["15min"]),
        (dt.timedelta(minutes=0), ["15min"]),
        (-dt.timedelta(minutes=9), ["15min"]),  # a run a few minutes late still reminds
        (-dt.timedelta(minutes=10), []),
    ],
)
def test_which_reminders_are_due(before_start, kinds):
    assert reminder_kinds_due(START, START - before_start) == kinds


# --- /idea ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  ", "help", "HELP"])
def test_idea_help(text):
    assert parse_idea_command(text).verb == "help"


def test_idea_top_and_ideas_that_start_with_top():
    assert parse_idea_command("top").month is None
    assert parse_idea_command("top").verb == "top"
    assert parse_idea_command("top 2026-11").month == dt.date(2026, 11, 1)
    idea = parse_idea_command("top performers mentor new reps")
    assert (idea.verb, idea.text) == ("submit", "top performers mentor new reps")
    with pytest.raises(IdeaSyntaxError) as info:
        parse_idea_command("top 2026-13")
    assert info.value.key == "ideas.error.bad_month"


def test_idea_text_is_kept_as_typed():
    cmd = parse_idea_command(
        "Post wins in <#C0WINS|wins> &amp; thank <@U0002|ana> <https://x.example|x> <!here>"
    )
    assert cmd.text == "Post wins in #wins & thank @ana https://x.example <!here>"


def test_idea_length_is_counted_as_typed():
    assert parse_idea_command("&amp;" * 1000).text == "&" * 1000
    with pytest.raises(IdeaSyntaxError) as info:
        parse_idea_command("x" * 1001)
    assert info.value.key == "ideas.error.too_long"


@given(st.text(max_size=1200))
def test_any_idea_text_parses_within_the_limit_or_is_refused(text):
    try:
        cmd = parse_idea_command(text)
    except IdeaSyntaxError:
        assert len(plain_text(text.strip())) > 1000 or text.strip().lower().startswith("top")
        return
    if cmd.verb == "submit":
        assert 0 < len(cmd.text) <= 1000
