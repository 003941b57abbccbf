"""Sales contests: a metric, a window of local days, a prize, and who leads (no Slack in here).

A contest runs from 00:00 of `starts_on` to 24:00 of `ends_on` in the workspace's zone. The
participants are the members with role rep or account-manager (not deleted, not bots). An
individual contest ranks them; a team contest (`team_role` set) groups them by role and ranks the
roles, each role scoring the sum of its members' results (reps vs account managers). The role
named by `team:<role>` must be a participating one; it is recorded as the challenging team.

Scores reuse the leaderboard's aggregates (one GROUP BY per metric over the window) and its
ranking: standard competition ranks, ties shared, nobody ranked with nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import leaderboard, privacy
from storage.authority import require_manager
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.leaderboard import Ranked, rank
from storage.models import Contest, Member, Role, Workspace
from storage.periods import Period, workspace_zone

METRICS = ("revenue", "deals", "activities", "kudos")
PARTICIPANT_ROLES = (Role.REP.value, Role.ACCOUNT_MANAGER.value)
MAX_NAME = 200
MAX_PRIZE = 200
CATCH_UP = dt.timedelta(days=30)  # how long after its end a contest is still watched by the job
SHOWN = 5  # running and upcoming contests shown by `/contest`

Window = tuple[dt.datetime, dt.datetime]


class ContestError(UserError):
    """A contest that cannot be created or found."""


def today_in(workspace: Workspace, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(workspace_zone(workspace))).date()


# --- pure: the window and what is due --------------------------------------------------------------


def window(contest: Contest, zone: str) -> Window:
    """[00:00 of starts_on, 24:00 of ends_on) in `zone`, as UTC instants."""
    return Period("day", contest.starts_on, contest.ends_on + dt.timedelta(days=1)).utc_bounds(zone)


def midpoint(contest: Contest, zone: str) -> dt.datetime:
    start, end = window(contest, zone)
    return start + (end - start) / 2


def status(contest: Contest, zone: str, now: dt.datetime) -> str:
    """ "upcoming", "running" or "ended"."""
    start, end = window(contest, zone)
    return "upcoming" if now < start else "running" if now < end else "ended"


def due_announcements(contest: Contest, zone: str, now: dt.datetime) -> list[str]:
    """The announcements whose moment has passed and that still make sense now, in order.

    The start and the mid-point standings are posted only while the contest runs: once it has
    ended, the winners say it all. The winners are posted up to CATCH_UP after the end.
    """
    start, end = window(contest, zone)
    if now < start:
        return []
    if now < end:
        return ["start", "mid"] if now >= midpoint(contest, zone) else ["start"]
    return ["end"] if now < end + CATCH_UP else []


def check_dates(starts_on: dt.date, ends_on: dt.date, today: dt.date) -> None:
    if starts_on < today:
        raise ContestError("contests.error.past", day=starts_on.isoformat(), today=today.isoformat())
    if ends_on < starts_on:
        raise ContestError("contests.error.ends_before", start=starts_on.isoformat(), end=ends_on.isoformat())
    last = last_day_allowed(starts_on)
    if ends_on > last:
        raise ContestError("contests.error.too_long", last=last.isoformat())


def last_day_allowed(starts_on: dt.date) -> dt.date:
    """At most a year long: up to the day before the same date a year later (29 February: 28 February)."""
    try:
        next_year = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        next_year = starts_on.replace(year=starts_on.year + 1, day=28) + dt.timedelta(days=1)
    return next_year - dt.timedelta(days=1)


# --- writes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    contest: Contest
    created: bool  # False: this trigger already created it (a retry or a double submit)


async def create_contest(
    session: AsyncSession,
    workspace: Workspace,
    creator: Member,
    *,
    name: str,
    metric: str,
    starts_on: dt.date,
    ends_on: dt.date,
    prize: str,
    team_role: str | None,
    channel_id: str | None,
    source_key: str,
    now: dt.datetime,
) -> Created:
    """Create a contest once per `source_key`; managers only; dates checked in the workspace's zone."""
    require_manager(creator)
    existing = await _by_source_key(session, workspace.id, source_key)
    if existing is not None:
        return Created(existing, False)
    name, prize = name.strip(), prize.strip()
    if not name:
        raise ContestError("contests.error.no_name")
    if len(name) > MAX_NAME:
        raise ContestError("contests.error.name_too_long", limit=MAX_NAME)
    if len(prize) > MAX_PRIZE:
        raise ContestError("contests.error.prize_too_long", limit=MAX_PRIZE)
    if metric not in METRICS:
        raise ContestError("contests.error.bad_metric", metric=metric, metrics=", ".join(METRICS))
    if team_role is not None and team_role not in PARTICIPANT_ROLES:
        raise ContestError("contests.error.bad_team", role=team_role, roles=", ".join(PARTICIPANT_ROLES))
    check_dates(starts_on, ends_on, today_in(workspace, now))
    result = await session.execute(
        insert_ignoring_conflicts(session, Contest.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace.id,
            name=name,
            metric=metric,
            starts_on=starts_on,
            ends_on=ends_on,
            prize=prize,
            team_role=team_role,
            channel_id=channel_id,
            created_by_id=creator.id,
            source_key=source_key[:200],
            created_at=now,
        )
        .returning(Contest.id)
    )
    created = result.scalar() is not None
    contest = await _by_source_key(session, workspace.id, source_key)
    assert contest is not None
    return Created(contest, created)


async def _by_source_key(session: AsyncSession, workspace_id: int, source_key: str) -> Contest | None:
    return await session.scalar(
        select(Contest).where(Contest.workspace_id == workspace_id, Contest.source_key == source_key[:200])
    )


# --- reads -----------------------------------------------------------------------------------------


async def get_contest(session: AsyncSession, workspace_id: int, contest_id: int) -> Contest | None:
    return await session.scalar(
        select(Contest).where(Contest.workspace_id == workspace_id, Contest.id == contest_id)
    )


async def current_contests(
    session: AsyncSession, workspace_id: int, today: dt.date, limit: int = SHOWN
) -> list[Contest]:
    """Running and upcoming contests (not ended before `today`), soonest first."""
    return list(
        await session.scalars(
            select(Contest)
            .where(Contest.workspace_id == workspace_id, Contest.ends_on >= today)
            .order_by(Contest.starts_on, Contest.id)
            .limit(limit)
        )
    )


async def contests_to_watch(
    session: AsyncSession, workspace_id: int, now: dt.datetime, zone: str
) -> list[Contest]:
    """Contests that may still owe an announcement: not ended more than CATCH_UP ago, started by now."""
    today = now.astimezone(ZoneInfo(zone)).date()
    oldest = (now - CATCH_UP).astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=1)
    return list(
        await session.scalars(
            select(Contest)
            .where(
                Contest.workspace_id == workspace_id,
                Contest.ends_on >= oldest,
                Contest.starts_on <= today + dt.timedelta(days=1),
            )
            .order_by(Contest.starts_on, Contest.id)
        )
    )


@dataclass(frozen=True)
class Standings:
    """Ranked rows: keyed by Slack user id (individual) or by role (team); `winners` share rank 1."""

    contest: Contest
    rows: list[Ranked[str]]
    team: bool
    currency: str | None  # revenue contests: the workspace currency ranked

    @property
    def winners(self) -> list[Ranked[str]]:
        return [row for row in self.rows if row.rank == 1]


async def participants(session: AsyncSession, workspace_id: int) -> dict[str, str]:
    """{Slack user id: role} of the people who compete."""
    rows = await session.execute(
        select(Member.slack_user_id, Member.role).where(
            Member.workspace_id == workspace_id,
            Member.role.in_(PARTICIPANT_ROLES),
            Member.deleted.is_(False),
            Member.is_bot.is_(False),
        )
    )
    return {user: role for user, role in rows}


async def scores(session: AsyncSession, workspace: Workspace, metric: str, span: Window) -> dict[str, int]:
    """{Slack user id: score} in the window, from the leaderboard's aggregates."""
    if metric == "revenue":
        return (await leaderboard.revenue_won(session, workspace.id, span)).get(workspace.currency, {})
    return await leaderboard.COUNTS[metric](session, workspace.id, span)


def rank_contest(contest: Contest, by_user: dict[str, int], roles: dict[str, str]) -> list[Ranked[str]]:
    """Pure: participants' scores ranked, or (team contests) summed per role and the roles ranked."""
    mine = {user: value for user, value in by_user.items() if user in roles}
    if not contest.team_role:
        return rank(mine.items())
    teams: dict[str, int] = defaultdict(int)
    for user, value in mine.items():
        teams[roles[user]] += value
    return rank(teams.items())


async def standings(session: AsyncSession, workspace: Workspace, contest: Contest) -> Standings:
    """Live standings over the contest's window (nothing can count from after now)."""
    by_user = await scores(session, workspace, contest.metric, window(contest, workspace_zone(workspace)))
    if not contest.team_role:  # individual standings are posted: leave out who asked (teams are sums)
        by_user = await privacy.public_scores(session, workspace.id, by_user)
    roles = await participants(session, workspace.id)
    currency = workspace.currency if contest.metric == "revenue" else None
    return Standings(contest, rank_contest(contest, by_user, roles), bool(contest.team_role), currency)
