"""Calendar periods in a time zone: the unit of scheduled runs, stats, leaderboards and goals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KINDS = ("day", "week", "month", "quarter", "year")


class _HasZone(Protocol):
    timezone: str | None


def known_zone(*names: str | None) -> str:
    """The first of `names` that is a known IANA time zone, else UTC (profiles can carry stale names)."""
    for name in names:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def member_zone(member: _HasZone, workspace: _HasZone) -> str:
    """The zone rule, used everywhere a member's day matters: their own Slack zone when the tz
    database knows it (a newer or stale name may be missing), else the workspace's, else UTC."""
    return known_zone(member.timezone, workspace.timezone)


def workspace_zone(workspace: _HasZone) -> str:
    """The workspace's zone when the tz database knows it, else UTC."""
    return known_zone(workspace.timezone)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


@dataclass(frozen=True)
class Period:
    """A local calendar period in the workspace's zone: `start` inclusive, `end` exclusive."""

    kind: str  # "day", "week" (ISO, Monday first), "month", "quarter" or "year"
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return self.start.strftime("%Y-%m")

    @classmethod
    def containing(cls, kind: str, moment: dt.datetime, timezone: str) -> Period:
        day = moment.astimezone(ZoneInfo(timezone)).date()
        if kind == "day":
            return cls(kind, day, day + dt.timedelta(days=1))
        if kind == "week":
            start = day - dt.timedelta(days=day.weekday())
            return cls(kind, start, start + dt.timedelta(days=7))
        if kind == "month":
            start = day.replace(day=1)
            return cls(kind, start, _add_months(start, 1))
        if kind == "quarter":
            start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
            return cls(kind, start, _add_months(start, 3))
        if kind == "year":
            start = day.replace(month=1, day=1)
            return cls(kind, start, start.replace(year=start.year + 1))
        raise ValueError(f"unknown period kind {kind!r}")

    def utc_bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as UTC instants: local midnights in `timezone`."""
        zone = ZoneInfo(timezone)
        return (
            dt.datetime.combine(self.start, dt.time(), zone).astimezone(dt.UTC),
            dt.datetime.combine(self.end, dt.time(), zone).astimezone(dt.UTC),
        )

    def previous(self) -> Period:
        return Period.containing(
            self.kind, dt.datetime.combine(self.start - dt.timedelta(days=1), dt.time(12), dt.UTC), "UTC"
        )
