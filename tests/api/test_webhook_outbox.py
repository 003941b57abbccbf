"""The outbox across processes: three senders on one database send each attempt once, and a server
SIGKILLed after the commit and before the send delivers the event after its restart."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.api import ApiOptions
from bot.api.core import RateLimiter
from bot.kit.webhook_sender import deliver_due
from storage.db import Database
from storage.models import WebhookDelivery
from tests.api.conftest import FAST_RETRIES, ApiApp, ApiClient, create_token
from tests.api.receiver import Receiver, receiving, secret_in
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender
from tests.test_server import DEALBELL, clean_env, free_port, wait_healthy

EVENTS = 12


@pytest.fixture
def api_options() -> ApiOptions:
    """The app's own sender off: the three below are the only ones."""
    return ApiOptions(
        limiter=RateLimiter(per_minute=6000, burst=1000), retry=FAST_RETRIES, send_webhooks=False
    )


async def test_three_replicas_send_each_attempt_once(api_app: ApiApp):
    # every event's first attempt gets a 500, its second a 200: two sends per event, never three
    async with receiving(Receiver(delay=0.05, fail_first=True)) as receiver:
        reply = await api_app.send.command("/dealbell", f"webhooks add <{receiver.url}> events:deal.created")
        receiver.secret = secret_in(reply.text)
        for n in range(EVENTS):
            assert (
                await api_app.api.post("/deals", {"owner": "U0001", "customer": f"C{n}", "amount": "1k"})
            ).status == 201

        async def replica(name: str) -> int:
            sent = 0
            async with aiohttp.ClientSession() as http:
                while len(receiver.got) < 2 * EVENTS:
                    sent += await deliver_due(api_app.db, name, http, policy=FAST_RETRIES)
                    await asyncio.sleep(0.05)
            return sent

        async with asyncio.timeout(30):
            sent = await asyncio.gather(*(replica(f"replica-{n}") for n in (1, 2, 3)))
    assert sum(sent) == 2 * EVENTS
    assert Counter(receiver.ids()) == {event_id: 2 for event_id in set(receiver.ids())}
    assert len(set(receiver.ids())) == EVENTS and all(r.valid for r in receiver.got)
    async with api_app.db.session() as session:
        attempts = (await session.scalars(select(WebhookDelivery.attempts))).all()
    assert attempts == [2] * EVENTS


@pytest.mark.postgres_only
async def test_a_server_killed_between_commit_and_send_delivers_after_restart(
    db: Database, database_url: str, fake_slack: FakeSlack, tmp_path: Path
):
    fake_slack.add_user("U0001", is_admin=True)
    port, hook_port = free_port(), free_port()
    env = clean_env(SLACK_BOT_TOKEN="xoxb-outbox", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=fake_slack.api_url, DATABASE_URL=database_url,
                    DEALBELL_WEBHOOK_RETRY_SECONDS="0.5")  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    async def start(log: Path) -> asyncio.subprocess.Process:
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                str(DEALBELL),
                "run",
                "--http",
                "--port",
                str(port),
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=out,
            )
        await wait_healthy(proc, f"{url}/healthz", log)
        return proc

    first = await start(tmp_path / "first.log")
    try:
        send = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        hook = f"http://127.0.0.1:{hook_port}/hook"  # nobody listens yet: every send before the kill fails
        secret = secret_in((await send.command("/dealbell", f"webhooks add <{hook}> events:deal.won")).text)
        token = await create_token(send, "outbox", "write")
        async with aiohttp.ClientSession() as http:
            won = await ApiClient(url, http, token).post(
                "/deals", {"owner": "U0001", "customer": "Acme", "amount": "5k", "stage": "won"}
            )
        assert won.status == 201  # committed, with its outbox row
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    async with db.session() as session:
        delivery = (await session.scalars(select(WebhookDelivery))).one()
    assert delivery.status == "pending" and delivery.delivered_at is None

    receiver = Receiver(secret=secret)
    from aiohttp import web

    hook_app = web.Application()
    hook_app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(hook_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    second = await start(tmp_path / "second.log")
    try:
        got = await receiver.wait_for(1, timeout=45)
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
        await runner.cleanup()
    assert got[0].valid and got[0].event["type"] == "deal.won"
    assert got[0].event["data"]["deal"]["customer"] == "Acme"
