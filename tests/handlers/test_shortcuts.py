"""Message (⋯) and global (⚡) shortcuts, sent as Slack sends them (tests/payloads/shortcut_*.json):
each opens the command's form pre-filled, and submitting that form writes once."""

from __future__ import annotations

import asyncio
import copy
import json

from sqlalchemy import func, select

from storage.models import Activity, Deal, FeedbackRequest, Kudos, KudosGive, Member
from tests.slack_requests import payload, select_value, text_value


def message_shortcut(callback_id: str, text: str, author: str = "U0002", **message: str) -> dict:
    data = payload("shortcut_message")
    data["callback_id"] = callback_id
    data["message"].update(text=text, user=author, **message)
    data["trigger_id"] = f"trigger.{callback_id}.{text[:8]}"
    return data


def global_shortcut(callback_id: str) -> dict:
    data = payload("shortcut_global")
    data["callback_id"] = callback_id
    return data


def element(view: dict, block_id: str) -> dict:
    return next(block["element"] for block in view["blocks"] if block["block_id"] == block_id)


async def opened_view(app) -> dict:
    return (await app.fake.wait_for("views.open"))[0].args["view"]


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


def users_value(*users: str) -> dict:
    return {"value": {"type": "multi_users_select", "selected_users": list(users)}}


async def test_give_kudos_for_this_prefills_author_and_named_people_and_the_link(app):
    reply = await app.send.interactive(message_shortcut("kudos_for_message", "<@U0003> nailed the Acme demo"))
    assert reply.status == 200
    view = await opened_view(app)
    assert view["callback_id"] == "kudos_new"
    assert element(view, "receivers")["initial_users"] == ["U0002", "U0003"]
    link = "https://acme-sales.slack.com/archives/C0001/p1583636382000300"
    assert link in element(view, "message")["initial_value"]
    assert json.loads(view["private_metadata"]) == {"channel": "C0001"}

    values = {"receivers": users_value("U0002", "U0003"), "message": text_value(f"For this: {link}"),
              "value": select_value(None)}  # fmt: skip
    submitted = [app.send.view_submission("kudos_new", values, view_id="VK1", private_metadata=view["private_metadata"])
                 for _ in range(2)]  # fmt: skip
    await asyncio.gather(*submitted)  # a double click
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "<@U0002>" in card["text"] and "<@U0003>" in card["text"]
    await app.fake.settle()
    assert (await count(app.db, KudosGive), await count(app.db, Kudos)) == (1, 2)


async def test_give_kudos_for_this_leaves_out_yourself_and_bots(app):
    own = message_shortcut("kudos_for_message", "my own note <@U0004>", author="U0001")
    await app.send.interactive(own)
    view = await opened_view(app)
    assert element(view, "receivers")["initial_users"] == ["U0004"]

    by_bot = message_shortcut("kudos_for_message", "Deal won!", author="UBOT", bot_id="B0001")
    await app.send.interactive(by_bot)
    await app.fake.wait_for("views.open", count=2)
    view = app.fake.calls_to("views.open")[-1].args["view"]
    assert "initial_users" not in element(view, "receivers")


async def test_log_a_deal_from_this_reads_the_message_like_deal_and_writes_once(app):
    await app.send.interactive(message_shortcut("deal_from_message", "we signed Acme for 12k!"))
    view = await opened_view(app)
    assert view["callback_id"] == "deal_new"
    assert element(view, "customer")["initial_option"]["value"] == "Acme"  # the type-ahead picker
    assert element(view, "amount")["initial_value"] == "12k"
    assert element(view, "stage")["initial_option"]["value"] == "won"

    values = {"customer": text_value("Acme"), "title": text_value(None), "amount": text_value("12k"),
              "currency": select_value("USD"), "stage": select_value("won"),
              "close": {"value": {"type": "datepicker", "selected_date": None}}, "notes": text_value(None)}  # fmt: skip
    submitted = [app.send.view_submission("deal_new", copy.deepcopy(values), view_id="VD1",
                                          private_metadata=view["private_metadata"]) for _ in range(2)]  # fmt: skip
    await asyncio.gather(*submitted)
    await app.fake.wait_for("chat.postMessage")  # the win is celebrated
    await app.fake.settle()
    async with app.db.session() as session:
        (deal,) = (await session.scalars(select(Deal))).all()
    assert (deal.amount_minor, deal.currency, deal.stage) == (1_200_000, "USD", "won")


async def test_a_message_without_a_deal_opens_an_empty_form(app):
    await app.send.interactive(message_shortcut("deal_from_message", "see you all tomorrow"))
    view = await opened_view(app)
    assert "initial_option" not in element(view, "customer")
    assert element(view, "stage")["initial_option"]["value"] == "lead"


async def test_global_shortcuts_open_the_commands_forms(app):
    await app.send.interactive(global_shortcut("log_deal"))
    await app.send.interactive(global_shortcut("give_kudos"))
    await app.fake.wait_for("views.open", count=2)
    opened = [call.args["view"]["callback_id"] for call in app.fake.calls_to("views.open")]
    assert sorted(opened) == ["deal_new", "kudos_new"]
    assert await count(app.db, Deal) == 0  # a form opened writes nothing


def follow_up_values(customer: str, next_date: str | None = None) -> dict:
    return {"customer": text_value(customer), "kind": select_value("call"), "note": text_value("renewal"),
            "next": {"value": {"type": "datepicker", "selected_date": next_date}}}  # fmt: skip


async def test_add_follow_up_finds_the_customer_the_message_names_and_logs_once(app):
    await app.send.command("/customer", "add Acme Corp")
    await app.send.interactive(message_shortcut("follow_up_from_message", "Call with acme corp went well"))
    view = await opened_view(app)
    assert view["callback_id"] == "shortcut_follow_up"
    assert element(view, "customer")["initial_value"] == "Acme Corp"
    assert "acme-sales.slack.com/archives/C0001" in element(view, "note")["initial_value"]

    submitted = [app.send.view_submission("shortcut_follow_up", follow_up_values("Acme Corp", "2099-01-15"),
                                          view_id="VF1", private_metadata=view["private_metadata"]) for _ in range(2)]  # fmt: skip
    replies = await asyncio.gather(*submitted)
    assert [reply.text for reply in replies] == ["", ""]
    note = (await app.fake.wait_for("chat.postEphemeral"))[-1].args
    assert "Acme Corp" in note["text"]
    async with app.db.session() as session:
        (activity,) = (await session.scalars(select(Activity))).all()
    assert (activity.kind, str(activity.next_follow_up)) == ("call", "2099-01-15")


async def test_add_follow_up_for_an_unknown_customer_is_refused_under_the_field(app):
    reply = await app.send.view_submission(
        "shortcut_follow_up", follow_up_values("Nobody Inc"), view_id="VF2"
    )
    assert "Nobody Inc" in reply.json["errors"]["customer"]
    assert await count(app.db, Activity) == 0


def feedback_values(subject: str, *askees: str) -> dict:
    return {"subject": {"value": {"type": "users_select", "selected_user": subject}},
            "askees": users_value(*askees)}  # fmt: skip


async def test_request_feedback_runs_the_feedback_request_once_per_form(app):
    app.fake.add_user("U0001", is_admin=True)  # workspace admins count as managers
    await app.send.interactive(global_shortcut("request_feedback"))
    view = await opened_view(app)
    assert view["callback_id"] == "shortcut_feedback_request"
    values = feedback_values("U0002", "U0003", "U0004")
    await asyncio.gather(*[app.send.view_submission("shortcut_feedback_request", values, view_id="VR1")
                           for _ in range(2)])  # fmt: skip
    await app.fake.wait_for("chat.postMessage", count=3)  # two asks, and the manager confirmation
    await app.fake.settle()
    asks = [
        c.args["channel"]
        for c in app.fake.calls_to("chat.postMessage")
        if "asks for your feedback" in c.args["text"]
    ]
    assert sorted(asks) == ["U0003", "U0004"]
    assert await count(app.db, FeedbackRequest) == 1


async def test_request_feedback_is_for_managers_and_says_so_in_the_form(app):
    reply = await app.send.view_submission("shortcut_feedback_request", feedback_values("U0002", "U0003"),
                                           view_id="VR2")  # fmt: skip
    assert "Only managers" in reply.json["errors"]["subject"]
    assert await count(app.db, FeedbackRequest) == 0


async def owner_of_the_deal_from(app, author: str, view_id: str) -> str:
    await app.send.interactive(message_shortcut("deal_from_message", "signed Globex 40k", author=author))
    view = (await app.fake.wait_for("views.open"))[-1].args["view"]
    values = {"customer": text_value("Globex"), "title": text_value(None), "amount": text_value("40k"),
              "currency": select_value("USD"), "stage": select_value("lead"),
              "close": {"value": {"type": "datepicker", "selected_date": None}}, "notes": text_value(None)}  # fmt: skip
    await app.send.view_submission(
        "deal_new", values, view_id=view_id, private_metadata=view["private_metadata"]
    )
    async with app.db.session() as session:
        deal = (await session.scalars(select(Deal).where(Deal.source_key == f"view:{view_id}"))).one()
        return (await session.get(Member, deal.owner_id)).slack_user_id


async def test_a_deal_from_a_reps_message_is_the_reps_and_from_a_managers_yours(app):
    await app.send.command("/deal", "list", user="U0002")  # U0002 is a rep dealbell knows
    assert await owner_of_the_deal_from(app, "U0002", "VO1") == "U0002"
    app.fake.add_user("U0009", is_admin=True)
    await app.send.command("/team", "role <@U0009|boss> manager", user="U0009")
    assert await owner_of_the_deal_from(app, "U0009", "VO2") == "U0001"
