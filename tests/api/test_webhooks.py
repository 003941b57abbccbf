"""Outgoing webhooks: signed, retried until answered, dead-lettered, and never slowing Slack down."""

from __future__ import annotations

import asyncio
import contextlib
import io

from sqlalchemy import select

from bot import cli
from storage import webhooks
from storage.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.api.conftest import ApiApp
from tests.api.receiver import Receiver, receiving, secret_in

WON = {"owner": "U0001", "customer": "Acme", "amount": "12.5k", "stage": "won"}


async def register(app: ApiApp, receiver: Receiver, events: str = "deal.won") -> None:
    reply = await app.send.command("/dealbell", f"webhooks add <{receiver.url}> events:{events}")
    receiver.secret = secret_in(reply.text)


async def test_a_receiver_verifies_each_signature_and_gets_the_event_again_until_it_answers_200(
    api_app: ApiApp, monkeypatch
):
    async with receiving(Receiver(answers=[500, 500])) as receiver:
        await register(api_app, receiver)
        assert (await api_app.api.post("/deals", WON)).status == 201
        got = await receiver.wait_for(3)
        await asyncio.sleep(1)  # five times the first retry's delay: a fourth send would have come
    assert len(receiver.got) == 3
    assert all(r.valid for r in got)
    assert len(set(receiver.ids())) == 1  # one event, its stable id each time
    event = got[0].event
    assert event["type"] == "deal.won" and event["workspace"] == "T0001"
    assert (
        event["data"]["deal"]["customer"] == "Acme" and event["data"]["deal"]["amount"]["minor"] == 1_250_000
    )
    async with api_app.db.session() as session:
        delivery = (await session.scalars(select(WebhookDelivery))).one()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)

    monkeypatch.setenv("DATABASE_URL", api_app.settings.database_url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert await asyncio.to_thread(cli.main, ["webhooks", "deliveries"]) == 0
    line = out.getvalue().splitlines()[1].split()
    assert line[1:6] == ["T0001", "deal.won", "delivered", "3", "200"]


async def test_events_leave_in_the_transaction_of_the_change_or_not_at_all(api_app: ApiApp):
    async with receiving() as receiver:
        await register(api_app, receiver, "deal.created,deal.stage_changed,kudos.given")
        refused = await api_app.api.post("/deals", {**WON, "amount": "0"})
        assert refused.status == 422
        lead = await api_app.api.post("/deals", {**WON, "stage": "lead"})
        await api_app.api.patch(f"/deals/{lead.body['id']}", {"stage": "qualified"})
        await api_app.send.command("/kudos", "<@U0002> for the Acme demo")
        got = await receiver.wait_for(3)
    assert sorted(r.event["type"] for r in got) == ["deal.created", "deal.stage_changed", "kudos.given"]
    kudos = next(r.event["data"] for r in got if r.event["type"] == "kudos.given")
    assert kudos["receivers"][0]["slack_id"] == "U0002" and kudos["message"] == "for the Acme demo"
    async with api_app.db.session() as session:
        assert len((await session.scalars(select(WebhookEvent))).all()) == 3  # the refusal wrote none


async def test_a_refusing_receiver_is_dead_lettered_then_disabled_with_a_dm_to_its_admin(api_app: ApiApp):
    async with receiving(Receiver(answers=[410] * webhooks.DISABLE_AFTER)) as receiver:
        await register(api_app, receiver)
        for n in range(webhooks.DISABLE_AFTER):
            await api_app.api.post("/deals", {**WON, "customer": f"Customer {n}"})
        await receiver.wait_for(webhooks.DISABLE_AFTER)
        dms = await api_app.fake.wait_for("chat.postMessage")
        assert dms[0].args["channel"] == "U0001" and "stopped sending" in dms[0].args["text"]
        await api_app.api.post("/deals", {**WON, "customer": "After"})
        await api_app.fake.settle(0.5)
        assert (
            len(receiver.got) == webhooks.DISABLE_AFTER
        )  # 410 is not retried; a disabled endpoint gets nothing
        async with api_app.db.session() as session:
            endpoint = (await session.scalars(select(WebhookEndpoint))).one()
            dead = (
                await session.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "dead"))
            ).all()
        assert endpoint.disabled_at is not None and len(dead) == webhooks.DISABLE_AFTER
        listing = await api_app.send.command("/dealbell", "webhooks list")
        assert "disabled after 5 failures" in listing.text

        async with api_app.db.session() as session:
            assert await webhooks.redeliver(session, dead[0].id, webhooks.utcnow())
        got = await receiver.wait_for(webhooks.DISABLE_AFTER + 1)
    assert got[-1].event["id"] == got[0].event["id"] and got[-1].valid


async def test_a_slow_receiver_does_not_delay_slacks_answers(api_app: ApiApp):
    async with receiving(Receiver(delay=10)) as receiver:
        await register(api_app, receiver)
        first = await api_app.send.command("/deal", "won 3k Acme")
        await asyncio.sleep(0.3)  # the delivery is now in flight, held by the receiver
        second = await api_app.send.command("/deal", "won 4k Globex")
        assert first.elapsed < 2 and second.elapsed < 2
        assert receiver.got == []  # still waiting on the slow receiver
        receiver.release.set()
        got = await receiver.wait_for(2)
    assert {r.event["data"]["deal"]["customer"] for r in got} == {"Acme", "Globex"}


async def test_only_admins_add_endpoints_and_only_https_or_this_machine(api_app: ApiApp):
    reply = await api_app.send.command(
        "/dealbell", "webhooks add https://example.com/h events:deal.won", user="U0002"
    )
    assert "Only workspace admins" in reply.text and "whsec_" not in reply.text
    reply = await api_app.send.command("/dealbell", "webhooks add http://example.com/h events:deal.won")
    assert "https://" in reply.text and "whsec_" not in reply.text
    reply = await api_app.send.command("/dealbell", "webhooks add https://example.com/h events:deal.lost")
    assert "deal.won" in reply.text and "whsec_" not in reply.text
    added = await api_app.send.command("/dealbell", "webhooks add <https://example.com/h> events:deal.won")
    assert "whsec_" in added.text
    removed = await api_app.send.command("/dealbell", "webhooks remove 1")
    assert "removed" in removed.text
    assert "No webhook endpoints" in (await api_app.send.command("/dealbell", "webhooks")).text
