"""When something breaks, the user hears about it in plain words and nothing half-done is kept."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import deals
from storage.models import Deal


async def test_a_failure_before_ack_answers_the_command_and_writes_nothing(app, monkeypatch):
    async def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(deals, "create_deal", broken)
    reply = await app.send.command("/deal", "won 3k Acme")
    assert reply.status == 200
    assert "Something went wrong on our side, and nothing was saved" in reply.json["text"]
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Deal)) == 0


async def test_a_failure_after_ack_is_reported_through_the_response_url(app):
    app.fake.fail_next("chat.postMessage", "internal_error")
    reply = await app.send.command("/deal", "won 3k Acme")
    assert reply.status == 200 and "Deal logged" in reply.text
    note = (await app.fake.wait_for("response_url"))[0].args
    assert "Something went wrong while finishing that" in note["text"]
    async with app.db.session() as session:
        deal = (await session.scalars(select(Deal))).one()
    assert deal.celebrated_at is None  # released: a later Won click can still celebrate
