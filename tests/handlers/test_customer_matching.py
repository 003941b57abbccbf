"""Issue 16, item 3: typos do not create junk customers. Through signed requests, on both databases:
a normalised name is the customer; a close one asks "Did you mean…?" with buttons (use it / create
new) for `/deal new|won` and `/customer`; `/deal won Glob` closes the Globex deal; managers merge
duplicates keeping their history.
"""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from storage.models import Activity, Customer, Deal, Stage
from tests.handlers.test_deal_modal_and_buttons import modal_values
from tests.slack_requests import external_value, select_value

AUTHORED = ("Acme Corp", "Initech", "Globex")


async def customers_named(db) -> list[str]:
    async with db.session() as session:
        return sorted(await session.scalars(select(Customer.name)))


async def deals_of(db) -> list[tuple[str, int, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Customer.name, Deal.amount_minor, Deal.stage)
            .join(Customer, Customer.id == Deal.customer_id)
            .order_by(Deal.id)
        )
        return [tuple(r) for r in rows]


def buttons(reply) -> dict[str, dict]:
    """The question's buttons by action id."""
    return {
        element["action_id"]: element
        for block in reply.json["blocks"]
        for element in block.get("elements", [])
        if element.get("type") == "button"
    }


async def seed(app) -> None:
    for name in AUTHORED:
        assert (await app.send.command("/customer", f'add "{name}"')).status == 200


async def test_a_typo_in_deal_new_asks_did_you_mean_and_writes_nothing_until_answered(app):
    await seed(app)

    reply = await app.send.command("/deal", "new 10k Acme Crop", trigger_id="trigger.typo")

    assert "Did you mean *Acme Corp*?" in reply.json["text"]
    choice = buttons(reply)
    assert set(choice) == {"deal_customer_pick", "deal_customer_pick_new"}
    assert await deals_of(app.db) == [] and await customers_named(app.db) == sorted(AUTHORED)

    use = choice["deal_customer_pick"]["value"]
    await asyncio.gather(*[app.send.action("deal_customer_pick", use, ephemeral=True) for _ in range(2)])
    await app.fake.wait_for("response_url", count=2)
    assert "Acme Corp" in app.fake.calls_to("response_url")[-1].args["text"]
    assert await deals_of(app.db) == [("Acme Corp", 1_000_000, "lead")]  # a double click: one deal
    assert await customers_named(app.db) == sorted(AUTHORED)


async def test_create_new_after_the_question_adds_the_typed_customer(app):
    await seed(app)
    reply = await app.send.command("/deal", "won 5k Intech")
    assert "Did you mean *Initech*?" in reply.json["text"]

    await app.send.action("deal_customer_pick_new", buttons(reply)["deal_customer_pick_new"]["value"])
    await app.fake.wait_for("response_url")

    assert await deals_of(app.db) == [("Intech", 500_000, "won")]
    assert "Intech" in await customers_named(app.db)
    await app.fake.wait_for("chat.postMessage")  # the win is celebrated as any other


async def test_the_same_name_in_another_case_or_punctuation_is_used_without_asking(app):
    await seed(app)

    reply = await app.send.command("/deal", "new 10k acme corp.")

    assert "Did you mean" not in reply.text
    assert await deals_of(app.db) == [("Acme Corp", 1_000_000, "lead")]
    assert await customers_named(app.db) == sorted(AUTHORED)


async def test_deal_won_with_the_start_of_a_name_closes_that_open_deal(app):
    await app.send.command("/deal", "new 40k Globex stage:proposal")
    await app.send.command("/deal", "new 10k Initech")

    reply = await app.send.command("/deal", "won Glob")

    assert "Globex" in reply.text
    assert await deals_of(app.db) == [("Globex", 4_000_000, "won"), ("Initech", 1_000_000, "lead")]

    similar = await app.send.command("/deal", "lost Intech")  # similar, not a prefix: asked first
    assert "Did you mean your deal with *Initech*?" in similar.json["text"]
    assert set(buttons(similar)) == {"deal_customer_pick"}  # closing cannot create a customer
    await app.send.action("deal_customer_pick", buttons(similar)["deal_customer_pick"]["value"])
    await app.fake.wait_for("response_url")
    assert (await deals_of(app.db))[1] == ("Initech", 1_000_000, "lost")


async def test_customer_lookup_and_add_ask_about_a_close_name(app):
    await seed(app)

    shown = await app.send.command("/customer", "Intech")
    assert "Did you mean *Initech*?" in shown.json["text"]
    await app.send.action("customer_pick", buttons(shown)["customer_pick"]["value"])
    card = (await app.fake.wait_for("response_url"))[-1].args
    assert card["blocks"][0]["text"]["text"] == "Initech"

    added = await app.send.command("/customer", "add Acme Crop segment:vip")
    assert "Did you mean *Acme Corp*?" in added.json["text"]
    assert await customers_named(app.db) == sorted(AUTHORED)
    await app.send.action("customer_pick_new", buttons(added)["customer_pick_new"]["value"])
    await app.fake.wait_for("response_url", count=2)
    assert "Acme Crop" in await customers_named(app.db)


async def test_a_manager_merges_a_duplicate_keeping_its_deals_and_activities(app):
    await seed(app)
    await app.send.command("/deal", "new 10k Acme Corp")
    await app.send.action(  # a rep made "Acme Crop" on purpose, with a won deal and a call
        "deal_customer_pick_new",
        buttons(await app.send.command("/deal", "won 5k Acme Crop"))["deal_customer_pick_new"]["value"],
    )
    await app.fake.wait_for("response_url")
    await app.send.command("/log", 'call "Acme Crop" "talked renewal"')

    refused = await app.send.command("/customer", 'merge "Acme Crop" into "Acme Corp"')
    assert "managers" in refused.text.lower()
    assert "Acme Crop" in await customers_named(app.db)

    app.fake.add_user("U0009", is_admin=True)
    merged = await app.send.command("/customer", 'merge "acme crop" into "Acme Corp"', user="U0009")

    assert "Merged *Acme Crop* into *Acme Corp*" in merged.text and "1 deal" in merged.text
    assert await customers_named(app.db) == sorted(AUTHORED)
    assert await deals_of(app.db) == [("Acme Corp", 1_000_000, "lead"), ("Acme Corp", 500_000, "won")]
    async with app.db.session() as session:
        acme = await session.scalar(select(Customer).where(Customer.name == "Acme Corp"))
        calls = await session.scalar(
            select(func.count()).select_from(Activity).where(Activity.customer_id == acme.id)
        )
        won = await session.scalar(
            select(func.count()).select_from(Deal).where(Deal.stage == Stage.WON.value)
        )
    assert calls == 1 and won == 1 and acme.segment == "existing"

    same = await app.send.command("/customer", 'merge "Acme Corp" into "acme corp"', user="U0009")
    assert "same customer" in same.text
    usage = await app.send.command("/customer", "merge Acme Corp", user="U0009")
    assert "into" in usage.text


async def test_the_deal_forms_customer_menu_offers_matches_as_the_rep_types(app):
    await seed(app)
    await app.send.command("/deal", "")
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    (customer,) = [b for b in view["blocks"] if b.get("block_id") == "customer"]
    assert customer["element"]["type"] == "external_select"
    action_id = customer["element"]["action_id"]

    typed = await app.send.block_suggestion(action_id, "acme crp")
    labels = [o["text"]["text"] for o in typed.json["options"]]
    assert labels[0] == "Acme Corp" and labels[-1] == "New customer: acme crp"
    assert [o["value"] for o in (await app.send.block_suggestion(action_id, "glo")).json["options"]][:1] == [
        "Globex"
    ]

    reply = await app.send.view_submission(
        "deal_new",
        modal_values(customer=external_value(action_id, "Acme Corp"), stage=select_value("lead")),
        private_metadata=json.dumps({"channel": "C0001"}),
    )
    assert reply.text == ""
    assert await deals_of(app.db) == [("Acme Corp", 1_250_000, "lead")]
    assert await customers_named(app.db) == sorted(AUTHORED)
