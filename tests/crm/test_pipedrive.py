"""Pipedrive end to end: Webhooks v2 behind HTTP Basic and the updated_since poll into one deal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from storage.models import CrmDealLink, Stage
from tests.crm.conftest import CrmApp
from tests.fakes.pipedrive import FakePipedrive, basic
from tests.serving import serving

pytestmark = pytest.mark.xdist_group("crm")
HOOK_USER, HOOK_PASSWORD = "dealbell", "hook-password-7"


@pytest.fixture
async def pipedrive(crm_app: CrmApp) -> AsyncIterator[FakePipedrive]:
    fake = FakePipedrive(company_id=12882925, token="pd-api-token-secret")
    fake.add_user(41, "li@example.com")
    fake.add_user(42, "bo@example.com")
    async with serving(fake.app()) as url:
        await crm_app.connect(
            "pipedrive",
            {"account": str(fake.company_id), "base_url": url, "token": fake.token,
             "webhook_user": HOOK_USER, "webhook_password": HOOK_PASSWORD},
        )  # fmt: skip
        await crm_app.sync()
        yield fake


async def deliver(
    app: CrmApp, body: dict[str, Any], auth: str | None = basic(HOOK_USER, HOOK_PASSWORD)
) -> int:
    headers = {"Authorization": auth} if auth else {}
    async with app.http.post(
        f"{app.url}/integrations/pipedrive/webhook", json=body, headers=headers
    ) as response:
        return response.status


async def test_wrong_or_missing_basic_credentials_get_401_and_write_nothing(
    crm_app: CrmApp, pipedrive: FakePipedrive
):
    deal_id = pipedrive.create_deal("Acme", 100, owner_id=41, org="Acme", status="won")
    body = pipedrive.webhook("create", deal_id)
    assert await deliver(crm_app, body, basic(HOOK_USER, "guessed")) == 401
    assert await deliver(crm_app, body, None) == 401
    assert await crm_app.deals() == [] and await crm_app.count(CrmDealLink) == 0


async def test_create_moves_and_won_make_one_deal_and_one_celebration(
    crm_app: CrmApp, pipedrive: FakePipedrive
):
    deal_id = pipedrive.create_deal("Acme expansion", 2500, owner_id=41, org="Acme GmbH")
    assert await deliver(crm_app, pipedrive.webhook("create", deal_id)) == 204
    previous = pipedrive.change(deal_id, stage_id=3)
    assert await deliver(crm_app, pipedrive.webhook("change", deal_id, previous)) == 204
    previous = pipedrive.change(deal_id, status="won")
    body = pipedrive.webhook("change", deal_id, previous)
    statuses = await asyncio.gather(*(deliver(crm_app, body) for _ in range(3)))
    assert statuses == [204, 204, 204]
    await crm_app.sync()
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.WON.value and deal.currency == "EUR" and deal.amount_minor == 250_000
    assert deal.customer.name == "Acme GmbH" and await crm_app.owner_of(deal) == "U0002"
    assert await crm_app.history(deal.id) == [(None, "lead"), ("lead", "proposal"), ("proposal", "won")]
    assert len(crm_app.celebrations()) == 1


async def test_a_missed_webhook_is_caught_by_the_poll_after_a_429(crm_app: CrmApp, pipedrive: FakePipedrive):
    deal_id = pipedrive.create_deal("Globex", 900, owner_id=42, org="Globex", stage_id=4)
    pipedrive.throttle = 1
    await crm_app.sync()
    assert await crm_app.deals() == []
    await crm_app.sync()
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.NEGOTIATION.value and await crm_app.owner_of(deal) == "U0003"
    previous = pipedrive.change(deal_id, status="lost")
    pipedrive.deals.pop(deal_id)
    assert await deliver(crm_app, pipedrive.webhook("delete", deal_id, previous)) == 204
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.LOST.value and deal.lost_reason == "deleted in pipedrive"
