"""Salesforce end to end: Opportunities polled after the saved SystemModstamp, won once, quota honoured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.models import Stage
from tests.crm.conftest import CrmApp
from tests.fakes.salesforce import FakeSalesforce
from tests.serving import serving

pytestmark = pytest.mark.xdist_group("crm")


@pytest.fixture
async def salesforce(crm_app: CrmApp) -> AsyncIterator[FakeSalesforce]:
    fake = FakeSalesforce("3MVG9-consumer-key", "sf-consumer-secret", "admin@acme.example", "pw-and-token")
    async with serving(fake.app()) as url:
        fake.url = url
        await crm_app.connect(
            "salesforce",
            {"base_url": url, "client_id": "3MVG9-consumer-key", "client_secret": "sf-consumer-secret",
             "username": "admin@acme.example", "password": "pw-and-", "security_token": "token"},
        )  # fmt: skip
        await crm_app.sync()
        yield fake


async def test_polled_opportunity_moves_and_wins_once_credited_to_the_mapped_owner(
    crm_app: CrmApp, salesforce: FakeSalesforce
):
    opportunity = salesforce.create("Acme UK", 4200, "li@example.com", "Acme Ltd")
    await crm_app.sync()
    salesforce.update(opportunity, StageName="Negotiation/Review", ForecastCategory="Commit")
    await crm_app.sync()
    salesforce.update(
        opportunity, StageName="Closed Won", IsWon=True, IsClosed=True, ForecastCategory="Closed"
    )
    await crm_app.sync()
    await crm_app.sync()  # nothing newer: nothing written
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.WON.value and deal.currency == "GBP" and deal.customer.name == "Acme Ltd"
    assert await crm_app.owner_of(deal) == "U0002"
    assert await crm_app.history(deal.id) == [
        (None, "qualified"),
        ("qualified", "negotiation"),
        ("negotiation", "won"),
    ]
    assert len(crm_app.celebrations()) == 1
    assert "SystemModstamp > 2026-12-01T09:00" in salesforce.queries[-1]  # after the saved cursor


async def test_the_daily_quota_backs_off_and_tells_the_admin_nothing_until_a_real_failure(
    crm_app: CrmApp, salesforce: FakeSalesforce
):
    salesforce.create("Globex UK", 100, "bo@example.com", "Globex Ltd")
    salesforce.quota_exhausted = True
    await crm_app.sync()
    asked = len(salesforce.queries)
    await crm_app.sync(scheduled=True)  # backing off for the hour
    assert len(salesforce.queries) == asked and await crm_app.deals() == []
    salesforce.quota_exhausted = False
    await crm_app.sync()
    [deal] = await crm_app.deals()
    assert await crm_app.owner_of(deal) == "U0003"
