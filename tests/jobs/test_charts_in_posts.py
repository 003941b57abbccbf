"""Charts in the weekly leaderboard post and the weekly manager digest: a PNG in the post's thread.

Uploads go through the fake Slack's files_upload_v2 endpoints (`fake.uploaded()`). The data sets
are the leaderboard's (two weeks around the Shanghai week edge) and the digests' (see their tests).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from bot.kit import charts
from jobs.base import JobContext, JobServices
from jobs.digests import send_daily_digests, send_weekly_digests
from jobs.leaderboard import last_weeks
from storage import leaderboard
from storage.periods import Period
from storage.workspaces import update_workspace
from tests.handlers.test_leaderboard import FRIDAY, seed_two_weeks
from tests.jobs.helpers import job_runs
from tests.jobs.test_digests import TUESDAY_0830_SHANGHAI, seed_data
from tests.jobs.test_leaderboard_job import run_scheduled, set_channels

MONDAY_0800_SHANGHAI = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


class Recording:
    """The job's Slack client, keeping chat.postMessage's answers (the posts' channel and ts)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.posts: list[Any] = []

    async def chat_postMessage(self, **kwargs: Any) -> Any:
        answer = await self.client.chat_postMessage(**kwargs)
        self.posts.append(answer)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def recording(app) -> tuple[JobServices, Recording]:
    client = Recording(app.services.client_for(None))
    return JobServices(db=app.db, client_for=lambda _ws: client, claimant="test"), client


def spy_on(monkeypatch, name: str) -> list[tuple]:
    """Record what the job hands the renderer `name` (it still renders)."""
    seen: list[tuple] = []
    real = getattr(charts, name)

    def spy(*args):
        seen.append(args)
        return real(*args)

    monkeypatch.setattr(charts, name, spy)
    return seen


def title_of(args: dict) -> str:
    files = args["files"]
    return (json.loads(files) if isinstance(files, str) else files)[0]["title"]


def weeks(first: str, values: list[int]) -> list[charts.Week]:
    start = dt.date.fromisoformat(first)
    return [charts.Week(start + dt.timedelta(weeks=i), v) for i, v in enumerate(values)]


# --- the weekly leaderboard ----------------------------------------------------------------------


async def test_the_leaderboard_chart_is_uploaded_in_the_posts_thread(app, monkeypatch):
    drawn = spy_on(monkeypatch, "leaderboard_chart")
    await seed_two_weeks(app)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    services, client = recording(app)
    outcome = await run_scheduled(app, workspace, FRIDAY, services)
    assert (outcome.status, outcome.result) == ("ran", 1)
    [post] = client.posts
    [(args, png)] = app.fake.uploaded()
    assert (
        (args["channel_id"], args["thread_ts"]) == (post["channel"], post["ts"]) == ("C0LEADERS", post["ts"])
    )
    assert png[:8] == charts.PNG_SIGNATURE and len(png) > 10_000
    assert title_of(args) == "Charts: revenue by rep and the 8-week trend, week of Nov 23, 2026"
    methods = [c.method for c in app.fake.calls]
    assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")

    [(currency, bars, trend, locale)] = drawn
    assert (currency, locale) == ("USD", workspace.locale)
    # the revenue board's rows, by name; the departed member and the deal after 16:00 are not in
    assert bars == [
        charts.Bar("Sam", 800_000), charts.Bar("Ana", 400_000),
        charts.Bar("Li", 400_000), charts.Bar("Kim", 50_000),
    ]  # fmt: skip
    # the team's revenue per Shanghai week up to now (the departed member's $99,999 counts here)
    assert trend == weeks("2026-10-05", [0, 0, 0, 0, 0, 0, 1_100_000, 11_649_900])


async def test_won_per_window_is_one_aggregate_per_week_in_the_workspace_zone(app):
    workspace, _ = await seed_two_weeks(app)
    week = Period.containing("week", FRIDAY, "Asia/Shanghai")
    windows = [w.utc_bounds("Asia/Shanghai") for w in last_weeks(week, 3)]
    async with app.db.session() as session:
        assert await leaderboard.won_per_window(session, workspace.id, "USD", windows) == [
            0,
            1_100_000,  # li's $2,000 on Sunday 23:30 in Shanghai is last week's
            11_649_900 + 7_777_700,  # the whole week, also after Friday 16:00
        ]
        assert await leaderboard.won_per_window(session, workspace.id, "EUR", windows[1:]) == [0, 700]
        assert await leaderboard.won_per_window(session, workspace.id + 1, "USD", windows) == [0, 0, 0]
        assert await leaderboard.won_per_window(session, workspace.id, "USD", []) == []


async def test_charts_off_means_no_upload_and_the_same_post(app):
    workspace, _ = await seed_two_weeks(app)
    async with app.db.session() as session:
        await update_workspace(session, workspace, charts_enabled=False)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    assert workspace.charts_enabled is False
    outcome = await run_scheduled(app, workspace, FRIDAY)
    assert (outcome.status, outcome.result) == ("ran", 1)
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    assert app.fake.calls_to("files.getUploadURLExternal") == []
    assert app.fake.uploaded() == []


async def test_a_failed_upload_keeps_the_post_once(app, caplog):
    await seed_two_weeks(app)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    app.fake.fail_next("files.getUploadURLExternal", "internal_error")
    with caplog.at_level(logging.WARNING, logger="jobs.leaderboard"):
        first = await run_scheduled(app, workspace, FRIDAY)
    again = await run_scheduled(app, workspace, FRIDAY + dt.timedelta(minutes=3))
    assert [(o.status, o.result) for o in (first, again)] == [("ran", 1), ("skipped", None)]
    assert len(app.fake.delivered("chat.postMessage")) == 1
    assert len(app.fake.calls_to("files.getUploadURLExternal")) == 1
    assert app.fake.uploaded() == []
    assert "chart for" in caplog.text and "not uploaded" in caplog.text
    assert [(r.job, r.status) for r in await job_runs(app.db)] == [("weekly-leaderboard", "done")]


async def test_a_week_with_nothing_won_gets_no_chart(app):
    workspace, _ = await seed_two_weeks(app)
    workspace = await set_channels(app, leaderboard="C0LEADERS")
    far_later = FRIDAY + dt.timedelta(weeks=10)  # no revenue this week nor in the 7 before
    assert (await run_scheduled(app, workspace, far_later)).result == 1
    assert app.fake.calls_to("files.getUploadURLExternal") == []


# --- the weekly manager digest -------------------------------------------------------------------


async def run_weekly(app, s, services: JobServices, at: dt.datetime = MONDAY_0800_SHANGHAI) -> int:
    return await send_weekly_digests(JobContext.at(s.workspace, at, services))


async def test_the_weekly_digest_chart_is_uploaded_in_the_dms_thread(app, monkeypatch):
    drawn = spy_on(monkeypatch, "digest_chart")
    s = await seed_data(app)
    services, client = recording(app)
    assert await run_weekly(app, s, services) == 1
    [post] = client.posts
    assert post["channel"] == "DU0001"  # the DM with the manager
    [(args, png)] = app.fake.uploaded()
    assert (args["channel_id"], args["thread_ts"]) == (post["channel"], post["ts"])
    assert png[:8] == charts.PNG_SIGNATURE and len(png) > 10_000
    assert title_of(args) == "Charts: pipeline by stage and the 8-week trend, week of Nov 23, 2026"

    [(currency, bars, trend, locale)] = drawn
    assert (currency, locale) == ("USD", "en-US")
    # the open pipeline in USD per open stage (the CNY negotiation is not in USD)
    assert bars == [
        charts.Bar("Lead", 2_000_000, 1), charts.Bar("Qualified", 0, 0),
        charts.Bar("Proposal", 650_000, 2), charts.Bar("Negotiation", 0, 0),
    ]  # fmt: skip
    assert trend == weeks("2026-10-05", [0, 0, 0, 0, 0, 0, 1_200_000, 1_570_000])


async def test_the_daily_digest_has_no_chart(app):
    s = await seed_data(app)
    assert await send_daily_digests(JobContext.at(s.workspace, TUESDAY_0830_SHANGHAI, app.services)) == 1
    assert app.fake.calls_to("files.getUploadURLExternal") == []


async def test_digest_charts_off_means_no_upload(app):
    s = await seed_data(app)
    async with app.db.session() as session:
        s.workspace = await update_workspace(session, s.workspace, charts_enabled=False)
    assert await run_weekly(app, s, app.services) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    assert app.fake.calls_to("files.getUploadURLExternal") == []


async def test_a_failed_digest_upload_keeps_the_dm_once(app, caplog):
    s = await seed_data(app)
    app.fake.fail_next("files.getUploadURLExternal", "internal_error")
    with caplog.at_level(logging.WARNING, logger="jobs.leaderboard"):
        assert await run_weekly(app, s, app.services) == 1
    # the next runs, still within the grace hour, do not send it again
    assert await run_weekly(app, s, app.services, MONDAY_0800_SHANGHAI + dt.timedelta(minutes=5)) == 0
    assert len(app.fake.delivered("chat.postMessage")) == 1
    assert app.fake.uploaded() == []
    assert "manager-digest-weekly: chart for" in caplog.text
    assert [(r.job, r.status) for r in await job_runs(app.db)] == [("manager-digest-weekly", "done")]
