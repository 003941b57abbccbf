"""The App Home through signed requests: a rep's dashboard, a manager's team section, large teams,
Chinese, the refresh after the user's own actions, and Redeem from the Home."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, select

from storage import goals, points
from storage.models import CatalogueItem, Member, Redemption, Stage, utcnow
from storage.workspaces import get_member, get_workspace
from tests.factories import (
    CatalogueItemFactory,
    CustomerFactory,
    DealFactory,
    MemberFactory,
    RedemptionFactory,
    StandupAnswerFactory,
    StandupFactory,
    StandupRunFactory,
    persist,
)

BOSS, REP, ZH = "U0001", "U0002", "U0005"


async def meet(app, *user_ids: str) -> None:
    """Make members known (their first request creates them)."""
    for user in user_ids:
        await app.send.command("/dealbell", "help", user=user)


async def rows(app) -> tuple:
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        people = {u: await get_member(session, workspace.id, u) for u in (BOSS, REP, ZH)}
    return workspace, people


async def seed(
    app, *, reps: int = 0, items: int = 1, pending: int = 1, due: int = 1, blockers: int = 1
) -> None:
    """A rep with a won deal, an open deal, a follow-up due, points, a goal; a catalogue, a pending
    redemption and a standup blocker today. `reps` more members each win a deal."""
    workspace, people = await rows(app)
    boss, rep = people[BOSS], people[REP]
    now = utcnow()
    today = now.date()
    async with app.db.session() as session:
        extra = await persist(session, *(
            MemberFactory(workspace=workspace, slack_user_id=f"UX{n:04d}", name=f"rep{n}", locale="en-US")
            for n in range(reps)
        ))  # fmt: skip
        await persist(session, *(
            CustomerFactory(owner=rep, name=f"Due Co {n}", next_follow_up=today - dt.timedelta(days=n % 3))
            for n in range(due)
        ))  # fmt: skip
        [acme] = await persist(session, CustomerFactory(owner=rep, name="Acme <Corp>"))
        await persist(
            session,
            DealFactory(owner=rep, customer=acme, title="won", amount_minor=500_000, stage=Stage.WON),
            DealFactory(owner=rep, customer=acme, title="open", amount_minor=120_000, stage=Stage.PROPOSAL),
            *(
                DealFactory(owner=m, customer=acme, title="won", amount_minor=1000 + i, stage=Stage.WON)
                for i, m in enumerate(extra)
            ),
        )
        catalogue = await persist(
            session,
            *(CatalogueItemFactory(workspace=workspace, name=f"Gift {n}", cost=10 + n) for n in range(items)),
        )
        await persist(session, *(
            RedemptionFactory(item=catalogue[0], member=rep, status="pending", created_at=now)
            for _ in range(pending)
        ))  # fmt: skip
        [standup] = await persist(session, StandupFactory(created_by=boss, channel_id="C0STAND", questions=["?"],
                                                          weekdays=[0, 1, 2, 3, 4, 5, 6], at="09:00"))  # fmt: skip
        [run] = await persist(session, StandupRunFactory(standup=standup, day=today))
        await persist(session, *(
            StandupAnswerFactory(run=run, member=member, answers=["x"], blockers=f"Waiting on legal {n}")
            for n, member in enumerate([rep, *extra][:blockers])
        ))  # fmt: skip
        await points.record(
            session, workspace.id, rep.id, 25, reason="award", reference="seed", source_key="seed:rep"
        )
        await goals.set_goal(session, workspace, boss, member=rep, metric="deals", target=4, currency=None,
                             period_kind="month", now=now)  # fmt: skip


async def open_home(app, user: str) -> dict:
    before = len(app.fake.calls_to("views.publish"))
    await app.send.event("event_app_home_opened", user=user)
    calls = await app.fake.wait_for("views.publish", count=before + 1)
    return calls[before].args["view"]


def view_text(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def buttons(view: dict) -> list[tuple[str, str]]:
    found = []
    for block in view["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.append((element["action_id"], element["value"]))
    return found


async def test_a_reps_home_shows_their_numbers_and_no_team_section(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app)
    view = await open_home(app, REP)
    text = view_text(view)
    assert view["type"] == "home"
    assert "$5,000.00" in text and "1 deal won" in text and "deals won" not in text  # this week and month
    assert "Proposal: 1 · $1,200.00" in text  # the pipeline by stage
    assert "*Deals won* · this month" in text and "`▓▓░░░░░░░░` 25.0%" in text  # the goal: 1 of 4
    assert "Due Co 0" in text and "Acme &lt;Corp&gt; (due" not in text  # due follow-ups only
    assert "your balance: 25" in text and "5 of 5 left to give today" in text
    assert ("home_redeem", await item_id(app, "Gift 0")) in buttons(view)
    assert "Your team" not in text and not any(a.startswith("rewards_redemption") for a, _ in buttons(view))
    async with app.db.session() as session:
        rep = await session.scalar(select(Member).where(Member.slack_user_id == REP))
    assert rep.home_opened_at is not None


async def item_id(app, name: str) -> str:
    async with app.db.session() as session:
        return str(await session.scalar(select(CatalogueItem.id).where(CatalogueItem.name == name)))


async def test_a_managers_home_adds_the_team_section(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app)
    view = await open_home(app, BOSS)
    text = view_text(view)
    assert "Your team" in text and "Team this week" in text
    assert f"1. <@{REP}> · $5,000.00" in text  # the leaderboard
    assert "Waiting on legal 0" in text  # today's blockers
    async with app.db.session() as session:
        redemption = await session.scalar(select(Redemption.id))
    assert ("rewards_redemption_approve", str(redemption)) in buttons(view)
    assert ("rewards_redemption_decline", str(redemption)) in buttons(view)


async def test_a_large_team_stays_under_slacks_view_limits(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app, reps=300, items=40, pending=60, due=50, blockers=40)
    view = await open_home(app, BOSS)
    assert len(view["blocks"]) < 100
    assert len(json.dumps(view).encode()) < 250_000
    text = view_text(view)
    assert "and 55 more" in text  # pending redemptions: 5 shown of 60
    assert len(re.findall(r"\d\. <@U", text)) == 5  # the leaderboard's top 5
    mine = await open_home(app, REP)
    assert len(mine["blocks"]) < 100
    assert "and 45 more" in view_text(mine)  # follow-ups: 5 shown of 50
    assert "and 32 more" in view_text(mine)  # catalogue: 8 shown of 40


async def test_a_chinese_member_gets_a_chinese_home(app):
    app.fake.add_user(BOSS, is_admin=True)
    app.fake.add_user(ZH, locale="zh-CN")
    await meet(app, BOSS, REP, ZH)
    await seed(app)
    text = view_text(await open_home(app, ZH))
    assert "你的销售管道" in text and "欢迎使用 dealbell" in text
    assert "Your pipeline" not in text


async def test_the_home_is_refreshed_after_the_users_own_action_once_they_use_it(app):
    await meet(app, REP)
    await app.fake.settle()
    assert app.fake.calls_to("views.publish") == []  # never opened: never published
    await open_home(app, REP)
    await app.fake.settle()
    published = len(app.fake.calls_to("views.publish"))
    reply = await app.send.command("/dealbell", "language zh-CN", user=REP)
    assert "简体中文" in reply.text
    calls = await app.fake.wait_for("views.publish", count=published + 1)
    assert calls[-1].args["user_id"] == REP and "你的销售管道" in view_text(calls[-1].args["view"])
    await app.fake.settle()
    assert len(app.fake.calls_to("views.publish")) == published + 1


async def test_redeem_from_the_home_spends_points_once_and_asks_the_managers(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app, pending=0)
    item = await item_id(app, "Gift 0")
    payload = app.send.action_payload("home_redeem", item, user=REP)
    payload["view"] = {"id": "VHOME1", "hash": "h1", "type": "home"}
    first = await app.send.interactive(payload)
    again = await app.send.interactive(payload)  # a double click on the same rendering
    assert first.status == 200 and again.status == 200
    await app.fake.wait_for("chat.postMessage", count=2)
    await app.fake.settle()
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Redemption)) == 1
        rep = await session.scalar(select(Member).where(Member.slack_user_id == REP))
        assert await points.balance(session, rep.workspace_id, rep.id) == 15
    to_boss = [c for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == BOSS]
    assert len(to_boss) == 1 and "Gift 0" in to_boss[0].args["text"]
