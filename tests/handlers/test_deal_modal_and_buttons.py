"""The deal modal, the deal card's buttons and the Congratulate button, through signed requests."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from storage.models import Deal, DealCongratulation, DealStageChange, SlackOutbox
from tests.slack_requests import date_value, select_value, text_value


def modal_values(**overrides):
    values = {
        "customer": text_value("Acme Corp"),
        "title": text_value("Annual licence"),
        "amount": text_value("12.5k"),
        "currency": select_value("EUR"),
        "stage": select_value("won"),
        "close": date_value("2026-12-20"),
        "notes": text_value(None),
    }
    values.update(overrides)
    return values


def button_value(reply, action_id):
    """The value of a button on the card the app answered with, as Slack would send it back."""
    for block in reply.json["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {reply.json['blocks']}")


async def deals_in(db):
    async with db.session() as session:
        return (await session.scalars(select(Deal).order_by(Deal.id))).all()


async def test_modal_submission_records_the_deal(app):
    reply = await app.send.view_submission(
        "deal_new", modal_values(), view_id="V100", private_metadata=json.dumps({"channel": "C0001"})
    )
    assert reply.status == 200 and reply.text == ""  # empty ack closes the modal
    (deal,) = await deals_in(app.db)
    assert (deal.amount_minor, deal.currency, deal.stage, str(deal.expected_close)) == (
        1_250_000,
        "EUR",
        "won",
        "2026-12-20",
    )
    ephemeral = (await app.fake.wait_for("chat.postEphemeral"))[0].args
    assert ephemeral["channel"] == "C0001" and ephemeral["user"] == "U0001"
    post = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "€12,500.00" in post["text"]


async def test_modal_submitted_twice_records_one_deal_and_one_celebration(app):
    metadata = json.dumps({"channel": "C0001"})
    replies = await asyncio.gather(
        *[
            app.send.view_submission("deal_new", modal_values(), view_id="V200", private_metadata=metadata)
            for _ in range(2)
        ]
    )
    assert [r.status for r in replies] == [200, 200]
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert len(await deals_in(app.db)) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_modal_errors_are_shown_next_to_the_field_and_nothing_is_written(app):
    reply = await app.send.view_submission(
        "deal_new", modal_values(amount=text_value("-3k"), customer=text_value("  ")), view_id="V300"
    )
    body = reply.json
    assert body["response_action"] == "errors"
    assert "more than zero" in body["errors"]["amount"]
    assert "customer" in body["errors"]
    assert await deals_in(app.db) == []


async def test_advance_button_double_clicked_moves_one_stage_and_records_history(app):
    card = await app.send.command("/deal", "new 40k Globex")
    value = button_value(card, "deal_advance")
    replies = await asyncio.gather(
        *[app.send.action("deal_advance", value, ephemeral=True) for _ in range(2)]
    )
    assert [r.status for r in replies] == [200, 200]
    await app.fake.wait_for("response_url", count=2)
    redraw = app.fake.calls_to("response_url")[-1].args
    assert redraw["replace_original"] is True
    assert "Qualified" in redraw["text"]
    assert "Move to Proposal" in str(redraw["blocks"])  # the redrawn card offers the next step
    (deal,) = await deals_in(app.db)
    assert deal.stage == "qualified"
    async with app.db.session() as session:
        history = (await session.scalars(select(DealStageChange).order_by(DealStageChange.id))).all()
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, "lead"), ("lead", "qualified")]


async def test_won_button_clicked_twice_celebrates_once(app):
    card = await app.send.command("/deal", "new 40k Globex")
    value = button_value(card, "deal_won")
    await asyncio.gather(*[app.send.action("deal_won", value, ephemeral=True) for _ in range(2)])
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    async with app.db.session() as session:
        wins = await session.scalar(
            select(func.count()).select_from(DealStageChange).where(DealStageChange.to_stage == "won")
        )
    assert wins == 1


async def test_someone_elses_deal_cannot_be_moved(app):
    card = await app.send.command("/deal", "new 40k Globex")
    await app.send.action("deal_won", button_value(card, "deal_won"), user="U0002")
    note = (await app.fake.wait_for("response_url"))[-1].args
    assert "owner or a manager" in note["text"]
    (deal,) = await deals_in(app.db)
    assert deal.stage == "lead"


async def test_a_stale_card_never_moves_a_deal_backwards_and_forged_values_are_refused(app):
    card = await app.send.command("/deal", "new 40k Globex")
    to_qualified = button_value(card, "deal_advance")
    await app.send.action("deal_advance", to_qualified, ephemeral=True)
    await app.send.command("/deal", "won Globex")
    await app.send.action("deal_advance", to_qualified, ephemeral=True)  # the old card, clicked later
    for forged in ("abc", "1:banana", ""):
        await app.send.action("deal_won", forged, ephemeral=True)
    await app.fake.wait_for("response_url", count=5)
    (deal,) = await deals_in(app.db)
    assert deal.stage == "won"
    # each forged click is told so (answers after the ack arrive in any order)
    notes = [
        c.args["text"]
        for c in app.fake.calls_to("response_url")
        if "no longer exists" in c.args.get("text", "")
    ]
    assert len(notes) == 3


async def test_lost_button_opens_modal_and_submission_records_competitor(app):
    card = await app.send.command("/deal", "new 40k Globex")
    await app.send.action("deal_lost", button_value(card, "deal_lost"), ephemeral=True)
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "deal_lost"
    reply = await app.send.view_submission(
        "deal_lost",
        {"competitor": text_value("Initech"), "reason": text_value("price")},
        view_id="V400",
        private_metadata=view["private_metadata"],
    )
    assert reply.status == 200  # the modal closes at once; the card is redrawn once the deal is saved
    await app.fake.wait_for("response_url")
    (deal,) = await deals_in(app.db)
    assert (deal.stage, deal.competitor, deal.lost_reason) == ("lost", "Initech", "price")
    assert deal.closed_at is not None


async def test_congratulations_are_counted_once_per_person(app):
    await app.send.command("/deal", "won 12.5k Acme")
    post = (await app.fake.wait_for("chat.postMessage"))[0]
    deal_id = post.args["blocks"][0]["accessory"]["value"]
    await asyncio.gather(*[app.send.action("deal_congratulate", deal_id, user="U0002") for _ in range(3)])
    await app.send.action("deal_congratulate", deal_id, user="U0003")
    updates = await app.fake.wait_for("chat.update", count=2)
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.update")) == 2
    assert "2 congratulations" in str(updates[-1].args["blocks"])
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(DealCongratulation)) == 2


async def test_forged_deal_id_from_another_workspace_is_refused(app):
    card = await app.send.command("/deal", "new 40k Globex", team="T0001")
    await app.send.action("deal_won", button_value(card, "deal_won"), team="T0999", user="U0001")
    await app.fake.wait_for("response_url")
    (deal,) = await deals_in(app.db)
    assert deal.stage == "lead"


async def test_celebration_survives_a_429(app):
    app.fake.rate_limit_next("chat.postMessage", retry_after=1)
    await app.send.command("/deal", "won 2k Acme")
    await app.fake.wait_for("chat.postMessage", count=2, timeout=8)
    await app.fake.settle()
    calls = app.fake.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.9  # honoured Retry-After, then delivered
    (deal,) = await deals_in(app.db)
    assert deal.celebration_ts is not None


async def test_not_in_channel_tells_the_user_and_keeps_the_deal(app):
    app.fake.not_in_channel.add("C0009")
    await app.send.command("/deal", "won 2k Acme", channel="C0009")
    posts = await app.fake.wait_for("chat.postMessage", count=2)
    dm = posts[-1].args  # the bot can't post in C0009, so it says so in a DM
    assert dm["channel"] == "U0001" and "/invite @dealbell" in dm["text"]
    (deal,) = await deals_in(app.db)
    async with app.db.session() as session:
        row = (await session.scalars(select(SlackOutbox))).one()
    assert deal.stage == "won" and deal.celebration_ts is None
    assert row.status == "gone"  # not retried every minute into a channel the bot is not in
