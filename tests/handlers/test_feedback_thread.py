"""Feedback replies are a thread through the bot (issue 16, item 12), through signed requests: the
receiver replies, the anonymous sender answers back without being named, each replier is told the
reply went, and the Reply button they used is retired."""

from __future__ import annotations

import json
from typing import Any

from tests.handlers.test_feedback import button, posts_to, visible
from tests.slack_requests import text_value

SENDER, RECEIVER = "U0007", "U0002"


async def reply_with(app, dm: dict[str, Any], user: str, text: str, view_id: str, ts: str) -> dict[str, Any]:
    """Click the Reply button on `dm` (Slack sends the message along), then send `text` in the form."""
    click = app.send.action_payload(
        "feedback_reply", button(dm["blocks"], "feedback_reply"), user=user, channel=f"D{user}", message_ts=ts
    )
    click["message"].update(text=dm["text"], blocks=dm["blocks"])
    before = len(app.fake.calls_to("views.open"))
    await app.send.interactive(click)
    view = (await app.fake.wait_for("views.open", count=before + 1))[-1].args["view"]
    assert SENDER not in json.dumps(view) or user == SENDER  # the form never names an anonymous sender
    submitted = await app.send.view_submission(
        "feedback_reply",
        {"text": text_value(text)},
        view_id=view_id,
        private_metadata=view["private_metadata"],
        user=user,
    )
    assert (submitted.status, submitted.text) == (200, "")
    return view


async def test_the_receiver_and_the_anonymous_sender_talk_through_the_bot(app):
    await app.send.command("/feedback", f"<@{RECEIVER}|li> Your follow-ups are late --anon", user=SENDER)
    (feedback_dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]

    await reply_with(app, feedback_dm, RECEIVER, "Which ones?", "V601", "1800000001.000100")
    await app.fake.wait_for("chat.postMessage", count=2)
    [retired] = await app.fake.wait_for("chat.update")
    (to_sender,) = posts_to(app, SENDER)
    assert "<@U0002> replied to your feedback" in visible(to_sender) and "Which ones?" in visible(to_sender)
    assert button(to_sender["blocks"], "feedback_reply")  # the sender can answer
    # the receiver's DM: the same feedback, its button gone, and the confirmation
    assert (retired.args["channel"], retired.args["ts"]) == (f"D{RECEIVER}", "1800000001.000100")
    assert "Your follow-ups are late" in visible(retired.args)
    assert not any(b["type"] == "actions" for b in retired.args["blocks"])
    assert "Reply sent: Which ones?" in visible(retired.args)

    await reply_with(app, to_sender, SENDER, "The Acme one, 3 days", "V602", "1800000002.000100")
    await app.fake.wait_for("chat.postMessage", count=3)
    await app.fake.wait_for("chat.update", count=2)
    back = posts_to(app, RECEIVER)[-1]
    assert "The anonymous sender answered your reply" in visible(back)
    assert "The Acme one, 3 days" in visible(back)
    assert SENDER not in json.dumps(back)  # not even inside the (encrypted) button value
    sender_update = app.fake.calls_to("chat.update")[-1].args
    assert sender_update["channel"] == f"D{SENDER}"
    assert not any(b["type"] == "actions" for b in sender_update["blocks"])
    assert "Reply sent; you stay anonymous: The Acme one, 3 days" in visible(sender_update)

    # the thread goes on: the receiver answers again, and it reaches the sender
    await reply_with(app, back, RECEIVER, "Thanks, fixed", "V603", "1800000003.000100")
    await app.fake.wait_for("chat.postMessage", count=4)
    assert "Thanks, fixed" in visible(posts_to(app, SENDER)[-1])


async def test_a_reply_button_works_only_for_the_person_it_was_given_to(app):
    await app.send.command("/feedback", f"<@{RECEIVER}|li> Be on time --anon", user=SENDER)
    (feedback_dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]
    await reply_with(app, feedback_dm, RECEIVER, "Noted", "V611", "1800000001.000100")
    await app.fake.wait_for("chat.postMessage", count=2)
    (to_sender,) = posts_to(app, SENDER)
    token = button(to_sender["blocks"], "feedback_reply")
    for stranger in (RECEIVER, "U0003"):  # the receiver holds their own buttons, not the sender's
        await app.send.action("feedback_reply", token, user=stranger, channel=f"D{stranger}")
    notes = await app.fake.wait_for("response_url", count=2)
    assert all("Reply button is not valid" in n.args["text"] for n in notes)
    assert len(app.fake.calls_to("views.open")) == 1
