"""`/goal` through signed requests: setting, replacing, permissions, bad input, and progress.

The workspace is in Asia/Shanghai (UTC+8) and works Monday to Friday. "Today" is Wednesday
2026-11-18 (10:00 there). November's workdays from today on: 18, 19, 20, 23–27, 30 = 9, less the
holiday on Thursday the 26th = 8 (the holidays on Saturday the 21st and on the 10th change nothing).
The fourth quarter adds December's 23 workdays: 31 through the end of the quarter and the year.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select, update

from storage.goals import goal_attainment
from storage.models import Goal, Member, Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member, update_workspace
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    DealFactory,
    FeedbackFactory,
    HolidayFactory,
    give_kudos,
    persist,
)

TODAY = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)  # Wednesday 10:00 in Shanghai
BOSS, ANA, LI, SAM = "U0001", "U0002", "U0003", "U0004"
LI_TAG, ANA_TAG = "<@U0003|li>", "<@U0002|ana>"
PEOPLE = {  # slack id: (name, role, extra profile)
    BOSS: ("boss", "manager", {"is_admin": True}),
    ANA: ("ana", "rep", {}),
    LI: ("li", "rep", {}),
    SAM: ("sam", "manager", {}),  # a manager by role, not a workspace admin
    "U0005": ("kim", "account-manager", {}),
    "U0006": ("pat", "after-sales", {}),
    "U0009": ("gone", "rep", {"deleted": True}),
    "UBOT1": ("robot", "rep", {"is_bot": True}),
}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def seed_team(app) -> tuple[Workspace, dict[str, Member]]:
    for user, (name, _role, extra) in PEOPLE.items():
        app.fake.add_user(user, name=name, tz="Asia/Shanghai", **extra)
    async with app.db.session() as session:
        workspace = await ensure_workspace(
            session, "T0001", defaults=WorkspaceDefaults(timezone="Asia/Shanghai")
        )
        workspace = await update_workspace(session, workspace, timezone="Asia/Shanghai", currency="USD")
        members = {}
        for user, (name, role, extra) in PEOPLE.items():
            profile = Profile(
                name=name, real_name=name.title(), timezone="Asia/Shanghai", locale="en-US", **extra
            )
            member = await save_member(session, workspace.id, user, profile)
            await session.execute(update(Member).where(Member.id == member.id).values(role=role))
            members[user] = member
        [members["customer"]] = await persist(session, CustomerFactory(workspace=workspace, name="Acme"))  # type: ignore[assignment]
    return workspace, members


async def add_deal(
    app, m, user: str, minor: int, closed: str, *, stage: str = "won", currency: str = "USD"
) -> None:
    async with app.db.session() as session:
        session.add(
            DealFactory(owner=m[user], customer=m["customer"], amount_minor=minor, currency=currency, stage=stage,
                        closed_at=utc(closed), created_at=utc("2026-01-01T00:00"))
        )  # fmt: skip


async def add_activity(app, m, user: str, at: str, csat: int | None = None) -> None:
    async with app.db.session() as session:
        session.add(ActivityFactory(member=m[user], customer=m["customer"], csat=csat, occurred_at=utc(at)))


async def add_kudos(app, m, receiver: str, at: str, giver: str = BOSS) -> None:
    async with app.db.session() as session:
        await give_kudos(session, m[giver], [m[receiver]], created_at=utc(at))


async def add_feedback(app, m, receiver: str, at: str, text: str, sender: str | None = BOSS) -> None:
    async with app.db.session() as session:
        session.add(
            FeedbackFactory(
                receiver=m[receiver], sender=m[sender] if sender else None, text=text, created_at=utc(at)
            )
        )


async def add_holidays(app, m, *days: str) -> None:
    async with app.db.session() as session:
        session.add_all(
            HolidayFactory(workspace_id=m[BOSS].workspace_id, day=dt.date.fromisoformat(d)) for d in days
        )


async def seed_results(app) -> tuple[Workspace, dict[str, Member]]:
    """li: November (Shanghai) $30,000 + $12,000 + $3,000 (Nov 1 01:00 there) won and €7,000 won;
    October $5,000 (Oct 31 23:00 there); two lost. ana: $8,000 in November, $1,000 in March."""
    workspace, m = await seed_team(app)
    await add_deal(app, m, LI, 3_000_000, "2026-11-05T03:00")
    await add_deal(app, m, LI, 1_200_000, "2026-11-17T03:00")
    await add_deal(app, m, LI, 300_000, "2026-10-31T17:00")  # 2026-11-01 01:00 in Shanghai
    await add_deal(app, m, LI, 500_000, "2026-10-31T15:00")  # 2026-10-31 23:00 in Shanghai
    await add_deal(app, m, LI, 700_000, "2026-11-10T03:00", currency="EUR")
    await add_deal(app, m, LI, 9_999_900, "2026-11-12T03:00", stage="lost")
    await add_deal(app, m, LI, 100_000, "2026-11-14T03:00", stage="lost")
    await add_deal(app, m, ANA, 800_000, "2026-11-12T03:00")
    await add_deal(app, m, ANA, 100_000, "2026-03-01T03:00")
    await add_deal(app, m, ANA, 100_000, "2025-12-01T03:00")  # last year
    await add_deal(app, m, "U0009", 5_000_000, "2026-11-12T03:00")  # someone who left
    await add_holidays(app, m, "2026-11-10", "2026-11-21", "2026-11-26")
    return workspace, m


async def goals_in_db(db) -> list[tuple]:
    async with db.session() as session:
        rows = await session.execute(
            select(
                Goal.member_id, Goal.metric, Goal.target, Goal.currency, Goal.period_kind, Goal.period_start
            ).order_by(Goal.id)
        )
        return [tuple(r) for r in rows]


def shown(reply) -> str:
    """The reply's text (a plain-text answer) or its fallback text and every text in its blocks."""
    if not reply.text.startswith("{"):
        return reply.text
    data = reply.json
    parts = [data.get("text", "")]
    for block in data.get("blocks") or []:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(f["text"] for f in block.get("fields", []))
        parts.extend(e.get("text", "") for e in block.get("elements", []))
    return "\n".join(parts)


def block_texts(reply) -> list[str]:
    return [b["text"]["text"] for b in reply.json["blocks"] if "text" in b]


# --- setting goals -------------------------------------------------------------------------------


async def test_managers_set_goals_for_people_and_the_team_in_the_current_period(app):
    _, m = await seed_team(app)
    with time_machine.travel(TODAY, tick=True):
        li = await app.send.command("/goal", f"set {LI_TAG} revenue 100k month")
        team = await app.send.command("/goal", "set team deals 30 quarter", user=SAM)
        vision = await app.send.command("/goal", "set team revenue 2m year")
        kim = await app.send.command("/goal", "set <@U0005|kim> kudos 4")  # the period defaults to month
    assert "Goal set: <@U0003> · Revenue won · $100,000.00 for this month" in shown(li)
    assert "Goal set: the team · Deals won · 30 for this quarter" in shown(team)
    assert "$2,000,000.00 for this year" in shown(vision) and "for this month" in shown(kim)
    assert await goals_in_db(app.db) == [
        (m[LI].id, "revenue", 10_000_000, "USD", "month", dt.date(2026, 11, 1)),
        (None, "deals", 30, None, "quarter", dt.date(2026, 10, 1)),
        (None, "revenue", 200_000_000, "USD", "year", dt.date(2026, 1, 1)),
        (m["U0005"].id, "kudos", 4, None, "month", dt.date(2026, 11, 1)),
    ]


async def test_the_period_starts_in_the_workspace_zone(app):
    await seed_team(app)
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai
    with time_machine.travel(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), tick=True):
        await app.send.command("/goal", "set team deals 10 quarter")
    assert [row[-1] for row in await goals_in_db(app.db)] == [dt.date(2027, 1, 1)]


async def test_setting_the_same_goal_again_replaces_it(app):
    _, m = await seed_team(app)
    with time_machine.travel(TODAY, tick=True):
        await app.send.command("/goal", f"set {LI_TAG} revenue 100k month")
        again = await app.send.command("/goal", f"set {LI_TAG} revenue 80k month", user=SAM)
        retried = await app.send.command("/goal", "set team deals 5", trigger_id="t.same")
        retried_again = await app.send.command("/goal", "set team deals 5", trigger_id="t.same")
        other_period = await app.send.command("/goal", f"set {LI_TAG} revenue 900k quarter")
    assert "Goal updated: <@U0003> · Revenue won · now $80,000.00 for this month" in shown(again)
    assert "Goal set" in shown(retried) and "Goal updated" in shown(retried_again)
    assert "Goal set" in shown(other_period)
    assert await goals_in_db(app.db) == [
        (m[LI].id, "revenue", 8_000_000, "USD", "month", dt.date(2026, 11, 1)),
        (None, "deals", 5, None, "month", dt.date(2026, 11, 1)),
        (m[LI].id, "revenue", 90_000_000, "USD", "quarter", dt.date(2026, 10, 1)),
    ]


async def test_non_managers_cannot_set_goals(app):
    await seed_team(app)
    for text in ("set team deals 30 quarter", f"set {LI_TAG} revenue 100k month", f"set {ANA_TAG} deals 3"):
        reply = await app.send.command("/goal", text, user=ANA)
        assert reply.status == 200
        assert "Only managers and workspace admins can do that" in shown(reply)
    assert await goals_in_db(app.db) == []


async def test_bad_goals_are_refused_with_a_clear_error_and_nothing_is_written(app):
    await seed_team(app)
    app.fake.fail_next("users.info", "user_not_found")  # the one unknown user below
    cases = [
        (
            f"set {LI_TAG} profit 5 month",
            "`profit` is not a goal metric. Use one of: revenue, deals, activities, kudos",
        ),
        (f"set {LI_TAG} deals 5 fortnight", "`fortnight` is not a period. Use one of: month, quarter, year"),
        (f"set {LI_TAG} revenue lots month", "`lots` is not an amount"),
        (f"set {LI_TAG} revenue -5k month", "`-5k` is not an amount"),
        (f"set {LI_TAG} deals -3", "whole number from 1 to 1000000"),
        (f"set {LI_TAG} deals 2.5", "whole number from 1 to 1000000"),
        (f"set {LI_TAG} deals", "Give the target"),
        (f"set {LI_TAG}", "Say which metric"),
        ("set everyone deals 3", "Say whose goal it is"),
        ("set <@U0NOBODY|ghost> deals 3", "can't find <@U0NOBODY>"),
        ("set <@UBOT1|robot> deals 3", "<@UBOT1> is a bot"),
        ("set <@U0009|gone> deals 3", "<@U0009> is no longer in this workspace"),
        ("set team deals 3 month <!channel>", "I don't understand `&lt;!channel&gt;`"),
        ("blah", "I don't understand `blah`"),
    ]
    for text, message in cases:
        reply = await app.send.command("/goal", text)
        assert reply.status == 200
        assert message in shown(reply), (text, shown(reply))
    assert await goals_in_db(app.db) == []


# --- progress ------------------------------------------------------------------------------------


async def set_goals(app) -> None:
    with time_machine.travel(TODAY, tick=True):
        for text in (f"set {LI_TAG} revenue 100k month", "set team deals 30 quarter", "set team revenue 2m year",
                     f"set {ANA_TAG} deals 1 month", f"set {LI_TAG} activities 10 year"):  # fmt: skip
            assert "Goal set" in shown(await app.send.command("/goal", text))


async def test_goal_shows_progress_percent_and_what_is_left_per_workday(app):
    await seed_results(app)
    await set_goals(app)
    with time_machine.travel(TODAY, tick=True):
        reply = await app.send.command("/goal", user=LI)
    texts = block_texts(reply)
    # the team's annual revenue target comes first: $59,000 of $2,000,000 = 2.95% → 3.0% (no full tenth);
    # $1,941,000 left over 31 workdays = $62,612.903… → $62,612.91
    assert texts[0].startswith(":telescope: *Team vision 2026:* $2,000,000.00 in revenue")
    assert "`░░░░░░░░░░` 3.0% · $59,000.00 of $2,000,000.00 · per workday left: $62,612.91" in texts[0]
    body = "\n".join(texts)
    # the team: 6 deals won this quarter (li 5 incl. the euro one, ana 1; not the member who left):
    # 20.0%, 24 left over 31 workdays = 0.774… → 0.8
    assert "*Deals won* · this quarter\n`▓▓░░░░░░░░` 20.0% · 6 of 30 · per workday left: 0.8" in body
    # li: $45,000 of $100,000 in November (USD only), $55,000 over 8 workdays = $6,875.00
    assert (
        "*Revenue won* · this month\n`▓▓▓▓░░░░░░` 45.0% · $45,000.00 of $100,000.00 · per workday left: $6,875.00"
        in body
    )
    assert "*Activities logged* · this year\n`░░░░░░░░░░` 0.0% · 0 of 10 · per workday left: 0.4" in body
    assert "<@U0002>" not in body  # ana's goal is hers
    assert texts.index("*Team goals*") < texts.index("*Your goals*")


async def test_a_met_goal_shows_a_full_bar_and_no_remainder(app):
    await seed_results(app)
    await set_goals(app)
    with time_machine.travel(TODAY, tick=True):
        reply = await app.send.command("/goal", user=ANA)
    assert "*Deals won* · this month\n`▓▓▓▓▓▓▓▓▓▓` 100.0% · 1 of 1 · per workday left: —" in shown(reply)


async def test_holidays_and_time_change_the_workdays_left(app):
    _, m = await seed_results(app)
    await set_goals(app)
    # Friday 2026-11-27: workdays left in November are the 27th and the 30th; a holiday on the 30th leaves one
    await add_holidays(app, m, "2026-11-30")
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=True):
        reply = await app.send.command("/goal", user=LI)
    assert "45.0% · $45,000.00 of $100,000.00 · per workday left: $55,000.00" in shown(reply)
    # Saturday 2026-11-28: none left
    with time_machine.travel(dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC), tick=True):
        reply = await app.send.command("/goal", user=LI)
    assert "45.0% · $45,000.00 of $100,000.00 · per workday left: —" in shown(reply)


async def test_managers_see_someones_goals_and_reps_do_not(app):
    await seed_results(app)
    await set_goals(app)
    with time_machine.travel(TODAY, tick=True):
        by_manager = await app.send.command("/goal", LI_TAG, user=SAM)
        by_rep = await app.send.command("/goal", LI_TAG, user=ANA)
        own_mention = await app.send.command("/goal", ANA_TAG, user=ANA)
    assert "*Goals of <@U0003>*" in shown(by_manager) and "$45,000.00 of $100,000.00" in shown(by_manager)
    assert "Only managers and workspace admins can see someone else's figures" in shown(
        by_rep
    ) and "$45,000" not in shown(by_rep)
    assert "*Your goals*" in shown(own_mention) and "1 of 1" in shown(own_mention)


async def test_without_goals_the_reply_says_so(app):
    await seed_team(app)
    reply = await app.send.command("/goal", user=LI)
    assert "No goals for this month, quarter or year yet." in shown(reply)
    assert "/goal set" in (await app.send.command("/goal", "help")).text


async def test_goal_attainment_serves_other_features(app):
    workspace, _ = await seed_results(app)
    await set_goals(app)
    async with app.db.session() as session:
        rows = await goal_attainment(session, workspace, TODAY)
    summary = [(r.slack_user_id, r.metric, r.goal.period_kind, r.actual, r.workdays_left) for r in rows]
    assert summary == [
        (None, "revenue", "year", 5_900_000, 31),
        (None, "deals", "quarter", 6, 31),
        (ANA, "deals", "month", 1, 8),
        (LI, "activities", "year", 0, 31),
        (LI, "revenue", "month", 4_500_000, 8),
    ]
    assert [str(r.percent) for r in rows] == ["3.0", "20.0", "100.0", "0.0", "45.0"]
    assert await count_goals(app.db) == 5


async def count_goals(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Goal))
