"""HubSpot end to end: signed webhooks and the reconciliation poll into one deal, one celebration."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging

import pytest
from sqlalchemy import select

from storage import leaderboard
from storage.models import CrmConnection, CrmDealLink, Stage
from tests.crm.conftest import CrmApp, connect_hubspot
from tests.fakes.hubspot import FakeHubSpot
from tests.serving import serving
from tests.slack_requests import text_value

pytestmark = pytest.mark.xdist_group("crm")


async def deliver(app: CrmApp, fake: FakeHubSpot, events: list[dict], **signing) -> int:
    """POST a webhook batch to dealbell the way HubSpot does: raw JSON, signed with signature v3."""
    url = f"{app.url}/integrations/hubspot/webhook"
    body = json.dumps(events).encode()
    headers = fake.signed_headers(url, body, **signing)
    async with app.http.post(url, data=body, headers=headers) as response:
        return response.status


async def test_create_stage_moves_and_won_make_one_deal_one_celebration_and_a_history_row_per_move(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Acme renewal", "12000", owner_id="501", company="Acme Corp")
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.creation")]) == 204
    fake.move(deal_id, "qualifiedtobuy")
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.propertyChange", "dealstage")]) == 204
    fake.move(deal_id, "closedwon")
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.propertyChange", "dealstage")]) == 204

    [deal] = await crm_app.deals()
    assert (deal.stage, deal.external_source, deal.external_id) == (Stage.WON.value, "hubspot", deal_id)
    assert deal.amount_minor == 1_200_000 and deal.currency == "USD" and deal.customer.name == "Acme Corp"
    assert await crm_app.owner_of(deal) == "U0002"  # li@example.com, matched through users.lookupByEmail
    assert await crm_app.history(deal.id) == [(None, "lead"), ("lead", "qualified"), ("qualified", "won")]
    assert len(crm_app.celebrations()) == 1
    now = dt.datetime.now(dt.UTC)
    async with crm_app.db.session() as session:  # the leaderboard counts it, for the mapped rep
        assert await leaderboard.deals_won(session, deal.workspace_id, (now - dt.timedelta(days=7), now)) == {
            "U0002": 1
        }

    # replaying the webhook, and the poll, add nothing
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.propertyChange", "dealstage")]) == 204
    await crm_app.sync()
    assert len(await crm_app.deals()) == 1 and len(crm_app.celebrations()) == 1
    assert len(await crm_app.history(deal.id)) == 3


async def test_forged_stale_and_missing_signatures_get_401_and_write_nothing(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Acme", "100", owner_id="501", company="Acme Corp", stage="closedwon")
    events = [fake.event(deal_id, "deal.creation")]
    assert await deliver(crm_app, fake, events, secret="not-the-app-secret") == 401
    assert await deliver(crm_app, fake, events, age=6 * 60) == 401  # older than five minutes
    hook = f"{crm_app.url}/integrations/hubspot/webhook"
    async with crm_app.http.post(hook, data=json.dumps(events).encode()) as response:
        assert response.status == 401
    assert await crm_app.deals() == [] and await crm_app.count(CrmDealLink) == 0
    assert "GET /crm/v3/objects/deals/" + deal_id not in fake.requests  # nothing read either


async def test_the_same_webhook_three_times_at_once_then_the_poll_add_nothing(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Globex", "5000", owner_id="502", company="Globex", stage="closedwon")
    events = [fake.event(deal_id, "deal.creation")]
    statuses = await asyncio.gather(*(deliver(crm_app, fake, events) for _ in range(3)))
    assert statuses == [204, 204, 204]
    await crm_app.sync()
    fake.move(deal_id, "closedwon")  # a newer version: three deliveries and the poll, all at once
    events = [fake.event(deal_id, "deal.propertyChange", "dealstage")]
    await asyncio.gather(*(deliver(crm_app, fake, events) for _ in range(3)), crm_app.sync())
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.WON.value and await crm_app.owner_of(deal) == "U0003"
    assert len(crm_app.celebrations()) == 1
    assert await crm_app.history(deal.id) == [(None, "won")]


async def test_an_older_event_after_a_newer_one_changes_nothing(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Initech", "700", owner_id="501", company="Initech", stage="qualifiedtobuy")
    older = dict(fake.deals[deal_id], properties=dict(fake.deals[deal_id]["properties"]))
    fake.move(deal_id, "closedlost")
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.propertyChange", "dealstage")]) == 204
    fake.deals[deal_id] = older  # a slow read answers with the deal as it was before
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.propertyChange", "dealstage")]) == 204
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.LOST.value
    assert await crm_app.history(deal.id) == [(None, "lost")]


async def test_a_missed_webhook_is_caught_by_the_next_poll_and_a_reopen_is_reflected(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Umbrella", "900", owner_id="501", company="Umbrella", stage="closedwon")
    await crm_app.sync()  # no webhook came
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.WON.value and len(crm_app.celebrations()) == 1
    fake.move(deal_id, "contractsent")  # reopened in HubSpot
    await crm_app.sync()
    fake.move(deal_id, "closedwon")  # and won again the same day: not celebrated twice
    await crm_app.sync()
    [deal] = await crm_app.deals()
    assert await crm_app.history(deal.id) == [(None, "won"), ("won", "negotiation"), ("negotiation", "won")]
    assert await crm_app.sources(deal.id) == ["hubspot", "hubspot", "hubspot"]
    assert len(crm_app.celebrations()) == 1
    fake.delete(deal_id)
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.deletion")]) == 204
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.LOST.value and deal.lost_reason == "deleted in hubspot"


async def test_an_unmapped_owner_is_listed_and_their_deal_kept_until_mapped(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    deal_id = fake.create_deal("Hooli", "300", owner_id="503", company="Hooli", stage="closedwon")
    assert await deliver(crm_app, fake, [fake.event(deal_id, "deal.creation")]) == 204
    assert await crm_app.deals() == [] and crm_app.celebrations() == []
    listing = await crm_app.send.command("/dealbell", "connections")
    assert "`503`" in listing.text and "nobody@elsewhere.example" in listing.text
    mapped = await crm_app.send.command("/dealbell", "connect map hubspot 503 <@U0003>")
    assert "1" in mapped.text
    [deal] = await crm_app.deals()
    assert await crm_app.owner_of(deal) == "U0003" and deal.stage == Stage.WON.value
    listing = await crm_app.send.command("/dealbell", "connections")
    assert "`503`" not in listing.text


async def test_429_backs_off_with_retry_after_and_tells_the_admin_once(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    stark = fake.create_deal("Stark", "100", owner_id="501", company="Stark", stage="closedwon")
    fake.throttle = 1
    assert await deliver(crm_app, fake, [fake.event(stark, "deal.creation")]) == 503  # HubSpot retries it
    fake.throttle = 1
    await crm_app.sync()
    listing = await crm_app.send.command("/dealbell", "connections")
    assert "rate_limited" in listing.text and await crm_app.deals() == []
    asked = len(fake.requests)
    await crm_app.sync(scheduled=True)  # within the Retry-After: the schedule leaves HubSpot alone
    assert len(fake.requests) == asked
    fake.token = "rotated-elsewhere"  # every call now 401: a real failure, told once
    for _ in range(3):
        await crm_app.sync()
    told = [c for c in crm_app.fake.calls_to("chat.postMessage") if "cannot sync" in c.args.get("text", "")]
    assert len(told) == 1 and "http_401" in told[0].args["text"] and told[0].args["channel"] == "U0001"


async def test_credentials_never_appear_in_a_log_line(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str], caplog: pytest.LogCaptureFixture
):
    fake, url = hubspot
    caplog.set_level(logging.DEBUG)
    await connect_hubspot(crm_app, fake, url)
    fake.token_seen = fake.token
    deal_id = fake.create_deal("Wayne", "100", owner_id="501", company="Wayne", stage="closedwon")
    await deliver(crm_app, fake, [fake.event(deal_id, "deal.creation")])
    fake.token = "rotated"  # failures are logged too
    await crm_app.sync()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "pat-na1-secret-token-1" not in text and "hub-app-secret-1" not in text
    async with crm_app.db.session() as session:  # stored sealed
        stored = (await session.scalars(select(CrmConnection))).one().credentials
    assert "pat-na1" not in stored and "hub-app-secret" not in stored


async def test_two_workspaces_with_two_portals_never_see_each_others_deals(crm_app: CrmApp):
    first = FakeHubSpot(portal_id=111, token="tok-one", client_secret="secret-one")
    second = FakeHubSpot(portal_id=222, token="tok-two", client_secret="secret-two")
    first.add_owner("501", "li@example.com")
    second.add_owner("501", "nine@example.com")  # the same owner id in another portal: another person
    crm_app.fake.add_user("U0009", is_admin=True, profile={"email": "nine@example.com"})
    await crm_app.send.command("/deal", "help", team="T0002", user="U0009")
    async with serving(first.app()) as url_one, serving(second.app()) as url_two:
        await connect_hubspot(crm_app, first, url_one)
        await crm_app.connect(
            "hubspot", {"account": "222", "token": "tok-two", "client_secret": "secret-two", "base_url": url_two},
            team="T0002", user="U0009",
        )  # fmt: skip
        await crm_app.sync("T0002")
        one = first.create_deal("Only in one", "100", owner_id="501", company="One")
        two = second.create_deal("Only in two", "100", owner_id="501", company="Two")
        assert await deliver(crm_app, first, [first.event(one, "deal.creation")]) == 204
        # portal two's event signed with portal one's secret: refused, nothing in either workspace
        body_events = [second.event(two, "deal.creation")]
        assert await deliver(crm_app, first, body_events) == 401
        assert await deliver(crm_app, second, body_events) == 204
        await crm_app.sync("T0002")
    assert [d.title for d in await crm_app.deals("T0001")] == ["Only in one"]
    [deal_two] = await crm_app.deals("T0002")
    assert deal_two.title == "Only in two" and await crm_app.owner_of(deal_two) == "U0009"


async def test_connecting_backfills_won_deals_without_celebrating_and_posts_one_summary(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    for name in ("Old win one", "Old win two"):
        fake.create_deal(name, "100", owner_id="501", company=name, stage="closedwon")
    fake.create_deal("Still open", "100", owner_id="502", company="Open Co", stage="contractsent")
    fields = {
        "account": str(fake.portal_id),
        "token": fake.token,
        "client_secret": fake.client_secret,
        "base_url": url,
    }
    await crm_app.connect("hubspot", fields, since="2026-11-01")
    await crm_app.sync()
    await crm_app.sync()
    assert [d.stage for d in await crm_app.deals()] == ["won", "won", "negotiation"]
    [summary] = crm_app.celebrations()
    assert "2 won deals" in summary.args["text"]


async def test_only_admins_connect_and_the_form_refuses_missing_fields(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    refused = await crm_app.send.command("/dealbell", "connect hubspot", user="U0002")
    assert ":no_entry:" in refused.text and crm_app.fake.calls_to("views.open") == []
    reply = await crm_app.send.command("/dealbell", "connect nosuchcrm")
    assert "hubspot, pipedrive, salesforce" in reply.text
    values = {"account": text_value("1"), "token": text_value(""), "client_secret": text_value("x")}
    answer = await crm_app.send.view_submission("crm_connect", values, private_metadata="hubspot")
    assert answer.json["response_action"] == "errors" and "token" in answer.json["errors"]
    assert await crm_app.count(CrmConnection) == 0


async def test_admins_map_a_stage_by_hand_and_choose_the_pipelines_that_count(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    assert "connect map" in (await crm_app.send.command("/dealbell", "connect")).text
    bad = await crm_app.send.command("/dealbell", "connect stage hubspot contractsent signed")
    assert ":warning:" in bad.text
    await crm_app.send.command("/dealbell", "connect stage hubspot contractsent proposal")
    await crm_app.send.command("/dealbell", "connect pipelines hubspot default")
    counted = fake.create_deal("Counted", "100", owner_id="501", company="Counted", stage="contractsent")
    other = fake.create_deal("Renewal", "100", owner_id="501", company="Renewal")
    fake.deals[other]["properties"]["pipeline"] = "renewals"
    events = [fake.event(counted, "deal.creation"), fake.event(other, "deal.creation")]
    assert await deliver(crm_app, fake, events) == 204
    [deal] = await crm_app.deals()
    assert deal.external_id == counted and deal.stage == Stage.PROPOSAL.value
