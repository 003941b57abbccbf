"""`/intel` through signed requests (notes, the competitor card, the list), and its parser."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from sqlalchemy import func, select

from handlers.intel.syntax import IntelSyntaxError, parse_intel_command
from storage import deals
from storage.intel import competitor_key
from storage.models import CompetitorNote, Stage
from storage.money import Money
from storage.workspaces import get_member, get_workspace

_keys = itertools.count(1)


async def notes_count(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(CompetitorNote))


async def seed_deal(db, stage: Stage, competitor: str | None, *, team: str = "T0001", owner: str = "U0001",
                    customer: str = "Initech", minor: int = 1_000_000) -> None:  # fmt: skip
    async with db.session() as session:
        workspace = await get_workspace(session, team)
        member = await get_member(session, workspace.id, owner)
        new = deals.NewDeal(customer=customer, money=Money(minor, "USD"), stage=stage, competitor=competitor)
        await deals.create_deal(session, workspace.id, member, new, source_key=f"seed:{next(_keys)}")


def text_of(reply) -> str:
    body = reply.json
    return body.get("text", "") + str(body.get("blocks", ""))


# --- the parser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verb", "competitor", "note"),
    [
        ("", "list", "", ""),
        ("help", "help", "", ""),
        ("Globex", "card", "Globex", ""),
        ("  Globex   Corp ", "card", "Globex Corp", ""),
        ('Globex "launched a cheaper tier"', "note", "Globex", "launched a cheaper tier"),
        ("Globex Corp “cut prices by 20%”", "note", "Globex Corp", "cut prices by 20%"),
        ('Globex "says "unlimited" seats"', "note", "Globex", 'says "unlimited" seats'),
        ('Globex "no closing quote', "note", "Globex", "no closing quote"),
    ],
)
def test_parse(text, verb, competitor, note):
    assert parse_intel_command(text) == parse_intel_command(text)  # pure
    cmd = parse_intel_command(text)
    assert (cmd.verb, cmd.competitor, cmd.note) == (verb, competitor, note)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('"cheaper tier"', "intel.error.no_competitor"),
        ('Globex ""', "intel.error.empty_note"),
        ('Globex "   "', "intel.error.empty_note"),
        ('Globex "' + "x" * 1001 + '"', "intel.error.note_too_long"),
        ("G" * 201, "intel.error.name_too_long"),
    ],
)
def test_parse_refusals(text, key):
    with pytest.raises(IntelSyntaxError) as info:
        parse_intel_command(text)
    assert info.value.key == key


def test_competitor_key_collapses_and_casefolds():
    assert competitor_key("  GLOBEX   Corp ") == competitor_key("globex corp") == "globex corp"


# --- through Slack -------------------------------------------------------------------------------


async def test_a_note_is_recorded_once_per_trigger(app):
    text = '  GloBex  "launched a cheaper tier"'
    first = await app.send.command("/intel", text, trigger_id="trigger.n1")
    again = await app.send.command("/intel", text, trigger_id="trigger.n1")
    assert "Noted about *GloBex*" in first.text
    assert "already saved" in again.text
    async with app.db.session() as session:
        notes = list(await session.scalars(select(CompetitorNote)))
    assert [(n.competitor, n.competitor_key, n.note) for n in notes] == [
        ("GloBex", "globex", "launched a cheaper tier")
    ]


async def test_bad_input_is_refused_and_nothing_is_written(app):
    cases = [
        ('"launched a cheaper tier"', "Name the competitor first"),
        ('Globex ""', "Write the note between the quotes"),
        ('Globex "' + "x" * 1001 + '"', "That note has 1001 characters; at most 1000 fit"),
        ('<!channel> ""', "&lt;!channel&gt;"),
    ]
    for text, message in cases:
        reply = await app.send.command("/intel", text)
        assert reply.status == 200
        assert message in reply.text, (text, reply.text)
        assert "<!channel>" not in reply.text
    assert await notes_count(app.db) == 0
    ok = await app.send.command("/intel", 'Globex "' + "x" * 1000 + '"')
    assert "Noted" in ok.text
    assert await notes_count(app.db) == 1


async def test_the_card_counts_deals_lost_and_won_and_the_win_rate(app):
    app.fake.add_user("U0002")
    await app.send.command("/intel", "help")  # U0001 is known from here on
    await app.send.command("/intel", "help", team="T0002")  # and another workspace exists
    for spelling in ("Globex", "GLOBEX", " globex "):
        await seed_deal(app.db, Stage.LOST, spelling)
    await seed_deal(app.db, Stage.WON, "globex", customer="Hooli", minor=2_500_000)
    await seed_deal(app.db, Stage.LEAD, "Globex")  # still open: neither won nor lost
    await seed_deal(app.db, Stage.LOST, "Globex Corp")  # another competitor
    await seed_deal(app.db, Stage.LOST, "Initech")
    await seed_deal(app.db, Stage.LOST, None)
    await seed_deal(app.db, Stage.LOST, "Globex", team="T0002")  # another workspace's loss
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC), tick=True):
        await app.send.command("/intel", 'Globex "older note"')
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=True):
        await app.send.command("/intel", 'globex "newer note about <!here>"', user="U0002")
    await app.send.command("/intel", 'Globex "elsewhere"', team="T0002")

    reply = await app.send.command("/intel", "GLOBEX")
    body = reply.json
    record = next(b for b in body["blocks"] if b.get("block_id") == "intel_record")["text"]["text"]
    # won 1, lost 3: 1 / (1 + 3) = 25%
    assert record == "Lost to them: *3* · Won against them: *1* · Win rate: *25%*"
    notes = next(b for b in body["blocks"] if b.get("block_id") == "intel_notes")["text"]["text"]
    assert "(2 of 2)" in notes
    assert notes.index("newer note") < notes.index("older note")
    assert "&lt;!here&gt;" in notes and "<!here>" not in notes and "elsewhere" not in notes
    assert "<@U0002>" in notes
    lost = next(b for b in body["blocks"] if b.get("block_id") == "intel_lost")["text"]["text"]
    assert lost.count("Initech") == 3 and "$10,000.00" in lost
    won = next(b for b in body["blocks"] if b.get("block_id") == "intel_won")["text"]["text"]
    assert "Hooli" in won and "$25,000.00" in won


async def test_win_rate_is_a_dash_before_any_decided_deal(app):
    await app.send.command("/intel", "help")
    await seed_deal(app.db, Stage.PROPOSAL, "Umbrella")
    reply = await app.send.command("/intel", "Umbrella")
    assert "Lost to them: *0* · Won against them: *0* · Win rate: *—*" in text_of(reply)
    await seed_deal(app.db, Stage.WON, "umbrella")
    await seed_deal(app.db, Stage.WON, "Umbrella")
    await seed_deal(app.db, Stage.LOST, "UMBRELLA")
    reply = await app.send.command("/intel", "Umbrella")
    assert "Win rate: *67%*" in text_of(reply)  # 2 / (2 + 1)


async def test_the_list_orders_competitors_by_deals_lost(app):
    await app.send.command("/intel", "help")
    assert "No competitor intel yet" in text_of(await app.send.command("/intel", ""))
    for _ in range(3):
        await seed_deal(app.db, Stage.LOST, "Globex")
    await seed_deal(app.db, Stage.LOST, "initech")
    await seed_deal(app.db, Stage.LOST, "Initech")
    await seed_deal(app.db, Stage.WON, "Initech")
    await seed_deal(app.db, Stage.LOST, "Hooli")
    await seed_deal(app.db, Stage.LOST, "Hooli")
    await seed_deal(app.db, Stage.WON, "Hooli")
    await seed_deal(app.db, Stage.WON, "Hooli")
    await seed_deal(app.db, Stage.LEAD, "Soylent")  # open deals don't make a competitor
    await app.send.command("/intel", 'Acme "only a note so far"')
    await app.send.command("/intel", 'hooli "hiring in APAC"')

    body = (await app.send.command("/intel", "")).json
    rows = [b["text"]["text"] for b in body["blocks"] if b.get("block_id", "").startswith("intel_row_")]
    assert [r.split("*")[1] for r in rows] == ["Globex", "Hooli", "Initech", "Acme"]
    assert rows[0] == "*Globex* — lost 3 · won 0 · win rate 0% · notes 0"
    assert rows[1] == "*Hooli* — lost 2 · won 2 · win rate 50% · notes 1"
    assert rows[2] == "*Initech* — lost 2 · won 1 · win rate 33% · notes 0"
    assert rows[3] == "*Acme* — lost 0 · won 0 · win rate — · notes 1"
    assert "Soylent" not in str(body)
