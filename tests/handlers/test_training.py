"""Training sessions and team events through signed requests: scheduling, RSVPs, attendance, the list."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import time_machine
from sqlalchemy import func, select

from storage.models import Member, Training, TrainingAttendance, TrainingRsvp
from tests.slack_requests import checkbox_value

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)  # 15:00 in Shanghai
SCHEDULE = 'schedule "Product X deep-dive" 2026-12-03 15:00 <#C0SALES|sales>'


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def trainings(db) -> list[Training]:
    async with db.session() as session:
        return list(await session.scalars(select(Training).order_by(Training.id)))


async def rsvps(db) -> list[tuple[str, bool]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Member.slack_user_id, TrainingRsvp.going)
            .join(Member, Member.id == TrainingRsvp.member_id)
            .order_by(Member.slack_user_id)
        )
        return [tuple(r) for r in rows.all()]


async def attendance(db) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Member.slack_user_id)
            .join(TrainingAttendance, TrainingAttendance.member_id == Member.id)
            .order_by(Member.slack_user_id)
        )
        return list(rows)


def element(args: dict, action_id: str) -> dict:
    for block in args["blocks"]:
        for item in block.get("elements", []):
            if item.get("action_id") == action_id:
                return item
    raise AssertionError(f"no {action_id} on the card")


def people_block(args: dict) -> str:
    return next(b for b in args["blocks"] if b.get("block_id") == "training_answers")["elements"][0]["text"]


def managers(app) -> None:
    app.fake.add_user("U0001", is_admin=True, tz="Asia/Shanghai")  # a manager in Shanghai
    app.fake.add_user("U0002", tz="America/New_York")
    app.fake.add_user("U0003", tz="Europe/Berlin")
    app.fake.add_user("U0006", tz="America/New_York", locale="zh-CN")


async def schedule(app, text: str = SCHEDULE, **kwargs) -> tuple[object, dict, Training]:
    """Schedule at NOW; return the reply, the posted card and the stored session."""
    before = len(app.fake.calls_to("chat.postMessage"))
    with time_machine.travel(NOW, tick=True):
        reply = await app.send.command("/training", text, **kwargs)
    card = (await app.fake.wait_for("chat.postMessage", count=before + 1))[before].args
    for _ in range(1500):  # the card's place is recorded just after Slack answers (30 s ceiling)
        stored = await trainings(app.db)
        if all(s.message_ts for s in stored):
            break
        await asyncio.sleep(0.02)
    return reply, card, stored[-1]


async def test_a_manager_schedules_a_session_in_their_own_zone(app):
    managers(app)
    reply, card, training = await schedule(app)
    assert (
        "Scheduled *Product X deep-dive* for Thursday, December 3, 2026, 3:00 PM (China Standard Time)"
        in reply.text
    )
    assert (training.kind, training.title, training.timezone) == (
        "training",
        "Product X deep-dive",
        "Asia/Shanghai",
    )
    assert training.starts_at == START
    assert (training.channel_id, card["channel"]) == ("C0SALES", "C0SALES")
    text = card["blocks"][0]["text"]["text"]
    assert "Training: *Product X deep-dive*" in text
    assert f"<!date^{int(START.timestamp())}^" in text  # each reader sees their own zone
    assert "Organised by <@U0001>" in text and f"#{training.id}" in text
    assert element(card, "training_going")["value"] == str(training.id)
    assert element(card, "training_not_going")["value"] == str(training.id)
    assert "Nobody has said they're going yet" in people_block(card)


async def test_anyone_plans_a_team_event_but_only_managers_schedule_training(app):
    managers(app)
    with time_machine.travel(NOW, tick=True):
        refused = await app.send.command("/training", SCHEDULE, user="U0003")
    assert "Only managers and workspace admins can do that" in refused.text
    assert await count(app.db, Training) == 0
    reply, card, event = await schedule(
        app, "event “Team dinner” 2026-12-05 19:00", user="U0003", channel="C0TEAM"
    )
    assert "Scheduled *Team dinner*" in reply.text and "Central European Standard Time" in reply.text
    assert (event.kind, event.channel_id, card["channel"]) == ("event", "C0TEAM", "C0TEAM")
    assert event.starts_at == dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC)  # 19:00 in Berlin
    assert "Team event: *Team dinner*" in card["blocks"][0]["text"]["text"]


async def test_bad_dates_times_and_titles_are_refused_and_nothing_is_written(app):
    managers(app)
    app.fake.add_user("U0005", is_admin=True, tz="America/New_York")
    app.fake.add_user("U0006", tz="Asia/Tokyo")
    cases = [
        ('schedule "Deep-dive" 2026-11-19 15:00', "U0001", "already passed"),
        ('schedule "Deep-dive" 2026-11-20 17:00', "U0001", "already passed"),  # 09:00 UTC now
        ('schedule "Deep-dive" 2026-02-30 15:00', "U0001", "`2026-02-30` is not a date"),
        ('schedule "Deep-dive" 03/12/2026 15:00', "U0001", "`03/12/2026` is not a date"),
        ('schedule "Deep-dive" 2026-12-03 25:00', "U0001", "`25:00` is not a time"),
        ('schedule "Deep-dive" 2026-12-03 3pm', "U0001", "`3pm` is not a time"),
        ('schedule "Deep-dive" 2026-12-03', "U0001", "a title, a date, a time"),
        ('schedule "" 2026-12-03 15:00', "U0001", "Give the session a title"),
        ("schedule 2026-12-03 15:00", "U0001", "Give the session a title"),
        (f'schedule "{"x" * 201}" 2026-12-03 15:00', "U0001", "201 characters long; keep it to 200"),
        ('schedule "Deep-dive" 2027-03-14 02:30', "U0005", "does not exist in America/New_York"),
        ('event "Dinner" 2027-11-22 19:00', "U0001", "more than 366 days away"),
        ('event "Dinner" 9999-12-31 23:00', "U0006", "more than 366 days away"),  # past year 9999 in UTC
        ("reschedule everything", "U0001", "I don't know `/training reschedule`"),
        ("attendance abc", "U0001", "`abc` is not a session number"),
    ]
    with time_machine.travel(NOW, tick=True):
        for text, user, message in cases:
            reply = await app.send.command("/training", text, user=user)
            assert reply.status == 200
            assert message in reply.text, (text, reply.text)
        exactly = await app.send.command("/training", f'schedule "{"x" * 200}" 2026-12-03 15:00')
    assert "Scheduled" in exactly.text
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Training) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_the_same_trigger_twice_schedules_once(app):
    managers(app)
    with time_machine.travel(NOW, tick=True):
        replies = await asyncio.gather(
            *[app.send.command("/training", SCHEDULE, trigger_id="trigger.training") for _ in range(3)]
        )
    assert sum("Scheduled" in r.text for r in replies) == 1
    assert sum("already scheduled" in r.text for r in replies) == 2
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Training) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_rsvp_toggles_between_going_and_not_going(app):
    managers(app)
    _, _, training = await schedule(app)
    value = str(training.id)
    with time_machine.travel(NOW, tick=True):
        await app.send.action("training_going", value, user="U0002")
        first = (await app.fake.wait_for("chat.update"))[-1].args
        await app.send.action("training_going", value, user="U0003")
        second = (await app.fake.wait_for("chat.update", count=2))[-1].args
        await app.send.action("training_going", value, user="U0003")  # the same answer again
        await app.fake.settle()
        assert len(app.fake.calls_to("chat.update")) == 2
        await app.send.action("training_not_going", value, user="U0002")
        third = (await app.fake.wait_for("chat.update", count=3))[-1].args
        await app.send.action("training_going", value, user="U0006")
        await app.fake.wait_for("chat.update", count=4)
    assert (first["channel"], first["ts"]) == ("C0SALES", training.message_ts)
    assert people_block(first) == "Going (1): <@U0002>"
    assert people_block(second) == "Going (2): <@U0002>, <@U0003>"
    assert people_block(third) == "Going (1): <@U0003> · Not going: 1"
    assert await rsvps(app.db) == [("U0002", False), ("U0003", True), ("U0006", True)]
    notes = [c.args["text"] for c in app.fake.calls_to("response_url")]
    assert (
        notes[0]
        == "You're going to *Product X deep-dive*. I'll remind you a day and 15 minutes before it starts."
    )
    assert notes[2] == "Noted: you're not going to *Product X deep-dive*."
    assert (
        notes[3] == "你将参加 *Product X deep-dive*\u200b。我会在开始前一天和前 15 分钟提醒你。"
    )  # U0006 reads Chinese


async def test_a_double_click_on_going_is_one_answer(app):
    managers(app)
    _, _, training = await schedule(app)
    with time_machine.travel(NOW, tick=True):
        await asyncio.gather(
            *[app.send.action("training_going", str(training.id), user="U0002") for _ in range(3)]
        )
    await app.fake.wait_for("chat.update")
    await app.fake.settle()
    assert await rsvps(app.db) == [("U0002", True)]
    assert len(app.fake.calls_to("chat.update")) == 1


async def test_answers_close_at_the_start_and_ids_of_other_workspaces_find_nothing(app):
    managers(app)
    _, _, training = await schedule(app)
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=True):
        await app.send.action("training_going", str(training.id), user="U0002")
    with time_machine.travel(NOW, tick=True):
        await app.send.action("training_going", str(training.id), user="U0002", team="T0002")
    notes = [c.args["text"] for c in await app.fake.wait_for("response_url", count=2)]
    assert "already started" in notes[0]
    assert "no longer exists" in notes[1]
    assert await count(app.db, TrainingRsvp) == 0


async def submit_attendance(app, training: Training, view: dict, user: str, *ticked: str, others=()):
    values = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("attended_"):
            values[block["block_id"]] = checkbox_value(*ticked)
    values["others"] = {"value": {"type": "multi_users_select", "selected_users": list(others)}}
    return await app.send.view_submission(
        "training_attendance",
        values,
        user=user,
        view_id=f"V{user}",
        private_metadata=view["private_metadata"],
    )


async def test_attendance_by_the_organiser_after_the_start_replaces_earlier_marking(app):
    managers(app)
    _, _, training = await schedule(app)
    with time_machine.travel(NOW, tick=True):
        for user in ("U0002", "U0003"):
            await app.send.action("training_going", str(training.id), user=user)
        await app.send.action("training_not_going", str(training.id), user="U0004")
    await app.fake.wait_for("chat.update", count=3)

    with time_machine.travel(START - dt.timedelta(minutes=5), tick=True):  # too early
        early = await app.send.command("/training", f"attendance {training.id}")
    assert "once the session has started" in early.text
    assert app.fake.calls_to("views.open") == []

    with time_machine.travel(START + dt.timedelta(hours=1), tick=True):
        await app.send.action("training_attendance", str(training.id))
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
        options = [o["value"] for b in view["blocks"] if b["type"] == "input" and b["block_id"] != "others"
                   for o in b["element"]["options"]]  # fmt: skip
        assert options == ["U0002", "U0003"]  # who said Going, not who said Not going
        assert json.loads(view["private_metadata"])["training"] == training.id

        reply = await submit_attendance(app, training, view, "U0001", "U0002", others=["U0005"])
        assert reply.status == 200 and reply.text == ""
        assert await attendance(app.db) == ["U0002", "U0005"]
        updated = (await app.fake.wait_for("chat.update", count=4))[-1].args
        assert "Attended (2): <@U0002>, <@U0005>" in str(updated["blocks"])
        saved = (await app.fake.wait_for("chat.postEphemeral"))[0].args
        assert "Attendance saved for *Product X deep-dive*: 2 attended" in saved["text"]

        # marking again replaces the earlier marking; the modal starts from it
        await app.send.command("/training", f"attendance {training.id}")
        again = (await app.fake.wait_for("views.open", count=2))[-1].args["view"]
        ticked = [o["value"] for b in again["blocks"] if b["block_id"].startswith("attended_")
                  for o in b["element"].get("initial_options", [])]  # fmt: skip
        assert ticked == ["U0002"]
        assert next(b for b in again["blocks"] if b["block_id"] == "others")["element"]["initial_users"] == [
            "U0005"
        ]
        await submit_attendance(app, training, again, "U0001", "U0003")
    assert await attendance(app.db) == ["U0003"]
    [stored] = await trainings(app.db)
    assert stored.attendance_taken_at is not None


async def test_only_the_organiser_or_a_manager_marks_attendance(app):
    managers(app)
    app.fake.add_user("U0009", is_admin=True)  # another manager
    _, _, event = await schedule(app, 'event "Team dinner" 2026-12-05 19:00', user="U0003")  # a rep organises
    after = event.starts_at + dt.timedelta(hours=2)
    with time_machine.travel(NOW, tick=True):
        await app.send.action("training_going", str(event.id), user="U0002")
    await app.fake.wait_for("chat.update")
    with time_machine.travel(after, tick=True):
        await app.send.action("training_attendance", str(event.id), user="U0002")  # a rep, not the organiser
        refusal = (await app.fake.wait_for("response_url", count=2))[-1].args
        assert "Only the organiser or a manager" in refusal["text"]
        by_command = await app.send.command("/training", f"attendance {event.id}", user="U0002")
        assert "Only the organiser or a manager" in by_command.text
        assert app.fake.calls_to("views.open") == []

        # a forged submission by the rep is refused in the modal and writes nothing
        forged = {"blocks": [], "private_metadata": json.dumps({"training": event.id})}
        reply = await submit_attendance(app, event, forged, "U0002", others=["U0002"])
        assert reply.json["response_action"] == "errors"
        assert "Only the organiser or a manager" in reply.json["errors"]["others"]
        assert await attendance(app.db) == []

        await app.send.action("training_attendance", str(event.id), user="U0003")  # the organiser
        await app.send.command("/training", f"attendance {event.id}", user="U0009")  # a manager
        views = await app.fake.wait_for("views.open", count=2)
        await submit_attendance(app, event, views[1].args["view"], "U0009", "U0002")
    assert await attendance(app.db) == ["U0002"]


async def test_the_list_shows_upcoming_sessions_and_mine_attended_in_my_zone(app):
    managers(app)
    _, _, training = await schedule(app)
    _, _, event = await schedule(app, 'event "Team dinner" 2026-11-21 19:00', channel="C0TEAM")
    with time_machine.travel(NOW, tick=True):
        await app.send.action("training_going", str(event.id), user="U0003")
        await app.send.action("training_not_going", str(training.id), user="U0003")
        listed = await app.send.command("/training", "", user="U0003")  # in Berlin
    upcoming = listed.json["blocks"][1]["text"]["text"]
    assert upcoming.splitlines()[1:] == [
        f"• #{event.id} :tada: Team event *Team dinner*, Saturday, November 21, 2026, 12:00 PM "
        "(Central European Standard Time) · you're going",
        f"• #{training.id} :mortar_board: Training *Product X deep-dive*, Thursday, December 3, 2026, "
        "8:00 AM (Central European Standard Time) · you're not going",
    ]
    assert "You haven't been marked present" in listed.json["blocks"][2]["text"]["text"]

    with time_machine.travel(event.starts_at + dt.timedelta(hours=3), tick=True):
        await app.send.command("/training", f"attendance {event.id}")
        view = (await app.fake.wait_for("views.open"))[0].args["view"]
        await submit_attendance(app, event, view, "U0001", "U0003")
        listed = await app.send.command("/training", "list", user="U0006")  # in New York, in Chinese
        mine = await app.send.command("/training", "", user="U0003")
    assert "2026年12月3日星期四 02:00 (北美东部标准时间)" in listed.json["blocks"][1]["text"]["text"]
    assert "Team dinner" not in listed.json["blocks"][1]["text"]["text"]  # it has started
    attended = mine.json["blocks"][2]["text"]["text"]
    assert f"#{event.id} :tada: Team event *Team dinner*, Saturday, November 21, 2026, 12:00 PM" in attended


async def test_help_shows_usage_in_my_zone(app):
    managers(app)
    reply = await app.send.command("/training", "help")
    assert "Training sessions and team events with `/training`" in reply.text
    assert "(Asia/Shanghai)" in reply.text
