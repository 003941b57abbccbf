"""Bugs the strict fake Slack found in dealbell's Block Kit, each driven through signed requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from storage.models import DEFAULT_VALUES, Customer, Deal, Workspace
from tests.handlers.test_leads import new_lead, setup


def card_fields(reply_json: dict[str, Any]) -> list[str]:
    [fields] = [b for b in reply_json["blocks"] if b["type"] == "section" and "fields" in b]
    return [f["text"] for f in fields["fields"]]


async def test_a_customer_name_with_pipes_keeps_the_deal_cards_four_fields(app):
    """The card's translation was split on `|`, so `Acme||Corp` made empty fields (Slack refuses the
    message) and nine pipes pushed Amount, Stage and Expected close past the 10-field cap."""
    reply = await app.send.command("/deal", "new 40k Acme||Corp")

    assert reply.status == 200
    fields = card_fields(reply.json)
    assert len(fields) == 4, fields
    assert fields[0] == "*Customer*\nAcme||Corp"
    assert fields[1] == "*Amount*\n$40,000.00"
    assert fields[2].startswith("*Stage*\n") and fields[3].startswith("*Expected close*\n")

    many = "A|b|c|d|e|f|g|h|i|j"  # nine pipes
    fields = card_fields((await app.send.command("/deal", f"new 5k {many}")).json)
    assert [f.split("\n")[0] for f in fields] == ["*Customer*", "*Amount*", "*Stage*", "*Expected close*"]
    assert fields[0] == f"*Customer*\n{many}"
    async with app.db.session() as session:
        names = sorted((await session.scalars(select(Deal))).all(), key=lambda d: d.id)
    assert len(names) == 2


async def test_an_imported_lead_source_with_pipes_keeps_the_lead_dms_two_fields(app):
    """The same split as the deal card's in the lead DM: a customer imported from CSV may have any text
    as its source, and a new lead for that customer showed it split into empty fields."""
    await setup(app, "U0002")
    async with app.db.session() as session:
        workspace = await session.scalar(select(Workspace))
        session.add(Customer(workspace_id=workspace.id, name="Acme", name_key="acme", source="web||ads"))

    await new_lead(app, 'new "Acme"')

    dm = (await app.fake.wait_for("chat.postMessage"))[0]
    assert dm.ok, app.fake.refusals
    fields = [f["text"] for b in dm.args["blocks"] if "fields" in b for f in b["fields"]]
    assert fields == ["*Source*\nweb||ads", "*Amount*\n\u2014"], fields


async def test_the_last_kudos_value_cannot_be_removed(app):
    """`/dealbell values remove` emptied the list (the settings form refuses that): /kudos then opened a
    select with no options, which Slack refuses, and with value-required on no kudos could be sent."""
    app.fake.add_user("U0009", is_owner=True)
    for value in ("teamwork", "customer-first", "ownership"):
        await app.send.command("/dealbell", f"values remove {value}", user="U0009")

    reply = await app.send.command("/dealbell", "values remove innovation", user="U0009")

    assert "at least one value" in reply.text and "#innovation" in reply.text
    async with app.db.session() as session:
        assert (await session.scalar(select(Workspace))).values == ["innovation"]
    await app.send.command("/dealbell", "kudos value-required on", user="U0009")
    await app.send.command("/kudos", "", trigger_id="trigger.kudos")
    [opened] = await app.fake.wait_for("views.open")
    assert opened.ok, app.fake.refusals
    options = [
        o["value"] for b in opened.args["view"]["blocks"] for o in b.get("element", {}).get("options", [])
    ]
    assert options == ["innovation"]
    sent = await app.send.command("/kudos", "<@U0002|ana> for the demo #innovation")
    assert "Kudos sent" in sent.text


async def test_a_values_list_emptied_before_the_fix_falls_back_to_the_defaults(app):
    await app.send.command("/kudos", "help")  # the workspace exists
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(kudos_values=[]))

    await app.send.command("/kudos", "", trigger_id="trigger.kudos")

    [opened] = await app.fake.wait_for("views.open")
    assert opened.ok, app.fake.refusals
    options = [
        o["value"] for b in opened.args["view"]["blocks"] for o in b.get("element", {}).get("options", [])
    ]
    assert options == list(DEFAULT_VALUES)
