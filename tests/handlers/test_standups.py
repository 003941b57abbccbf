"""`/standup` through signed requests: setup, list, holidays, out of office, skip, now, answering."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import time_machine
from sqlalchemy import func, select

from storage import activities, deals
from storage.models import (
    DEFAULT_STANDUP_QUESTIONS,
    Holiday,
    Member,
    Stage,
    Standup,
    StandupAnswer,
    StandupParticipant,
    StandupPrompt,
    StandupRun,
)
from storage.money import Money
from storage.workspaces import get_member, get_workspace
from tests.slack_requests import checkbox_value, text_value

FRIDAY = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)  # the standup is on weekdays at 09:00 UTC


def conversation(channel: str | None) -> dict:
    return {"value": {"type": "conversations_select", "selected_conversation": channel}}


def users(*user_ids: str) -> dict:
    return {"value": {"type": "multi_users_select", "selected_users": list(user_ids)}}


def setup_values(**overrides) -> dict:
    values = {
        "name": text_value("Morning"),
        "channel": conversation("C0STAND"),
        "participants": users("U0002", "U0003"),
        "questions": text_value("\n".join(DEFAULT_STANDUP_QUESTIONS)),
        "days": checkbox_value("0", "1", "2", "3", "4"),
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "zone": {"value": {"type": "radio_buttons", "selected_option": {"value": "workspace"}}},
    }
    values.update(overrides)
    return values


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def set_up(app, view_id: str = "VSETUP", **overrides):
    app.fake.add_user("U0001", is_admin=True)
    return await app.send.view_submission(
        "standup_setup",
        setup_values(**overrides),
        view_id=view_id,
        private_metadata=json.dumps({"channel": "C0001"}),
    )


def dms(app) -> list[tuple[str, dict]]:
    return [
        (c.args["channel"], c.args)
        for c in app.fake.calls_to("chat.postMessage")
        if c.args["channel"][0] == "U"
    ]


def button_value(args: dict, action_id: str) -> str:
    for block in args["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button")


def initial(view: dict, block_id: str) -> str | None:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


def answer_values(*answers: str, blockers: str = "") -> dict:
    values = {f"q{i}": text_value(a) for i, a in enumerate(answers)}
    values["blockers"] = text_value(blockers)
    return values


async def test_setup_opens_a_modal_with_the_defaults_for_managers_only(app):
    app.fake.add_user("U0001", is_admin=True)
    reply = await app.send.command("/standup", "setup", channel="C0SALES")
    assert reply.status == 200
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "standup_setup"
    assert initial(view, "questions") == "\n".join(DEFAULT_STANDUP_QUESTIONS)
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert [o["value"] for o in elements["days"]["initial_options"]] == ["0", "1", "2", "3", "4"]
    assert elements["time"]["initial_time"] == "09:00"
    assert elements["channel"]["initial_conversation"] == "C0SALES"
    assert elements["zone"]["initial_option"]["value"] == "workspace"
    refused = await app.send.command("/standup", "setup", user="U0002")
    assert "Only managers" in refused.text
    await app.fake.settle()
    assert len(app.fake.calls_to("views.open")) == 1


async def test_a_standup_is_set_up_once_and_listed(app):
    replies = await asyncio.gather(*(set_up(app) for _ in range(2)))  # a double-clicked Start
    assert [r.status for r in replies] == [200, 200] and all(r.text == "" for r in replies)
    assert await count(app.db, Standup) == 1 and await count(app.db, StandupParticipant) == 2
    notes = [c.args["text"] for c in await app.fake.wait_for("chat.postEphemeral", count=2)]
    assert "Standup *Morning* is set: Mon, Tue, Wed, Thu, Fri at 09:00 (UTC), 2 people" in notes[0] + notes[1]
    listed = await app.send.command("/standup", "list")
    assert "*Morning* in <#C0STAND>: Mon, Tue, Wed, Thu, Fri at 09:00 (UTC) · 2 people" in listed.text
    await set_up(
        app,
        view_id="VSECOND",
        name=text_value(""),
        zone={"value": {"type": "radio_buttons", "selected_option": {"value": "member"}}},
    )
    listed = await app.send.command("/standup", "list")
    assert (
        "*Standup* in <#C0STAND>: Mon, Tue, Wed, Thu, Fri at 09:00 (each person's own time zone)"
        in listed.text
    )


async def test_bad_setup_input_is_shown_next_to_the_field_and_nothing_is_written(app):
    app.fake.add_user("UBOTX", is_bot=True)
    cases = [
        ({"channel": conversation(None)}, "channel", "Choose the channel"),
        ({"participants": users()}, "participants", "at least one participant"),
        ({"participants": users("U0002", "UBOTX")}, "participants", "<@UBOTX> is a bot"),
        ({"questions": text_value("Only this?")}, "questions", "at least 2 questions"),
        ({"days": checkbox_value()}, "days", "at least one day"),
        ({"time": {"value": {"type": "timepicker", "selected_time": None}}}, "time", "is not a time of day"),
    ]
    for i, (overrides, block, message) in enumerate(cases):
        reply = await set_up(app, view_id=f"VBAD{i}", **overrides)
        assert reply.json["response_action"] == "errors", overrides
        assert list(reply.json["errors"]) == [block] and message in reply.json["errors"][block], reply.json
    reply = await app.send.view_submission("standup_setup", setup_values(), view_id="VREP", user="U0002")
    assert "Only managers" in reply.json["errors"]["name"]
    assert await count(app.db, Standup) == 0 and await count(app.db, StandupParticipant) == 0


async def test_holidays_are_managed_by_managers_and_past_or_bad_dates_refused(app):
    app.fake.add_user("U0001", is_admin=True)
    with time_machine.travel(FRIDAY, tick=True):
        assert (
            "2026-12-25 is a holiday now"
            in (await app.send.command("/standup", "holidays add 2026-12-25 Christmas")).text
        )
        assert "already a holiday" in (await app.send.command("/standup", "holidays add 2026-12-25")).text
        assert "2026-12-25 · Christmas" in (await app.send.command("/standup", "holidays")).text
        for text, message in [
            ("holidays add 2026-11-26 Yesterday", "2026-11-26 is in the past (today is 2026-11-27)"),
            ("holidays add 2026-12-32 Nope", "`2026-12-32` is not a date"),
            ("holidays add", "Give the holiday's date"),
        ]:
            assert message in (await app.send.command("/standup", text)).text, text
        refused = await app.send.command("/standup", "holidays add 2026-12-31 Eve", user="U0002")
        assert "Only managers" in refused.text
        assert await count(app.db, Holiday) == 1
        assert (
            "no longer a holiday" in (await app.send.command("/standup", "holidays remove 2026-12-25")).text
        )
        assert "is not a holiday" in (await app.send.command("/standup", "holidays remove 2026-12-25")).text
        assert "No holidays coming up" in (await app.send.command("/standup", "holidays")).text
    assert await count(app.db, Holiday) == 0


async def ooo_of(app, user: str) -> tuple[dt.date | None, dt.date | None]:
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        member = await get_member(session, workspace.id, user)
        return member.ooo_from, member.ooo_until


async def test_out_of_office_is_set_for_myself_and_bad_ranges_change_nothing(app):
    with time_machine.travel(FRIDAY, tick=True):
        reply = await app.send.command("/standup", "ooo 2026-12-24..2026-12-31", user="U0002")
        assert "Out of office from 2026-12-24 to 2026-12-31" in reply.text
        week = (dt.date(2026, 12, 24), dt.date(2026, 12, 31))
        assert await ooo_of(app, "U0002") == week
        for text, message in [
            ("ooo 2026-12-31..2026-12-24", "The range ends (2026-12-24) before it starts (2026-12-31)"),
            ("ooo after christmas", "`after` is not a date"),
            ("ooo 2026-11-01..2026-11-02", "That range ended on 2026-11-02"),
        ]:
            assert message in (await app.send.command("/standup", text, user="U0002")).text, text
        assert await ooo_of(app, "U0002") == week
        assert (
            "from 2026-12-24 to 2026-12-31" in (await app.send.command("/standup", "ooo", user="U0002")).text
        )
        assert "cleared" in (await app.send.command("/standup", "ooo clear", user="U0002")).text
    assert await ooo_of(app, "U0002") == (None, None)


async def test_skip_marks_my_next_standup_only(app):
    await set_up(app)
    assert (
        "Your next standup is skipped: *Morning*"
        in (await app.send.command("/standup", "skip", user="U0002")).text
    )
    assert "not in any standup" in (await app.send.command("/standup", "skip", user="U0009")).text
    async with app.db.session() as session:
        rows = await session.execute(
            select(Member.slack_user_id, StandupParticipant.skip_next).join(
                StandupParticipant, StandupParticipant.member_id == Member.id
            )
        )
        assert dict(rows.all()) == {"U0002": True, "U0003": False}


async def log_work(app) -> None:
    """U0002's deals and activities: one before Thursday's standup, the rest after it."""
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        rep = await get_member(session, workspace.id, "U0002")
    moments = {
        "initech": dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC),  # before Thursday 09:00
        "acme": dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC),
        "move": dt.datetime(2026, 11, 26, 13, 0, tzinfo=dt.UTC),
        "globex": dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC),
        "call": dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC),
    }
    with time_machine.travel(moments["initech"], tick=False):
        async with app.db.session() as session:
            await deals.create_deal(
                session, workspace.id, rep, deals.NewDeal("Initech", Money(100000, "USD")), "k1"
            )
    with time_machine.travel(moments["acme"], tick=False):
        async with app.db.session() as session:
            acme, _ = await deals.create_deal(
                session, workspace.id, rep, deals.NewDeal("Acme", Money(1200000, "USD")), "k2"
            )
    with time_machine.travel(moments["move"], tick=False):
        async with app.db.session() as session:
            await deals.change_stage(session, workspace.id, acme.id, Stage.PROPOSAL, rep)
    with time_machine.travel(moments["globex"], tick=False):
        async with app.db.session() as session:
            new = deals.NewDeal("Globex", Money(500000, "USD"), stage=Stage.WON)
            await deals.create_deal(session, workspace.id, rep, new, "k3")
    with time_machine.travel(moments["call"], tick=False):
        async with app.db.session() as session:
            await activities.record_activity(
                session,
                workspace,
                rep,
                acme.customer_id,
                kind="call",
                note="Pricing <questions>",
                source_key="k4",
                now=moments["call"],
            )


async def test_now_asks_the_channels_standups_once_and_the_answer_starts_from_my_log(app):
    await set_up(app)
    await log_work(app)
    with time_machine.travel(FRIDAY, tick=True):
        assert "No standup posts in this channel" in (await app.send.command("/standup", "now")).text
        assert (
            "Only managers"
            in (await app.send.command("/standup", "now", user="U0002", channel="C0STAND")).text
        )
        replies = await asyncio.gather(
            *(
                app.send.command("/standup", "now", channel="C0STAND", trigger_id="trigger.now")
                for _ in range(2)
            )
        )
        assert sorted(("Asking now" in r.text, "already handled" in r.text) for r in replies) == [
            (False, True),
            (True, False),
        ]
        await app.fake.wait_for("response_url")
        await app.fake.settle()
        assert sorted(user for user, _ in dms(app)) == ["U0002", "U0003"]
        assert "Standup prompts sent to 2 people" in app.fake.calls_to("response_url")[0].args["text"]
        prompt = dict(dms(app))["U0002"]
        assert "Time for *Morning*" in prompt["text"]
        await app.send.action(
            "standup_answer", button_value(prompt, "standup_answer"), user="U0002", channel="DU0002"
        )
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "standup_answer"
    assert [b.get("block_id") for b in view["blocks"]] == ["standup_context", "q0", "q1", "blockers"]
    assert initial(view, "q0") == (
        "• New deal: Acme ($12,000.00, Lead)\n"
        "• Moved Acme to Proposal ($12,000.00)\n"
        "• Won Globex ($5,000.00)\n"
        "• Call with Acme: Pricing <questions>"
    )  # not Initech, logged before Thursday's standup
    assert initial(view, "q1") is None and initial(view, "blockers") is None
    labels = [b["label"]["text"] for b in view["blocks"][1:]]
    assert labels == list(DEFAULT_STANDUP_QUESTIONS)
    assert await count(app.db, StandupRun) == 1


async def test_an_answer_is_saved_once_bad_ones_are_refused_and_the_prompt_says_thanks(app):
    await set_up(app)
    with time_machine.travel(FRIDAY, tick=True):
        await app.send.command("/standup", "now all")
        await app.fake.wait_for("response_url")
        prompt = dict(dms(app))["U0002"]
        run_id = button_value(prompt, "standup_answer")
        metadata = json.dumps({"run": int(run_id)})
        bad = await app.send.view_submission(
            "standup_answer", answer_values(" ", "Call Globex"), private_metadata=metadata, user="U0002"
        )
        assert bad.json == {"response_action": "errors", "errors": {"q0": "Please answer this question."}}
        stranger = await app.send.view_submission(
            "standup_answer", answer_values("a", "b"), private_metadata=metadata, user="U0004"
        )
        assert "You are not in that standup" in stranger.json["errors"]["blockers"]
        elsewhere = await app.send.view_submission(
            "standup_answer", answer_values("a", "b"), private_metadata=metadata, user="U0002", team="T0002"
        )
        assert "no longer runs" in elsewhere.json["errors"]["blockers"]  # a run id of another workspace
        assert await count(app.db, StandupAnswer) == 0
        good = answer_values("Won <!channel> Globex", "Call Acme", blockers="Waiting on legal")
        replies = await asyncio.gather(
            *(
                app.send.view_submission(
                    "standup_answer", good, private_metadata=metadata, user="U0002", view_id="VANSWER"
                )
                for _ in range(2)
            )
        )
        assert [r.text for r in replies] == ["", ""]
        update = (await app.fake.wait_for("chat.update"))[0].args
        assert (update["channel"], update["ts"]) == ("DU0002", await prompt_ts(app, "U0002"))
        assert "Thanks, your answer to *Morning*" in update["text"]
        assert button_value(update, "standup_answer") == run_id
        await app.send.action("standup_answer", run_id, user="U0002", channel="DU0002")
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
        assert (initial(view, "q0"), initial(view, "blockers")) == (
            "Won <!channel> Globex",
            "Waiting on legal",
        )
        none = answer_values("Demo for Acme", "Follow up", blockers="None.")
        await app.send.view_submission("standup_answer", none, private_metadata=metadata, user="U0003")
    async with app.db.session() as session:
        rows = await session.execute(
            select(Member.slack_user_id, StandupAnswer.answers, StandupAnswer.blockers, StandupAnswer.late)
            .join(Member, Member.id == StandupAnswer.member_id)
            .order_by(Member.slack_user_id)
        )
        assert [tuple(r) for r in rows.all()] == [
            ("U0002", ["Won <!channel> Globex", "Call Acme"], "Waiting on legal", False),
            ("U0003", ["Demo for Acme", "Follow up"], "", False),  # "None." is no blocker
        ]


async def prompt_ts(app, user: str) -> str:
    """Where the member's prompt DM was posted, as recorded."""
    async with app.db.session() as session:
        return await session.scalar(
            select(StandupPrompt.message_ts)
            .join(Member, Member.id == StandupPrompt.member_id)
            .where(Member.slack_user_id == user)
        )


async def test_the_log_starts_after_my_last_answer(app):
    await set_up(app)
    await log_work(app)
    thursday = dt.datetime(2026, 11, 26, 12, 30, tzinfo=dt.UTC)  # after Acme was logged, before it moved
    with time_machine.travel(thursday, tick=True):
        await app.send.command("/standup", "now all")
        await app.fake.wait_for("response_url")
        thursday_run = button_value(dict(dms(app))["U0002"], "standup_answer")
        await app.send.view_submission(
            "standup_answer",
            answer_values("Logged Acme", "Move Acme"),
            user="U0002",
            private_metadata=json.dumps({"run": int(thursday_run)}),
        )
    with time_machine.travel(FRIDAY, tick=True):
        await app.send.command("/standup", "now all")
        await app.fake.wait_for("response_url", count=2)
        friday_run = button_value([args for user, args in dms(app) if user == "U0002"][-1], "standup_answer")
        assert friday_run != thursday_run
        await app.send.action("standup_answer", friday_run, user="U0002", channel="DU0002")
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert initial(view, "q0") == (
        "• Moved Acme to Proposal ($12,000.00)\n• Won Globex ($5,000.00)\n• Call with Acme: Pricing <questions>"
    )
    assert (
        "Filled in with what you logged in dealbell since <!date^17956962"
        in view["blocks"][0]["elements"][0]["text"]
    )
