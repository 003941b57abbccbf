"""The idea box through signed requests: /idea, the card's Upvote toggle, the status menu, top ideas."""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import func, select

from storage.ideas import top_ideas
from storage.models import Idea, IdeaVote

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def ideas_in_db(db) -> list[Idea]:
    async with db.session() as session:
        return list(await session.scalars(select(Idea).order_by(Idea.id)))


def element(call_or_args, action_id: str) -> dict:
    args = getattr(call_or_args, "args", call_or_args)
    for block in args["blocks"]:
        for item in block.get("elements", []):
            if item.get("action_id") == action_id:
                return item
    raise AssertionError(f"no {action_id} on the card")


def status_payload(app, idea_id: int, status: str, user: str, team: str = "T0001") -> dict:
    """A click on the card's status menu, shaped like Slack's block_actions for a static_select."""
    data = app.send.action_payload("ideas_status", "", user=user, team=team)
    option = {"text": {"type": "plain_text", "text": status}, "value": f"{idea_id}:{status}"}
    data["actions"] = [
        {
            "type": "static_select",
            "action_id": "ideas_status",
            "block_id": "ideas_actions",
            "selected_option": option,
            "action_ts": "1800000002.123456",
        }
    ]
    return data


async def post_idea(app, text: str, **kwargs) -> tuple[object, dict]:
    """Send /idea; return the reply and the card posted for it."""
    before = len(app.fake.calls_to("chat.postMessage"))
    reply = await app.send.command("/idea", text, **kwargs)
    card = (await app.fake.wait_for("chat.postMessage", count=before + 1))[before]
    for _ in range(1500):  # the card's place is recorded just after Slack answers (30 s ceiling)
        if all(idea.message_ts for idea in await ideas_in_db(app.db)):
            break
        await asyncio.sleep(0.02)
    return reply, card


async def test_an_idea_is_posted_as_a_card_with_upvote_and_status_menu(app):
    reply, card = await post_idea(
        app, "Share call recordings in <#C0WINS|wins> with <@U0002|ana> & <!channel>"
    )
    assert reply.status == 200 and "Your idea is on the board in <#C0001>" in reply.text
    assert card.args["channel"] == "C0001"  # no ideas channel set: where the command came from
    shown = str(card.args["blocks"])
    assert "Share call recordings in #wins with @ana &amp; &lt;!channel&gt;" in shown
    assert "<!channel>" not in shown and "<!channel>" not in card.args["text"]
    [idea] = await ideas_in_db(app.db)
    assert idea.text == "Share call recordings in #wins with @ana & <!channel>"
    assert (idea.status, idea.channel_id) == ("new", "C0001") and idea.message_ts
    upvote = element(card, "ideas_upvote")
    assert upvote["value"] == str(idea.id) and "Upvote (0)" in upvote["text"]["text"]
    menu = element(card, "ideas_status")
    assert [o["value"] for o in menu["options"]] == [f"{idea.id}:{s}" for s in ("new", "planned", "done")]
    assert menu["initial_option"]["value"] == f"{idea.id}:new"


async def test_the_ideas_channel_setting_is_used(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels ideas <#C0IDEAS|ideas>")
    reply, card = await post_idea(app, "Weekly demo swap", channel="C0SALES")
    assert card.args["channel"] == "C0IDEAS"
    assert "<#C0IDEAS>" in reply.text
    usage = await app.send.command("/idea", "")
    assert "posts your idea to <#C0IDEAS>" in usage.text


async def test_an_ideas_channel_the_bot_is_not_in_tells_the_author_and_keeps_the_idea(app):
    app.fake.not_in_channel.add("C0SHUT")
    reply = await app.send.command("/idea", "Weekly demo swap", channel="C0SHUT")
    assert "Your idea is on the board in <#C0SHUT>" in reply.text
    posts = await app.fake.wait_for("chat.postMessage", count=2)  # the refused card, then the DM
    dm = posts[-1].args
    assert dm["channel"] == "U0001" and "/invite @dealbell" in dm["text"] and "<#C0SHUT>" in dm["text"]
    await app.fake.settle()
    [idea] = await ideas_in_db(app.db)
    assert idea.message_ts is None  # no card recorded: none was posted


async def test_help_usage_and_bad_input_write_nothing(app):
    for text in ("", "help", "HELP"):
        reply = await app.send.command("/idea", text)
        assert reply.status == 200 and "Share ideas with `/idea`" in reply.text, text
    too_long = await app.send.command("/idea", "x" * 1001)
    assert "1001 characters long; keep it to 1000" in too_long.text
    bad_month = await app.send.command("/idea", "top 2026-13")
    assert "`2026-13` is not a month" in bad_month.text
    await app.fake.settle()
    assert await count(app.db, Idea) == 0
    assert app.fake.calls_to("chat.postMessage") == []
    exactly = await app.send.command("/idea", "y" * 1000)
    assert "on the board" in exactly.text
    assert await count(app.db, Idea) == 1


async def test_the_same_trigger_twice_posts_one_idea(app):
    replies = await asyncio.gather(
        *[app.send.command("/idea", "Shorter proposals", trigger_id="trigger.idea") for _ in range(3)]
    )
    assert all(r.status == 200 for r in replies)
    assert sum("on the board" in r.text for r in replies) == 1
    assert sum("already posted" in r.text for r in replies) == 2
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Idea) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_upvote_toggles_and_the_card_shows_the_count(app):
    with time_machine.travel(NOW, tick=True):
        _, card = await post_idea(app, "Shared objection handbook")
        value = element(card, "ideas_upvote")["value"]
        await app.send.action("ideas_upvote", value, user="U0002")
        first = (await app.fake.wait_for("chat.update"))[-1].args
        await app.send.action("ideas_upvote", value, user="U0003")
        second = (await app.fake.wait_for("chat.update", count=2))[-1].args
    assert (first["channel"], first["ts"]) == (
        card.args["channel"],
        (await ideas_in_db(app.db))[0].message_ts,
    )
    assert "Upvote (1)" in str(first["blocks"]) and "1 upvote" in str(first["blocks"])
    assert "Upvote (2)" in str(second["blocks"]) and "2 upvotes" in str(second["blocks"])
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=True):
        await app.send.action("ideas_upvote", value, user="U0002")  # clicking again takes the vote back
        third = (await app.fake.wait_for("chat.update", count=3))[-1].args
    assert "Upvote (1)" in str(third["blocks"])
    async with app.db.session() as session:
        voters = list(await session.scalars(select(IdeaVote.member_id)))
    assert len(voters) == 1
    with time_machine.travel(NOW + dt.timedelta(seconds=60), tick=True):
        await app.send.action("ideas_upvote", value, user="U0002")  # and again votes
        fourth = (await app.fake.wait_for("chat.update", count=4))[-1].args
    assert "Upvote (2)" in str(fourth["blocks"])
    assert await count(app.db, IdeaVote) == 2


async def test_a_double_click_on_upvote_counts_one_vote(app):
    _, card = await post_idea(app, "Lunch and learn")
    value = element(card, "ideas_upvote")["value"]
    replies = await asyncio.gather(*[app.send.action("ideas_upvote", value, user="U0002") for _ in range(2)])
    assert all(r.status == 200 for r in replies)
    await app.fake.wait_for("chat.update")
    await app.fake.settle()
    assert await count(app.db, IdeaVote) == 1
    assert "Upvote (1)" in str(app.fake.calls_to("chat.update")[-1].args["blocks"])


async def test_only_managers_change_the_status_and_a_refused_menu_is_redrawn(app):
    app.fake.add_user("U0009", is_admin=True)
    await post_idea(app, "Quarterly customer panel")
    [idea] = await ideas_in_db(app.db)

    await app.send.interactive(status_payload(app, idea.id, "done", user="U0002"))  # a rep
    refusal = (await app.fake.wait_for("response_url"))[0].args
    assert (
        "Only managers and workspace admins can do that" in refusal["text"]
        and refusal["replace_original"] is False
    )
    redrawn = (await app.fake.wait_for("chat.update"))[0].args
    assert element(redrawn, "ideas_status")["initial_option"]["value"] == f"{idea.id}:new"
    assert (await ideas_in_db(app.db))[0].status == "new"

    await app.send.interactive(status_payload(app, idea.id, "planned", user="U0009"))  # a manager
    updated = (await app.fake.wait_for("chat.update", count=2))[-1].args
    assert "Status: *Planned*" in str(updated["blocks"])
    assert (await ideas_in_db(app.db))[0].status == "planned"
    assert len(app.fake.calls_to("response_url")) == 1  # the manager gets no refusal


async def test_ids_from_another_workspace_find_nothing(app):
    app.fake.add_user("U0009", is_admin=True)
    await post_idea(app, "Cross-team shadowing")
    [idea] = await ideas_in_db(app.db)
    await app.send.action("ideas_upvote", str(idea.id), user="U0009", team="T0002")
    await app.send.interactive(status_payload(app, idea.id, "done", user="U0009", team="T0002"))
    notes = [c.args["text"] for c in await app.fake.wait_for("response_url", count=2)]
    assert all("no longer exists" in n for n in notes)
    assert await count(app.db, IdeaVote) == 0
    assert (await ideas_in_db(app.db))[0].status == "new"


async def test_top_ideas_of_the_month_by_votes(app):
    app.fake.add_user("U0001", tz="Asia/Shanghai")
    october = dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)  # 1 November, 01:00 in Shanghai
    with time_machine.travel(october, tick=True):
        _, early = await post_idea(app, "Mentor new reps")  # November in Shanghai, October in UTC
    with time_machine.travel(NOW, tick=True):
        await post_idea(app, "Tidy the CRM fields")
        _, loved = await post_idea(app, "Win-loss reviews every Friday")
        for voter in ("U0002", "U0003", "U0004"):
            await app.send.action("ideas_upvote", element(loved, "ideas_upvote")["value"], user=voter)
        await app.send.action("ideas_upvote", element(early, "ideas_upvote")["value"], user="U0002")
        await app.fake.wait_for("chat.update", count=4)
        top = await app.send.command("/idea", "top")
        october_top = await app.send.command("/idea", "top 2026-10")
    text = top.json["blocks"][1]["text"]["text"]
    lines = text.splitlines()
    assert "Top ideas, November 2026" in top.text
    assert [line.split(" · ")[1] for line in lines] == [
        "Win-loss reviews every Friday",
        "Mentor new reps",
        "Tidy the CRM fields",
    ]
    assert lines[0].startswith("1. *3 upvotes*") and lines[2].startswith("3. *0 upvotes*")
    assert "by <@U0001>" in lines[0] and "_New_" in lines[0]
    assert "No ideas were shared in October 2026" in october_top.text

    [workspace_id] = {i.workspace_id for i in await ideas_in_db(app.db)}
    async with app.db.session() as session:
        ranked = await top_ideas(
            session,
            workspace_id,
            dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            2,
        )
    # in UTC, the Shanghai-morning idea belongs to October
    assert [(r.idea.text, r.votes) for r in ranked] == [
        ("Win-loss reviews every Friday", 3),
        ("Tidy the CRM fields", 0),
    ]
    assert ranked[0].idea.author.slack_user_id == "U0001"
