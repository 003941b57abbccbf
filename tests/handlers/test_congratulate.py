"""Congratulate on a win's celebration: once per person, not for your own win, and the card says who."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import DealCongratulation


async def celebrated_deal(app) -> str:
    """A win by U0001, celebrated; the id its Congratulate button carries."""
    await app.send.command("/deal", "won 12.5k Acme")
    post = (await app.fake.wait_for("chat.postMessage"))[0]
    return post.args["blocks"][0]["accessory"]["value"]


async def congratulations_in(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(DealCongratulation))


async def test_you_cannot_congratulate_your_own_win(app):
    deal_id = await celebrated_deal(app)
    reply = await app.send.action("deal_congratulate", deal_id, user="U0001")
    assert reply.status == 200
    (told,) = await app.fake.wait_for("response_url")
    assert "your own win" in told.args["text"]
    assert told.args.get("response_type") == "ephemeral" and told.args.get("replace_original") is False
    await app.fake.settle()
    assert app.fake.calls_to("chat.update") == []
    assert await congratulations_in(app.db) == 0


async def test_the_card_names_who_congratulated_first_and_counts_the_rest(app):
    deal_id = await celebrated_deal(app)
    clickers = ["U0002", "U0003", "U0004", "U0005", "U0006"]
    for n, user in enumerate(clickers, start=1):
        await app.send.action("deal_congratulate", deal_id, user=user)
        await app.fake.wait_for("chat.update", count=n)
    updates = app.fake.calls_to("chat.update")

    def congratulations_block(update) -> str:
        return str(next(b for b in update.args["blocks"] if b.get("block_id") == "congratulations"))

    first = congratulations_block(updates[0])
    assert "1 congratulation" in first and "<@U0002>" in first and "more" not in first
    three = congratulations_block(updates[2])
    assert all(f"<@{u}>" in three for u in clickers[:3]) and "more" not in three
    last = congratulations_block(updates[-1])
    assert "5 congratulations" in last
    assert all(f"<@{u}>" in last for u in clickers[:3]) and "and 2 more" in last
    assert "<@U0005>" not in last and "<@U0006>" not in last
    assert await congratulations_in(app.db) == 5
