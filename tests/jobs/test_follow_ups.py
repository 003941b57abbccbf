"""`follow-up-reminders`: the job function called directly at chosen moments, then through run_job.

Owners in several zones, with customers due or overdue for contact and deals past their expected
close, get one DM each at 09:00 on their workdays, in their own zone. The seeding helpers here are
shared with the button and reliability tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Any

import time_machine
from sqlalchemy import select, update

from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.follow_ups import send_follow_up_reminders
from jobs.runner import run_job
from storage.deals import NewDeal, create_deal
from storage.models import Customer, Deal, JobRun, Member, Stage, Workspace
from storage.money import Money
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, get_workspace, save_member
from tests.factories import CustomerFactory, HolidayFactory, persist
from tests.fake_slack import TEAM_ID

REMINDERS = JOBS["follow-up-reminders"]
MONDAY = dt.date(2026, 3, 9)  # the day after clocks went forward in New York
SHANGHAI_NINE = dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC)  # 09:00 on Monday 9 March in Shanghai
NEW_YORK_NINE = dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)  # 09:00 EDT
_keys = itertools.count(1)


# --- seeding, shared with the other follow-up tests ----------------------------------------------


async def workspace_of(app, team_id: str = TEAM_ID, timezone: str = "UTC") -> Workspace:
    async with app.db.session() as session:
        return await ensure_workspace(session, team_id, defaults=WorkspaceDefaults(timezone=timezone))


async def owner(app, user: str, tz: str = "UTC", team_id: str = TEAM_ID, **fields: Any) -> Member:
    """A member the fake Slack knows with the same profile (so a profile refresh changes nothing)."""
    app.fake.add_user(user, tz=tz, **fields)
    workspace = await workspace_of(app, team_id)
    async with app.db.session() as session:
        return await save_member(session, workspace.id, user, Profile.from_users_info(app.fake.users[user]))


async def customer(
    app,
    member: Member | None,
    name: str,
    due: dt.date | None,
    segment: str = "new",
    team_id: str = TEAM_ID,
) -> Customer:
    workspace = await workspace_of(app, team_id)
    async with app.db.session() as session:
        [row] = await persist(
            session,
            CustomerFactory(
                workspace=workspace, owner=member, name=name, segment=segment, next_follow_up=due
            ),
        )
        return row


async def deal(
    app,
    member: Member,
    customer_name: str,
    closes: dt.date | None,
    title: str = "",
    stage: Stage = Stage.PROPOSAL,
) -> Deal:
    async with app.db.session() as session:
        new = NewDeal(customer_name, Money(1_250_000, "USD"), title=title, stage=stage, expected_close=closes)
        created, _ = await create_deal(session, member.workspace_id, member, new, f"test:{next(_keys)}")
        return created


async def run_at(moment: dt.datetime, app, services: JobServices | None = None) -> int:
    async with app.db.session() as session:
        workspace = await get_workspace(session, TEAM_ID)
    return await send_follow_up_reminders(JobContext.at(workspace, moment, services or app.services))


def dms(app) -> list[dict[str, Any]]:
    """The args of every DM delivered: chat.postMessage to a user id that Slack accepted."""
    return [c.args for c in app.fake.delivered("chat.postMessage") if c.args["channel"].startswith("U")]


def lines(message: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"]
        for b in message["blocks"]
        if str(b.get("block_id", "")).startswith("followup_item:")
    ]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def claims(app) -> list[tuple[str, str]]:
    async with app.db.session() as session:
        runs = await session.scalars(select(JobRun).where(JobRun.job == REMINDERS.name).order_by(JobRun.id))
        return [(r.period_key, r.status) for r in runs]


async def sales_team(app) -> dict[str, Any]:
    """U0002 in Shanghai and U0003 (Chinese) in New York with things due; U0004 with nothing due."""
    await workspace_of(app)
    ana = await owner(app, "U0002", tz="Asia/Shanghai")
    li = await owner(app, "U0003", tz="America/New_York", locale="zh-CN")
    await owner(app, "U0004", tz="Europe/Berlin")
    acme = await customer(app, ana, "Acme Corp", MONDAY - dt.timedelta(days=4), segment="vip")
    globex = await customer(app, ana, "Globex", MONDAY)
    await customer(app, ana, "Initech", MONDAY + dt.timedelta(days=1))  # not due yet
    await customer(app, ana, "Hooli", None)  # no follow-up set
    umbrella = await customer(app, li, "Umbrella", MONDAY - dt.timedelta(days=1))
    big = await deal(app, ana, "Acme Corp", MONDAY - dt.timedelta(days=8), title="Big <order>")
    await deal(app, ana, "Globex", MONDAY)  # closes today: not past its date
    await deal(app, ana, "Globex", MONDAY - dt.timedelta(days=30), stage=Stage.WON)  # closed
    await deal(app, li, "Initech", None)  # no expected close
    return {"ana": ana, "li": li, "acme": acme, "globex": globex, "umbrella": umbrella, "big": big}


# --- the tests -----------------------------------------------------------------------------------


async def test_each_owner_gets_one_dm_at_nine_in_their_own_zone(app):
    team = await sales_team(app)

    assert await run_at(SHANGHAI_NINE - dt.timedelta(minutes=5), app) == 0
    assert await run_at(SHANGHAI_NINE, app) == 1
    assert await run_at(SHANGHAI_NINE + dt.timedelta(minutes=5), app) == 0
    assert await run_at(SHANGHAI_NINE + dt.timedelta(minutes=55), app) == 0
    [dm] = dms(app)
    assert dm["channel"] == "U0002" and dm["text"] == "Follow-ups due: 3."
    assert dm["blocks"][0]["text"]["text"] == "Follow-ups for 2026-03-09"
    assert lines(dm) == [  # most overdue first; names escaped
        ":moneybag: *Big &lt;order&gt;* with Acme Corp ($12,500.00, Proposal) was expected to close on "
        "2026-03-01, 8 days ago.",
        ":bust_in_silhouette: *Acme Corp* (VIP) was due for contact on 2026-03-05, 4 days ago. Last contact: never.",
        ":bust_in_silhouette: *Globex* (existing) is due for contact today. Last contact: never.",
    ]
    big, acme, globex = team["big"].id, team["acme"].id, team["globex"].id
    assert buttons(dm) == [
        (action, f"{target}:2026-03-09")
        for target in (f"d:{big}", f"c:{acme}", f"c:{globex}")
        for action in ("followup_done", "followup_snooze", "followup_open")
    ]

    assert await run_at(NEW_YORK_NINE - dt.timedelta(minutes=5), app) == 0
    assert await run_at(NEW_YORK_NINE, app) == 1  # 09:00 EDT, the day after the clocks changed
    assert await run_at(NEW_YORK_NINE + dt.timedelta(minutes=30), app) == 0
    second = dms(app)[1]
    assert second["channel"] == "U0003" and second["text"] == "待跟进：1 项。"
    assert lines(second) == [
        ":bust_in_silhouette: *Umbrella*\u200b（新）本应在 2026-03-08 联系，已逾期 1 天。上次联系：从未。"
    ]
    assert len(dms(app)) == 2  # U0004 (Berlin) has nothing due: no DM
    assert await claims(app) == [
        (f"{team['ana'].id}:2026-03-09", "done"),
        (f"{team['li'].id}:2026-03-09", "done"),
    ]


async def test_no_dm_on_days_off_holidays_or_out_of_office(app):
    await workspace_of(app)
    ana = await owner(app, "U0002", tz="America/New_York")
    await customer(app, ana, "Acme Corp", dt.date(2026, 3, 1))

    friday = dt.datetime(2026, 3, 6, 14, 0, tzinfo=dt.UTC)  # 09:00 EST, before the clocks changed
    assert await run_at(friday - dt.timedelta(minutes=5), app) == 0
    assert await run_at(friday, app) == 1
    saturday = dt.datetime(2026, 3, 7, 14, 0, tzinfo=dt.UTC)
    assert await run_at(saturday, app) == 0
    async with app.db.session() as session:
        await persist(
            session, HolidayFactory(workspace_id=ana.workspace_id, day=dt.date(2026, 3, 9), name="Team day")
        )
        await session.execute(
            update(Member)
            .where(Member.id == ana.id)
            .values(ooo_from=dt.date(2026, 3, 10), ooo_until=dt.date(2026, 3, 10))
        )
    assert await run_at(NEW_YORK_NINE, app) == 0  # a holiday
    assert await run_at(NEW_YORK_NINE + dt.timedelta(days=1), app) == 0  # out of office
    assert await run_at(NEW_YORK_NINE + dt.timedelta(days=2), app) == 1  # back on Wednesday
    async with app.db.session() as session:  # the team works Saturdays too
        await session.execute(
            update(Workspace).where(Workspace.id == ana.workspace_id).values(workdays=[0, 1, 2, 3, 4, 5])
        )
    assert await run_at(dt.datetime(2026, 3, 14, 13, 0, tzinfo=dt.UTC), app) == 1
    assert [dm["blocks"][0]["text"]["text"] for dm in dms(app)] == [
        "Follow-ups for 2026-03-06",
        "Follow-ups for 2026-03-11",
        "Follow-ups for 2026-03-14",
    ]


async def test_a_long_list_is_capped_with_and_n_more(app):
    await workspace_of(app)
    ana = await owner(app, "U0002")
    for n in range(23):
        await customer(app, ana, f"Customer {n:02d}", MONDAY - dt.timedelta(days=n))
    assert await run_at(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), app) == 1
    [dm] = dms(app)
    assert dm["text"] == "Follow-ups due: 23."
    assert len(lines(dm)) == 20 and len(dm["blocks"]) <= 50
    assert lines(dm)[0].startswith(
        ":bust_in_silhouette: *Customer 22* (new) was due for contact on 2026-02-15, 22 days ago."
    )
    assert dm["blocks"][-1] == {
        "type": "context",
        "block_id": "followup_more",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "…and 3 more, not shown here. They stay on your list until they are done.",
            }
        ],
    }


async def test_a_dm_slack_refused_is_sent_by_the_next_run_within_the_hour(app):
    team = await sales_team(app)
    app.fake.fail_next("chat.postMessage", "internal_error")
    assert await run_at(SHANGHAI_NINE, app) == 0
    assert await claims(app) == [(f"{team['ana'].id}:2026-03-09", "failed")]
    assert await run_at(SHANGHAI_NINE + dt.timedelta(minutes=5), app) == 1
    assert await run_at(SHANGHAI_NINE + dt.timedelta(minutes=10), app) == 0
    assert [dm["channel"] for dm in dms(app)] == ["U0002"]
    assert len(app.fake.calls_to("chat.postMessage")) == 2
    assert await claims(app) == [(f"{team['ana'].id}:2026-03-09", "done")]


async def test_a_run_later_than_the_hour_posts_nothing_and_logs_the_skip_once(app, caplog):
    team = await sales_team(app)
    caplog.set_level(logging.INFO, logger="jobs.follow_ups")
    assert await run_at(SHANGHAI_NINE + dt.timedelta(minutes=59), app) == 1  # still within the hour
    assert await run_at(NEW_YORK_NINE + dt.timedelta(hours=1, minutes=1), app) == 0  # too late for U0003
    assert await run_at(NEW_YORK_NINE + dt.timedelta(hours=3), app) == 0
    assert [dm["channel"] for dm in dms(app)] == ["U0002"]
    skips = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skips == [
        "follow-up-reminders for T0001: U0003's reminder for 2026-03-09 skipped, "
        "09:00 America/New_York passed more than 1:00:00 ago"
    ]
    assert await claims(app) == [
        (f"{team['ana'].id}:2026-03-09", "done"),
        (f"{team['li'].id}:2026-03-09", "skipped"),
    ]


async def test_run_as_scheduled_every_five_minutes(app):
    """The scheduler's path: no period claim, so every 5-minute run of the day gets its chance."""
    await sales_team(app)
    async with app.db.session() as session:
        workspace = await get_workspace(session, TEAM_ID)
    outcomes = []
    for moment in (SHANGHAI_NINE, SHANGHAI_NINE + dt.timedelta(minutes=5), NEW_YORK_NINE):
        with time_machine.travel(moment, tick=False):
            outcomes.append(await run_job(REMINDERS, workspace, app.services, as_scheduled=True))
    assert [(o.status, o.result) for o in outcomes] == [("ran", 1), ("ran", 0), ("ran", 1)]
    assert (REMINDERS.cron, REMINDERS.cadence, REMINDERS.claim_period) == ({"minute": "*/5"}, "day", False)


async def test_the_dm_says_what_each_kind_of_line_is_about(app):
    """Customers are due for contact; deals are past their expected close, and snoozing one's reminder
    leaves the forecast alone (issue 16, item 11)."""
    await sales_team(app)
    assert await run_at(SHANGHAI_NINE, app) == 1
    assert await run_at(NEW_YORK_NINE, app) == 1
    ana, li = dms(app)
    assert ana["blocks"][1]["text"]["text"] == (
        "2 customers due for contact and 1 deal past its expected close. "
        "Mark a customer *Done* once you have been in touch, or snooze it for 3 days. "
        "For a deal, close it or set a new expected close with `/deal`; snoozing its reminder for 3 days "
        "leaves the expected close (and the forecast) as it is."
    )
    assert (
        li["blocks"][1]["text"]["text"] == "1 个客户需要联系。联系过客户后点 *完成*\u200b，也可以推迟 3 天。"
    )
    assert [e["text"]["text"] for e in ana["blocks"][3]["elements"]][1] == "Snooze 3 days"
