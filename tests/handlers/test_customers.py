"""`/customer` and `/log` through signed HTTP requests: customers, the card, activities, follow-ups."""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import func, select, update

from storage.activities import activities_since
from storage.customers import customers_due_for_follow_up
from storage.models import Activity, Customer, Deal, Member, Workspace

LI, SAM = "<@U0003|li>", "<@U0004|sam>"
NOW = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 28th in Shanghai


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def customer(db, name: str) -> Customer:
    async with db.session() as session:
        return (await session.scalars(select(Customer).where(Customer.name == name))).one()


async def member_id(db, user: str) -> int:
    async with db.session() as session:
        return await session.scalar(select(Member.id).where(Member.slack_user_id == user))


async def activities(db) -> list[Activity]:
    async with db.session() as session:
        return list(await session.scalars(select(Activity).order_by(Activity.id)))


def text_of(reply) -> str:
    """An ack with text only comes back as plain text; with blocks, as JSON."""
    assert reply.status == 200
    return reply.json["text"] if reply.text.startswith("{") else reply.text


async def test_add_then_update_customers_with_owner_and_segment(app):
    added = text_of(await app.send.command("/customer", f'add "Acme Corp" segment:potential owner:{LI}'))
    assert "Customer *Acme Corp* added" in added and "segment: potential" in added and "<@U0003>" in added
    acme = await customer(app.db, "Acme Corp")
    assert (acme.segment, acme.owner_id) == ("potential", await member_id(app.db, "U0003"))

    updated = text_of(await app.send.command("/customer", "add ACME   corp segment:VIP"))
    assert "*Acme Corp* already exists, so I updated it" in updated and "segment: VIP" in updated
    acme = await customer(app.db, "Acme Corp")
    assert (acme.segment, acme.owner_id) == ("vip", await member_id(app.db, "U0003"))  # owner kept
    assert "nothing changed" in text_of(await app.send.command("/customer", "add acme corp"))
    assert "already exists, so I updated it" in text_of(
        await app.send.command("/customer", f"add Acme Corp {SAM}")  # a bare mention is the owner too
    )
    assert (await customer(app.db, "Acme Corp")).owner_id == await member_id(app.db, "U0004")

    # Defaults: segment new, owned by whoever adds it; a customer first named in a deal gets one.
    text_of(await app.send.command("/customer", "add AT&amp;T"))
    att = await customer(app.db, "AT&T")
    assert (att.segment, att.owner_id) == ("new", await member_id(app.db, "U0001"))
    await app.send.command("/deal", "new 5k Globex")
    assert (await customer(app.db, "Globex")).owner_id is None
    text_of(await app.send.command("/customer", "add globex segment:existing"))
    globex = await customer(app.db, "Globex")
    assert (globex.segment, globex.owner_id) == ("existing", await member_id(app.db, "U0001"))
    assert await count(app.db, Customer) == 3


async def test_the_card_shows_owner_deals_follow_ups_and_recent_activity(app):
    await app.send.command("/customer", f"add Acme segment:existing owner:{LI}")
    await app.send.command("/deal", 'new 40k Acme stage:proposal "Renewal"')
    await app.send.command("/deal", "new 2.5k Acme", user="U0004")
    await app.send.command("/deal", "won 7k Acme")  # closed: not on the card
    await app.send.command("/deal", "new 9k Globex")  # another customer's
    for day in range(1, 7):
        with time_machine.travel(dt.datetime(2026, 11, day, 9, tzinfo=dt.UTC), tick=True):
            await app.send.command("/log", f'call Acme "touch {day} <!channel>" csat:{day % 5 + 1}')
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=True):
        reply = await app.send.command("/customer", "ACME")
    card = reply.json
    assert card["text"] == "Customer: Acme"
    shown = "\n".join(
        f["text"] for b in card["blocks"] for f in [b.get("text") or {}, *b.get("fields", [])] if f
    )
    assert "*Segment*\nexisting" in shown and "*Owner*\n<@U0003>" in shown
    assert "*Last contact*\n2026-11-06" in shown
    assert "*Next follow-up*\n2026-12-06" in shown  # logged on the 6th + 30 days for existing customers
    assert "*Open deals* (2)" in shown
    assert "• Renewal · $40,000.00 · Proposal · <@U0001>" in shown
    assert "• Acme · $2,500.00 · Lead · <@U0004>" in shown
    assert "Open total: $42,500.00" in shown
    assert "$7,000.00" not in shown and "$9,000.00" not in shown
    lines = [line for line in shown.splitlines() if "· Call ·" in line]
    assert [line.split(" · ")[0] for line in lines] == [f"• 2026-11-0{d}" for d in (6, 5, 4, 3, 2)]
    assert lines[0] == "• 2026-11-06 · Call · <@U0001> · CSAT 2/5 · touch 6 &lt;!channel&gt;"
    assert "<!channel>" not in reply.text

    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=True):
        overdue = await app.send.command("/customer", "acme")
    assert "2026-12-06 (overdue)" in overdue.text

    empty = await app.send.command("/customer", "Globex")
    assert "*Segment*\\nnew" in empty.text and "nobody yet" in empty.text and "never" in empty.text
    assert "Nothing logged yet" in empty.text and "Open total: $9,000.00" in empty.text


async def test_log_sets_next_follow_up_from_next_or_the_segment_cadence_in_the_loggers_zone(app):
    app.fake.add_user("U0001", tz="Asia/Shanghai")
    for name, segment in (
        ("Acme", "potential"),
        ("Globex", "new"),
        ("Initech", "vip"),
        ("Umbrella", "existing"),
    ):
        await app.send.command("/customer", f"add {name} segment:{segment}")
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(segment_cadences={"vip": 3}))
    with time_machine.travel(NOW, tick=False):
        potential = text_of(await app.send.command("/log", 'call Acme "discussed renewal"'))
        await app.send.command("/log", "email Globex")
        await app.send.command("/log", "visit Initech")
        await app.send.command("/log", "demo Umbrella next:2026-11-28")  # today in Shanghai
        await app.send.command("/log", "email Acme", user="U0005")  # a UTC member: still the 27th there
    # Shanghai: 28 Nov + 7 (potential) / 14 (new) / 3 (vip, the workspace's own cadence)
    assert "Logged a call with *Acme*" in potential
    assert "Next follow-up: *2026-12-05*, in 7 days (the cadence for potential customers)" in potential
    assert (await customer(app.db, "Globex")).next_follow_up == dt.date(2026, 12, 12)
    assert (await customer(app.db, "Initech")).next_follow_up == dt.date(2026, 12, 1)
    assert (await customer(app.db, "Umbrella")).next_follow_up == dt.date(2026, 11, 28)
    acme = await customer(app.db, "Acme")
    assert acme.next_follow_up == dt.date(2026, 12, 4)  # U0005 logged last: 27 Nov + 7
    assert acme.last_contact_at == NOW
    logged = await activities(app.db)
    assert [(a.kind, a.note, a.next_follow_up) for a in logged] == [
        ("call", "discussed renewal", dt.date(2026, 12, 5)),
        ("email", "", dt.date(2026, 12, 12)),
        ("visit", "", dt.date(2026, 12, 1)),
        ("demo", "", dt.date(2026, 11, 28)),
        ("email", "", dt.date(2026, 12, 4)),
    ]
    assert all(a.occurred_at == NOW for a in logged)

    with time_machine.travel(NOW, tick=False):
        explicit = text_of(await app.send.command("/log", "meeting Globex next:2026-12-01"))
        refused = text_of(await app.send.command("/log", "meeting Globex next:2026-11-27"))
    assert "Next follow-up: *2026-12-01*." in explicit
    assert "(2026-11-27) is in the past; today is 2026-11-28" in refused
    assert (await customer(app.db, "Globex")).next_follow_up == dt.date(2026, 12, 1)

    # What follow-up reminders and standups build on.
    me = await member_id(app.db, "U0001")
    async with app.db.session() as session:
        await session.execute(update(Customer).values(owner_id=me))
        workspace = await session.scalar(select(Workspace.id))
        due = await customers_due_for_follow_up(session, workspace, me, dt.date(2026, 12, 4))
        since = await activities_since(session, workspace, me, NOW - dt.timedelta(hours=1))
        nobody = await activities_since(session, workspace, me, NOW + dt.timedelta(seconds=1))
    assert [c.name for c in due] == ["Umbrella", "Globex", "Initech", "Acme"]
    assert [(e.activity.kind, e.customer.name) for e in since] == [
        ("call", "Acme"), ("email", "Globex"), ("visit", "Initech"), ("demo", "Umbrella"), ("meeting", "Globex"),
    ]  # fmt: skip
    assert nobody == []


async def test_csat_and_the_loggers_only_open_deal_are_recorded(app):
    for name in ("Acme", "Globex", "Initech"):
        await app.send.command("/customer", f"add {name}")
    await app.send.command("/deal", 'new 12k Acme "Pilot"')
    await app.send.command("/deal", "new 1k Globex")
    await app.send.command("/deal", "new 2k Globex")  # two open deals: which one is unclear
    await app.send.command("/deal", "new 3k Initech", user="U0004")  # someone else's deal
    reply = text_of(await app.send.command("/log", 'demo Acme "went well" csat:5'))
    assert "CSAT: 5/5." in reply and "Linked to your deal *Pilot* ($12,000.00)." in reply
    await app.send.command("/log", "call Globex")
    await app.send.command("/log", "feedback Initech csat:1")
    async with app.db.session() as session:
        pilot = await session.scalar(select(Deal.id).where(Deal.title == "Pilot"))
    logged = await activities(app.db)
    assert [(a.kind, a.csat, a.deal_id) for a in logged] == [
        ("demo", 5, pilot),
        ("call", None, None),
        ("customer-feedback", 1, None),
    ]


async def test_an_unquoted_multi_word_customer_is_the_longest_known_name(app):
    await app.send.command("/customer", "add Acme")
    await app.send.command("/customer", 'add "Acme Corp"')
    reply = text_of(await app.send.command("/log", "meeting acme corp met Jo at the fair"))
    assert "Logged a meeting with *Acme Corp*" in reply
    await app.send.command("/log", "note Acme Corporate visit planned")
    logged = await activities(app.db)
    assert [a.note for a in logged] == ["met Jo at the fair", "Corporate visit planned"]
    assert [a.customer_id for a in logged] == [
        (await customer(app.db, "Acme Corp")).id,
        (await customer(app.db, "Acme")).id,
    ]


async def test_bad_input_is_refused_and_nothing_is_written(app):
    await app.send.command("/customer", "add Acme segment:potential")
    app.fake.fail_next("users.info", "user_not_found")  # the next lookup: U0NOBODY
    cases = [
        ("/customer", "add Globex owner:<@U0NOBODY|ghost>", "can't find <@U0NOBODY>"),
        ("/customer", "add Globex segment:gold", "`gold` is not a segment. Use one of: potential, new, existing, vip"),
        ("/customer", "add Globex owner:li", "Mention the owner"),
        ("/customer", f"add Globex {LI} {SAM}", "one owner"),
        ("/customer", "add Globex segmnet:vip", "`segmnet:` is not an option"),
        ("/customer", "add " + "x" * 201, "too long (201 characters; at most 200)"),
        ("/customer", "add", "Name the customer"),
        ("/customer", "Globex", "I don't know a customer named *Globex*. Add it first with `/customer add Globex`"),
        ("/customer", "Acme segment:vip", "To change a customer, use add"),
        ("/log", "call Globex", "I don't know a customer named *Globex*"),
        ("/log", 'call "New Co" hello', "`/customer add \"New Co\"`"),
        ("/log", "call Globex Corp said hi", "None of your customers is named *Globex Corp said hi*"),
        ("/log", "dance Acme", "`dance` is not a kind of activity. Use one of: call, meeting, email, demo, visit, note, customer-feedback"),
        ("/log", "call Acme next:2026-13-01", "`2026-13-01` is not a date"),
        ("/log", "call Acme next:tomorrow", "`tomorrow` is not a date"),
        ("/log", "call Acme next:2026-11-26", "is in the past; today is 2026-11-27"),
        ("/log", "call Acme csat:0", "`csat:0` must be a whole number from 1 to 5"),
        ("/log", "call Acme csat:6", "from 1 to 5"),
        ("/log", "call Acme csat:4.5", "from 1 to 5"),
        ("/log", 'call Acme "' + "y" * 1001 + '"', "That note is too long (1001 characters; at most 1000)"),
        ("/log", "call Acme " + "y " * 600, "That note is too long"),
        ("/log", 'call Acme "unclosed', "A quote is not closed"),
        ("/log", "call", "Name the customer"),
    ]  # fmt: skip
    with time_machine.travel(NOW, tick=True):
        for command, text, message in cases:
            reply = text_of(await app.send.command(command, text))
            assert reply.startswith(":warning:") and message in reply, (text, reply)
    await app.fake.settle()
    assert await count(app.db, Activity) == 0
    assert await count(app.db, Customer) == 1
    acme = await customer(app.db, "Acme")
    assert (acme.segment, acme.last_contact_at, acme.next_follow_up) == ("potential", None, None)


async def test_same_trigger_twice_logs_once(app):
    await app.send.command("/customer", "add Acme")
    first, second = await asyncio.gather(
        *[app.send.command("/log", 'call Acme "renewal"', trigger_id="trigger.log") for _ in range(2)]
    )
    replies = sorted([text_of(first), text_of(second)])
    assert replies[0].startswith("Already logged: a call with *Acme*.")
    assert replies[1].startswith("Logged a call with *Acme*.")
    assert await count(app.db, Activity) == 1
    again = text_of(await app.send.command("/log", 'call Acme "renewal"', trigger_id="trigger.log"))
    assert again.startswith("Already logged") and await count(app.db, Activity) == 1


async def test_a_won_deal_makes_potential_and_new_customers_existing_but_leaves_vip(app):
    for name, segment in (
        ("Acme", "potential"),
        ("Globex", "new"),
        ("Initech", "vip"),
        ("Hooli", "potential"),
    ):
        await app.send.command("/customer", f"add {name} segment:{segment}")
    for name in ("Acme", "Globex", "Initech"):
        await app.send.command("/deal", f"won 5k {name}")
    await app.send.command("/deal", "new 5k Hooli")  # open, then lost: stays potential
    await app.send.command("/deal", "lost Hooli")
    await app.send.command("/deal", "new 5k Umbrella")  # a customer first seen in a deal: new
    assert (await customer(app.db, "Umbrella")).segment == "new"
    await app.send.command("/deal", "won Umbrella")  # an open deal moved to won
    segments = {name: (await customer(app.db, name)).segment for name in ("Acme", "Globex", "Initech", "Hooli", "Umbrella")}  # fmt: skip
    assert segments == {
        "Acme": "existing",
        "Globex": "existing",
        "Initech": "vip",
        "Hooli": "potential",
        "Umbrella": "existing",
    }


async def test_help_in_both_languages(app):
    assert "/customer add" in text_of(await app.send.command("/customer", ""))
    assert "Segments: potential" in text_of(await app.send.command("/customer", "help"))
    assert "Kinds: call, meeting, email, demo, visit, note, customer-feedback" in text_of(
        await app.send.command("/log", "help")
    )
    app.fake.add_user("U0009", locale="zh-CN")
    assert "用 `/log` 记录与客户的联系" in text_of(await app.send.command("/log", "", user="U0009"))
    refused = text_of(await app.send.command("/log", "call Nowhere", user="U0009"))
    assert "没有名为 *Nowhere* 的客户" in refused
