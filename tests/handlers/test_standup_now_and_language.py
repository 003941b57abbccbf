"""`/standup now` asks only who is still to answer today, in this channel's standups; the default
questions follow each member's language (issue 16, items 10 and 5), through signed requests."""

from __future__ import annotations

import json

import time_machine
from sqlalchemy import select, update

from storage import standups
from storage.models import Member, Standup, StandupAnswer
from storage.workspaces import get_workspace
from tests.handlers.test_standups import FRIDAY, button_value, dms, set_up, users

ZH = "U0004"


async def standup_named(app, name: str) -> Standup:
    async with app.db.session() as session:
        return (await session.scalars(select(Standup).where(Standup.name == name))).one()


async def answered_today(app, standup: Standup, user: str) -> None:
    """`user` has already answered today's run (as after the scheduled prompt)."""
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        member = (await session.scalars(select(Member).where(Member.slack_user_id == user))).one()
        run = await standups.ensure_run(session, workspace.id, standup.id, FRIDAY.date(), FRIDAY)
        session.add(
            StandupAnswer(workspace_id=workspace.id, run_id=run.id, member_id=member.id, answers=["a", "b"])
        )


async def test_now_asks_only_this_channels_people_who_have_neither_answered_nor_skipped(app):
    for user in ("U0002", "U0003", ZH, "U0005"):
        app.fake.add_user(user)
    await set_up(app, participants=users("U0002", "U0003", ZH))
    await set_up(
        app,
        view_id="VOTHER",
        participants=users("U0005"),
        channel={"value": {"type": "conversations_select", "selected_conversation": "C0OTHER"}},
        name={"value": {"type": "plain_text_input", "value": "Evening"}},
    )
    morning = await standup_named(app, "Morning")
    with time_machine.travel(FRIDAY, tick=True):
        await answered_today(app, morning, "U0002")
        assert "skipped" in (await app.send.command("/standup", "skip", user="U0003")).text
        reply = await app.send.command("/standup", "now", channel="C0STAND")
        assert "Asking now" in reply.text
        [done] = await app.fake.wait_for("response_url")
        await app.fake.settle()
    assert done.args["text"] == "Standup prompts sent to 1 person."
    assert [user for user, _ in dms(app)] == [ZH]  # not U0005: the other channel's standup


async def test_a_skip_used_by_the_schedule_today_still_counts_for_now(app):
    for user in ("U0002", "U0003"):
        app.fake.add_user(user)
    await set_up(app)
    morning = await standup_named(app, "Morning")
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    assert "skipped" in (await app.send.command("/standup", "skip", user="U0003")).text
    async with app.db.session() as session:  # the 09:00 schedule uses U0003's skip
        [due] = [
            d
            for d in await standups.prompts_today(session, workspace, FRIDAY)
            if d.member.slack_user_id == "U0003"
        ]
        assert await standups.start_prompt(session, workspace.id, due, FRIDAY) is None
    with time_machine.travel(FRIDAY, tick=True):
        await app.send.command("/standup", "now", channel="C0STAND")
        [done] = await app.fake.wait_for("response_url")
        await app.fake.settle()
    assert done.args["text"] == "Standup prompts sent to 1 person."
    assert [user for user, _ in dms(app)] == ["U0002"]
    assert morning.name == "Morning"


async def test_default_questions_are_asked_in_the_members_language(app):
    app.fake.add_user("U0002")
    app.fake.add_user("U0003", locale="zh-CN")
    await set_up(app)  # the English default questions, as an English-speaking manager left them
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.slack_user_id == "U0003").values(locale="zh-CN"))
    with time_machine.travel(FRIDAY, tick=True):
        await app.send.command("/standup", "now", channel="C0STAND")
        await app.fake.wait_for("response_url")
        await app.fake.settle()
        prompt = dict(dms(app))["U0003"]
        await app.send.action(
            "standup_answer", button_value(prompt, "standup_answer"), user="U0003", channel="DU0003"
        )
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
    labels = [b["label"]["text"] for b in view["blocks"][1:]]
    assert labels == ["昨天你成交或推进了哪些商机？", "今天的计划是什么？", "有什么阻碍吗？"]
    assert json.loads(view["private_metadata"])["run"]
