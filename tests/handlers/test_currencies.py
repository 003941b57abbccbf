"""Issue 16, item 2 (and item 14's amount hint): the currency of what people type, through signed requests.

A symbol that disagrees with the chosen currency is a field error naming both; a member's own
currency (`/dealbell currency`) comes before the workspace's; a Chinese-speaking member's ¥ and
30万 are yuan; `12,5k` says how to write it.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Deal, Member
from tests.handlers.test_deal_modal_and_buttons import modal_values
from tests.slack_requests import select_value, text_value


async def deals_in(db) -> list[tuple[int, str]]:
    async with db.session() as session:
        return [(d.amount_minor, d.currency) for d in await session.scalars(select(Deal).order_by(Deal.id))]


async def submit(app, amount: str, currency: str, user: str = "U0001"):
    values = modal_values(
        amount=text_value(amount), currency=select_value(currency), stage=select_value("lead")
    )
    return await app.send.view_submission(
        "deal_new", values, user=user, private_metadata=json.dumps({"channel": "C0001"})
    )


async def test_a_dollar_amount_with_euro_chosen_is_a_field_error_naming_both(app):
    reply = await submit(app, "$25k", "EUR")

    assert reply.json["response_action"] == "errors"
    error = reply.json["errors"]["amount"]
    assert "USD" in error and "EUR" in error
    assert await deals_in(app.db) == []


async def test_a_euro_amount_with_yen_chosen_is_refused_and_a_matching_one_saved(app):
    refused = await submit(app, "€3k", "JPY")
    assert "EUR" in refused.json["errors"]["amount"] and "JPY" in refused.json["errors"]["amount"]
    saved = await submit(app, "JP¥3000", "JPY")
    assert saved.text == ""
    assert await deals_in(app.db) == [(3000, "JPY")]


async def test_a_chinese_members_wan_is_yuan_and_yen_sign_is_yuan(app):
    app.fake.add_user("U0002", locale="zh-CN")

    await app.send.command("/deal", "new 30万 Globex", user="U0002")
    await app.send.command("/deal", "new ¥5000 Initech", user="U0002")
    await app.send.command("/deal", "new JP¥5000 Umbrella", user="U0002")

    assert await deals_in(app.db) == [(30_000_000, "CNY"), (500_000, "CNY"), (5000, "JPY")]


async def test_a_members_own_currency_comes_before_the_workspaces(app):
    await app.send.command("/deal", "new 25k Acme")
    shown = await app.send.command("/dealbell", "currency")
    assert "USD" in shown.text

    reply = await app.send.command("/dealbell", "currency eur")
    assert "EUR" in reply.text
    await app.send.command("/deal", "new 25k Globex")
    bad = await app.send.command("/dealbell", "currency XYZ")
    assert "XYZ" in bad.text
    await app.send.command("/dealbell", "currency auto")
    await app.send.command("/deal", "new 25k Initech")

    assert await deals_in(app.db) == [(2_500_000, "USD"), (2_500_000, "EUR"), (2_500_000, "USD")]
    async with app.db.session() as session:
        assert await session.scalar(select(Member.currency).where(Member.slack_user_id == "U0001")) is None


async def test_the_deal_form_starts_on_the_members_own_currency(app):
    await app.send.command("/dealbell", "currency CNY")
    await app.send.command("/deal", "")
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    (currency,) = [b for b in view["blocks"] if b.get("block_id") == "currency"]
    assert currency["element"]["initial_option"]["value"] == "CNY"


async def test_a_decimal_comma_in_deal_gets_the_hint_goal_gives(app):
    reply = await app.send.command("/deal", "new 12,5k Acme")

    refusal = reply.text.split("\n\n")[0]  # the usage follows it
    assert "12,5k" in refusal and "`12.5k`" in refusal
    odd = await app.send.command("/deal", "new 12..5k Acme")
    assert "`EUR 5000`" in odd.text.split("\n\n")[0]  # not a number: examples, as /goal gives
    assert await deals_in(app.db) == []
