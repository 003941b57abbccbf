"""`/leaderboard` through signed requests, over a seeded two-week data set (helpers shared with the job tests).

The workspace is in Asia/Shanghai (UTC+8), so its week 2026-W48 starts 2026-11-22 16:00 UTC; the
previous week is 2026-W47. Deals are closed and kudos given at chosen instants around that edge.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import update

from storage.models import Member, Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member, update_workspace
from tests.factories import ActivityFactory, CustomerFactory, DealFactory, give_kudos, persist

FRIDAY = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai: the weekly post
PEOPLE = {  # slack id: (name, time zone)
    "U0001": ("boss", "Asia/Shanghai"),
    "U0002": ("ana", "America/New_York"),
    "U0003": ("li", "Asia/Shanghai"),
    "U0004": ("sam", "Asia/Shanghai"),
    "U0005": ("kim", "Asia/Shanghai"),
    "U0009": ("gone", "Asia/Shanghai"),
}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def seed_team(app, timezone: str = "Asia/Shanghai") -> tuple[Workspace, dict[str, Member]]:
    """The workspace (USD) and its people; U0001 is an admin, U0009 has left the workspace."""
    for user, (name, zone) in PEOPLE.items():
        app.fake.add_user(user, name=name, tz=zone, is_admin=user == "U0001", deleted=user == "U0009")
    async with app.db.session() as session:
        workspace = await ensure_workspace(session, "T0001", defaults=WorkspaceDefaults(timezone=timezone))
        workspace = await update_workspace(session, workspace, timezone=timezone, currency="USD")
        members = {}
        for user, (name, zone) in PEOPLE.items():
            profile = Profile(name=name, real_name=name.title(), timezone=zone, locale="en-US",
                              is_admin=user == "U0001", deleted=user == "U0009")  # fmt: skip
            members[user] = await save_member(session, workspace.id, user, profile)
        [members["customer"]] = await persist(session, CustomerFactory(workspace=workspace, name="Acme"))  # type: ignore[assignment]
    return workspace, members


async def add_deal(app, members, user: str, minor: int, closed: str | None, *, stage: str = "won",
                   currency: str = "USD", created: str = "2026-11-01T00:00") -> None:  # fmt: skip
    async with app.db.session() as session:
        session.add(
            DealFactory(owner=members[user], customer=members["customer"], amount_minor=minor, currency=currency,
                        stage=stage, closed_at=utc(closed) if closed else None, created_at=utc(created))
        )  # fmt: skip


async def add_kudos(app, members, receiver: str, at: str, times: int = 1) -> None:
    async with app.db.session() as session:
        for _ in range(times):
            await give_kudos(session, members["U0001"], [members[receiver]], created_at=utc(at))


async def add_activity(app, members, user: str, at: str) -> None:
    async with app.db.session() as session:
        session.add(ActivityFactory(member=members[user], customer=members["customer"], occurred_at=utc(at)))


async def seed_two_weeks(app, timezone: str = "Asia/Shanghai") -> tuple[Workspace, dict[str, Member]]:
    workspace, m = await seed_team(app, timezone)
    # last week (2026-W47 in Shanghai): ana $5,000; li $3,000 + $2,000 (Sunday 23:30 there); sam $1,000
    await add_deal(app, m, "U0002", 500000, "2026-11-18T03:00")
    await add_deal(app, m, "U0003", 300000, "2026-11-19T03:00")
    await add_deal(app, m, "U0003", 200000, "2026-11-22T15:30")
    await add_deal(app, m, "U0004", 100000, "2026-11-20T03:00")
    # this week: kim $500 (Monday 00:10 in Shanghai) and €7; sam $8,000; ana $4,000; li $1,500 + $2,500
    await add_deal(app, m, "U0005", 50000, "2026-11-22T16:10")
    await add_deal(app, m, "U0005", 700, "2026-11-24T03:00", currency="EUR")
    await add_deal(app, m, "U0004", 800000, "2026-11-25T03:00")
    await add_deal(app, m, "U0002", 400000, "2026-11-26T03:00")
    await add_deal(app, m, "U0003", 150000, "2026-11-24T05:00")
    await add_deal(app, m, "U0003", 250000, "2026-11-27T07:00")
    # none of these count: a lost deal, an open one, a member who left, a deal closed after the post
    await add_deal(app, m, "U0004", 999900, "2026-11-25T04:00", stage="lost")
    await add_deal(app, m, "U0002", 123400, None, stage="lead")
    await add_deal(app, m, "U0009", 9999900, "2026-11-25T03:00")
    await add_deal(app, m, "U0002", 7777700, "2026-11-27T09:00")
    # kudos: last week ana 2, sam 1; this week sam 3, li 1, ana 1 (and 5 for the member who left)
    await add_kudos(app, m, "U0002", "2026-11-18T03:00", 2)
    await add_kudos(app, m, "U0004", "2026-11-19T03:00")
    await add_kudos(app, m, "U0004", "2026-11-24T03:00", 3)
    await add_kudos(app, m, "U0003", "2026-11-24T03:00")
    await add_kudos(app, m, "U0002", "2026-11-25T03:00")
    await add_kudos(app, m, "U0009", "2026-11-25T03:00", 5)
    # activities this week: ana 2, kim 1
    await add_activity(app, m, "U0002", "2026-11-23T03:00")
    await add_activity(app, m, "U0002", "2026-11-24T03:00")
    await add_activity(app, m, "U0005", "2026-11-24T03:00")
    return workspace, m


def board_text(blocks: list[dict], metric: str) -> str:
    return next(b["text"]["text"] for b in blocks if b.get("block_id") == f"leaderboard_{metric}")


def board_lines(blocks: list[dict], metric: str) -> list[str]:
    return board_text(blocks, metric).split("\n")[1:]


def block_ids(blocks: list[dict]) -> list[str]:
    return [b.get("block_id", b["type"]) for b in blocks]


WEEK_REVENUE = [
    "*1.* <@U0004> · $8,000.00 ↑2",
    "*2.* <@U0002> · $4,000.00 ↓1",
    "*2.* <@U0003> · $4,000.00 ↓1",
    "*4.* <@U0005> · $500.00 new",
]
WEEK_DEALS = ["*1.* <@U0003> · 2 =", "*1.* <@U0005> · 2 new", "*3.* <@U0002> · 1 ↓1", "*3.* <@U0004> · 1 ↓1"]
WEEK_KUDOS = ["*1.* <@U0004> · 3 ↑1", "*2.* <@U0002> · 1 ↓1", "*2.* <@U0003> · 1 new"]


async def leaderboard(app, text: str = "", user: str = "U0001", at: dt.datetime = FRIDAY) -> dict:
    with time_machine.travel(at, tick=True):
        reply = await app.send.command("/leaderboard", text, user=user)
    assert reply.status == 200
    return reply.json if reply.text.startswith("{") else {"text": reply.text}  # plain text: Bolt's bare ack


# --- the tests -----------------------------------------------------------------------------------


async def test_this_week_ranks_ties_and_movement(app):
    await seed_two_weeks(app)
    answer = await leaderboard(app)
    assert answer["text"] == "Leaderboard · this week"
    blocks = answer["blocks"]
    assert block_ids(blocks) == [
        "header", "leaderboard_revenue", "leaderboard_revenue_others", "leaderboard_deals",
        "leaderboard_kudos", "leaderboard_footer",
    ]  # fmt: skip
    assert board_text(blocks, "revenue").startswith(":moneybag: *Revenue won (USD)*")
    assert board_lines(blocks, "revenue") == WEEK_REVENUE
    assert blocks[2]["elements"][0]["text"] == "Also won in EUR: <@U0005> €7.00"
    assert board_lines(blocks, "deals") == WEEK_DEALS
    assert board_lines(blocks, "kudos") == WEEK_KUDOS
    footer = blocks[-1]["elements"][0]["text"]
    assert (
        footer == "Nov 23, 2026 – Nov 29, 2026 (Asia/Shanghai). Arrows compare with last week's final ranks."
    )
    assert "U0009" not in str(blocks)  # members who left are not ranked


async def test_one_metric_and_other_periods(app):
    await seed_two_weeks(app)
    kudos = (await leaderboard(app, "kudos"))["blocks"]
    assert block_ids(kudos) == ["header", "leaderboard_kudos", "leaderboard_footer"]
    assert board_lines(kudos, "kudos") == WEEK_KUDOS

    month = await leaderboard(app, "DEALS month")
    assert month["text"] == "Leaderboard · this month"
    # all of November so far, against an empty October: everyone is new
    assert board_lines(month["blocks"], "deals") == [
        "*1.* <@U0003> · 4 new", "*2.* <@U0002> · 2 new", "*2.* <@U0004> · 2 new", "*2.* <@U0005> · 2 new",
    ]  # fmt: skip

    activities = (await leaderboard(app, "activities week"))["blocks"]
    assert board_lines(activities, "activities") == ["*1.* <@U0002> · 2 new", "*2.* <@U0005> · 1 new"]

    year = (await leaderboard(app, "year revenue"))["blocks"]
    assert board_lines(year, "revenue") == [  # a three-way tie; $77,777 closed after "now" is not counted
        "*1.* <@U0002> · $9,000.00 new", "*1.* <@U0003> · $9,000.00 new", "*1.* <@U0004> · $9,000.00 new",
        "*4.* <@U0005> · $500.00 new",
    ]  # fmt: skip
    quarter = (await leaderboard(app, "quarter kudos", at=dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC)))[
        "blocks"
    ]
    assert board_lines(quarter, "kudos") == ["Nobody yet."]


async def test_each_member_sees_their_own_week(app):
    await seed_two_weeks(app)
    # ana is in New York: her week starts 2026-11-23 05:00 UTC, after kim's $500 deal
    blocks = (await leaderboard(app, "revenue", user="U0002"))["blocks"]
    assert board_lines(blocks, "revenue") == WEEK_REVENUE[:3]
    assert "(America/New_York)" in blocks[-1]["elements"][0]["text"]


async def test_bad_words_get_the_usage_and_nothing_else(app):
    await seed_two_weeks(app)
    for text, message in [
        ("decade", "`decade` is neither a period"),
        ("week month", "Choose one period, not both `week` and `month`"),
        ("kudos deals", "Choose one metric, not both `kudos` and `deals`"),
        ("&lt;!channel&gt;", "`&lt;!channel&gt;` is neither"),
    ]:
        answer = await leaderboard(app, text)
        assert answer["text"].startswith(":warning: " + message), answer["text"]
        assert "`/leaderboard [week|month|quarter|year] [revenue|deals|kudos|activities]`" in answer["text"]
        assert "blocks" not in answer and "<!channel>" not in answer["text"]
    assert "See who is leading" in (await leaderboard(app, "help"))["text"]


async def test_chinese_answer(app):
    await seed_two_weeks(app)
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.slack_user_id == "U0003").values(locale="zh-CN"))
    answer = await leaderboard(app, "kudos", user="U0003")
    assert answer["text"] == "排行榜 · 本周"
    assert board_lines(answer["blocks"], "kudos") == [
        "*1.* <@U0004> · 3 ↑1",
        "*2.* <@U0002> · 1 ↓1",
        "*2.* <@U0003> · 1 新上榜",
    ]
