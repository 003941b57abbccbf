"""Kudos through signed requests: /kudos, reactions, allowance, Me too, Undo, settings, stats."""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import func, select

from storage.models import Kudos, KudosGive

ANA, LI, SAM, BOT = "<@U0002|ana>", "<@U0003|li>", "<@U0004|sam>", "<@UBOTX|helper>"


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def receivers_of_all_kudos(db) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.execute(select(Kudos.giver_id, Kudos.receiver_id).order_by(Kudos.id))
        return list(rows)


def card_value(call, action_id: str) -> str:
    for block in call.args["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} on the card")


async def test_kudos_to_three_people_writes_three_and_posts_one_card(app):
    reply = await app.send.command("/kudos", f"{ANA} {LI} {SAM} for the Acme demo #teamwork")
    assert reply.status == 200
    assert "You have 2 left today" in reply.text
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert card["channel"] == "C0001"
    assert all(f"<@{u}>" in card["text"] for u in ("U0001", "U0002", "U0003", "U0004"))
    assert "for the Acme demo" in card["text"] and "#teamwork" in str(card["blocks"])
    assert await count(app.db, Kudos) == 3
    assert await count(app.db, KudosGive) == 1


async def test_the_kudos_channel_setting_is_used(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels kudos <#C0KUDOS|kudos>")
    await app.send.command("/kudos", f"{ANA} thanks for the help")
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert card["channel"] == "C0KUDOS"


async def test_bad_input_is_refused_and_nothing_is_written(app):
    app.fake.add_user("UBOTX", is_bot=True)
    await app.send.command("/kudos", "help")  # the giver is known from here on
    app.fake.fail_next("users.info", "user_not_found")  # the next lookup: U0NOBODY
    cases = [
        ("<@U0NOBODY|ghost> thanks", "couldn't find @ghost in this workspace — pick them from the @ menu"),
        ("thanks everyone", "Mention who you are thanking"),
        (f"{ANA}", "Say what you are thanking them for"),
        (f"{ANA} " + "x" * 1001, "too long"),
        (f"{ANA} {LI} {BOT} for the launch", "is a bot"),  # one bad receiver: nobody gets kudos
        ("<@U0001|me> for being me", "can't give them to yourself"),
        ("<!subteam^S0001|@sales> for the quarter", "not groups"),
        (f"{ANA} for the demo #synergy", "`#synergy` is not one of the team's values"),
    ]
    for text, message in cases:
        reply = await app.send.command("/kudos", text)
        assert reply.status == 200
        assert message in reply.text, (text, reply.text)
    await app.fake.settle()
    assert await count(app.db, Kudos) == 0
    assert app.fake.calls_to("chat.postMessage") == []


async def test_mass_mentions_in_the_message_are_escaped(app):
    await app.send.command("/kudos", f"{ANA} for <!channel> & <!here> support")
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "<!channel>" not in card["text"] and "<!here>" not in card["text"]
    assert "&lt;!channel&gt; &amp; &lt;!here&gt;" in card["text"]


async def test_same_trigger_twice_gives_once(app):
    replies = await asyncio.gather(
        *[app.send.command("/kudos", f"{ANA} for the demo", trigger_id="trigger.kudos") for _ in range(2)]
    )
    assert all(r.status == 200 for r in replies)
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_allowance_resets_at_each_givers_own_midnight(app):
    app.fake.add_user("U0001", tz="Asia/Shanghai", is_admin=True)
    app.fake.add_user("U0005", tz="America/New_York")
    await app.send.command("/dealbell", "kudos allowance 2")
    with time_machine.travel(dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC), tick=True):
        # 23:30 in Shanghai, 10:30 in New York
        for giver in ("U0001", "U0005"):
            assert (
                "You have 0 left"
                in (await app.send.command("/kudos", f"{ANA} {LI} for the demo", user=giver)).text
            )
        refused = await app.send.command("/kudos", f"{SAM} for the notes")
        assert "0 of your 2 kudos left" in refused.text and "30 minutes" in refused.text
    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 5, tzinfo=dt.UTC), tick=True):
        # 00:05 in Shanghai: a new day there; still 11:05 in New York
        assert "You have 1 left" in (await app.send.command("/kudos", f"{SAM} for the notes")).text
        refused = await app.send.command("/kudos", f"{SAM} for the notes", user="U0005")
        assert "0 of your 2 kudos left" in refused.text and "13 hours" in refused.text
    with time_machine.travel(dt.datetime(2026, 11, 28, 5, 5, tzinfo=dt.UTC), tick=True):
        # 00:05 in New York
        assert (
            "You have 1 left" in (await app.send.command("/kudos", f"{SAM} for the notes", user="U0005")).text
        )
    assert await count(app.db, Kudos) == 6


async def test_over_allowance_multi_give_writes_nothing(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "kudos allowance 2")
    reply = await app.send.command("/kudos", f"{ANA} {LI} {SAM} for the demo")
    assert "2 of your 2 kudos left" in reply.text and "Nothing was sent" in reply.text
    assert await count(app.db, Kudos) == 0


async def test_me_too_counts_once_per_person_and_never_for_receivers(app):
    await app.send.command("/kudos", f"{ANA} {LI} for the demo")
    card = (await app.fake.wait_for("chat.postMessage"))[0]
    value = card_value(card, "kudos_metoo")
    await asyncio.gather(*[app.send.action("kudos_metoo", value, user="U0009") for _ in range(3)])
    await app.send.action("kudos_metoo", value, user="U0002")  # a receiver
    await app.send.action("kudos_metoo", value, user="U0001")  # the giver
    await app.fake.wait_for("response_url", count=3)
    await app.fake.settle()
    notes = [c.args["text"] for c in app.fake.calls_to("response_url")]
    assert sum("You joined in. You have 3 kudos left" in n for n in notes) == 1
    assert any("one of the people being thanked" in n for n in notes)
    assert any("already from you" in n for n in notes)
    assert await count(app.db, Kudos) == 4  # 2 from the giver, 2 from U0009
    update = app.fake.calls_to("chat.update")[-1].args
    assert "Also from <@U0009>" in str(update["blocks"])


async def test_undo_within_five_minutes_only_by_the_giver(app):
    start = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=True):
        await app.send.command("/kudos", f"{ANA} for the demo")
        await app.send.command("/kudos", f"{LI} for the docs")
    first, second = await app.fake.wait_for("chat.postMessage", count=2)
    # Each answer comes by response_url after the ack: wait for it before the next click, so the
    # notes arrive in the order of the clicks.
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=True):
        await app.send.action("kudos_undo", card_value(first, "kudos_undo"), user="U0002")  # not the giver
        await app.fake.wait_for("response_url", count=1)
        await app.send.action("kudos_undo", card_value(first, "kudos_undo"))
        await app.fake.wait_for("response_url", count=2)
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=True):
        await app.send.action("kudos_undo", card_value(second, "kudos_undo"))
    notes = [c.args["text"] for c in await app.fake.wait_for("response_url", count=3)]
    assert "Only the person who gave" in notes[0]
    assert "withdrawn" in notes[1]
    assert "within 5 minutes" in notes[2]
    update = (await app.fake.wait_for("chat.update"))[0].args
    assert update["ts"] == first.args.get("ts", update["ts"]) and "withdrawn by <@U0001>" in update["text"]
    async with app.db.session() as session:
        left = (await session.execute(select(Kudos.receiver_id))).scalars().all()
    assert len(left) == 1  # only the second give survives


async def test_reaction_gives_and_removing_it_takes_back(app):
    app.fake.add_message("C0001", "1800000000.000200", "U0003", "Closed Initech <!here>, thanks all")
    reply = await app.send.event("event_reaction_added", event_id="EvR1")
    assert reply.status == 200
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert card["thread_ts"] == "1800000000.000200"
    assert "<@U0004>" in card["text"] and "<@U0003>" in card["text"]
    assert "Closed Initech &lt;!here&gt;, thanks all" in card["text"]
    ephemeral = (await app.fake.wait_for("chat.postEphemeral"))[0].args
    assert ephemeral["user"] == "U0004" and "4 left today" in ephemeral["text"]
    assert await count(app.db, Kudos) == 1

    await app.send.event("event_reaction_removed", event_id="EvR2")
    deleted = (await app.fake.wait_for("chat.delete"))[0].args
    assert deleted["channel"] == card["channel"]
    assert await count(app.db, Kudos) == 0


async def test_a_retried_reaction_event_counts_once(app):
    app.fake.add_message("C0001", "1800000000.000200", "U0003", "Closed Initech")
    first = await app.send.event("event_reaction_added", event_id="EvR9")
    retries = [await app.send.event("event_reaction_added", event_id="EvR9", retry_num=n) for n in (1, 2, 3)]
    # Slack may also deliver the same reaction under a new event id: the natural key holds it.
    again = await app.send.event("event_reaction_added", event_id="EvR10")
    assert all(r.status == 200 for r in [first, *retries, again])
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_other_reactions_and_self_reactions_are_ignored(app):
    await app.send.event("event_reaction_added", event_id="EvR20", reaction="thumbsup")
    await app.send.event("event_reaction_added", event_id="EvR21", item_user="U0004")  # own message
    await app.fake.settle()
    assert await count(app.db, Kudos) == 0
    assert app.fake.calls_to("chat.postMessage") == []


async def test_skin_tone_and_configured_emoji(app):
    app.fake.add_user("U0004", is_admin=True)
    reply = await app.send.command("/dealbell", "kudos emoji :tada:", user="U0004")
    assert ":tada:" in reply.text
    await app.send.event("event_reaction_added", event_id="EvR30")  # clap no longer counts
    await app.send.event("event_reaction_added", event_id="EvR31", reaction="tada::skin-tone-3")
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1


async def test_modal_gives_kudos_and_shows_field_errors(app):
    from tests.slack_requests import select_value, text_value

    def values(users, message, value=None):
        return {
            "receivers": {"value": {"type": "multi_users_select", "selected_users": users}},
            "message": text_value(message),
            "value": select_value(value),
        }

    bad = await app.send.view_submission("kudos_new", values(["U0002"], "  "), view_id="VK1")
    assert bad.json["response_action"] == "errors" and "message" in bad.json["errors"]
    self_kudos = await app.send.view_submission("kudos_new", values(["U0001"], "me"), view_id="VK2")
    assert "receivers" in self_kudos.json["errors"]
    ok = [
        await app.send.view_submission(
            "kudos_new",
            values(["U0002", "U0003"], "great call", "ownership"),
            view_id="VK3",
            private_metadata='{"channel": "C0001"}',
        )
        for _ in range(2)
    ]
    assert all(r.status == 200 and r.text == "" for r in ok)
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    note = (await app.fake.wait_for("chat.postEphemeral"))[0].args
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1  # a double submit posts one card
    assert card["channel"] == "C0001" and "#ownership" in str(card["blocks"])
    assert "You have 3 left today" in note["text"] and note["user"] == "U0001"
    assert await count(app.db, Kudos) == 2
    await app.send.command("/kudos", "", trigger_id="trigger.kmodal")
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "kudos_new"


async def test_values_settings_and_required_value(app):
    reply = await app.send.command("/dealbell", "values add closer")
    assert "Only managers" in reply.text
    app.fake.add_user("U0009", is_owner=True)
    await app.send.command("/dealbell", "values add closer", user="U0009")
    await app.send.command("/dealbell", "values remove innovation", user="U0009")
    reply = await app.send.command("/dealbell", "kudos value-required on", user="U0009")
    assert "#closer" in reply.text and "#innovation" not in reply.text and "Value required: yes" in reply.text
    refused = await app.send.command("/kudos", f"{ANA} for the demo")
    assert "Tag one of the team's values" in refused.text
    assert "You have 4 left" in (await app.send.command("/kudos", f"{ANA} for the demo #closer")).text


async def test_stats_count_received_given_and_values(app):
    await app.send.command("/kudos", f"{ANA} {LI} for the demo #teamwork #ownership")
    await app.send.command("/kudos", "<@U0001|me> for the help #teamwork", user="U0002")
    reply = await app.send.command("/kudos", "stats month")
    text = str(reply.json["blocks"])
    assert "Received: *1* · Given: *2*" in text
    assert "#teamwork 1" in text
    reply = await app.send.command("/kudos", "stats decade")
    assert "`decade` is not a period" in reply.text


async def test_concurrent_gives_never_exceed_the_allowance(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "kudos allowance 3")
    replies = await asyncio.gather(
        *[app.send.command("/kudos", f"{ANA} {LI} for round {n}") for n in range(4)]
    )
    sent = [r for r in replies if "Kudos sent" in r.text]
    refused = [r for r in replies if "Nothing was sent" in r.text]
    assert (len(sent), len(refused)) == (1, 3)
    assert await count(app.db, Kudos) == 2
