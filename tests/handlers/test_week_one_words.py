"""Words people read in week one (issue 16, items 5 and 14), through signed requests on both
databases: one rule for dates in the past, forms that speak of their fields (not of slash commands),
and a Chinese member's messages with bold that Slack shows as bold."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select, update

from bot.kit.i18n import CATALOGUE
from storage.models import Customer, Deal, Member
from tests.handlers.test_deal_modal_and_buttons import modal_values
from tests.handlers.test_feedback import button
from tests.slack_requests import date_value, text_value
from tests.test_emphasis import literal_asterisks

NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
PAST_RULE = (
    "That date (2025-01-01) is in the past; today is 2026-11-27. A date that plans ahead (a next follow-up, "
    "an open deal's expected close) is today or later in your time zone. Nothing was saved."
)


def mrkdwn_texts(node) -> list[str]:
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [text for value in node.values() for text in mrkdwn_texts(value)]
    return []


async def deals(app) -> list[Deal]:
    async with app.db.session() as session:
        return list((await session.scalars(select(Deal).order_by(Deal.id))).all())


async def test_one_rule_for_a_past_date_in_deal_and_log_stated_in_the_refusal(app):
    with time_machine.travel(NOW, tick=False):
        refused = await app.send.command("/deal", "new 10k Acme close:2025-01-01")
        assert refused.text == ":warning: " + PAST_RULE
        assert await deals(app) == []
        form = await app.send.view_submission(
            "deal_new", modal_values(stage={"value": {"type": "static_select", "selected_option": {"value": "lead"}}},
                                     close=date_value("2025-01-01")), view_id="V700"
        )  # fmt: skip
        assert form.json == {"response_action": "errors", "errors": {"close": PAST_RULE}}
        assert await deals(app) == []
        # a won deal records what happened: its date may be past
        won = await app.send.command("/deal", "won 10k Acme close:2025-01-01")
        assert ":warning:" not in won.text
        [deal] = await deals(app)
        assert (deal.stage, deal.expected_close) == ("won", dt.date(2025, 1, 1))
        # /log next: follows the same rule, with the same words
        logged = await app.send.command("/log", "call Acme next:2025-01-01")
        assert PAST_RULE in logged.text
        assert await app.send.command("/deal", "new 10k Acme close:2026-11-27")  # today is fine
    assert [d.expected_close for d in await deals(app)] == [dt.date(2025, 1, 1), dt.date(2026, 11, 27)]


async def test_form_errors_speak_of_the_form_not_of_slash_commands(app):
    deal_form = await app.send.view_submission(
        "deal_new", modal_values(customer=text_value("  ")), view_id="V710"
    )
    assert deal_form.json["errors"]["customer"] == "Name the customer."

    await app.send.command("/feedback", "<@U0002|li> Your follow-ups are late --anon", user="U0007")
    (dm,) = [c.args for c in await app.fake.wait_for("chat.postMessage")]
    click = app.send.action_payload("feedback_reply", button(dm["blocks"], "feedback_reply"), user="U0002")
    await app.send.interactive(click)
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    empty = await app.send.view_submission(
        "feedback_reply", {"text": text_value("   ")}, view_id="V711",
        private_metadata=view["private_metadata"], user="U0002",
    )  # fmt: skip
    assert empty.json == {"response_action": "errors", "errors": {"text": "Write your message here first."}}

    app.fake.add_user("U0001", is_admin=True)  # managers log leads
    lead = {
        "company": text_value(" "),
        "source": text_value(None),
        "amount": text_value(None),
        "notes": text_value(None),
    }
    refused = await app.send.view_submission("lead_new", lead, view_id="V712")
    assert refused.json == {"response_action": "errors", "errors": {"company": "Name the company."}}


def test_no_form_wording_quotes_a_slash_command():
    assert [key for key, text in CATALOGUE["en"].items() if key.endswith(".form") and "`/" in text] == []


async def test_a_chinese_members_messages_show_bold_without_literal_asterisks(app):
    app.fake.add_user("U0001", locale="zh-CN")
    await app.send.command("/deal", "help")
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.slack_user_id == "U0001").values(locale="zh-CN"))
    logged = await app.send.command("/deal", 'new 30k Globex "二期" stage:proposal')
    shown = [logged.json["text"], *mrkdwn_texts(logged.json["blocks"])]
    assert "已记录商机：\u200b*Globex* · 二期" in shown[0]  # the example, now bold in Slack
    assert [fault for text in shown for fault in literal_asterisks(text)] == []
    async with app.db.session() as session:
        assert (await session.scalars(select(Customer.name))).all() == ["Globex"]
