"""`weekly-leaderboard`: every Friday at 16:00 workspace time, post the week's leaders.

The week is the workspace's ISO week so far: Monday 00:00 up to the moment of the run. Boards:
revenue won (ranked in the workspace currency, other currencies listed), deals won and kudos
received, the top 10 of each with the movement against last week's final ranks. It goes to the
leaderboard channel, else the wins channel; with neither it is skipped (and logged). The runner's
period claim makes it post once per (workspace, week) however many processes run it.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot.views import leaderboard as render
from jobs.base import JobServices, JobSpec, Period
from storage import leaderboard
from storage.models import Workspace, utcnow

log = logging.getLogger(__name__)

NAME = "weekly-leaderboard"


async def post_weekly_leaderboard(workspace: Workspace, period: Period, services: JobServices) -> int:
    """Post the boards of `period` (a week) up to now; returns the number of posts made (0 or 1)."""
    channel = workspace.channel("leaderboard") or workspace.channel("wins")
    if not channel:
        log.info("%s for %s: no leaderboard or wins channel set, skipping", NAME, workspace.team_id)
        return 0
    zone = workspace.timezone
    now = utcnow()
    start, end = period.utc_bounds(zone)
    window = (start, min(end, now))
    async with services.db.session() as session:
        boards = await leaderboard.boards(
            session, workspace, leaderboard.WEEKLY_METRICS, window, period.previous().utc_bounds(zone)
        )
    today = min(now.astimezone(ZoneInfo(zone)).date(), period.end - dt.timedelta(days=1))
    text, blocks = render.weekly(boards, period, today, zone, workspace.locale)
    await services.client_for(workspace).chat_postMessage(channel=channel, text=text, blocks=blocks)
    return 1


JOB = JobSpec(
    name=NAME,
    function=post_weekly_leaderboard,
    cadence="week",
    cron={"day_of_week": "fri", "hour": 16, "minute": 0},
    description="Post the week's leaders (revenue, deals won, kudos) to the leaderboard channel, Fridays 16:00.",
)
