"""The sandbox's API panel: a token made in the sandbox calls its bot's API, and the webhook inbox
shows the bot's signed webhooks, verified."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from bot.sandbox.seed import MANAGER, SALES


async def test_the_api_panel_leads_from_a_token_to_a_call_and_the_inbox_shows_signed_webhooks(
    sandbox, page_api
):
    panel = await page_api.get("/api/api-panel")
    assert panel["received"] == [] and panel["api_url"].startswith("http://127.0.0.1:")
    await page_api.post("/api/command", user=MANAGER.id, channel=SALES, command="/dealbell",
                        text=panel["create_token"].removeprefix("/dealbell "))  # fmt: skip
    await page_api.post("/api/command", user=MANAGER.id, channel=SALES, command="/dealbell",
                        text=panel["add_webhook"].removeprefix("/dealbell "))  # fmt: skip
    answers = " ".join(m.text for m in sandbox.slack.timeline if m.ephemeral_to == MANAGER.id)
    token = re.search(r"`(dbk_[\w-]+)`", answers)
    assert token and "whsec_" in answers, answers

    async with aiohttp.ClientSession() as http:
        created = await http.post(
            f"{panel['api_url']}/deals",
            json={"owner": MANAGER.id, "customer": "Panel Corp", "amount": "9k", "stage": "won"},
            headers={"Authorization": f"Bearer {token.group(1)}"},
        )
        assert created.status == 201
    inbox = sandbox.inbox
    async with asyncio.timeout(15):  # the bot's sender posts to the inbox after the commit
        while len(inbox.received) < 2:
            inbox.arrived.clear()
            await inbox.arrived.wait()
    received = (await page_api.get("/api/api-panel"))["received"]
    types = sorted(hook["event"]["type"] for hook in received)
    assert types == ["deal.created", "deal.won"] and all(hook["verified"] for hook in received)
