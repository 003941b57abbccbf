"""`/goal` and `/scorecard` parsing, and the pure progress arithmetic, without Slack or a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.goals.syntax import (
    GoalCommand,
    GoalSyntaxError,
    ScorecardCommand,
    parse_goal_command,
    parse_scorecard_command,
)
from storage.goals import Attainment, count_workdays, progress_bar

LI = "<@U0003|li>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", GoalCommand("show")),
        ("help", GoalCommand("help")),
        (LI, GoalCommand("show", user_id="U0003")),
        (f"set {LI} revenue 100k month", GoalCommand("set", "U0003", "revenue", 10_000_000, "USD", "month")),
        ("set team deals 30 quarter", GoalCommand("set", None, "deals", 30, None, "quarter")),
        ("SET Team Revenue 2m YEAR", GoalCommand("set", None, "revenue", 200_000_000, "USD", "year")),
        ("set team revenue EUR 5000 year", GoalCommand("set", None, "revenue", 500_000, "EUR", "year")),
        ("set team revenue 5000 eur", GoalCommand("set", None, "revenue", 500_000, "EUR", "month")),
        ("set team revenue ¥12万 month", GoalCommand("set", None, "revenue", 12_000_000, "CNY", "month")),
        (f"set {LI} kudos 1,000", GoalCommand("set", "U0003", "kudos", 1000, None, "month")),
        (f"set {LI} activities 40 month", GoalCommand("set", "U0003", "activities", 40, None, "month")),
    ],
)
def test_goal_commands(text, expected):
    assert parse_goal_command(text, "USD") == expected


def test_the_workspace_currency_is_the_default():
    assert parse_goal_command("set team revenue 1k", "JPY").currency == "JPY"
    assert parse_goal_command("set team revenue 1k", "JPY").target == 1000


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("bogus", "goals.error.unknown_words"),
        (f"{LI} extra", "goals.error.unknown_words"),
        ("set", "goals.error.no_subject"),
        ("set everyone deals 3", "goals.error.no_subject"),
        ("set team", "goals.error.no_metric"),
        ("set team profit 3", "goals.error.bad_metric"),
        ("set team deals", "goals.error.no_target"),
        ("set team deals 0", "goals.error.bad_count"),
        ("set team deals 1000001", "goals.error.bad_count"),
        ("set team deals ３", "goals.error.bad_count"),  # a full-width digit is not a count
        ("set team revenue lots", "goals.error.bad_amount"),
        ("set team revenue -5k", "goals.error.bad_amount"),
        ("set team revenue 0", "goals.error.bad_amount"),
        ("set team deals 3 fortnight", "goals.error.bad_period"),
        ("set team deals 3 month please", "goals.error.unknown_words"),
    ],
)
def test_goal_command_errors(text, key):
    with pytest.raises(GoalSyntaxError) as caught:
        parse_goal_command(text, "USD")
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ScorecardCommand("show")),
        ("quarter", ScorecardCommand("show", period="quarter")),
        (f"{LI} year", ScorecardCommand("show", "U0003", "year")),
        (f"Year {LI}", ScorecardCommand("show", "U0003", "year")),
        ("team", ScorecardCommand("team")),
        ("team quarter", ScorecardCommand("team", period="quarter")),
        ("help", ScorecardCommand("help")),
    ],
)
def test_scorecard_commands(text, expected):
    assert parse_scorecard_command(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("week", "goals.error.bad_period"),
        ("month year", "goals.error.unknown_words"),
        (f"team {LI}", "goals.error.unknown_words"),
        (f"{LI} {LI}", "goals.error.unknown_words"),
    ],
)
def test_scorecard_command_errors(text, key):
    with pytest.raises(GoalSyntaxError) as caught:
        parse_scorecard_command(text)
    assert caught.value.key == key


@given(st.text(max_size=80))
def test_any_goal_text_parses_or_is_refused_cleanly(text):
    for candidate in (text, f"set team revenue {text}", f"set {LI} deals {text}"):
        try:
            parsed = parse_goal_command(candidate, "USD")
        except GoalSyntaxError:
            continue
        assert parsed.verb in {"show", "set", "help"}
        assert parsed.verb != "set" or parsed.target > 0


@given(st.text(max_size=80))
def test_any_scorecard_text_parses_or_is_refused_cleanly(text):
    try:
        parsed = parse_scorecard_command(text)
    except GoalSyntaxError:
        return
    assert parsed.period in {"month", "quarter", "year"}


# --- progress arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "bar"),
    [
        ("0", "░░░░░░░░░░"),
        ("9.9", "░░░░░░░░░░"),
        ("10", "▓░░░░░░░░░"),
        ("50", "▓▓▓▓▓░░░░░"),
        ("99.9", "▓▓▓▓▓▓▓▓▓░"),
        ("100", "▓▓▓▓▓▓▓▓▓▓"),
        ("250", "▓▓▓▓▓▓▓▓▓▓"),
    ],
)
def test_progress_bar(percent, bar):
    assert progress_bar(Decimal(percent)) == bar


def test_workdays_skip_weekends_and_holidays():
    wednesday, december = dt.date(2026, 11, 18), dt.date(2026, 12, 1)
    assert count_workdays(wednesday, december, [0, 1, 2, 3, 4], set()) == 9
    assert (
        count_workdays(wednesday, december, [0, 1, 2, 3, 4], {dt.date(2026, 11, 26), dt.date(2026, 11, 21)})
        == 8
    )
    assert count_workdays(wednesday, december, [0, 1, 2, 3, 4, 5], set()) == 11  # Saturdays too
    assert count_workdays(december, december, [0, 1, 2, 3, 4], set()) == 0


def attainment(metric: str, target: int, actual: int, workdays: int) -> Attainment:
    goal = SimpleNamespace(metric=metric, target=target, member_id=None, currency="USD")
    return Attainment(goal, None, actual, workdays)  # type: ignore[arg-type]


def test_what_is_left_per_workday_is_rounded_up():
    assert attainment("revenue", 200_000_000, 5_900_000, 31).per_workday == Decimal(6_261_291)
    assert attainment("deals", 30, 6, 31).per_workday == Decimal("0.8")
    assert attainment("deals", 30, 10, 10).per_workday == Decimal("2.0")
    assert attainment("deals", 30, 30, 10).per_workday is None  # done
    assert attainment("deals", 30, 31, 10).percent == Decimal("103.3")
    assert attainment("deals", 30, 3, 0).per_workday is None  # no workday left
