"""`weekly-leaderboard`: every Friday at 16:00 workspace time, post the week's leaders.

The week is the workspace's ISO week so far: Monday 00:00 up to the run's `now`. Run by hand
(`dealbell jobs run weekly-leaderboard`) it posts the current week so far; as scheduled, the week
of the Friday 16:00 the run stands for. Boards:
revenue won (ranked in the workspace currency, other currencies listed), deals won and kudos
received, the top 10 of each with the movement against last week's final ranks. It goes to the
leaderboard channel, else the wins channel; with neither it is skipped (and logged). The runner's
period claim makes it post once per (workspace, week) however many processes run it.

Unless the workspace turned charts off, a PNG (revenue by rep this week beside the last 8 weeks'
revenue won, in the workspace currency) follows in the post's thread. The chart comes after the
post and on its own: if it fails it is logged and dropped, never the post (nor is it repeated).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.kit import charts
from bot.kit.i18n import t
from bot.kit.views import leaderboard as render
from jobs.base import JobContext, JobServices, JobSpec, Period
from storage import leaderboard
from storage.models import Workspace

log = logging.getLogger(__name__)

NAME = "weekly-leaderboard"
TREND_WEEKS = 8


def last_weeks(week: Period, count: int = TREND_WEEKS) -> list[Period]:
    """`count` weeks ending with `week`, oldest first."""
    weeks = [week]
    while len(weeks) < count:
        weeks.append(weeks[-1].previous())
    return weeks[::-1]


async def trend(
    workspace: Workspace, weeks: list[Period], zone: str, until: dt.datetime, services: JobServices
) -> list[charts.Week]:
    """Revenue won in the workspace currency in each week (the zone's weeks), up to `until`."""
    windows = [week.utc_bounds(zone) for week in weeks]
    windows = [(start, min(end, until)) for start, end in windows]
    async with services.db.session() as session:
        totals = await leaderboard.won_per_window(session, workspace.id, workspace.currency, windows)
    return [charts.Week(week.start, total) for week, total in zip(weeks, totals, strict=True)]


async def thread_chart(
    client: Any,
    post: Any,
    render_png: Callable[[], Awaitable[bytes | None]],
    filename: str,
    title: str,
    job: str,
) -> bool:
    """Upload the chart `render_png` makes into the thread of `post` (a chat.postMessage answer).

    Never raises: the post is out already, so a chart that fails is logged and left out.
    Returns whether a chart was uploaded (None from `render_png`: nothing worth drawing).
    """
    try:
        png = await render_png()
        if png is None:
            return False
        await client.files_upload_v2(
            channel=post["channel"], thread_ts=post["ts"], content=png, filename=filename, title=title
        )
    except Exception as exc:
        log.warning("%s: chart for %s not uploaded: %s: %s", job, post.get("ts"), type(exc).__name__, exc)
        return False
    return True


async def leaderboard_png(
    workspace: Workspace,
    revenue: leaderboard.Board,
    period: Period,
    until: dt.datetime,
    services: JobServices,
) -> bytes | None:
    """Revenue by rep (the board's ranked rows) beside the trend; None when both are empty."""
    weeks = await trend(workspace, last_weeks(period), workspace.timezone, until, services)
    if not revenue.rows and not any(w.minor for w in weeks):
        return None
    async with services.db.session() as session:
        names = await leaderboard.member_names(session, workspace.id, [r.key for r in revenue.rows])
    bars = [
        charts.Bar(charts.person_label(*names.get(r.key, ("", "")), r.key), r.value) for r in revenue.rows
    ]
    return await asyncio.to_thread(
        charts.leaderboard_chart, workspace.currency, bars, weeks, workspace.locale
    )


async def post_weekly_leaderboard(ctx: JobContext) -> int:
    """Post the boards of the run's week up to its `now`; returns the number of posts made (0 or 1)."""
    workspace, period, services, now = ctx.workspace, ctx.period, ctx.services, ctx.now
    channel = workspace.channel("leaderboard") or workspace.channel("wins")
    if not channel:
        log.info("%s for %s: no leaderboard or wins channel set, skipping", NAME, workspace.team_id)
        return 0
    zone = workspace.timezone
    start, end = period.utc_bounds(zone)
    window = (start, min(end, now))
    async with services.db.session() as session:
        boards = await leaderboard.boards(
            session,
            workspace,
            leaderboard.WEEKLY_METRICS,
            window,
            period.previous().utc_bounds(zone),
            public=True,
        )
    today = min(now.astimezone(ZoneInfo(zone)).date(), period.end - dt.timedelta(days=1))
    text, blocks = render.weekly(boards, period, today, zone, workspace.locale)
    client = services.client_for(workspace)
    post = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    if workspace.charts_enabled:
        revenue = next(b for b in boards if b.metric == "revenue")
        await thread_chart(
            client,
            post,
            lambda: leaderboard_png(workspace, revenue, period, now, services),
            filename=f"leaderboard-{period.key}.png",
            title=t(
                workspace.locale,
                "charts_leaderboard_title",
                week=render.day_text(period.start, workspace.locale),
            ),
            job=NAME,
        )
    return 1


JOB = JobSpec(
    name=NAME,
    function=post_weekly_leaderboard,
    cadence="week",
    cron={"day_of_week": "fri", "hour": 16, "minute": 0},
    description="Post the week's leaders (revenue, deals won, kudos) to the leaderboard channel, Fridays 16:00.",
)
