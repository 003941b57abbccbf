"""When something is due in someone's own time zone: the shape of every per-person ritual.

Jobs that serve people in several zones run every few minutes; for each person they ask
`local_due(...)` whether that person's local time has just passed the ritual's time on a day the
ritual runs, then claim (job, workspace, "<target>:<local date>") before sending. That gives one
post per person per day across processes, on time in every zone and across daylight-saving
changes (zoneinfo does the arithmetic), and the same one-hour grace as the scheduler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

DEFAULT_GRACE = dt.timedelta(hours=1)


def local_moment(day: dt.date, at: dt.time, zone: str) -> dt.datetime:
    """`at` on `day` in `zone`, as UTC. A time skipped by a spring-forward change maps past the gap."""
    tz = ZoneInfo(zone)
    wall = dt.datetime.combine(day, at, tz)
    # A wall time that does not exist round-trips to a different wall time: move past the gap.
    back = wall.astimezone(dt.UTC).astimezone(tz)
    if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
        wall = dt.datetime.combine(day, at, tz) + (back.utcoffset() - wall.utcoffset())  # type: ignore[operator]
    return wall.astimezone(dt.UTC)


def local_due(
    now: dt.datetime,
    zone: str,
    at: dt.time,
    runs_on: Callable[[dt.date], bool] = lambda _day: True,
    grace: dt.timedelta = DEFAULT_GRACE,
) -> dt.date | None:
    """The local date whose `at` lies in (now - grace, now] and is a day the ritual runs on, else None."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for day in (today, today - dt.timedelta(days=1)):
        moment = local_moment(day, at, zone)
        if now - grace < moment <= now and runs_on(day):
            return day
    return None
