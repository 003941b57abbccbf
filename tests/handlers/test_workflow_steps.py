"""Workflow Builder steps (Bolt custom functions), run as Slack runs them (function_executed events,
tests/payloads/event_function_executed.json): each completes with outputs, or fails with a readable
error and writes nothing; the same function_execution_id twice writes once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import Activity, Deal, Kudos, KudosGive
from tests.slack_requests import payload


async def run_step(
    app, callback_id: str, inputs: dict, execution: str = "Fx0001", event_id: str | None = None
):
    function = {**payload("event_function_executed")["event"]["function"], "callback_id": callback_id}
    return await app.send.event("event_function_executed", event_id=event_id, function=function,
                                inputs=inputs, function_execution_id=execution)  # fmt: skip


async def succeeded(app, count: int = 1) -> dict:
    """The outputs the step completed with (functions.completeSuccess)."""
    outputs = (await app.fake.wait_for("functions.completeSuccess", count=count))[-1].args["outputs"]
    return outputs if isinstance(outputs, dict) else json.loads(outputs)


async def failed(app, count: int = 1) -> str:
    """The error the step failed with (functions.completeError)."""
    return (await app.fake.wait_for("functions.completeError", count=count))[-1].args["error"]


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


DEAL = {"customer": "Acme", "amount": "12k", "currency": "EUR", "stage": "won", "owner": "U0002"}


async def set_channel(app, kind: str, channel: str) -> None:
    """A workflow's step has no channel of its own: cards go to the workspace's channel for them."""
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", f"channels {kind} <#{channel}|{kind}>")


async def test_log_a_deal_completes_with_the_deal_and_celebrates_a_win(app):
    await set_channel(app, "wins", "C0WINS")
    reply = await run_step(app, "log_deal", DEAL)
    assert reply.status == 200
    outputs = await succeeded(app)
    async with app.db.session() as session:
        (deal,) = (await session.scalars(select(Deal))).all()
    assert outputs["deal_id"] == str(deal.id) and outputs["deal_link"].startswith("slack://app?team=T0001")
    assert (deal.amount_minor, deal.currency, deal.stage) == (1_200_000, "EUR", "won")
    win = (await app.fake.wait_for("chat.postMessage"))[0].args  # the celebration, as /deal won posts it
    assert win["channel"] == "C0WINS"


async def test_the_same_execution_twice_writes_once(app):
    await run_step(app, "log_deal", DEAL, execution="FxSAME", event_id="Ev1")
    await run_step(app, "log_deal", DEAL, execution="FxSAME", event_id="Ev2")  # re-delivered as a new event
    await succeeded(app, count=2)  # the run is completed again, with the same deal
    await app.fake.settle()
    assert await count(app.db, Deal) == 1


async def test_a_refused_input_fails_the_step_with_a_readable_error(app):
    await run_step(app, "log_deal", {**DEAL, "amount": "-3k"})
    assert await failed(app) == "The amount must be more than zero."
    await run_step(app, "log_deal", {**DEAL, "stage": "maybe"}, execution="Fx2")
    assert "`maybe` is not an open stage" in await failed(app, count=2)
    assert await count(app.db, Deal) == 0


async def test_give_kudos_completes_and_posts_the_card(app):
    await set_channel(app, "kudos", "C0KUDOS")
    inputs = {"giver": "U0001", "receivers": ["U0002", "U0003"], "message": "for the Acme demo"}
    await run_step(app, "give_kudos", inputs)
    outputs = await succeeded(app)
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "<@U0002>" in card["text"] and "for the Acme demo" in card["text"]
    async with app.db.session() as session:
        give = (await session.scalars(select(KudosGive))).one()
    assert outputs == {"kudos_id": str(give.id)}
    assert await count(app.db, Kudos) == 2


async def test_give_kudos_to_yourself_fails_like_the_command(app):
    await run_step(app, "give_kudos", {"giver": "U0001", "receivers": ["U0001"], "message": "me"})
    assert "yourself" in await failed(app)
    assert await count(app.db, KudosGive) == 0


async def test_post_this_weeks_leaderboard_posts_once_per_run(app):
    await app.send.command("/deal", "won 12k Acme")
    await run_step(app, "post_leaderboard", {"channel": "C0BOARD"}, execution="FxB", event_id="EvB1")
    await run_step(app, "post_leaderboard", {"channel": "C0BOARD"}, execution="FxB", event_id="EvB2")
    await succeeded(app, count=2)
    await app.fake.settle()
    posts = [call.args for call in app.fake.calls_to("chat.postMessage") if call.args["channel"] == "C0BOARD"]
    assert len(posts) == 1 and "Acme" not in posts[0]["text"] and "<@U0001>" in str(posts[0]["blocks"])


async def test_post_leaderboard_where_the_bot_cannot_post_fails_readably(app):
    app.fake.not_in_channel.add("C0PRIVATE")
    await run_step(app, "post_leaderboard", {"channel": "C0PRIVATE"})
    assert "invite @dealbell" in await failed(app)


async def test_add_a_customer_follow_up_records_the_touch_and_the_date(app):
    await app.send.command("/customer", "add Acme")
    inputs = {
        "customer": "acme",
        "user": "U0001",
        "kind": "call",
        "note": "renewal",
        "next_follow_up": "2099-01-15",
    }
    await run_step(app, "add_follow_up", inputs, execution="FxF", event_id="EvF1")
    await run_step(app, "add_follow_up", inputs, execution="FxF", event_id="EvF2")
    assert await succeeded(app, count=2) == {"next_follow_up": "2099-01-15"}
    assert await count(app.db, Activity) == 1


async def test_a_follow_up_for_an_unknown_customer_fails(app):
    await run_step(app, "add_follow_up", {"customer": "Nobody Inc", "user": "U0001"})
    assert "I don't know a customer named *Nobody Inc*" in await failed(app)
    assert await count(app.db, Activity) == 0
