"""`/reward` through signed requests: awards, points (and kudos → points), the catalogue, redemptions."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select, update

from storage import points
from storage.models import Award, CatalogueItem, Member, PointsEntry, Redemption, Workspace

LI, ANA, SAM = "<@U0003|li>", "<@U0002|ana>", "<@U0004|sam>"
BOSS = "U0001"  # a workspace admin, so a manager


async def count(db, model, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def member(db, slack_id: str) -> Member:
    async with db.session() as session:
        return await session.scalar(select(Member).where(Member.slack_user_id == slack_id))


async def balance_of(db, slack_id: str) -> int:
    found = await member(db, slack_id)
    async with db.session() as session:
        return await points.balance(session, found.workspace_id, found.id)


async def ledger(db) -> list[tuple[str, int, str, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Member.slack_user_id, PointsEntry.delta, PointsEntry.reason, PointsEntry.source_key)
            .join(Member, Member.id == PointsEntry.member_id)
            .order_by(PointsEntry.id)
        )
        return [tuple(r) for r in rows]


async def seed_points(app, slack_id: str, amount: int) -> None:
    """Make `slack_id` known (first request) and give them `amount` points."""
    await app.send.command("/reward", "points", user=slack_id)
    found = await member(app.db, slack_id)
    async with app.db.session() as session:
        await points.record(
            session,
            found.workspace_id,
            found.id,
            amount,
            reason="award",
            reference="seed",
            source_key=f"seed:{slack_id}",
        )


def button(call, action_id: str) -> str:
    for block in call.args.get("blocks") or []:
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} on {call.args.get('text')}")


def posts_to(app, channel: str) -> list:
    return [c for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


def notes(app) -> list[str]:
    return [c.args.get("text", "") for c in app.fake.calls_to("response_url")]


# --- awards --------------------------------------------------------------------------------------


async def test_an_award_writes_award_points_and_title_and_announces_a_card_in_the_team_channel(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "channels team <#C0TEAM|team>")
    reply = await app.send.command(
        "/reward", f'{LI} "Sales Champion" for closing 3 enterprise deals in November [points:50]'
    )
    assert "<@U0003> is now *Sales Champion* (+50 points)" in reply.text
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert card["channel"] == "C0TEAM"
    assert card["text"] == ":trophy: <@U0003> is our *Sales Champion*!"
    shown = str(card["blocks"])
    assert "For closing 3 enterprise deals in November" in shown
    assert "+50 points" in shown and "Awarded by <@U0001>" in shown
    li = await member(app.db, "U0003")
    assert li.title == "Sales Champion"
    assert await ledger(app.db) == [("U0003", 50, "award", "award:1")]
    await app.fake.settle()
    async with app.db.session() as session:
        award = await session.scalar(select(Award))
    assert (award.title, award.points, award.channel_id) == ("Sales Champion", 50, "C0TEAM")
    assert award.message_ts  # where the card is


async def test_a_custom_award_without_a_team_channel_goes_where_it_was_given_and_escapes_text(app):
    app.fake.add_user(BOSS, is_admin=True)
    reply = await app.send.command("/reward", f'{ANA} "Deal Whisperer" for <!channel> &amp; more [points:0]')
    assert "*Deal Whisperer* (+0 points)" in reply.text
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert card["channel"] == "C0001"
    assert "<!channel>" not in str(card["blocks"]) and "&lt;!channel&gt; &amp; more" in str(card["blocks"])
    assert (await member(app.db, "U0002")).title == "Deal Whisperer"
    assert await ledger(app.db) == []  # no points, no movement


async def test_the_same_trigger_twice_awards_once(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/reward", "help")
    replies = await asyncio.gather(
        *[
            app.send.command("/reward", f'{LI} "Team Player" [points:20]', trigger_id="trigger.award")
            for _ in range(2)
        ]
    )
    assert sorted("already" in r.text for r in replies) == [False, True]
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Award) == 1
    assert await balance_of(app.db, "U0003") == 20
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_members_who_are_not_managers_are_refused_and_nothing_is_written(app):
    cases = [
        (f'{LI} "Team Player" for the help', "Only managers and workspace admins can do that"),
        ('catalogue add "Lunch with the VP" 200', "Only managers and workspace admins can do that"),
        ("catalogue remove 1", "Only managers and workspace admins can do that"),
        (f"points {LI}", "Only managers and workspace admins can see someone else's figures"),
    ]
    for text, message in cases:
        reply = await app.send.command("/reward", text, user="U0002")
        assert reply.status == 200 and message in reply.text, (text, reply.text)
    await app.fake.settle()
    assert await count(app.db, Award) == 0
    assert await count(app.db, CatalogueItem) == 0
    assert await count(app.db, PointsEntry) == 0
    assert await count(app.db, Member) == 1  # li was never even looked up
    assert app.fake.calls_to("chat.postMessage") == []


async def test_bad_award_input_is_refused_with_usage_and_nothing_is_written(app):
    app.fake.add_user(BOSS, is_admin=True)
    app.fake.add_user("UBOTX", is_bot=True)
    cases = [
        (f"{LI} for the quarter", "Put the award title in quotes"),
        (f'{LI} "Team Player" [points:20000]', "from 0 to 10000"),
        ('<@UBOTX|helper> "Team Player"', "is a bot"),
        (f'{LI} {ANA} "Team Player"', "one person at a time"),
        (f'{LI} "{"x" * 121}"', "too long"),
    ]
    for text, message in cases:
        reply = await app.send.command("/reward", text)
        assert message in reply.text, (text, reply.text)
    assert "Points and rewards" in (await app.send.command("/reward", "help")).text
    assert "For managers" in (await app.send.command("/reward", "")).text
    assert "For managers" not in (await app.send.command("/reward", "help", user="U0002")).text
    await app.fake.settle()
    assert await count(app.db, Award) == 0 and await count(app.db, PointsEntry) == 0
    assert app.fake.calls_to("chat.postMessage") == []


# --- points --------------------------------------------------------------------------------------


async def test_points_show_own_balance_and_movements_and_managers_see_anyones(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/reward", f'{LI} "Innovation" [points:30]')
    await app.send.command("/kudos", f"{LI} for the demo", user="U0002")
    mine = await app.send.command("/reward", "points", user="U0003")
    assert "You have *31* points." in mine.text
    shown = str(mine.json["blocks"])
    assert "`+1` kudos received" in shown and "`+30` award" in shown
    theirs = await app.send.command("/reward", f"points {LI}")
    assert "<@U0003> has *31* points." in theirs.text
    assert (
        "You have *0* points."
        in (await app.send.command("/reward", "points <@U0002|u0002>", user="U0002")).text
    )


async def test_kudos_earn_points_per_kudos_and_undo_and_a_removed_reaction_reverse_them(app):
    await app.send.command("/reward", "help")
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(points_per_kudos=2))
    await app.send.command("/kudos", f"{ANA} {LI} for the demo")
    card = (await app.fake.wait_for("chat.postMessage"))[0]
    await app.send.action("kudos_metoo", button(card, "kudos_metoo"), user="U0009")
    await app.fake.wait_for("response_url")
    assert (await balance_of(app.db, "U0002"), await balance_of(app.db, "U0003")) == (4, 4)
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(points_per_kudos=5))  # undo takes back what was earned
    await app.send.action("kudos_undo", button(card, "kudos_undo"))
    await app.fake.wait_for("response_url", count=2)
    assert (await balance_of(app.db, "U0002"), await balance_of(app.db, "U0003")) == (0, 0)
    entries = await ledger(app.db)
    assert sorted(e[2] for e in entries) == ["kudos"] * 4 + ["kudos-undone"] * 4
    earned = {key.split(":")[1] for _u, _d, reason, key in entries if reason == "kudos"}
    undone = {key.split(":")[1] for _u, _d, reason, key in entries if reason == "kudos-undone"}
    assert earned == undone and all(
        key.startswith("kudos-undone:") for *_x, r, key in entries if r != "kudos"
    )

    await app.send.event("event_reaction_added", event_id="EvP1")  # U0004 claps for U0003's message
    await app.fake.wait_for("chat.postMessage", count=2)
    assert await balance_of(app.db, "U0003") == 5
    await app.send.event("event_reaction_removed", event_id="EvP2")
    await app.fake.wait_for("chat.delete")
    assert await balance_of(app.db, "U0003") == 0


# --- the catalogue -------------------------------------------------------------------------------


async def test_catalogue_add_list_and_remove(app):
    app.fake.add_user(BOSS, is_admin=True)
    assert "The catalogue is empty" in (await app.send.command("/reward", "catalogue")).text
    added = await app.send.command("/reward", 'catalogue add "Lunch with the VP" 200 [stock:3]')
    assert "Added `#1` *Lunch with the VP* for 200 points (3 left)" in added.text
    assert (
        "(unlimited)" in (await app.send.command("/reward", "catalogue add Negotiation course seat 500")).text
    )
    again = await app.send.command("/reward", 'catalogue add "lunch with the vp" 100')
    assert "already in the catalogue" in again.text
    listed = await app.send.command("/reward", "catalogue", user="U0002")
    shown = str(listed.json["blocks"])
    assert "`#1` *Lunch with the VP*: 200 points · 3 left" in shown
    assert "`#2` *Negotiation course seat*: 500 points" in shown
    assert shown.index("Lunch") < shown.index("Negotiation")
    assert (
        "Removed *Lunch with the VP*"
        in (await app.send.command("/reward", 'catalogue remove "LUNCH with the VP"')).text
    )
    assert (
        "Removed *Negotiation course seat*" in (await app.send.command("/reward", "catalogue remove 2")).text
    )
    assert "no reward `2`" in (await app.send.command("/reward", "catalogue remove 2")).text
    assert "The catalogue is empty" in (await app.send.command("/reward", "catalogue")).text
    readded = await app.send.command("/reward", 'catalogue add "Lunch with the VP" 250')
    assert "`#1` *Lunch with the VP* for 250 points" in readded.text
    assert await count(app.db, CatalogueItem) == 2


# --- redemptions ---------------------------------------------------------------------------------


async def catalogue_item(app, text: str) -> None:
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/reward", f"catalogue add {text}")


async def test_redeem_spends_now_dms_managers_and_approval_takes_stock_once(app):
    await catalogue_item(app, '"Lunch with the VP" 200 [stock:3]')
    await app.send.command("/team", "role <@U0005|mo> manager")  # a second manager
    await seed_points(app, "U0003", 300)
    reply = await app.send.command("/reward", 'redeem "lunch with the vp"', user="U0003")
    assert "200 points spent, 100 points left" in reply.text
    assert await balance_of(app.db, "U0003") == 100
    cards = await app.fake.wait_for("chat.postMessage", count=2)
    assert {c.args["channel"] for c in cards} == {"U0001", "U0005"}
    assert "<@U0003> would like *Lunch with the VP* (200 points" in cards[0].args["text"]
    value = button(cards[0], "rewards_redemption_approve")
    await app.send.action("rewards_redemption_approve", value, user="U0002")  # not a manager
    await asyncio.gather(*[app.send.action("rewards_redemption_approve", value) for _ in range(2)])
    await app.send.action("rewards_redemption_decline", value, user="U0005")  # too late
    await app.fake.wait_for("response_url", count=3)
    await app.fake.settle()
    assert sum("Only managers" in n for n in notes(app)) == 1
    assert sum("already decided" in n for n in notes(app)) == 2
    dms = posts_to(app, "U0003")
    assert len(dms) == 1 and "was approved. You have 100 points." in dms[0].args["text"]
    async with app.db.session() as session:
        redemption = await session.scalar(select(Redemption))
        item = await session.scalar(select(CatalogueItem))
    assert (redemption.status, item.stock) == ("approved", 2)
    assert await balance_of(app.db, "U0003") == 100
    updates = app.fake.calls_to("chat.update")
    assert updates and all(
        ":white_check_mark: Approved by <@U0001>" in str(u.args["blocks"]) for u in updates
    )


async def test_an_unreachable_manager_does_not_keep_the_redemption_card_from_the_others(app):
    await catalogue_item(app, '"Lunch with the VP" 200')
    await app.send.command("/team", "role <@U0005|mo> manager")  # a second manager
    await seed_points(app, "U0003", 300)
    app.fake.not_in_channel.add(BOSS)  # Slack refuses the DM to the first manager
    reply = await app.send.command("/reward", 'redeem "lunch with the vp"', user="U0003")
    assert "200 points spent, 100 points left" in reply.text
    await app.fake.wait_for("chat.postMessage", count=2)  # the refused one, then the other manager's
    await app.fake.settle()
    delivered = [c.args["channel"] for c in app.fake.delivered("chat.postMessage")]
    assert delivered == ["U0005"]  # and nothing to the member: their redemption went through


async def test_decline_refunds_once_and_the_member_is_told(app):
    await catalogue_item(app, '"Negotiation course seat" 150')
    await seed_points(app, "U0003", 200)
    await app.send.command("/reward", "redeem 1", user="U0003")
    card = (await app.fake.wait_for("chat.postMessage"))[0]
    value = button(card, "rewards_redemption_decline")
    await asyncio.gather(*[app.send.action("rewards_redemption_decline", value) for _ in range(3)])
    await app.send.action("rewards_redemption_approve", value)
    await app.fake.wait_for("response_url", count=3)
    await app.fake.settle()
    assert await balance_of(app.db, "U0003") == 200
    refunds = [e for e in await ledger(app.db) if e[2] == "refund"]
    assert refunds == [("U0003", 150, "refund", "refund:1")]
    dms = posts_to(app, "U0003")
    assert (
        len(dms) == 1 and "declined, and you got 150 points back. You have 200 points." in dms[0].args["text"]
    )
    async with app.db.session() as session:
        assert (await session.scalar(select(Redemption))).status == "declined"


async def test_not_enough_points_unknown_item_and_no_stock_write_nothing(app):
    await catalogue_item(app, '"Lunch with the VP" 200')
    await app.send.command("/reward", 'catalogue add "Sold out mug" 10 [stock:0]')
    await seed_points(app, "U0003", 150)
    poor = await app.send.command("/reward", 'redeem "Lunch with the VP"', user="U0003")
    assert "Not enough points: you have 150 and this costs 200" in poor.text
    assert "no reward `Yacht`" in (await app.send.command("/reward", "redeem Yacht", user="U0003")).text
    assert "out of stock" in (await app.send.command("/reward", "redeem Sold out mug", user="U0003")).text
    await app.fake.settle()
    assert await count(app.db, Redemption) == 0
    assert await balance_of(app.db, "U0003") == 150
    assert app.fake.calls_to("chat.postMessage") == []


async def test_approving_when_the_last_one_is_gone_declines_with_a_refund(app):
    await catalogue_item(app, '"Lunch with the VP" 100 [stock:1]')
    for user in ("U0003", "U0004"):
        await seed_points(app, user, 100)
        await app.send.command("/reward", "redeem 1", user=user)
    first, second = await app.fake.wait_for("chat.postMessage", count=2)
    await app.send.action("rewards_redemption_approve", button(first, "rewards_redemption_approve"))
    await app.send.action("rewards_redemption_approve", button(second, "rewards_redemption_approve"))
    await app.fake.wait_for("chat.postMessage", count=4)
    assert "was approved" in posts_to(app, "U0003")[0].args["text"]
    assert (
        "ran out before your request could be approved, and you got 100 points back"
        in posts_to(app, "U0004")[0].args["text"]
    )
    assert (await balance_of(app.db, "U0003"), await balance_of(app.db, "U0004")) == (0, 100)
    async with app.db.session() as session:
        statuses = list(await session.scalars(select(Redemption.status).order_by(Redemption.id)))
        stock = await session.scalar(select(CatalogueItem.stock))
    assert (statuses, stock) == (["approved", "declined"], 0)


async def test_a_redemption_of_another_workspace_is_not_found(app):
    await catalogue_item(app, '"Lunch with the VP" 100')
    await seed_points(app, "U0003", 100)
    await app.send.command("/reward", "redeem 1", user="U0003")
    card = (await app.fake.wait_for("chat.postMessage"))[0]
    app.fake.add_user("U0001", is_admin=True, team_id="T0002")
    await app.send.action(
        "rewards_redemption_approve", button(card, "rewards_redemption_approve"), team="T0002"
    )
    await app.send.action("rewards_redemption_approve", "forged")
    await app.fake.wait_for("response_url", count=2)
    assert all("no longer exists" in n for n in notes(app))
    async with app.db.session() as session:
        assert (await session.scalar(select(Redemption))).status == "pending"


@pytest.mark.postgres_only
async def test_two_redemptions_at_the_same_moment_spend_the_points_once(app):
    await catalogue_item(app, '"Lunch with the VP" 200')
    await seed_points(app, "U0003", 300)
    replies = await asyncio.gather(
        *[app.send.command("/reward", 'redeem "Lunch with the VP"', user="U0003") for _ in range(2)]
    )
    texts = sorted(r.text for r in replies)
    assert sum("200 points spent, 100 points left" in t for t in texts) == 1
    assert sum("Not enough points: you have 100 and this costs 200" in t for t in texts) == 1
    assert await balance_of(app.db, "U0003") == 100
    assert await count(app.db, Redemption, Redemption.status == "pending") == 1


async def test_one_point_is_one_point_everywhere_the_catalogue_and_a_redemption_count_them(app):
    """Issue 16, item 14: "1 points" read wrong; Babel's plural rule picks the form."""
    app.fake.add_user(BOSS, is_admin=True)
    added = await app.send.command("/reward", 'catalogue add "Sticker" 1')
    assert "Added `#1` *Sticker* for 1 point (" in added.text
    await seed_points(app, "U0003", 2)
    catalogue = await app.send.command("/reward", "catalogue", user="U0003")
    shown = json.dumps(catalogue.json, ensure_ascii=False)
    assert "*Sticker*: 1 point" in shown and "1 points" not in shown and "You have 2 points." in shown
    redeemed = await app.send.command("/reward", "redeem Sticker", user="U0003")
    assert "1 point spent, 1 point left" in redeemed.text
