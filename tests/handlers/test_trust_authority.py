"""Issue 17, items 11 and 12: nobody awards or approves for themself, and the settings form keeps the
channels for admins, as `/dealbell channels` does. Through signed requests; what Slack saw is asserted."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import points
from storage.models import (
    Award,
    Member,
    Nomination,
    PointsEntry,
    Redemption,
    Workspace,
    WorkspaceChannel,
    utcnow,
)
from tests.handlers.test_settings import conversation, form
from tests.reliability.effects import settled
from tests.slack_requests import select_value

BOSS, MO, LI = "U0001", "U0005", "U0003"  # an admin, a manager (not an admin), a rep


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def member(db, slack_id: str) -> Member:
    async with db.session() as session:
        return await session.scalar(select(Member).where(Member.slack_user_id == slack_id))


async def give_points(app, slack_id: str, amount: int) -> None:
    await app.send.command("/reward", "points", user=slack_id)
    found = await member(app.db, slack_id)
    async with app.db.session() as session:
        await points.record(session, found.workspace_id, found.id, amount, reason="award",
                            reference="seed", source_key=f"seed:{slack_id}")  # fmt: skip


def button(call, action_id: str) -> str:
    for block in call.args.get("blocks") or []:
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} on {call.args.get('text')}")


def notes(app) -> list[str]:
    return [c.args.get("text", "") for c in app.fake.calls_to("response_url")]


# --- item 11: self-awards --------------------------------------------------------------------------


async def test_the_only_manager_cannot_award_themself_and_is_told_someone_else_must(app):
    app.fake.add_user(BOSS, is_admin=True)
    reply = await app.send.command("/reward", f'<@{BOSS}|boss> "Sales Champion" [points:10000]')
    assert "can't award yourself" in reply.text
    assert "only manager" in reply.text
    assert await count(app.db, Award) == 0 and await count(app.db, PointsEntry) == 0
    assert (await member(app.db, BOSS)).title is None
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []


async def test_a_manager_cannot_award_themself_but_another_manager_can(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    reply = await app.send.command("/reward", f'<@{MO}|mo> "Team Player" [points:10000]', user=MO)
    assert "can't award yourself" in reply.text and "another manager or an admin" in reply.text
    assert await count(app.db, Award) == 0 and await count(app.db, PointsEntry) == 0
    reply = await app.send.command("/reward", f'<@{MO}|mo> "Team Player" [points:20]', user=BOSS)
    assert "<@U0005> is now *Team Player* (+20 points)" in reply.text
    assert await count(app.db, Award) == 1


# --- item 11: self-approvals -----------------------------------------------------------------------


async def test_a_manager_cannot_approve_their_own_redemption_but_another_manager_can(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/reward", 'catalogue add "Lunch with the VP" 200')
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    await give_points(app, MO, 300)
    await app.send.command("/reward", 'redeem "lunch with the vp"', user=MO)
    cards = await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert [c.args["channel"] for c in app.fake.calls_to("chat.postMessage")] == [BOSS]  # not to MO
    value = button(cards[0], "rewards_redemption_approve")
    await app.send.action("rewards_redemption_approve", value, user=MO)  # a forged or kept card
    await app.fake.wait_for("response_url")
    assert any("can't approve your own" in n for n in notes(app))
    async with app.db.session() as session:
        assert (await session.scalar(select(Redemption))).status == "pending"
    await app.send.action("rewards_redemption_approve", value, user=BOSS)
    await app.fake.settle()
    async with app.db.session() as session:
        redemption = await session.scalar(select(Redemption))
    assert redemption.status == "approved"
    assert redemption.decided_by_id == (await member(app.db, BOSS)).id


async def test_the_only_manager_redeeming_is_told_nobody_else_can_approve_it(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/reward", 'catalogue add "Lunch with the VP" 200')
    await give_points(app, BOSS, 300)
    reply = await app.send.command("/reward", "redeem 1")
    assert "200 points spent" in reply.text and "only manager" in reply.text
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []  # no card to approve yourself with
    async with app.db.session() as session:
        redemption = await session.scalar(select(Redemption))
    await app.send.action("rewards_redemption_approve", str(redemption.id), user=BOSS)
    await app.fake.wait_for("response_url")
    assert any("only manager" in n for n in notes(app))
    async with app.db.session() as session:
        assert (await session.scalar(select(Redemption))).status == "pending"


# --- item 12: channels through the settings form ---------------------------------------------------


async def channels(app) -> dict[str, str]:
    async with app.db.session() as session:
        return dict((await session.execute(select(WorkspaceChannel.kind, WorkspaceChannel.channel_id))).all())


async def test_a_manager_who_is_not_an_admin_cannot_change_channels_through_the_settings_form(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    refused = await app.send.command("/dealbell", "channels wins <#C0WINS|wins>", user=MO)
    assert "Only workspace admins and owners" in refused.text
    reply = await app.send.view_submission(
        "settings_modal", form(timezone=select_value("Asia/Tokyo")), user=MO
    )
    answer = reply.json
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"channel_wins", "channel_kudos", "channel_team"}
    assert all("Only workspace admins and owners" in e for e in answer["errors"].values())
    assert await channels(app) == {}
    async with app.db.session() as session:
        assert (await session.scalar(select(Workspace))).timezone == "UTC"  # nothing else written either


async def test_a_manager_who_is_not_an_admin_can_save_other_settings_with_the_channels_unchanged(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "channels wins <#C0WINS|wins>", user=BOSS)
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    unchanged = form(channel_kudos=conversation(None), channel_team=conversation(None),
                     timezone=select_value("Asia/Tokyo"))  # fmt: skip
    reply = await app.send.view_submission("settings_modal", unchanged, user=MO)
    assert reply.status == 200 and not reply.text
    assert await channels(app) == {"wins": "C0WINS"}
    async with app.db.session() as session:
        assert (await session.scalar(select(Workspace))).timezone == "Asia/Tokyo"


# --- item 11: a nomination of the manager who clicks ------------------------------------------------


async def test_a_manager_nominated_cannot_announce_their_own_award_but_another_manager_can(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    boss = await member(app.db, BOSS)
    async with app.db.session() as session:
        nomination = Nomination(workspace_id=boss.workspace_id, month="2026-11", kind="sales-champion",
                                member_id=boss.id, detail="{}", status="open", created_at=utcnow())  # fmt: skip
        session.add(nomination)
        await session.flush()
        value = str(nomination.id)
    await app.send.action("rewards_nomination_announce", value, user=BOSS)
    await app.fake.wait_for("response_url")
    assert any("can't award yourself" in n for n in notes(app))
    async with app.db.session() as session:
        assert (await session.scalar(select(Nomination))).status == "open"
    assert await count(app.db, Award) == 0 and await count(app.db, PointsEntry) == 0
    await settled(app.send.action("rewards_nomination_announce", value, user=MO))  # its work after the ack
    async with app.db.session() as session:
        assert (await session.scalar(select(Nomination))).status == "announced"
        award = await session.scalar(select(Award))
    assert (award.member_id, award.title) == (boss.id, "Sales Champion")
