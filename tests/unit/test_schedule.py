"""Per-person local schedules: due at the local time, once per local day, across DST changes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from storage.schedule import local_due, local_moment

NINE = dt.time(9, 0)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_nine_in_new_york_across_both_dst_switches():
    # 2026-03-08 clocks spring forward; 2026-11-01 they fall back: 09:00 local stays 09:00 local.
    assert local_moment(dt.date(2026, 3, 6), NINE, "America/New_York") == utc("2026-03-06T14:00")
    assert local_moment(dt.date(2026, 3, 9), NINE, "America/New_York") == utc("2026-03-09T13:00")
    assert local_moment(dt.date(2026, 10, 30), NINE, "America/New_York") == utc("2026-10-30T13:00")
    assert local_moment(dt.date(2026, 11, 2), NINE, "America/New_York") == utc("2026-11-02T14:00")


def test_shanghai_member_is_due_at_nine_shanghai_time():
    assert local_due(utc("2026-11-27T00:59"), "Asia/Shanghai", NINE) is None
    assert local_due(utc("2026-11-27T01:00"), "Asia/Shanghai", NINE) == dt.date(2026, 11, 27)
    assert local_due(utc("2026-11-27T01:59"), "Asia/Shanghai", NINE) == dt.date(2026, 11, 27)
    assert local_due(utc("2026-11-27T02:00"), "Asia/Shanghai", NINE) is None  # past the grace


def test_days_the_ritual_does_not_run_are_skipped():
    weekdays = lambda day: day.weekday() < 5  # noqa: E731
    assert local_due(utc("2026-11-28T14:30"), "America/New_York", NINE, weekdays) is None  # Saturday
    assert local_due(utc("2026-11-30T14:30"), "America/New_York", NINE, weekdays) == dt.date(2026, 11, 30)


def test_a_late_evening_time_is_found_after_local_midnight_within_the_grace():
    late = dt.time(23, 45)
    assert local_due(utc("2026-11-27T23:20"), "UTC", late, grace=dt.timedelta(hours=1)) is None
    assert local_due(utc("2026-11-28T00:10"), "UTC", late, grace=dt.timedelta(hours=1)) == dt.date(
        2026, 11, 27
    )


def test_a_time_skipped_by_spring_forward_still_happens_once():
    half_two = dt.time(2, 30)  # does not exist in New York on 2026-03-08
    moment = local_moment(dt.date(2026, 3, 8), half_two, "America/New_York")
    assert moment == utc("2026-03-08T07:30")  # 03:30 EDT
    assert local_due(moment, "America/New_York", half_two) == dt.date(2026, 3, 8)


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)),
    st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Lord_Howe"]),
    st.times(),
)
def test_due_at_most_once_per_local_day_within_the_grace(naive, zone, at):
    """Sampling every 5 minutes over the grace window after `at` finds one local date, and only one."""
    now = naive.replace(tzinfo=dt.UTC)
    seen = {local_due(now + dt.timedelta(minutes=5 * k), zone, at) for k in range(-24, 24)}
    seen.discard(None)
    assert len(seen) <= 2  # the window can straddle two local days' occurrences at most
    for day in seen:
        moment = local_moment(day, at, zone)
        assert now - dt.timedelta(hours=3) < moment <= now + dt.timedelta(hours=2)
