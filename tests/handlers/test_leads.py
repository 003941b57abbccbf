"""Leads through signed requests: assignment to the least-loaded rep, the DM's buttons, reassignment."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import time_machine
from sqlalchemy import func, select, update

from storage.models import Customer, Deal, Member, Workspace, utcnow
from storage.workspaces import Profile, save_member
from tests.factories import CustomerFactory, DealFactory, persist
from tests.slack_requests import text_value

BOSS = "U0001"  # creates the leads; a manager, so never eligible themself


async def setup(app, *reps: str, boss_role: str = "manager") -> dict[str, int]:
    """The workspace, the boss and `reps` as plain reps with no deals; returns member ids by user id."""
    await app.send.command("/lead", "help", user=BOSS)
    await change(app, BOSS, role=boss_role)
    return {uid: await add_member(app, uid) for uid in reps}


async def add_member(app, uid: str, *, role: str = "rep", slack: dict | None = None, **fields) -> int:
    user = app.fake.add_user(uid, **(slack or {}))
    async with app.db.session() as session:
        workspace = await session.scalar(select(Workspace))
        member = await save_member(session, workspace.id, uid, Profile.from_users_info(user))
        member_id = member.id
    await change(app, uid, role=role, **fields)
    return member_id


async def change(app, uid: str, **fields) -> None:
    if fields:
        async with app.db.session() as session:
            await session.execute(update(Member).where(Member.slack_user_id == uid).values(**fields))


async def give_deals(app, uid: str, *amounts_minor: int, stage: str = "qualified") -> None:
    async with app.db.session() as session:
        workspace = await session.scalar(select(Workspace))
        owner = await session.scalar(select(Member).where(Member.slack_user_id == uid))
        for n, amount in enumerate(amounts_minor):
            [customer] = await persist(
                session, CustomerFactory(workspace=workspace, name=f"{uid} co {n} {stage}")
            )
            session.add(DealFactory(owner=owner, customer=customer, amount_minor=amount, stage=stage))


async def lead_owners(db) -> list[str]:
    """Owner of every lead-stage deal, oldest first."""
    async with db.session() as session:
        rows = await session.execute(
            select(Member.slack_user_id)
            .join(Deal, Deal.owner_id == Member.id)
            .where(Deal.stage == "lead")
            .order_by(Deal.id)
        )
        return list(rows.scalars())


async def the_lead(db) -> Deal:
    async with db.session() as session:
        (deal,) = (await session.scalars(select(Deal).where(Deal.stage == "lead"))).all()
        return deal


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


def dms_to(app, uid: str) -> list[dict]:
    return [c.args for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == uid]


def button(message: dict, action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} in {message}")


async def new_lead(app, text: str = 'new "Globex" source:web', **kwargs):
    return await app.send.command("/lead", text, user=BOSS, **kwargs)


# --- who gets the lead ---------------------------------------------------------------------------


async def test_the_least_loaded_rep_gets_the_lead_and_a_dm(app):
    await setup(app, "U0002", "U0003", "U0004")
    await give_deals(app, "U0002", 100, 100)
    await give_deals(app, "U0003", 100, 100, 100, stage="won")  # closed deals are no load
    await give_deals(app, "U0003", 100, stage="lost")
    await give_deals(app, "U0004", 100)
    reply = await new_lead(app, 'new "Globex <!channel>" source:Web notes:"asked for a demo"')
    assert "assigned to <@U0003>" in reply.text and "/lead assign" in reply.text  # the boss may reassign
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert dm["channel"] == "U0003"
    shown = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "Globex &lt;!channel&gt;" in dm["text"] and "<!channel>" not in shown
    assert "web" in shown and "\u2014" in shown and "asked for a demo" in shown and "<@U0001>" in shown
    deal = await the_lead(app.db)
    assert button(dm, "lead_accept") == button(dm, "lead_pass") == f"{deal.id}:{deal.owner_id}"
    assert (deal.amount_minor, deal.currency, deal.notes, deal.accepted_at) == (
        0,
        "USD",
        "asked for a demo",
        None,
    )
    async with app.db.session() as session:
        customer = await session.get(Customer, deal.customer_id)
        rep = await session.get(Member, deal.owner_id)
    assert (customer.segment, customer.source, customer.owner_id) == ("potential", "web", rep.id)
    assert rep.slack_user_id == "U0003" and rep.last_lead_at is not None


async def test_only_available_reps_and_account_managers_are_eligible(app):
    start = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)  # 2 March, 01:00 in Shanghai
    with time_machine.travel(start, tick=True):
        await setup(app)
        async with app.db.session() as session:
            await session.execute(update(Workspace).values(timezone="Asia/Shanghai"))
        march = dt.date(2026, 3, 2)
        await add_member(app, "U0010", role="manager")
        await add_member(app, "U0011", role="after-sales")
        await add_member(app, "U0012", slack={"is_bot": True})
        await add_member(app, "U0013", slack={"deleted": True})
        await add_member(app, "U0014", ooo_from=march, ooo_until=march + dt.timedelta(days=3))
        await add_member(
            app, "U0015", ooo_from=march - dt.timedelta(days=9), ooo_until=march - dt.timedelta(days=1)
        )
        await add_member(app, "U0016", role="account-manager")
        await give_deals(app, "U0015", 100, 100, 100)
        await give_deals(app, "U0016", 100, 100)
        assert "assigned to <@U0016>" in (await new_lead(app)).text
        assert "assigned to <@U0016>" in (await new_lead(app, "new Initech")).text  # 3 deals each now
        assert "assigned to <@U0015>" in (await new_lead(app, "new Umbrella")).text  # back since 1 March
    assert await lead_owners(app.db) == ["U0016", "U0016", "U0015"]


async def test_equal_loads_take_turns_oldest_last_lead_first(app):
    await setup(app, "U0002", "U0003", "U0004")
    now = utcnow()
    await change(app, "U0002", last_lead_at=now - dt.timedelta(hours=1))
    await change(app, "U0003", last_lead_at=now - dt.timedelta(days=3))  # U0004 never had one
    for n in range(6):
        await new_lead(app, f"new Company {n}")
    assert await lead_owners(app.db) == ["U0004", "U0003", "U0002"] * 2


async def test_leads_created_at_the_same_moment_are_spread_evenly(app):
    await setup(app, "U0002", "U0003")
    replies = await asyncio.gather(*[new_lead(app, f"new Company {n}") for n in range(4)])
    assert all("assigned to" in r.text for r in replies)
    owners = await lead_owners(app.db)
    assert sorted(owners) == ["U0002", "U0002", "U0003", "U0003"]


async def test_open_pipeline_value_weighs_in(app):
    await setup(app, "U0002", "U0003")
    await give_deals(app, "U0002", 12_000_000)  # one $120k deal: load 1 + 2.4
    await give_deals(app, "U0003", 500_000, 500_000)  # two $5k deals: load 2 + 0.2
    reply = await new_lead(app, "new Globex amount:$20k")
    assert "assigned to <@U0003>" in reply.text
    assert (await the_lead(app.db)).amount_minor == 2_000_000
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "$20,000.00" in json.dumps(dm["blocks"], ensure_ascii=False)


async def test_without_an_eligible_rep_the_lead_stays_with_its_creator(app):
    await setup(app)
    await add_member(app, "U0011", role="after-sales")
    await add_member(
        app,
        "U0012",
        ooo_from=dt.date.today() - dt.timedelta(days=2),
        ooo_until=dt.date.today() + dt.timedelta(days=2),
    )
    reply = await new_lead(app)
    assert "stays with you" in reply.text
    assert await lead_owners(app.db) == [BOSS]
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []


async def test_an_existing_customer_is_found_case_insensitively_and_keeps_its_segment(app):
    await setup(app, "U0002")
    async with app.db.session() as session:
        workspace = await session.scalar(select(Workspace))
        session.add(CustomerFactory(workspace=workspace, name="Globex", segment="vip"))
    await new_lead(app, "new  GLOBEX  source:referral")
    assert await count(app.db, Customer) == 1
    async with app.db.session() as session:
        customer = await session.scalar(select(Customer))
    assert (customer.name, customer.segment, customer.source) == ("Globex", "vip", "referral")


# --- input and retries ---------------------------------------------------------------------------


async def test_bad_input_is_refused_and_nothing_is_written(app):
    await setup(app, "U0002")
    cases = [
        ("new", "Name the company"),
        ('new "   " source:web', "Name the company"),
        ("new " + "x" * 201, "That customer name is too long (201 characters; at most 200)"),  # the domain's
        ("new Globex source:web/partner", "is not a source"),
        ("new Globex amount:lots", "is not an amount"),
        ("new Globex amount:0", "more than zero"),
        ("Globex", "is not a `/lead` command"),
    ]
    for text, message in cases:
        reply = await new_lead(app, text)
        assert reply.status == 200
        assert message in reply.text, (text, reply.text)
    await app.fake.settle()
    assert await count(app.db, Deal) == 0 and await count(app.db, Customer) == 0
    assert app.fake.calls_to("chat.postMessage") == []


async def test_the_same_trigger_twice_makes_one_lead(app):
    await setup(app, "U0002", "U0003")
    replies = await asyncio.gather(*[new_lead(app, trigger_id="trigger.lead1") for _ in range(3)])
    assert sum("assigned to" in r.text for r in replies) == 1
    assert sum("already added" in r.text for r in replies) == 2
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Deal) == 1 and len(app.fake.calls_to("chat.postMessage")) == 1


async def test_the_modal_adds_a_lead_once_and_shows_field_errors(app):
    await setup(app, "U0002")
    await new_lead(app, "", trigger_id="trigger.modal")
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "lead_new"
    assert [b["block_id"] for b in view["blocks"]] == ["company", "source", "amount", "notes"]

    def values(company="Globex", source=None, amount=None, notes=None):
        return {"company": text_value(company), "source": text_value(source),
                "amount": text_value(amount), "notes": text_value(notes)}  # fmt: skip

    bad = await app.send.view_submission("lead_new", values(" ", "two words", "-3k"), view_id="VL1")
    assert bad.json["response_action"] == "errors"
    assert set(bad.json["errors"]) == {"company", "source", "amount"}
    metadata = json.dumps({"channel": "C0001"})
    ok = await asyncio.gather(*[
        app.send.view_submission("lead_new", values("Initech", "event", "€12k", "from the fair"),
                                 view_id="VL2", private_metadata=metadata)
        for _ in range(2)
    ])  # fmt: skip
    assert all(r.status == 200 and r.text == "" for r in ok)
    note = (await app.fake.wait_for("chat.postEphemeral"))[0].args
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    await app.fake.settle()
    assert note["user"] == BOSS and "assigned to <@U0002>" in note["text"]
    assert dm["channel"] == "U0002" and "€12,000.00" in json.dumps(dm["blocks"], ensure_ascii=False)
    assert (
        len(app.fake.calls_to("chat.postMessage")) == 1 and len(app.fake.calls_to("chat.postEphemeral")) == 1
    )
    deal = await the_lead(app.db)
    assert (deal.amount_minor, deal.currency, deal.notes) == (1_200_000, "EUR", "from the fair")


# --- the assignee's buttons ----------------------------------------------------------------------


async def test_accept_marks_the_lead_and_redraws_the_dm_once(app):
    await setup(app, "U0002")
    await new_lead(app)
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    value = button(dm, "lead_accept")
    clicks = [app.send.action("lead_accept", value, user="U0002", channel="DU0002") for _ in range(2)]
    await asyncio.gather(*clicks)
    update_call = (await app.fake.wait_for("chat.update"))[0].args
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.update")) == 1
    assert update_call["channel"] == "DU0002" and "You accepted" in update_call["text"]
    assert "lead_pass" not in json.dumps(update_call["blocks"], ensure_ascii=False)
    assert (await the_lead(app.db)).accepted_at is not None
    await app.send.action("lead_pass", value, user="U0002", channel="DU0002")  # too late to pass
    refusal = (await app.fake.wait_for("response_url"))[0].args
    assert "already accepted" in refusal["text"]
    assert await lead_owners(app.db) == ["U0002"]


async def test_pass_back_goes_to_the_next_rep_never_back_to_the_passer(app):
    await setup(app, "U0002", "U0003", "U0004")
    await give_deals(app, "U0003", 100)
    await give_deals(app, "U0004", 100, 100)
    await new_lead(app)
    first = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert first["channel"] == "U0002"  # 0 open deals; after passing it still has the fewest
    value = button(first, "lead_pass")
    await asyncio.gather(
        *[app.send.action("lead_pass", value, user="U0002", channel="DU0002") for _ in range(2)]
    )
    handed = (await app.fake.wait_for("chat.postMessage", count=2))[1].args
    await app.fake.settle()
    assert handed["channel"] == "U0003" and "Passed on by <@U0002>" in json.dumps(
        handed["blocks"], ensure_ascii=False
    )
    assert len(app.fake.calls_to("chat.postMessage")) == 2  # the double click handed it on once
    redraw = app.fake.calls_to("chat.update")[0].args
    assert redraw["channel"] == "DU0002" and "on to <@U0003>" in redraw["text"]
    assert await lead_owners(app.db) == ["U0003"]
    # The passer's stale Accept does nothing; the new owner's buttons name the new owner.
    await app.send.action("lead_accept", value, user="U0002", channel="DU0002")
    assert "no longer yours" in (await app.fake.wait_for("response_url"))[0].args["text"]
    assert button(handed, "lead_accept") != value
    assert (await the_lead(app.db)).accepted_at is None


async def test_a_pass_by_someone_else_is_refused(app):
    ids = await setup(app, "U0002", "U0003")
    await new_lead(app)
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert dm["channel"] == "U0002"
    value = button(dm, "lead_pass")
    await app.send.action("lead_pass", value, user="U0003", channel="DU0003")
    deal_id = value.split(":")[0]
    await app.send.action("lead_pass", f"{deal_id}:{ids['U0003']}", user="U0003")  # a forged owner
    notes = [c.args["text"] for c in await app.fake.wait_for("response_url", count=2)]
    assert any("isn't yours" in n for n in notes) and any("no longer yours" in n for n in notes)
    await app.fake.settle()
    assert await lead_owners(app.db) == ["U0002"] and len(app.fake.calls_to("chat.postMessage")) == 1


async def test_with_nobody_else_a_pass_keeps_the_lead(app):
    await setup(app, "U0002")
    await new_lead(app)
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    await app.send.action("lead_pass", button(dm, "lead_pass"), user="U0002", channel="DU0002")
    assert "nobody else" in (await app.fake.wait_for("response_url"))[0].args["text"]
    assert await lead_owners(app.db) == ["U0002"]


async def test_buttons_from_another_workspace_find_nothing(app):
    await setup(app, "U0002")
    await new_lead(app)
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    await app.send.action("lead_accept", button(dm, "lead_accept"), user="U0002", team="T0002")
    assert "can't find that lead" in (await app.fake.wait_for("response_url"))[0].args["text"]
    assert (await the_lead(app.db)).accepted_at is None


# --- managers ------------------------------------------------------------------------------------


async def test_a_manager_reassigns_and_the_new_owner_gets_the_dm(app):
    await setup(app, "U0002", "U0003")
    await new_lead(app)
    first = (await app.fake.wait_for("chat.postMessage"))[0].args
    deal = await the_lead(app.db)
    await app.send.action("lead_accept", button(first, "lead_accept"), user="U0002", channel="DU0002")
    await app.fake.wait_for("chat.update")

    refused = await app.send.command("/lead", f"assign {deal.id} <@U0003|li>", user="U0002")
    assert "Only managers" in refused.text
    reply = await app.send.command("/lead", f"assign {deal.id} <@U0003|li>", user=BOSS)
    assert f"#{deal.id}) is now with <@U0003>" in reply.text
    again = await app.send.command("/lead", f"assign #{deal.id} <@U0003|li>", user=BOSS)
    assert "already with <@U0003>" in again.text
    await app.fake.wait_for("chat.postMessage", count=3)
    await app.fake.settle()
    _, note = dms_to(app, "U0002")
    (handed,) = dms_to(app, "U0003")
    assert note["channel"] == "U0002" and "reassigned to <@U0003> by <@U0001>" in note["text"]
    assert handed["channel"] == "U0003" and "Assigned by <@U0001>" in json.dumps(
        handed["blocks"], ensure_ascii=False
    )
    moved = await the_lead(app.db)
    assert moved.accepted_at is None  # the new owner accepts for themself
    async with app.db.session() as session:
        owner = await session.get(Member, moved.owner_id)
        customer = await session.get(Customer, moved.customer_id)
    assert owner.slack_user_id == "U0003" and owner.last_lead_at is not None
    assert customer.owner_id == owner.id
    await app.send.action("lead_accept", button(handed, "lead_accept"), user="U0003", channel="DU0003")
    await app.fake.wait_for("chat.update", count=2)
    assert (await the_lead(app.db)).accepted_at is not None


async def test_reassigning_to_nobody_useful_is_refused(app):
    await setup(app, "U0002")
    await add_member(app, "UBOTX", slack={"is_bot": True})
    await new_lead(app)
    deal = await the_lead(app.db)
    app.fake.fail_next("users.info", "user_not_found")
    cases = [
        (f"assign {deal.id} <@U0NOBODY|ghost>", "can't find <@U0NOBODY>"),
        (f"assign {deal.id} <@UBOTX|helper>", "is a bot"),
        (f"assign {deal.id + 100} <@U0002|ana>", "can't find that lead"),
        (f"assign {deal.id}", "/lead assign <lead number> @person"),
    ]
    for text, message in cases:
        reply = await app.send.command("/lead", text, user=BOSS)
        assert message in reply.text, (text, reply.text)
    assert await lead_owners(app.db) == ["U0002"]
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_a_manager_reassigns_with_the_menu_on_the_confirmation(app):
    await setup(app, "U0002", "U0003")
    reply = await new_lead(app)
    menu_block = next(b for b in reply.json["blocks"] if b["type"] == "actions")
    assert menu_block["elements"][0]["type"] == "users_select"
    await app.fake.wait_for("chat.postMessage")

    def menu_click(user: str, selected: str) -> dict:
        payload = app.send.action_payload("lead_reassign", "", user=user)
        payload["actions"][0].update(
            type="users_select", block_id=menu_block["block_id"], selected_user=selected
        )
        payload["actions"][0].pop("value")
        return payload

    await app.send.interactive(menu_click("U0002", "U0002"))  # a rep cannot use a manager's menu
    await app.send.interactive(menu_click(BOSS, "U0003"))
    notes = [c.args["text"] for c in await app.fake.wait_for("response_url", count=2)]
    assert "Only managers" in notes[0]
    assert "is now with <@U0003>" in notes[1]
    async with app.db.session() as session:
        owner = await session.get(Member, (await the_lead(app.db)).owner_id)
    assert owner.slack_user_id == "U0003"
    assert len(dms_to(app, "U0003")) == 1


async def test_reps_get_no_reassign_menu(app):
    await setup(app, "U0002", boss_role="rep")
    reply = await new_lead(app)
    assert all(b["type"] != "actions" for b in reply.json["blocks"])
