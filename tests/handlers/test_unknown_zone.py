"""A member whose Slack zone the server's tz database does not know (a newer name, say) still uses
dealbell: their days fall back to the workspace's zone, never to an error."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select, update

from storage.models import Kudos, Workspace

ANA = "<@U0002|ana>"
NOW = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)  # already 01:00 on the 28th in Shanghai


async def in_shanghai_with_a_member_in_nowhere(app) -> None:
    app.fake.add_user("U0001", tz="America/Nowhere")
    await app.send.command("/customer", "add Acme segment:potential")  # the member is known from here
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(timezone="Asia/Shanghai"))


async def test_log_counts_days_in_the_workspace_zone(app):
    await in_shanghai_with_a_member_in_nowhere(app)
    with time_machine.travel(NOW, tick=False):
        reply = await app.send.command("/log", 'call Acme "discussed renewal"')
    assert "Logged a call with *Acme*" in reply.text
    assert "Next follow-up: *2026-12-05*" in reply.text  # 28 Nov (Shanghai) + 7, not 27 Nov + 7


async def test_kudos_and_kudos_stats_work(app):
    await in_shanghai_with_a_member_in_nowhere(app)
    with time_machine.travel(NOW, tick=True):
        given = await app.send.command("/kudos", f"{ANA} for the demo")
        stats = await app.send.command("/kudos", "stats week")
    assert "You have 4 left today" in given.text
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Kudos)) == 1
    assert "Given: *1*" in str(stats.json["blocks"])


async def test_app_home_is_published(app):
    await in_shanghai_with_a_member_in_nowhere(app)
    await app.send.event("event_app_home_opened", user="U0001")
    published = await app.fake.wait_for("views.publish")
    assert published[0].args["user_id"] == "U0001"
