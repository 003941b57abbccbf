"""`/feedback`, its Reply and Give-feedback buttons and modals, through signed requests."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from storage import feedback as fb
from storage.models import Feedback, FeedbackRequest, Member
from tests.slack_requests import checkbox_value, text_value

MANAGER = "U0001"


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def feedback_rows(db) -> list[Feedback]:
    async with db.session() as session:
        return list((await session.scalars(select(Feedback).order_by(Feedback.id))).all())


async def member_id(db, slack_user_id: str) -> int:
    async with db.session() as session:
        return await session.scalar(select(Member.id).where(Member.slack_user_id == slack_user_id))


async def meet(app, *users: str) -> None:
    """Make members known in this order (each request creates its sender's member row)."""
    for user in users:
        await app.send.command("/feedback", "help", user=user)


def button(blocks, action_id: str) -> str:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {blocks}")


def visible(args) -> str:
    """Every text a person sees in a message or view (button values are not shown)."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                elif key not in ("value", "private_metadata"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(args)
    return "\n".join(found)


def posts_to(app, channel: str):
    return [c.args for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


# --- giving feedback -----------------------------------------------------------------------------


async def test_named_feedback_is_a_dm_naming_the_sender_with_the_text_escaped(app):
    # As Slack sends it (should_escape): typed & < > arrive as entities, mentions as <@U…|name>.
    reply = await app.send.command(
        "/feedback", "<@U0002|li> Great demo <!channel> &amp; &lt;b&gt;bold&lt;/b&gt; <@U0002|li>"
    )

    assert reply.status == 200
    assert "Sent to <@U0002>" in reply.text and "anonymously" not in reply.text
    (dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]
    assert dm["channel"] == "U0002"
    shown = visible(dm)
    assert "Feedback from <@U0001>" in shown
    assert "Great demo &lt;!channel&gt; &amp; &lt;b&gt;bold&lt;/b&gt; @li" in shown
    assert "<!channel>" not in json.dumps(dm) and "<b>" not in json.dumps(dm)
    assert button(dm["blocks"], "feedback_reply")
    (row,) = await feedback_rows(app.db)
    assert (row.sender_id, row.receiver_id) == (
        await member_id(app.db, "U0001"),
        await member_id(app.db, "U0002"),
    )
    assert (row.anonymous, row.sender_hash, row.about_id, row.request_id) == (False, None, None, None)
    assert row.text == "Great demo <!channel> & <b>bold</b> @li"
    assert row.source_key.startswith("command:trigger.")


async def test_anonymous_feedback_keeps_the_sender_out_of_the_dm_and_the_database(app):
    await meet(app, "U0002", "U0003", "U0004", "U0005")  # the sender's member id is then unlike any other id
    sender = "U0007"
    app.fake.add_user(sender, real_name="Zed Secretary", profile={"display_name": "zedsec"})

    first = await app.send.command("/feedback", "<@U0002|li> Slow down --anon on demos", user=sender)
    second = await app.send.command("/feedback", "—ANON <@U0002|li> Second note", user=sender)

    assert "Sent to <@U0002> anonymously" in first.text and "anonymously" in second.text
    dms = [c.args for c in await app.fake.wait_for("chat.postMessage", count=2)]
    for dm in dms:
        assert dm["channel"] == "U0002"
        assert sender not in json.dumps(dm)  # not even inside the (encrypted) button value
        assert "zedsec" not in visible(dm).lower() and "secretary" not in visible(dm).lower()
        assert "Anonymous feedback" in visible(dm)
    sender_id = await member_id(app.db, sender)
    rows = await feedback_rows(app.db)
    assert [r.text for r in rows] == ["Slow down on demos", "Second note"]
    for row in rows:
        assert row.anonymous is True and row.sender_id is None and row.sender_hash
        for column in Feedback.__table__.columns:
            value = getattr(row, column.key)
            assert sender not in str(value), column.key
            assert not (isinstance(value, int) and not isinstance(value, bool) and value == sender_id)
            assert str(value) != str(sender_id), column.key
        # keyed: only the app's secret ties the hash to the sender
        assert fb.is_sender(app.settings.secret_key, row.sender_hash, row.workspace_id, sender)
        assert not fb.is_sender(b"another secret", row.sender_hash, row.workspace_id, sender)
        assert not fb.is_sender(app.settings.secret_key, row.sender_hash, row.workspace_id, "U0002")
    assert rows[0].sender_hash != rows[1].sender_hash  # salted: one person's feedbacks cannot be linked


async def test_the_receiver_replies_through_the_bot_and_only_the_anonymous_sender_gets_it(app):
    await app.send.command("/feedback", "<@U0002|li> Your follow-ups are late --anon", user="U0007")
    (dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]
    click = app.send.action_payload(
        "feedback_reply", button(dm["blocks"], "feedback_reply"), user="U0002", channel="DU0002"
    )
    click["message"].update(text=dm["text"], blocks=dm["blocks"])  # as Slack sends a bot's message
    await app.send.interactive(click)
    opened = (await app.fake.wait_for("views.open"))[0].args
    assert opened["trigger_id"] == click["trigger_id"]
    view = opened["view"]
    assert view["callback_id"] == "feedback_reply" and "U0007" not in json.dumps(view)
    assert "Your follow-ups are late" in visible(view)

    values = {"text": text_value("Fair point <!here>, fixing it")}
    replies = await asyncio.gather(
        *[
            app.send.view_submission(
                "feedback_reply",
                values,
                view_id="V500",
                private_metadata=view["private_metadata"],
                user="U0002",
            )
            for _ in range(2)
        ]
    )

    assert [(r.status, r.text) for r in replies] == [(200, ""), (200, "")]
    await app.fake.wait_for("chat.postMessage", count=2)
    await app.fake.settle()
    (back,) = posts_to(app, "U0007")  # a double-submitted reply goes out once
    assert "<@U0002> replied to your feedback" in visible(back)
    assert "Fair point &lt;!here&gt;, fixing it" in visible(back) and "<!here>" not in json.dumps(back)
    assert "Your follow-ups are late" in visible(back)
    assert len(app.fake.calls_to("chat.postMessage")) == 2
    assert await count(app.db, Feedback) == 1  # replies are not stored


async def test_a_tampered_or_foreign_reply_button_is_refused(app):
    await app.send.command("/feedback", "<@U0002|li> Be on time --anon", user="U0007")
    (dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]
    token = button(dm["blocks"], "feedback_reply")
    tampered = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]

    await app.send.action("feedback_reply", tampered, user="U0002", channel="DU0002")
    await app.send.action("feedback_reply", token, user="U0003", channel="DU0003")  # not the receiver
    await app.send.action("feedback_reply", token, user="U0002", team="T0999")  # another workspace
    notes = await app.fake.wait_for("response_url", count=3)
    assert all("Reply button is not valid" in n.args["text"] for n in notes)
    submitted = await app.send.view_submission(
        "feedback_reply", {"text": text_value("hi")}, view_id="V501", private_metadata=tampered, user="U0002"
    )
    assert submitted.json["response_action"] == "errors"
    assert "not valid" in submitted.json["errors"]["text"]
    await app.fake.settle()
    assert app.fake.calls_to("views.open") == []
    assert posts_to(app, "U0007") == []


async def test_a_retried_command_with_the_same_trigger_delivers_and_stores_once(app):
    replies = await asyncio.gather(
        *[
            app.send.command("/feedback", "<@U0002|li> Nice close --anon", trigger_id="trigger.same")
            for _ in range(2)
        ]
    )
    assert all("Sent to <@U0002> anonymously" in r.text for r in replies)
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    assert await count(app.db, Feedback) == 1


async def test_undeliverable_feedback_is_not_kept_and_the_sender_is_told(app):
    app.fake.fail_next("chat.postMessage", "channel_not_found")
    reply = await app.send.command("/feedback", "<@U0002|li> Good call")
    assert "Sent to <@U0002>" in reply.text
    note = (await app.fake.wait_for("response_url"))[0].args
    assert "couldn't deliver your feedback to <@U0002>" in note["text"]
    assert await count(app.db, Feedback) == 0


async def test_help_and_bare_command_show_usage_and_write_nothing(app):
    for text in ("", "help", "  HELP "):
        reply = await app.send.command("/feedback", text)
        assert "/feedback request @rep from @a @b" in reply.text and "--anon" in reply.text
    app.fake.add_user("U0008", locale="zh-CN")
    zh = await app.send.command("/feedback", "help", user="U0008")
    assert "私下反馈" in zh.text and "/feedback request @rep from @a @b" in zh.text
    assert await count(app.db, Feedback) == 0


async def test_bad_input_is_refused_clearly_and_nothing_is_written_or_sent(app):
    await meet(app, "U0001")  # known, so the queued users.info failure below hits the receiver
    app.fake.add_user("UB001", is_bot=True)
    app.fake.add_user("U0099", deleted=True)
    cases = [
        ("great job", "Say who the feedback is for"),
        ("<@U0002|li> <@U0003|sam> great job", "one person at a time"),
        ("<@U0002|li> thanks, and to <@U0003|sam> too", "one person at a time"),
        ("<@U0001|me> I did great", "to yourself"),
        ("<@UB001|bot> beep", "<@UB001> is a bot"),
        ("<@U0099|gone> bye", "<@U0099> is no longer in this workspace"),
        ("<@U0002|li>", "Write the feedback itself"),
        ("<@U0002|li>   --anon  ", "Write the feedback itself"),
        ("<@U0002|li> " + "x" * 1001, "limited to 1000 characters; this has 1001"),
        ("<!subteam^S123|@sales> great quarter", "user group (@sales)"),
        ("<@U0002|li> great work with <!subteam^S123|@sales>", "user group"),
    ]
    for text, expected in cases:
        reply = await app.send.command("/feedback", text)
        assert reply.status == 200
        assert reply.text.startswith(":warning:") and expected in reply.text, (text, reply.text)
    app.fake.fail_next("users.info", "user_not_found")
    unknown = await app.send.command("/feedback", "<@U0404|ghost> hello")
    assert "I couldn't find @ghost in this workspace — pick them from the @ menu" in unknown.text
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []
    assert await count(app.db, Feedback) == 0


# --- requests ------------------------------------------------------------------------------------


async def ask(app, text: str = "request <@U0002|rep> from <@U0003|a> <@U0004|b>"):
    app.fake.add_user(MANAGER, is_admin=True)  # workspace admins count as managers
    reply = await app.send.command("/feedback", text, user=MANAGER)
    asks = await app.fake.wait_for("chat.postMessage", count=2)
    return reply, {c.args["channel"]: c.args for c in asks}


async def answer(app, ask_dm, askee: str, text: str, *, anonymous: bool, view_id: str):
    click = app.send.action_payload(
        "feedback_give", button(ask_dm["blocks"], "feedback_give"), user=askee, channel=f"D{askee}"
    )
    before = len(app.fake.calls_to("views.open"))
    await app.send.interactive(click)
    opened = await app.fake.wait_for("views.open", count=before + 1)
    view = opened[-1].args["view"]
    assert view["callback_id"] == "feedback_answer"
    values = {"text": text_value(text), "anonymous": checkbox_value(*(["anonymous"] if anonymous else []))}
    return view, await app.send.view_submission(
        "feedback_answer", values, view_id=view_id, private_metadata=view["private_metadata"], user=askee
    )


async def test_a_manager_requests_feedback_and_answers_come_back_named_or_anonymous(app):
    reply, asks = await ask(app)
    assert "Asked <@U0003>, <@U0004> for feedback on <@U0002>" in reply.text
    assert set(asks) == {"U0003", "U0004"}
    assert "<@U0001> asks for your feedback on <@U0002>" in visible(asks["U0003"])

    _, named = await answer(
        app, asks["U0003"], "U0003", "Strong discovery calls", anonymous=False, view_id="V601"
    )
    _, anon = await answer(
        app, asks["U0004"], "U0004", "Talks over <!everyone>", anonymous=True, view_id="V602"
    )

    assert named.status == anon.status == 200
    await app.fake.wait_for("chat.postMessage", count=4)
    named_dm, anon_dm = posts_to(app, MANAGER)
    assert "Feedback on <@U0002> from <@U0003>" in visible(named_dm)
    assert "Strong discovery calls" in visible(named_dm)
    assert "Anonymous feedback on <@U0002>" in visible(anon_dm)
    assert "U0004" not in json.dumps(anon_dm) and "&lt;!everyone&gt;" in visible(anon_dm)
    (request,) = await _all(app.db, FeedbackRequest)
    assert (request.manager_id, request.subject_id) == (
        await member_id(app.db, MANAGER),
        await member_id(app.db, "U0002"),
    )
    rows = await feedback_rows(app.db)
    assert [(r.receiver_id, r.about_id, r.request_id) for r in rows] == [
        (request.manager_id, request.subject_id, request.id)
    ] * 2
    assert (rows[0].sender_id, rows[0].anonymous) == (await member_id(app.db, "U0003"), False)
    assert (rows[1].sender_id, rows[1].anonymous, bool(rows[1].sender_hash)) == (None, True, True)
    updates = [c.args for c in await app.fake.wait_for("chat.update", count=2)]
    assert {u["channel"] for u in updates} == {"DU0003", "DU0004"}
    assert all("feedback_give" not in json.dumps(u["blocks"]) for u in updates)  # answered: no button

    # The manager can answer the anonymous colleague without learning who it is.
    click = app.send.action_payload(
        "feedback_reply", button(anon_dm["blocks"], "feedback_reply"), user=MANAGER
    )
    await app.send.interactive(click)
    view = (await app.fake.wait_for("views.open", count=3))[-1].args["view"]
    await app.send.view_submission(
        "feedback_reply",
        {"text": text_value("Thanks")},
        view_id="V603",
        private_metadata=view["private_metadata"],
        user=MANAGER,
    )
    await app.fake.wait_for("chat.postMessage", count=5)
    (back,) = posts_to(app, "U0004")[-1:]
    assert "<@U0001> replied to your feedback" in visible(back)


async def _all(db, model):
    async with db.session() as session:
        return list((await session.scalars(select(model))).all())


async def test_a_request_button_works_only_for_the_person_asked(app):
    _, asks = await ask(app)
    ticket = button(asks["U0003"]["blocks"], "feedback_give")
    await app.send.action("feedback_give", ticket, user="U0005")  # not asked
    await app.send.action("feedback_give", ticket + "0", user="U0003")  # altered
    notes = await app.fake.wait_for("response_url", count=2)
    assert all("not valid for you" in n.args["text"] for n in notes)
    forged = await app.send.view_submission(
        "feedback_answer",
        {"text": text_value("sneaky"), "anonymous": checkbox_value("anonymous")},
        view_id="V700",
        private_metadata=json.dumps({"ticket": ticket}),
        user="U0005",
    )
    assert forged.json["response_action"] == "errors"
    await app.fake.settle()
    assert app.fake.calls_to("views.open") == []
    assert await count(app.db, Feedback) == 0


async def test_an_answer_form_submitted_twice_is_stored_and_delivered_once(app):
    _, asks = await ask(app)
    view, empty = await answer(app, asks["U0003"], "U0003", "   ", anonymous=False, view_id="V800")
    assert empty.json == {"response_action": "errors", "errors": {"text": empty.json["errors"]["text"]}}
    assert (
        empty.json["errors"]["text"] == "Write your message here first."
    )  # the form's words, no /feedback syntax
    assert await count(app.db, Feedback) == 0

    values = {"text": text_value("Great prep"), "anonymous": checkbox_value("anonymous")}
    replies = await asyncio.gather(
        *[
            app.send.view_submission(
                "feedback_answer",
                values,
                view_id="V800",
                private_metadata=view["private_metadata"],
                user="U0003",
            )
            for _ in range(2)
        ]
    )
    assert [r.status for r in replies] == [200, 200]
    await app.fake.wait_for("chat.postMessage", count=3)
    await app.fake.settle()
    assert len(posts_to(app, MANAGER)) == 1
    assert await count(app.db, Feedback) == 1


async def test_a_non_manager_cannot_request_feedback_and_nothing_is_written(app):
    reply = await app.send.command("/feedback", "request <@U0002|rep> from <@U0003|a>", user="U0005")
    assert "Only managers and workspace admins can do that" in reply.text
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []
    assert await count(app.db, FeedbackRequest) == 0


async def test_bad_requests_are_refused_and_nothing_is_written_or_sent(app):
    app.fake.add_user(MANAGER, is_admin=True)
    app.fake.add_user("UB001", is_bot=True)
    cases = [
        ("request", "exactly one person"),
        ("request from <@U0003|a>", "exactly one person"),
        ("request <@U0002|rep> <@U0003|a>", "exactly one person"),
        ("request <@U0002|rep> from", "after `from`"),
        ("request <@U0002|rep> from <@U0002|rep>", "<@U0002> can't be asked for feedback on themselves"),
        ("request <@U0002|rep> from <@U0001|me>", "can't ask yourself"),
        ("request <@U0002|rep> from <@UB001|bot>", "<@UB001> is a bot"),
        ("request <@UB001|bot> from <@U0003|a>", "<@UB001> is a bot"),
        ("request <@U0002|rep> from <@U0003|a> <!channel>", "`&lt;!channel&gt;`"),
        ("request <!subteam^S1|@sales> from <@U0003|a>", "user group"),
        ("request <@U0002|rep> from " + " ".join(f"<@U1{i:03d}>" for i in range(21)), "at most 20"),
    ]
    for text, expected in cases:
        reply = await app.send.command("/feedback", text, user=MANAGER)
        assert reply.text.startswith(":warning:") and expected in reply.text, (text, reply.text)
        assert "<!channel>" not in reply.text
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []
    assert await count(app.db, FeedbackRequest) == 0
    assert await count(app.db, Feedback) == 0
