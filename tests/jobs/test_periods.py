"""Periods and fire times: calendar arithmetic in the workspace's zone (pure, no database)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs import JOBS
from jobs.base import JobSpec, Period
from tests.jobs.helpers import at

REFRESH = JOBS["refresh-member-profiles"]  # daily 03:15, per day
DAY = dt.timedelta(days=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
D = dt.date.fromisoformat
T = TypeVar("T")


async def nothing(*_args: object) -> None:
    return None


def spec(cadence: str = "day", **cron: object) -> JobSpec:
    return JobSpec(name="test-job", function=nothing, cadence=cadence, cron=cron)


# --- Period.containing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "moment", "zone", "start", "end", "key"),
    [
        # the same instant is Sunday night in UTC and Monday morning in Shanghai
        ("day", "2026-11-29T23:30Z", "UTC", "2026-11-29", "2026-11-30", "2026-11-29"),
        ("day", "2026-11-29T23:30Z", "Asia/Shanghai", "2026-11-30", "2026-12-01", "2026-11-30"),
        ("day", "2026-11-30T07:30Z", "America/Los_Angeles", "2026-11-29", "2026-11-30", "2026-11-29"),
        ("week", "2026-11-29T23:30Z", "UTC", "2026-11-23", "2026-11-30", "2026-W48"),
        ("week", "2026-11-29T23:30Z", "Asia/Shanghai", "2026-11-30", "2026-12-07", "2026-W49"),
        # ISO week years: 2026 has 53 weeks, and 31 Dec 2025 is already in 2026-W01
        ("week", "2027-01-01T12:00Z", "UTC", "2026-12-28", "2027-01-04", "2026-W53"),
        ("week", "2025-12-31T12:00Z", "UTC", "2025-12-29", "2026-01-05", "2026-W01"),
        ("month", "2026-01-31T16:30Z", "UTC", "2026-01-01", "2026-02-01", "2026-01"),
        ("month", "2026-01-31T16:30Z", "Asia/Shanghai", "2026-02-01", "2026-03-01", "2026-02"),
        ("month", "2026-03-01T05:00Z", "America/Los_Angeles", "2026-02-01", "2026-03-01", "2026-02"),
        ("month", "2026-12-31T23:59Z", "UTC", "2026-12-01", "2027-01-01", "2026-12"),
        ("month", "2028-02-10T00:00Z", "UTC", "2028-02-01", "2028-03-01", "2028-02"),
    ],
)
def test_containing(kind: str, moment: str, zone: str, start: str, end: str, key: str) -> None:
    period = Period.containing(kind, at(moment), zone)

    assert period == Period(kind, D(start), D(end))
    assert period.key == key


@pytest.mark.parametrize(
    ("moment", "key"),
    [
        # 29 March 2026: Berlin springs forward at 01:00 UTC, a 23-hour day
        ("2026-03-28T22:59Z", "2026-03-28"),  # 23:59 CET
        ("2026-03-28T23:00Z", "2026-03-29"),  # 00:00 CET
        ("2026-03-29T21:59Z", "2026-03-29"),  # 23:59 CEST
        ("2026-03-29T22:00Z", "2026-03-30"),  # 00:00 CEST
        # 25 October 2026: back to CET at 01:00 UTC, a 25-hour day
        ("2026-10-24T21:59Z", "2026-10-24"),  # 23:59 CEST
        ("2026-10-24T22:00Z", "2026-10-25"),  # 00:00 CEST
        ("2026-10-25T22:59Z", "2026-10-25"),  # 23:59 CET
        ("2026-10-25T23:00Z", "2026-10-26"),  # 00:00 CET
    ],
)
def test_day_boundaries_follow_berlin_across_dst_changes(moment: str, key: str) -> None:
    assert Period.containing("day", at(moment), "Europe/Berlin").key == key


def test_week_starts_on_the_local_monday_on_a_dst_change_day() -> None:
    moment = at("2026-03-29T22:30Z")  # Sunday in UTC, Monday 00:30 CEST in Berlin

    assert Period.containing("week", moment, "UTC").key == "2026-W13"
    berlin = Period.containing("week", moment, "Europe/Berlin")
    assert (berlin.start, berlin.key) == (D("2026-03-30"), "2026-W14")


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="fortnight"):
        Period.containing("fortnight", at("2026-03-10T12:00Z"), "UTC")


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period("day", D("2026-03-01"), D("2026-03-02")), Period("day", D("2026-02-28"), D("2026-03-01"))),
        (Period("day", D("2026-03-30"), D("2026-03-31")), Period("day", D("2026-03-29"), D("2026-03-30"))),
        (Period("week", D("2025-12-29"), D("2026-01-05")), Period("week", D("2025-12-22"), D("2025-12-29"))),
        (Period("week", D("2027-01-04"), D("2027-01-11")), Period("week", D("2026-12-28"), D("2027-01-04"))),
        (
            Period("month", D("2026-01-01"), D("2026-02-01")),
            Period("month", D("2025-12-01"), D("2026-01-01")),
        ),
        (
            Period("month", D("2026-03-01"), D("2026-04-01")),
            Period("month", D("2026-02-01"), D("2026-03-01")),
        ),
    ],
)
def test_previous(period: Period, previous: Period) -> None:
    assert period.previous() == previous


def test_previous_keys() -> None:
    assert Period.containing("week", at("2026-01-01T12:00Z"), "UTC").previous().key == "2025-W52"
    assert Period.containing("week", at("2027-01-04T12:00Z"), "UTC").previous().key == "2026-W53"
    assert Period.containing("month", at("2026-01-15T12:00Z"), "Asia/Shanghai").previous().key == "2025-12"
    # the Shanghai day that a late UTC evening already belongs to
    assert Period.containing("day", at("2026-11-29T23:30Z"), "Asia/Shanghai").previous().key == "2026-11-29"


ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # half-hour DST
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
]


@given(
    kind=st.sampled_from(["day", "week", "month"]),
    moment=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2099, 12, 31),
        timezones=st.sampled_from([dt.UTC, *(ZoneInfo(z) for z in ZONES)]),
    ),
    zone=st.sampled_from(ZONES),
    data=st.data(),
)
def test_a_period_holds_its_moment_and_every_moment_inside_shares_its_key(
    kind: str, moment: dt.datetime, zone: str, data: st.DataObject
) -> None:
    tz = ZoneInfo(zone)
    period = Period.containing(kind, moment, zone)

    assert period.start <= moment.astimezone(tz).date() < period.end
    days = (period.end - period.start).days
    assert {"day": days == 1, "week": days == 7, "month": 28 <= days <= 31}[kind]
    assert kind != "week" or period.start.weekday() == 0
    assert kind != "month" or (period.start.day == 1 and period.end.day == 1)

    # any instant inside the same local period maps to the same period and key
    offset = data.draw(st.integers(0, days - 1), label="day offset")
    clock = data.draw(st.times(min_value=dt.time(6), max_value=dt.time(18)), label="local time")
    inside = dt.datetime.combine(period.start + dt.timedelta(days=offset), clock, tz).astimezone(dt.UTC)
    same = Period.containing(kind, inside, zone)
    assert same == period and same.key == period.key

    # local midnight opens the period; the instant before it belongs to the previous one
    opening = dt.datetime.combine(period.start, dt.time(0), tz).astimezone(dt.UTC)
    assert Period.containing(kind, opening, zone) == period
    before = Period.containing(kind, opening - dt.timedelta(microseconds=1), zone)
    assert before == period.previous()
    assert before.end == period.start and before.key != period.key


# --- JobSpec.scheduled_time / period_for ----------------------------------------------------------


def test_just_after_the_fire_time_the_run_is_todays() -> None:
    now = at("2026-03-10T19:16Z")  # 03:16 on 11 March in Shanghai

    fired = REFRESH.scheduled_time("Asia/Shanghai", now, DAY)

    assert fired == dt.datetime(2026, 3, 11, 3, 15, tzinfo=SHANGHAI)
    assert fired == at("2026-03-10T19:15Z")
    assert REFRESH.period_for("Asia/Shanghai", now, DAY).key == "2026-03-11"


def test_exactly_at_the_fire_time_the_run_is_todays() -> None:
    now = at("2026-03-10T19:15Z")

    assert REFRESH.scheduled_time("Asia/Shanghai", now, DAY) == now
    assert REFRESH.period_for("Asia/Shanghai", now, DAY).key == "2026-03-11"


def test_just_before_the_fire_time_the_latest_run_is_yesterdays() -> None:
    now = at("2026-03-10T19:14Z")  # 03:14 on 11 March in Shanghai: today's 03:15 is still ahead

    assert REFRESH.scheduled_time("Asia/Shanghai", now, DAY) == dt.datetime(
        2026, 3, 10, 3, 15, tzinfo=SHANGHAI
    )
    assert REFRESH.period_for("Asia/Shanghai", now, DAY).key == "2026-03-10"
    assert Period.containing("day", now, "Asia/Shanghai").key == "2026-03-11"


def test_a_late_run_after_local_midnight_counts_for_the_day_it_was_scheduled_in() -> None:
    nightly = spec(hour=23, minute=30)
    now = at("2026-06-15T22:20Z")  # 00:20 CEST on 16 June: 50 minutes late

    assert nightly.scheduled_time("Europe/Berlin", now, DAY) == dt.datetime(
        2026, 6, 15, 23, 30, tzinfo=BERLIN
    )
    assert nightly.period_for("Europe/Berlin", now, DAY).key == "2026-06-15"
    assert Period.containing("day", now, "Europe/Berlin").key == "2026-06-16"


def test_without_a_fire_time_in_the_lookback_the_period_is_nows() -> None:
    nightly = spec(hour=23, minute=30)
    now = at("2026-06-15T22:20Z")

    assert nightly.scheduled_time("Europe/Berlin", now, dt.timedelta(minutes=30)) is None
    assert nightly.period_for("Europe/Berlin", now, dt.timedelta(minutes=30)).key == "2026-06-16"


def test_the_daily_fire_time_keeps_local_time_across_the_spring_change() -> None:
    before = at("2026-03-29T01:10Z")  # 03:10 CEST on the 23-hour day
    after = at("2026-03-29T01:20Z")  # 03:20 CEST

    assert REFRESH.scheduled_time("Europe/Berlin", before, DAY) == at("2026-03-28T02:15Z")  # 03:15 CET
    assert REFRESH.scheduled_time("Europe/Berlin", after, DAY) == at("2026-03-29T01:15Z")  # 03:15 CEST
    assert REFRESH.period_for("Europe/Berlin", before, DAY).key == "2026-03-28"
    assert REFRESH.period_for("Europe/Berlin", after, DAY).key == "2026-03-29"


def within(seconds: float, compute: Callable[[], T]) -> T:
    """compute(), failing instead of hanging the run if it never returns."""
    result: list[T] = []
    worker = threading.Thread(target=lambda: result.append(compute()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still computing after {seconds}s"
    return result[0]


@pytest.mark.parametrize(
    ("now", "fired"),
    [
        # 25 October 2026: Helsinki goes from EEST back to EET at 04:00 local, so 03:15 happens twice
        ("2026-10-25T00:30Z", "2026-10-25T00:15Z"),  # after the first 03:15 (EEST)
        ("2026-10-25T01:30Z", "2026-10-25T01:15Z"),  # after the second 03:15 (EET)
        ("2026-10-25T12:00Z", "2026-10-25T01:15Z"),
        ("2026-10-26T01:14Z", "2026-10-25T01:15Z"),
    ],
)
def test_a_fire_time_in_a_repeated_hour_is_found_without_looping(now: str, fired: str) -> None:
    found = within(2, lambda: REFRESH.scheduled_time("Europe/Helsinki", at(now), DAY))

    assert found is not None
    assert found.astimezone(dt.UTC) == at(fired)  # (PEP 495: == across zones is False in a repeated hour)
    assert REFRESH.period_for("Europe/Helsinki", at(now), DAY).key == "2026-10-25"


def test_a_weekly_job_before_its_monday_fire_time_is_last_weeks() -> None:
    weekly = spec("week", day_of_week="mon", hour=9)
    monday_morning = at("2026-11-29T23:30Z")  # Monday 07:30 in Shanghai, week 49 has begun
    monday_nine = at("2026-11-30T01:00Z")  # Monday 09:00 in Shanghai

    assert weekly.scheduled_time("Asia/Shanghai", monday_morning, 7 * DAY) == dt.datetime(
        2026, 11, 23, 9, tzinfo=SHANGHAI
    )
    assert weekly.period_for("Asia/Shanghai", monday_morning, 7 * DAY).key == "2026-W48"
    assert weekly.period_for("Asia/Shanghai", monday_nine, 7 * DAY).key == "2026-W49"
