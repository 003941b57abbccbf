"""When something breaks, the user hears about it in plain words and nothing half-done is kept."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import func, select

from bot.kit.i18n import t
from storage import deals
from storage.models import Deal, SlackOutbox
from tests.reliability.effects import settled


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
    app.fake.fail_next("views.open", "internal_error")
    reply = await app.send.command("/deal", "")  # acked at once, then the form is opened
    assert reply.status == 200
    note = (await app.fake.wait_for("response_url"))[0].args
    assert "Something went wrong while finishing that" in note["text"]


async def test_a_celebration_slack_refuses_after_ack_is_left_to_the_outbox_not_reported(app):
    """A win's celebration is an outbox row: a failed post after the ack is retried by the job
    (tests/handlers/test_deal_lifecycle.py), not reported to the user as something gone wrong."""
    app.fake.fail_next("chat.postMessage", "internal_error")
    reply = await app.send.command("/deal", "won 3k Acme")
    assert reply.status == 200 and "Deal logged" in reply.text
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert app.fake.calls_to("response_url") == []
    async with app.db.session() as session:
        row = (await session.scalars(select(SlackOutbox))).one()
    assert (row.kind, row.status, row.attempts) == ("celebration", "pending", 1)


class FakeAck:
    def __init__(self, response=None):
        self.response = response


async def test_guarded_handles_a_failure_after_ack_itself(fake_slack):
    from handlers.errors import guarded

    async def fails_after_ack(ack, body, context):
        raise RuntimeError("boom")

    body = {"response_url": fake_slack.response_url()}
    await guarded(fails_after_ack)(ack=FakeAck(response=object()), body=body, context={})
    note = (await fake_slack.wait_for("response_url"))[0].args
    assert "Something went wrong while finishing that" in note["text"]


async def test_guarded_leaves_a_failure_before_ack_to_bolt():
    import pytest

    from handlers.errors import guarded

    async def fails_before_ack(ack, body, context):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await guarded(fails_before_ack)(ack=FakeAck(), body={}, context={})


def test_guarded_refuses_a_listener_it_cannot_protect():
    import pytest

    from handlers.errors import guarded

    async def no_ack(body, context):
        return None

    with pytest.raises(TypeError, match="ack"):
        guarded(no_ack)


async def test_guarded_logs_a_failing_event_listener(caplog):
    """Events are acknowledged at once and have nobody to answer: a failure must reach the log."""
    from handlers.errors import guarded

    async def fails(ack, body, context):
        raise RuntimeError("boom")

    before = asyncio.all_tasks()
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await guarded(fails)(ack=FakeAck(), body={"type": "event_callback"}, context={})
        await asyncio.gather(*(asyncio.all_tasks() - before - {asyncio.current_task()}))
    assert any("fails failed" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_listener_that_cannot_answer_in_time_is_stopped_and_keeps_nothing(app, monkeypatch, caplog):
    """Slack shows the user an error after 3 s without an answer. A listener still busy then (an
    overloaded database) is stopped, what it had not committed is rolled back, and the user is told
    in time that the server is busy: their retry must not make a second deal."""
    import handlers.errors

    monkeypatch.setattr(handlers.errors, "ACK_TIMEOUT", 0.3)
    create_deal = deals.create_deal

    async def slow_create(session, *args, **kwargs):
        created = await create_deal(session, *args, **kwargs)
        await asyncio.sleep(2)  # inside the transaction, past the answer's deadline
        return created

    monkeypatch.setattr(deals, "create_deal", slow_create)
    (reply,) = await settled(app.send.command("/deal", "won 3k Acme"))  # and all the work it started
    assert reply.status == 200 and reply.elapsed < 3
    assert reply.text == ":hourglass: " + t("en", "error.busy")
    assert "stopped, told busy" in caplog.text  # (the log is captured)
    assert "[Suggestion]" not in caplog.text  # Bolt's advice for unhandled requests: this one was handled
    monkeypatch.setattr(deals, "create_deal", create_deal)
    retry = await app.send.command("/deal", "won 3k Acme")
    assert "Deal logged" in retry.text, retry.text
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Deal)) == 1
