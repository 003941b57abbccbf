"""`/deal` quick syntax, driven through signed HTTP requests into the running app."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Customer, Deal, DealStageChange, Member

USAGE_MARK = "/deal won 12.5k Acme Corp"


async def count(db, model, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_won_quick_syntax_records_one_deal_and_celebrates_once(app):
    reply = await app.send.command("/deal", 'won 12.5k Acme Corp "Annual licence"')

    assert reply.status == 200
    assert reply.elapsed < 3
    assert "Acme Corp" in reply.text and "$12,500.00" in reply.text
    posts = await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    post = posts[0].args
    assert post["channel"] == "C0001"  # no wins channel set: the channel the command came from
    assert "<@U0001>" in post["text"] and "Acme Corp" in post["text"] and "$12,500.00" in post["text"]
    assert post["blocks"][0]["accessory"]["action_id"] == "deal_congratulate"
    async with app.db.session() as session:
        deal = (await session.scalars(select(Deal))).one()
        history = (await session.scalars(select(DealStageChange))).all()
    assert (deal.amount_minor, deal.currency, deal.stage, deal.title) == (
        1_250_000,
        "USD",
        "won",
        "Annual licence",
    )
    assert deal.closed_at is not None and deal.celebration_ts == app.fake.calls_to("chat.postMessage")[
        0
    ].args.get("ts", deal.celebration_ts)
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, "won")]


async def test_same_trigger_twice_records_one_deal(app):
    first, second = await asyncio.gather(
        app.send.command("/deal", "won 5k Acme", trigger_id="trigger.same"),
        app.send.command("/deal", "won 5k Acme", trigger_id="trigger.same"),
    )
    assert first.status == second.status == 200
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert await count(app.db, Deal) == 1
    assert len(app.fake.calls_to("chat.postMessage")) == 1


async def test_new_deal_with_options_and_customer_found_case_insensitively(app):
    await app.send.command("/deal", "new 40k Globex stage:proposal close:2026-12-20")
    reply = await app.send.command("/deal", "new USD 4000 globex")
    assert reply.status == 200
    async with app.db.session() as session:
        deals = (await session.scalars(select(Deal).order_by(Deal.id))).all()
    assert [(d.stage, d.amount_minor, str(d.expected_close)) for d in deals] == [
        ("proposal", 4_000_000, "2026-12-20"),
        ("lead", 400_000, "None"),
    ]
    assert await count(app.db, Customer) == 1
    assert deals[0].customer_id == deals[1].customer_id
    assert app.fake.calls_to("chat.postMessage") == []  # open deals are not celebrated


async def test_chinese_amount_and_currency(app):
    await app.send.command("/deal", "won ¥12万 Alibaba")
    async with app.db.session() as session:
        deal = (await session.scalars(select(Deal))).one()
    assert (deal.amount_minor, deal.currency) == (12_000_000, "CNY")


async def test_bad_amounts_get_a_clear_error_and_write_nothing(app):
    for text, message in [
        ("won -5k Acme", "more than zero"),
        ("won 0 Acme", "more than zero"),
        ("new abc", "Give an amount"),
        ("won 99999999999999k Acme", "larger than"),
        ("new 12..5k Acme", "not an amount"),
    ]:
        reply = await app.send.command("/deal", text)
        assert reply.status == 200
        assert message in reply.text, (text, reply.text)
        assert USAGE_MARK in reply.text  # the syntax with an example
    await app.fake.settle()
    assert await count(app.db, Deal) == 0
    assert await count(app.db, Customer) == 0
    assert app.fake.calls_to("chat.postMessage") == []


async def test_user_text_is_escaped_so_nobody_is_pinged(app):
    await app.send.command("/deal", 'won 1k <!channel> Corp "<@U0002> & <!here>"')
    post = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert (
        "<!channel>" not in post["text"] and "<!here>" not in post["text"] and "<@U0002>" not in post["text"]
    )
    assert "&lt;!channel&gt; Corp" in post["text"]
    assert "&lt;@U0002&gt; &amp; &lt;!here&gt;" in post["text"]


async def test_list_shows_open_pipeline_with_totals_per_stage(app):
    await app.send.command("/deal", "new 40k Globex stage:proposal")
    await app.send.command("/deal", "new 10k Initech stage:proposal")
    await app.send.command("/deal", "new 5k Hooli")
    await app.send.command("/deal", "won 1k Acme")
    await app.send.command("/deal", "new 7k Other", user="U0002")  # someone else's
    reply = await app.send.command("/deal", "list")
    body = reply.json
    text = str(body["blocks"])
    assert "*Proposal*: 2 · $50,000.00" in text
    assert "*Lead*: 1 · $5,000.00" in text
    assert "Other" not in text
    # the won deal is not in the open pipeline: it is listed below, among the recently closed
    closed_at = next(i for i, b in enumerate(body["blocks"]) if b.get("block_id") == "recently_closed")
    assert "Acme" not in str(body["blocks"][:closed_at]) and "Acme" in str(body["blocks"][closed_at:])


async def test_won_and_lost_close_my_open_deal(app):
    await app.send.command("/deal", "new 40k Globex")
    await app.send.command("/deal", "new 9k Initech")
    reply = await app.send.command("/deal", "lost initech competitor:Globex reason:price")
    assert "Lost" in reply.text
    reply = await app.send.command("/deal", "won Globex")
    assert "Won" in reply.text
    async with app.db.session() as session:
        deals = {d.customer.name: d for d in (await session.scalars(select(Deal))).all()}
    assert deals["Initech"].stage == "lost"
    assert (deals["Initech"].competitor, deals["Initech"].lost_reason) == ("Globex", "price")
    assert deals["Globex"].stage == "won"
    await app.fake.wait_for("chat.postMessage")
    reply = await app.send.command("/deal", "lost Nobody")
    assert "no open deal" in reply.text


async def test_member_is_created_on_first_sight_with_one_users_info_call(app):
    app.fake.add_user("U0001", real_name="Ana Lima", tz="Europe/Lisbon", locale="pt-BR", is_admin=True)
    await app.send.command("/deal", "help")
    await app.send.command("/deal", "help")
    await app.send.command("/deal", "list")
    assert len(app.fake.calls_to("users.info")) == 1
    async with app.db.session() as session:
        member = (await session.scalars(select(Member))).one()
    assert (member.real_name, member.timezone, member.is_admin) == ("Ana Lima", "Europe/Lisbon", True)


async def test_help_and_unknown_verb(app):
    reply = await app.send.command("/deal", "help")
    assert USAGE_MARK in reply.text
    reply = await app.send.command("/deal", "frobnicate 12k")
    assert "frobnicate" in reply.text and USAGE_MARK in reply.text


async def test_no_text_opens_the_modal(app):
    await app.send.command("/deal", "", trigger_id="trigger.modal")
    call = (await app.fake.wait_for("views.open"))[0]
    assert call.args["trigger_id"] == "trigger.modal"
    assert call.args["view"]["callback_id"] == "deal_new"
    assert {b["block_id"] for b in call.args["view"]["blocks"]} >= {
        "customer",
        "amount",
        "currency",
        "stage",
        "close",
    }


async def test_slack_escaped_ampersand_is_stored_as_typed_and_shown_escaped(app):
    await app.send.command("/deal", "won 2k AT&amp;T")  # what Slack sends for a typed "AT&T"
    post = (await app.fake.wait_for("chat.postMessage"))[0].args
    async with app.db.session() as session:
        customer = (await session.scalars(select(Customer))).one()
    assert customer.name == "AT&T"
    assert "AT&amp;T" in post["text"] and "&amp;amp;" not in post["text"]
