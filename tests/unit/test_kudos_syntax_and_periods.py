"""Pure parts of kudos: the /kudos parser, the giver's local day, and calendar periods."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.kudos.syntax import KudosSyntaxError, parse_kudos_command
from storage.kudos import day_window
from storage.periods import Period


def test_receivers_message_and_tags():
    cmd = parse_kudos_command("<@U0002|ana> <@U0003|li> for the Acme demo #teamwork #Ownership")
    assert cmd.verb == "give"
    assert cmd.user_ids == ("U0002", "U0003")
    assert cmd.message == "for the Acme demo"
    assert cmd.values == ("teamwork", "ownership")


def test_channel_references_are_not_tags():
    cmd = parse_kudos_command("<@U0002|ana> for the post in <#C0001|sales> #teamwork")
    assert cmd.values == ("teamwork",)
    assert "<#C0001|sales>" in cmd.message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("for nothing", "kudos.error.no_receivers"),
        ("<!subteam^S01|@sales> great quarter", "kudos.error.group"),
        ("stats decade", "kudos.error.bad_period"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(KudosSyntaxError) as info:
        parse_kudos_command(text)
    assert info.value.key == key


def test_verbs():
    assert parse_kudos_command("").verb == "modal"
    assert parse_kudos_command("help").verb == "help"
    assert parse_kudos_command("stats").period == "month"
    assert parse_kudos_command("stats YEAR").period == "year"


@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused(text):
    try:
        cmd = parse_kudos_command(text)
    except KudosSyntaxError as error:
        assert error.key.startswith("kudos.error.")
    else:
        assert cmd.verb in {"modal", "help", "stats", "give"}
        if cmd.verb == "give":
            assert cmd.user_ids and "<@" not in cmd.message


def test_day_window_is_the_givers_local_day():
    now = dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC)
    assert day_window(now, "Asia/Shanghai") == (
        dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC),
    )
    assert day_window(now, "America/New_York") == (
        dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC),
    )


def test_day_window_on_a_dst_day_is_25_hours():
    start, end = day_window(dt.datetime(2026, 10, 25, 12, tzinfo=dt.UTC), "Europe/Berlin")
    assert end - start == dt.timedelta(hours=25)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "key"),
    [
        ("quarter", "2026-11-27", "2026-10-01", "2027-01-01", "2026-Q4"),
        ("quarter", "2026-01-01", "2026-01-01", "2026-04-01", "2026-Q1"),
        ("year", "2026-11-27", "2026-01-01", "2027-01-01", "2026"),
        ("month", "2026-12-31", "2026-12-01", "2027-01-01", "2026-12"),
    ],
)
def test_quarter_year_month(kind, day, start, end, key):
    period = Period.containing(kind, dt.datetime.fromisoformat(day + "T12:00+00:00"), "UTC")
    assert (period.start.isoformat(), period.end.isoformat(), period.key) == (start, end, key)


def test_utc_bounds_use_local_midnight():
    period = Period.containing("day", dt.datetime(2026, 11, 27, 20, tzinfo=dt.UTC), "Asia/Shanghai")
    assert period.start.isoformat() == "2026-11-28"
    assert period.utc_bounds("Asia/Shanghai")[0] == dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
