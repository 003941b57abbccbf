"""`/contest` parsing without Slack, and the pure parts of contests: window, mid-point, what is due, ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.kit.blocks import unescape
from handlers.contests.syntax import ContestCommand, ContestSyntaxError, parse_contest_command
from storage.contests import (
    ContestError,
    check_dates,
    due_announcements,
    last_day_allowed,
    midpoint,
    rank_contest,
    window,
)
from storage.models import Contest

D = dt.date


def test_list_show_and_help():
    assert parse_contest_command("") == ContestCommand(verb="list")
    assert parse_contest_command("  list ") == ContestCommand(verb="list")
    assert parse_contest_command("12") == ContestCommand(verb="show", contest_id=12)
    assert parse_contest_command("#7") == ContestCommand(verb="show", contest_id=7)
    assert parse_contest_command("HELP").verb == "help"


def test_a_full_new_command():
    parsed = parse_contest_command(
        'new "December sprint" metric:revenue from:2026-12-01 to:2026-12-31 prize:"Team dinner" '
        "team:Account-Manager <#C0WINS|wins>"
    )
    assert parsed == ContestCommand(
        verb="new",
        name="December sprint",
        metric="revenue",
        starts_on=D(2026, 12, 1),
        ends_on=D(2026, 12, 31),
        prize="Team dinner",
        team_role="account-manager",
        channel_id="C0WINS",
    )


def test_options_in_any_order_unquoted_name_smart_quotes_and_escapes():
    parsed = parse_contest_command(
        "new METRIC:Deals Q4: push &amp; close to:2026-1-9 from:2026-01-02 prize:“Spa day &lt;3”"
    )
    assert (parsed.name, parsed.metric, parsed.starts_on, parsed.ends_on, parsed.prize) == (
        "Q4: push & close", "deals", D(2026, 1, 2), D(2026, 1, 9), "Spa day <3",
    )  # fmt: skip
    assert parsed.team_role is None and parsed.channel_id is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("rename 3", "contests.error.unknown_verb"),
        ("new metric:deals from:2026-12-01 to:2026-12-02", "contests.error.no_name"),
        ('new "X" from:2026-12-01 to:2026-12-02', "contests.error.missing"),
        ('new "X" metric:deals to:2026-12-02', "contests.error.missing"),
        ('new "X" metric:deals from:2026-12-01', "contests.error.missing"),
        ('new "X" metric:deals from:2026-12-01 to:2026-12-02 to:2026-12-03', "contests.error.repeated"),
        ('new "X" metric:deals from:2026-02-30 to:2026-12-02', "contests.error.bad_date"),
        ('new "X" metric:deals from:tomorrow to:2026-12-02', "contests.error.bad_date"),
    ],
)
def test_bad_commands(text, key):
    with pytest.raises(ContestSyntaxError) as caught:
        parse_contest_command(text)
    assert caught.value.key == key


@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused_with_a_syntax_error(text):
    try:
        parsed = parse_contest_command(text)
    except ContestSyntaxError:
        return
    assert parsed.verb in {"list", "show", "help", "new"}
    if parsed.verb == "new":
        assert parsed.name and parsed.metric and parsed.starts_on and parsed.ends_on


@given(st.text(alphabet=st.characters(blacklist_characters='"“”'), min_size=1, max_size=80))
def test_any_quoted_name_comes_back_as_typed(name):
    assume(name.strip())
    parsed = parse_contest_command(f'new "{name}" metric:kudos from:2026-12-01 to:2026-12-02')
    assert parsed.name == unescape(" ".join(name.split()))
    assert (parsed.metric, parsed.ends_on) == ("kudos", D(2026, 12, 2))


def test_dates_are_checked_against_today():
    check_dates(D(2026, 12, 1), D(2026, 12, 1), D(2026, 12, 1))
    check_dates(D(2028, 1, 1), D(2028, 12, 31), D(2027, 1, 1))  # a leap year: 366 days
    check_dates(D(2026, 12, 2), D(2027, 12, 1), D(2026, 12, 1))
    assert last_day_allowed(D(2028, 2, 29)) == D(2029, 2, 28)
    for start, end, key in [
        (D(2026, 11, 30), D(2026, 12, 5), "contests.error.past"),
        (D(2026, 12, 5), D(2026, 12, 4), "contests.error.ends_before"),
        (D(2026, 12, 1), D(2027, 12, 1), "contests.error.too_long"),
    ]:
        with pytest.raises(ContestError) as caught:
            check_dates(start, end, D(2026, 12, 1))
        assert caught.value.key == key


def contest(**fields) -> Contest:
    values = {"id": 1, "name": "C", "metric": "deals", "starts_on": D(2026, 12, 1), "ends_on": D(2026, 12, 2)}
    return Contest(**{**values, **fields})


def test_the_window_is_local_midnight_to_midnight_and_the_midpoint_its_middle():
    c = contest()
    start, end = window(c, "Asia/Shanghai")
    assert (start, end) == (
        dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 16, tzinfo=dt.UTC),
    )
    assert midpoint(c, "Asia/Shanghai") == dt.datetime(2026, 12, 1, 16, tzinfo=dt.UTC)


def test_what_is_due_and_the_catch_up_rules():
    c, zone = contest(), "UTC"
    at = lambda *args: dt.datetime(*args, tzinfo=dt.UTC)  # noqa: E731
    assert due_announcements(c, zone, at(2026, 11, 30, 23, 59)) == []
    assert due_announcements(c, zone, at(2026, 12, 1, 0, 0)) == ["start"]
    assert due_announcements(c, zone, at(2026, 12, 2, 0, 0)) == ["start", "mid"]
    assert due_announcements(c, zone, at(2026, 12, 3, 0, 0)) == ["end"]  # a late start is skipped
    assert due_announcements(c, zone, at(2026, 12, 30, 0, 0)) == ["end"]  # missed by weeks: still once
    assert due_announcements(c, zone, at(2027, 1, 3, 0, 0)) == []


def test_ranking_individuals_and_teams_with_ties():
    roles = {"U1": "rep", "U2": "rep", "U3": "account-manager", "U4": "account-manager"}
    scores = {"U1": 3, "U2": 1, "U3": 3, "U4": 1, "UMGR": 9}  # UMGR is not a participant
    individual = rank_contest(contest(), scores, roles)
    assert [(r.key, r.rank) for r in individual] == [("U1", 1), ("U3", 1), ("U2", 3), ("U4", 3)]
    teams = rank_contest(contest(team_role="rep"), scores, roles)
    assert [(r.key, r.value, r.rank) for r in teams] == [("account-manager", 4, 1), ("rep", 4, 1)]


def test_ids_beyond_any_database_id_name_no_contest():
    assert parse_contest_command("99999999999999999999").contest_id == 0
    assert parse_contest_command("007").contest_id == 7
    with pytest.raises(ContestSyntaxError):
        parse_contest_command("¹")
