"""Socket Mode: the real Bolt app over slack_sdk's aiohttp SocketModeClient, against the fake's WebSocket."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from sqlalchemy import func, select

from bot.app import create_app
from bot.server import serve_socket_mode
from storage.db import Database
from storage.models import Deal
from tests.conftest import make_settings
from tests.fake_slack import FakeSlack
from tests.slack_requests import payload

APP_TOKEN = "xapp-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slash_envelope(fake: FakeSlack, envelope_id: str, text: str, trigger_id: str) -> dict[str, Any]:
    fields = payload("slash_command")
    fields.update(command="/deal", text=text, trigger_id=trigger_id, response_url=fake.response_url())
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": fields,
    }


async def deal_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Deal))


@pytest.fixture
async def socket_handler(
    db: Database, database_url: str, fake_slack: FakeSlack
) -> AsyncIterator[AsyncSocketModeHandler]:
    bolt_app = create_app(make_settings(database_url, fake_slack, slack_app_token=APP_TOKEN), db)
    handler = AsyncSocketModeHandler(bolt_app, APP_TOKEN, web_client=bolt_app.client)
    await handler.connect_async()
    try:
        yield handler
    finally:
        await handler.close_async()


async def test_slash_command_over_socket_mode_acks_records_and_celebrates(
    socket_handler: AsyncSocketModeHandler, db: Database, fake_slack: FakeSlack
) -> None:
    opens = fake_slack.calls_to("apps.connections.open")
    assert [c.token for c in opens] == [APP_TOKEN]  # the app-level token, not the bot token

    reply = await fake_slack.socket_request(slash_envelope(fake_slack, "e1", "won 3k Acme", "trigger.sm1"))

    assert reply["envelope_id"] == "e1"
    assert "Acme" in reply["payload"]["text"]
    posts = await fake_slack.wait_for("chat.postMessage")
    await fake_slack.settle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert "Acme" in posts[0].args["text"] and posts[0].args["channel"] == "C0001"
    assert await deal_count(db) == 1


async def test_redelivered_envelope_with_same_trigger_records_one_deal(
    socket_handler: AsyncSocketModeHandler, db: Database, fake_slack: FakeSlack
) -> None:
    first = await fake_slack.socket_request(slash_envelope(fake_slack, "e1", "won 3k Acme", "trigger.sm2"))
    second = await fake_slack.socket_request(slash_envelope(fake_slack, "e2", "won 3k Acme", "trigger.sm2"))
    assert first["envelope_id"] == "e1" and second["envelope_id"] == "e2"
    await fake_slack.wait_for("chat.postMessage")
    await fake_slack.settle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert await deal_count(db) == 1


async def test_serve_socket_mode_connects_and_answers_healthz(
    db: Database, database_url: str, fake_slack: FakeSlack
) -> None:
    port = free_port()
    settings = make_settings(database_url, fake_slack, slack_app_token=APP_TOKEN, port=port)
    task = asyncio.create_task(serve_socket_mode(settings, port))
    try:
        await fake_slack.wait_for_socket()
        assert [c.token for c in fake_slack.calls_to("apps.connections.open")] == [APP_TOKEN]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
                assert (await r.json())["status"] == "ok"
            # No HTTP route for Slack in Socket Mode.
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}") as r:
                assert r.status in (404, 405)
        reply = await fake_slack.socket_request(
            slash_envelope(fake_slack, "e9", "won 2k Initech", "trigger.sm3")
        )
        assert "Initech" in reply["payload"]["text"]
        await fake_slack.wait_for("chat.postMessage")
        assert await deal_count(db) == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
    assert task.cancelled()
