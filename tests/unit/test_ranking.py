"""Pure leaderboard parts: competition ranking, movement, the `/leaderboard` parser, digest arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.leaderboard.syntax import LeaderboardSyntaxError, parse_leaderboard_command
from storage.leaderboard import METRICS, Movement, rank, ranks
from storage.metrics import digest_period, growth_percent, ratio

scores = st.dictionaries(
    st.text(min_size=1, max_size=4), st.integers(min_value=-5, max_value=50), max_size=30
)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rank([("ana", 100), ("li", 100), ("sam", 50), ("kim", 50), ("bo", 10)])
    assert [(r.key, r.rank) for r in ranked] == [("ana", 1), ("li", 1), ("kim", 3), ("sam", 3), ("bo", 5)]


def test_movement_against_last_period():
    before = ranks([("ana", 10), ("li", 30), ("sam", 20)])  # li 1, sam 2, ana 3
    ranked = rank([("ana", 40), ("li", 30), ("sam", 20), ("new", 5)], before)
    assert [(r.key, r.movement) for r in ranked] == [
        ("ana", Movement("up", 2)),
        ("li", Movement("down", 1)),
        ("sam", Movement("down", 1)),
        ("new", Movement("new")),
    ]
    assert [r.movement for r in rank([("li", 1)], ranks([("li", 7)]))] == [Movement("same")]


def test_limit_keeps_everyone_tied_at_the_last_place():
    ranked = rank([("a", 9), ("b", 8), ("c", 8), ("d", 8), ("e", 1)], limit=2)
    assert [(r.key, r.rank) for r in ranked] == [("a", 1), ("b", 2), ("c", 2), ("d", 2)]


@given(scores)
def test_ranks_are_standard_competition_ranks(values):
    ranked = rank(values.items())
    positive = {k: v for k, v in values.items() if v > 0}
    assert {r.key for r in ranked} == set(positive)  # nothing or less is not ranked
    for r in ranked:
        assert r.value == positive[r.key]
        assert r.rank == 1 + sum(1 for v in positive.values() if v > r.value)
    assert [r.value for r in ranked] == sorted(positive.values(), reverse=True)
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)


@given(scores, scores)
def test_movement_is_the_change_of_rank(now, before):
    previous = ranks(before.items())
    for r in rank(now.items(), previous):
        if r.key not in previous:
            assert r.movement == Movement("new")
        else:
            delta = previous[r.key] - r.rank
            expected = (
                Movement("up", delta)
                if delta > 0
                else Movement("down", -delta)
                if delta
                else Movement("same")
            )
            assert r.movement == expected


@given(scores, st.integers(min_value=1, max_value=12))
def test_a_limited_board_is_a_prefix_of_the_full_one(values, limit):
    full = rank(values.items())
    top = rank(values.items(), limit=limit)
    assert top == full[: len(top)]
    assert all(r.rank <= limit for r in top)
    assert all(r.rank > limit for r in full[len(top) :])


@pytest.mark.parametrize(
    ("text", "period", "metrics"),
    [
        ("", "week", ("revenue", "deals", "kudos")),
        ("month", "month", ("revenue", "deals", "kudos")),
        ("kudos", "week", ("kudos",)),
        ("Quarter  Activities", "quarter", ("activities",)),
        ("deals year", "year", ("deals",)),
        ("week week", "week", ("revenue", "deals", "kudos")),
    ],
)
def test_periods_and_metrics_in_any_order(text, period, metrics):
    parsed = parse_leaderboard_command(text)
    assert (parsed.verb, parsed.period, parsed.metrics) == ("show", period, metrics)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("decade", "leaderboard.error.unknown_word"),
        ("week revenue extra", "leaderboard.error.unknown_word"),
        ("week month", "leaderboard.error.two_periods"),
        ("kudos deals", "leaderboard.error.two_metrics"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(LeaderboardSyntaxError) as info:
        parse_leaderboard_command(text)
    assert info.value.key == key


def test_help():
    assert parse_leaderboard_command("help").verb == "help"


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_with_a_user_error(text):
    try:
        parsed = parse_leaderboard_command(text)
    except LeaderboardSyntaxError as error:
        assert len(str(error.params.get("word", ""))) <= 40
        return
    assert parsed.verb in ("show", "help")
    assert set(parsed.metrics) <= set(METRICS)


def test_growth_and_ratio():
    assert growth_percent(120, 100) == Decimal("20.0")
    assert growth_percent(1, 3) == Decimal("-66.7")
    assert growth_percent(5, 0) is None
    assert ratio(2, 3) == Decimal("66.7") and ratio(0, 0) is None


def test_digest_periods():
    import datetime as dt

    monday = dt.date(2026, 11, 23)
    assert (digest_period("daily", monday).start, digest_period("daily", monday).end) == (
        dt.date(2026, 11, 22),
        monday,
    )
    week = digest_period("weekly", monday)
    assert (week.start, week.end, week.key) == (dt.date(2026, 11, 16), monday, "2026-W47")
