"""Reaction kudos: private text stays private, and add/remove in any order ends as Slack ends.

Issue 17, items 6 and 13. Events go through signed requests into the running app.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Kudos, KudosGive, PointsEntry
from tests.reliability.effects import settled

MESSAGE_TS = "1800000000.000200"
SECRET = "Salary bands for 2027 attached"


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def points_total(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)))


def permalink(channel: str) -> str:
    return f"https://acme-sales.slack.com/archives/{channel}/p{MESSAGE_TS.replace('.', '')}"


async def clap(app, channel: str, event_id: str) -> dict:
    """A :clap: from U0004 on U0003's message in `channel`; the card the bot posted for it."""
    app.fake.add_message(channel, MESSAGE_TS, "U0003", SECRET)
    reply = await app.send.event(
        "event_reaction_added",
        event_id=event_id,
        item={"type": "message", "channel": channel, "ts": MESSAGE_TS},
    )
    assert reply.status == 200
    return (await app.fake.wait_for("chat.postMessage"))[0].args


# --- item 6: what the card shows ----------------------------------------------------------------


async def test_a_clap_in_a_private_channel_links_to_the_message_without_its_text(app):
    # A private channel whose id starts with C, as newer ones do: the prefix says nothing.
    app.fake.add_channel("C0SECRET", "private")
    card = await clap(app, "C0SECRET", "EvP1")
    assert SECRET not in str(card)
    assert permalink("C0SECRET") in card["text"]
    assert not app.fake.calls_to("conversations.history")  # the private text is not even read
    assert await count(app.db, Kudos) == 1


async def test_a_clap_in_a_dm_links_to_the_message_without_its_text(app):
    app.fake.add_channel("D0DIRECT", "im")
    card = await clap(app, "D0DIRECT", "EvP2")
    assert SECRET not in str(card)
    assert permalink("D0DIRECT") in card["text"]


async def test_a_public_message_is_not_quoted_into_another_channel(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels kudos <#C0KUDOS|kudos>")
    app.fake.add_channel("C0001", "public")
    card = await clap(app, "C0001", "EvP3")
    assert card["channel"] == "C0KUDOS"
    assert SECRET not in str(card)
    assert permalink("C0001") in card["text"]


async def test_a_private_message_is_not_quoted_into_the_public_kudos_channel(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels kudos <#C0KUDOS|kudos>")
    app.fake.add_channel("G0PRIVATE", "private")
    card = await clap(app, "G0PRIVATE", "EvP4")
    assert card["channel"] == "C0KUDOS"
    assert SECRET not in str(card)
    assert permalink("G0PRIVATE") in card["text"]


async def test_a_public_message_is_quoted_in_its_own_thread(app):
    app.fake.add_channel("C0001", "public")
    card = await clap(app, "C0001", "EvP5")
    assert card["channel"] == "C0001" and card["thread_ts"] == MESSAGE_TS
    assert SECRET in card["text"]


# --- item 13: out of order and concurrent -------------------------------------------------------


async def added(app, event_id: str, event_ts: str, retry_num: int | None = None):
    """Send the event and wait for the work it starts (events are applied after their ack): on a
    busy machine a quiet moment in Slack calls is no sign that the database was written."""
    (reply,) = await settled(
        app.send.event("event_reaction_added", event_id=event_id, event_ts=event_ts, retry_num=retry_num)
    )
    return reply


async def removed(app, event_id: str, event_ts: str, retry_num: int | None = None):
    (reply,) = await settled(
        app.send.event("event_reaction_removed", event_id=event_id, event_ts=event_ts, retry_num=retry_num)
    )
    return reply


async def assert_no_kudos_left(app) -> None:
    await app.fake.settle()
    assert await count(app.db, Kudos) == 0
    assert await count(app.db, KudosGive) == 0
    assert await points_total(app.db) == 0
    # every card posted was taken down again
    assert len(app.fake.calls_to("chat.postMessage")) == len(app.fake.calls_to("chat.delete"))


async def test_a_removal_delivered_before_its_add_leaves_nothing(app):
    app.fake.add_message("C0001", MESSAGE_TS, "U0003", "Closed Initech")
    assert (await removed(app, "EvO2", "1800000004.000100")).status == 200
    assert (await added(app, "EvO1", "1800000003.000300")).status == 200
    await assert_no_kudos_left(app)


async def test_add_and_remove_sent_together_end_as_slack_ended(app):
    app.fake.add_message("C0001", MESSAGE_TS, "U0003", "Closed Initech")
    for round_ in range(3):
        base = 1800000010 + round_ * 10
        # Slack: added at base, removed at base+1 — delivered at the same time.
        replies = await asyncio.gather(
            added(app, f"EvC{round_}a", f"{base}.000100"), removed(app, f"EvC{round_}r", f"{base + 1}.000100")
        )
        assert all(r.status == 200 for r in replies)
        await assert_no_kudos_left(app)
    # Re-added later (removed at base+1, added again at base+5) and a stale removal racing it.
    replies = await asyncio.gather(
        removed(app, "EvC9r", "1800000031.000100"), added(app, "EvC9a", "1800000035.000100")
    )
    assert all(r.status == 200 for r in replies)
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1
    assert await points_total(app.db) == 1


async def test_retries_of_add_and_remove_stay_idempotent(app):
    app.fake.add_message("C0001", MESSAGE_TS, "U0003", "Closed Initech")
    await added(app, "EvI1", "1800000003.000300")
    await app.fake.wait_for("chat.postMessage")
    await removed(app, "EvI2", "1800000004.000100")
    for n in (1, 2, 3):
        await added(app, "EvI1", "1800000003.000300", retry_num=n)
        await removed(app, "EvI2", "1800000004.000100", retry_num=n)
    # The same add delivered again under a new event id (Slack does that) is still the old add.
    await added(app, "EvI3", "1800000003.000300")
    await assert_no_kudos_left(app)
    assert len(app.fake.calls_to("chat.postMessage")) == 1

    # A real re-add after the removal counts again, once.
    await added(app, "EvI4", "1800000009.000100")
    await added(app, "EvI4", "1800000009.000100", retry_num=1)
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1
    assert await points_total(app.db) == 1


async def test_an_event_without_a_usable_stamp_is_taken_as_the_latest(app):
    app.fake.add_message("C0001", MESSAGE_TS, "U0003", "Closed Initech")
    await added(app, "EvS1", "1800000003.000300")
    await app.fake.wait_for("chat.postMessage")
    await removed(app, "EvS2", "NaN")
    await assert_no_kudos_left(app)
    await added(app, "EvS3", "9" * 400)
    await app.fake.settle()
    assert await count(app.db, Kudos) == 1
