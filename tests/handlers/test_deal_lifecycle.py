"""The deal lifecycle through signed requests (issue 16, item 1): a deal card openable any time, with
edit, reassign, reopen, delete and their history; `/deal undo`; totals that follow the corrected
values; the celebration kept in step; big wins held for a manager's approval.

People come from the leaderboard tests' seed: U0001 (boss) is a workspace admin, so a manager;
U0002 (ana) and U0003 (li) are reps. The clock is the real one: deals are won "now".
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from storage.models import Deal, DealHistory, Member, SlackOutbox
from tests.handlers.test_leaderboard import seed_team
from tests.slack_requests import date_value, external_value, select_value, text_value

BOSS, ANA, LI = "U0001", "U0002", "U0003"


def buttons(blocks: list[dict]) -> dict[str, str]:
    """{action_id: value} of every button on a card (actions blocks and section accessories)."""
    found = {}
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], element["value"])
    return found


def edit_values(view: dict, **overrides) -> dict:
    """What Slack sends back for the edit form as it was opened, with some fields changed."""
    values = {}
    for block in view["blocks"]:
        element = block.get("element")
        if block["type"] != "input" or element is None:
            continue
        if element["type"] == "plain_text_input":
            values[block["block_id"]] = text_value(element.get("initial_value"))
        elif element["type"] == "static_select":
            values[block["block_id"]] = select_value((element.get("initial_option") or {}).get("value"))
        elif element["type"] == "datepicker":
            values[block["block_id"]] = date_value(element.get("initial_date"))
        elif element["type"] == "external_select":  # the customer picker (type-ahead)
            chosen = (element.get("initial_option") or {}).get("value")
            values[block["block_id"]] = external_value(element["action_id"], chosen)
        elif element["type"] == "users_select":
            values[block["block_id"]] = {
                "value": {"type": "users_select", "selected_user": element["initial_user"]}
            }
    values.update(overrides)
    return values


async def the_deal(app, customer: str) -> Deal | None:
    async with app.db.session() as session:
        deals = (await session.scalars(select(Deal))).all()
    return next((d for d in deals if d.customer.name.casefold() == customer.casefold()), None)


async def open_from_list(app, user: str, customer: str) -> dict:
    """`/deal list`, then the deal's Open button: the card the app answers with (ephemeral)."""
    listing = await app.send.command("/deal", "list", user=user)
    rows = [b for b in listing.json["blocks"] if customer in str(b) and b.get("accessory")]
    assert rows, listing.json["blocks"]
    open_value = rows[0]["accessory"]["value"]
    assert rows[0]["accessory"]["action_id"] == "deal_open"
    seen = len(app.fake.calls_to("response_url"))
    await app.send.action("deal_open", open_value, user=user, ephemeral=True)
    card = (await app.fake.wait_for("response_url", count=seen + 1))[-1].args
    assert card.get("replace_original") is False
    return card


async def edit_through_the_form(app, user: str, card: dict, **changes) -> None:
    seen = len(app.fake.calls_to("views.open"))
    await app.send.action("deal_edit", buttons(card["blocks"])["deal_edit"], user=user, ephemeral=True)
    view = (await app.fake.wait_for("views.open", count=seen + 1))[-1].args["view"]
    assert view["callback_id"] == "deal_edit"
    reply = await app.send.view_submission(
        "deal_edit", edit_values(view, **changes), user=user, private_metadata=view["private_metadata"]
    )
    assert reply.status == 200 and reply.text == "", reply.text


def local_today(zone: str = "Asia/Shanghai") -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


async def test_a_mistyped_win_is_corrected_everywhere_and_a_deleted_one_leaves_the_board(app):
    await seed_team(app)
    today = local_today()
    goal = await app.send.command("/goal", "set <@U0002|ana> revenue 100k month", user=BOSS)
    assert goal.status == 200
    sprint = f'new "Sprint" metric:revenue from:{today} to:{today + dt.timedelta(days=7)}'
    assert (await app.send.command("/contest", sprint, user=BOSS)).status == 200

    # ana means 12k and types 1.2m
    await app.send.command("/deal", "won 1.2m initech", user=ANA)
    celebration = (await app.fake.wait_for("chat.postMessage"))[0]
    assert "$1,200,000.00" in celebration.args["text"]
    assert "$1,200,000.00" in str((await app.send.command("/leaderboard", "", user=ANA)).json)

    card = await open_from_list(app, ANA, "initech")
    await edit_through_the_form(app, ANA, card, amount=text_value("12k"))
    await app.fake.wait_for("chat.update")
    deal = await the_deal(app, "initech")
    assert (deal.amount_minor, deal.currency, deal.stage) == (1_200_000, "USD", "won")
    # the celebration message says 12k: updated in place, not posted again
    update_call = (await app.fake.wait_for("chat.update"))[0].args
    assert update_call["ts"] == deal.celebration_ts and "$12,000.00" in update_call["text"]
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    # the card (redrawn where it was) shows the change in its history
    redrawn = app.fake.calls_to("response_url")[-1].args
    assert redrawn["replace_original"] is True
    history = next(b for b in redrawn["blocks"] if b.get("block_id") == "deal_history")
    assert "amount: $1,200,000.00 → $12,000.00" in str(history)
    # every board, goal and contest follows the corrected amount
    board = str((await app.send.command("/leaderboard", "", user=ANA)).json)
    assert "$12,000.00" in board and "1,200,000" not in board
    goals = str((await app.send.command("/goal", "", user=ANA)).json)
    assert "12.0% · $12,000.00 of $100,000.00" in goals and "1,200,000" not in goals
    standings = str((await app.send.command("/contest", "", user=ANA)).json)
    assert "$12,000.00" in standings and "1,200,000" not in standings

    # li's win, deleted by the manager: it leaves the board; its celebration is withdrawn
    await app.send.command("/deal", "won 5k Globex", user=LI)
    await app.fake.wait_for("chat.postMessage", count=2)
    await app.fake.settle()
    assert "$5,000.00" in str((await app.send.command("/leaderboard", "", user=BOSS)).json)
    globex = await the_deal(app, "globex")
    boss_card = (await app.send.command("/deal", str(globex.id), user=BOSS)).json
    assert "deal_reassign" in buttons(boss_card["blocks"])  # a manager's card
    await app.send.action(
        "deal_delete", buttons(boss_card["blocks"])["deal_delete"], user=BOSS, ephemeral=True
    )
    withdrawn = (await app.fake.wait_for("chat.update", count=2))[-1].args
    assert withdrawn["ts"] == globex.celebration_ts and "Withdrawn" in withdrawn["text"]
    assert await the_deal(app, "globex") is None
    board = str((await app.send.command("/leaderboard", "", user=BOSS)).json)
    assert "$5,000.00" not in board and "$12,000.00" in board

    # the edit and the delete are in the deals' history, with who did them
    async with app.db.session() as session:
        rows = (
            await session.execute(select(DealHistory.deal_id, DealHistory.action, DealHistory.field))
        ).all()
    assert (deal.id, "edit", "amount") in rows and (globex.id, "delete", "deleted") in rows
    gone = str((await app.send.command("/deal", str(globex.id), user=BOSS)).json)
    assert "was deleted" in gone and "deleted it" in gone and "<@U0001>" in gone


async def test_undo_takes_back_the_last_action_once(app):
    await seed_team(app)
    await app.send.command("/deal", "new 40k Globex", user=ANA)
    card = await open_from_list(app, ANA, "Globex")
    await edit_through_the_form(app, ANA, card, amount=text_value("4k"), title=text_value("Pilot"))
    assert (await the_deal(app, "globex")).amount_minor == 400_000

    reply = await app.send.command("/deal", "undo", user=ANA)
    assert "Undone" in reply.text
    deal = await the_deal(app, "globex")
    assert (deal.amount_minor, deal.title) == (4_000_000, "")
    again = await app.send.command("/deal", "undo", user=ANA)
    assert "Nothing to undo" in again.text
    assert (await the_deal(app, "globex")).amount_minor == 4_000_000

    # undoing a logged win deletes it (and withdraws nothing that was never posted twice)
    await app.send.command("/deal", "won 2k Hooli", user=LI)
    await app.fake.wait_for("chat.postMessage")
    assert "Undone" in (await app.send.command("/deal", "undo", user=LI)).text
    assert await the_deal(app, "hooli") is None
    assert "Withdrawn" in (await app.fake.wait_for("chat.update"))[0].args["text"]


async def test_undo_brings_a_deleted_deal_back_with_its_history(app):
    await seed_team(app)
    await app.send.command("/deal", "won 3k Initech", user=ANA)
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()  # the post's ts is recorded after Slack answers
    deal = await the_deal(app, "initech")
    card = (await app.send.command("/deal", str(deal.id), user=ANA)).json
    await app.send.action("deal_delete", buttons(card["blocks"])["deal_delete"], user=ANA, ephemeral=True)
    await app.fake.wait_for("chat.update")
    assert await the_deal(app, "initech") is None

    assert "Undone" in (await app.send.command("/deal", "undo", user=ANA)).text
    back = await the_deal(app, "initech")
    assert (back.id, back.amount_minor, back.stage, back.celebration_ts) == (
        deal.id,
        300_000,
        "won",
        deal.celebration_ts,
    )
    restored = (await app.fake.wait_for("chat.update", count=2))[-1].args  # the celebration is back too
    assert "$3,000.00" in restored["text"] and "Withdrawn" not in restored["text"]
    lines = str((await app.send.command("/deal", str(deal.id), user=ANA)).json)
    assert "deleted it" in lines and "undid a change" in lines


async def test_who_may_delete_reassign_and_reopen(app):
    _workspace, members = await seed_team(app)
    await app.send.command("/deal", "won 3k Initech", user=ANA)
    deal = await the_deal(app, "initech")
    # another rep sees the deal, not its buttons; a forged click changes nothing
    li_card = (await app.send.command("/deal", str(deal.id), user=LI)).json
    assert "deal_delete" not in buttons(li_card["blocks"])
    await app.send.action("deal_delete", str(deal.id), user=LI)
    assert "Only the deal" in (await app.fake.wait_for("response_url"))[-1].args["text"]
    # the owner, a day later, may not delete it; a manager may
    async with app.db.session() as session:
        await session.execute(
            update(Deal).where(Deal.id == deal.id).values(created_at=deal.created_at - dt.timedelta(days=2))
        )
    await app.send.action("deal_delete", str(deal.id), user=ANA)
    assert "within 24 hours" in (await app.fake.wait_for("response_url", count=2))[-1].args["text"]
    assert await the_deal(app, "initech") is not None

    # reps cannot reassign; managers can, through the reassign form
    await app.send.view_submission(
        "deal_reassign",
        {"owner": {"value": {"type": "users_select", "selected_user": LI}}},
        user=ANA,
        private_metadata=json.dumps({"deal": deal.id}),
    )
    assert (await the_deal(app, "initech")).owner_id == members[ANA].id
    reply = await app.send.view_submission(
        "deal_reassign",
        {"owner": {"value": {"type": "users_select", "selected_user": LI}}},
        user=BOSS,
        private_metadata=json.dumps({"deal": deal.id}),
    )
    assert reply.status == 200 and reply.text == ""
    assert (await the_deal(app, "initech")).owner_id == members[LI].id

    # reopen a won deal: back to the stage it was closed from (lead: it was logged as won)
    await app.send.action("deal_reopen", str(deal.id), user=BOSS, ephemeral=True)
    await app.fake.settle()
    reopened = await the_deal(app, "initech")
    assert (reopened.stage, reopened.closed_at) == ("negotiation", None)


async def test_open_from_app_home_shows_the_card_in_a_modal(app):
    await seed_team(app)
    await app.send.command("/deal", "new 40k Globex stage:proposal", user=ANA)
    deal = await the_deal(app, "globex")
    data = app.send.action_payload("deal_open", str(deal.id), user=ANA)
    data["container"] = {"type": "view", "view_id": "VHOME"}
    data["view"] = {"id": "VHOME", "type": "home"}
    data.pop("channel", None)
    data.pop("message", None)
    data.pop("response_url", None)
    await app.send.interactive(data)
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "deal_card" and "deal_edit" in buttons(view["blocks"])

    # a button on that modal card redraws the modal (views.update), no channel needed
    click = app.send.action_payload("deal_advance", f"{deal.id}:negotiation", user=ANA)
    click["container"] = {"type": "view", "view_id": "VCARD"}
    click["view"] = {"id": "VCARD", "type": "modal"}
    for key in ("channel", "message", "response_url"):
        click.pop(key, None)
    await app.send.interactive(click)
    updated = (await app.fake.wait_for("views.update"))[0].args
    assert updated["view_id"] == "VCARD" and "Negotiation" in str(updated["view"]["blocks"])


async def test_a_big_win_waits_for_another_managers_approval(app):
    _workspace, members = await seed_team(app)
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.id == members["U0005"].id).values(role="manager"))
    refused = await app.send.command("/deal", "approval 50000", user=ANA)
    assert "manager" in refused.text.lower()
    assert "$50,000.00" in (await app.send.command("/deal", "approval 50000", user=BOSS)).text
    assert "$50,000.00" in (await app.send.command("/deal", "approval", user=ANA)).text  # anyone may look
    assert "is not an amount" in (await app.send.command("/deal", "approval lots", user=BOSS)).text

    await app.send.command("/deal", "won 1.2m Initech", user=ANA)
    requests = await app.fake.wait_for("chat.postMessage", count=2)  # one DM per manager, no celebration
    await app.fake.settle()
    assert sorted(c.args["channel"] for c in app.fake.calls_to("chat.postMessage")) == [BOSS, "U0005"]
    approval = requests[0].args
    assert "approval" in approval["text"] and "deal_approve" in buttons(approval["blocks"])

    deal = await the_deal(app, "initech")
    await app.send.action("deal_approve", str(deal.id), user=BOSS)
    await app.send.action("deal_approve", str(deal.id), user="U0005")  # the other manager, too late
    posts = await app.fake.wait_for("chat.postMessage", count=3)
    await app.fake.settle()
    assert [c.args["channel"] for c in app.fake.calls_to("chat.postMessage")].count("C0001") == 1
    assert "$1,200,000.00" in posts[-1].args["text"]

    # a small win is celebrated at once; a declined big one reopens and is never celebrated
    await app.send.command("/deal", "won 2k Hooli", user=LI)
    await app.send.command("/deal", "won 90k Globex", user=LI)
    await app.fake.wait_for("chat.postMessage", count=6)
    globex = await the_deal(app, "globex")
    await app.send.action("deal_decline", str(globex.id), user=BOSS)
    await app.fake.wait_for("chat.postMessage", count=7)  # li hears it was declined
    await app.fake.settle()
    assert (await the_deal(app, "globex")).stage == "negotiation"
    async with app.db.session() as session:
        rows = {r.dedupe_key: r.status for r in await session.scalars(select(SlackOutbox))}
    assert rows[f"celebration:{globex.id}"] == "cancelled"
    assert "Globex" not in str(
        [c.args for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == "C0001"]
    )
