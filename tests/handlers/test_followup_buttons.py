"""The follow-up DM's buttons through signed requests: Done, Snooze 3 days and Open."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import time_machine
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.kit.views.followup_lines import button_value, parse_target, parse_value, targets_in
from storage.errors import UserError
from storage.followups import Target
from storage.models import Activity, Customer, Deal, FollowUpSnooze, Member, Role
from tests.jobs.test_follow_ups import SHANGHAI_NINE, customer, dms, lines, owner, run_at, sales_team

DM_TS = "1800000007.000100"
LATER = dt.datetime(2026, 3, 9, 17, 0, tzinfo=dt.UTC)  # 01:00 on Tuesday 10 March in Shanghai


async def the_dm(app) -> tuple[dict[str, Any], dict[str, Any]]:
    """U0002's DM (sent by the job at 09:00 Shanghai), and the team behind it."""
    team = await sales_team(app)
    assert await run_at(SHANGHAI_NINE, app) == 1
    [dm] = dms(app)
    return dm, team


async def click(app, dm: dict[str, Any], action_id: str, value: str, user: str = "U0002"):
    """A click in the DM; Slack sends the message's blocks along, as it does for a bot's message."""
    data = app.send.action_payload(action_id, value, user=user, channel="DU0002", message_ts=DM_TS)
    data["message"].update(text=dm["text"], blocks=dm["blocks"])
    reply = await app.send.interactive(data)
    assert reply.status == 200
    return reply


def value_of(dm: dict[str, Any], action_id: str, target: str) -> str:
    for block in dm["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id and element["value"].startswith(target + ":"):
                return element["value"]
    raise AssertionError(f"no {action_id} for {target}")


def line_of(blocks: list[dict[str, Any]], target: str) -> tuple[str, list[str]]:
    """A redrawn line's text and the buttons under it."""
    text = next(b["text"]["text"] for b in blocks if b.get("block_id") == f"followup_item:{target}")
    actions = next((b for b in blocks if b.get("block_id") == f"followup_actions:{target}"), {"elements": []})
    return text, [e["action_id"] for e in actions["elements"]]


async def activities(app) -> list[Activity]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Activity).order_by(Activity.id)))


async def reload(app, model, row_id: int):
    async with app.db.session() as session:
        return await session.get(model, row_id)


async def test_done_logs_one_note_however_often_it_is_clicked_and_redraws_the_line(app):
    dm, team = await the_dm(app)
    acme = f"c:{team['acme'].id}"
    with time_machine.travel(LATER, tick=True):
        await asyncio.gather(
            *(click(app, dm, "followup_done", value_of(dm, "followup_done", acme)) for _ in range(3))
        )
        updates = await app.fake.wait_for("chat.update", count=3)
        await app.fake.settle(0.1)

    [note] = await activities(app)
    assert (note.kind, note.customer_id, note.member_id) == ("note", team["acme"].id, team["ana"].id)
    assert note.source_key == f"followup-done:{team['acme'].id}:2026-03-09"
    assert note.deal_id == team["big"].id  # Ana's only open deal with Acme
    acme_now = await reload(app, Customer, team["acme"].id)
    assert LATER <= acme_now.last_contact_at < LATER + dt.timedelta(minutes=1)
    assert acme_now.next_follow_up == dt.date(2026, 3, 17)  # Ana's today (10 March) + 7 days for a VIP

    last = updates[-1].args
    assert (last["channel"], last["ts"], last["text"]) == ("DU0002", DM_TS, "Follow-ups due: 3.")
    assert line_of(last["blocks"], acme) == (
        ":white_check_mark: ~Acme Corp~ done. Next follow-up: 2026-03-17.",
        ["followup_open"],
    )
    globex_text, globex_buttons = line_of(last["blocks"], f"c:{team['globex'].id}")  # untouched
    assert globex_text.startswith(":bust_in_silhouette: *Globex*") and len(globex_buttons) == 3
    assert last["blocks"][0] == dm["blocks"][0]  # the header is kept
    assert app.fake.calls_to("response_url") == []  # no refusal


async def test_snooze_moves_the_follow_up_or_snoozes_the_deals_reminder_never_its_close_date(app):
    dm, team = await the_dm(app)
    acme, big = f"c:{team['acme'].id}", f"d:{team['big'].id}"
    close_before = (await reload(app, Deal, team["big"].id)).expected_close
    with time_machine.travel(LATER, tick=True):  # still 9 March in UTC, already the 10th for Ana
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", acme))
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", acme))  # a double click
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", big))
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", big))  # a double click
        updates = await app.fake.wait_for("chat.update", count=4)

    assert (await reload(app, Customer, team["acme"].id)).next_follow_up == dt.date(2026, 3, 13)
    # the forecast is untouched: the deal keeps its expected close, only the reminder waits
    assert (await reload(app, Deal, team["big"].id)).expected_close == close_before == dt.date(2026, 3, 1)
    async with app.db.session() as session:
        snoozes = (await session.scalars(select(FollowUpSnooze))).all()
    assert [(s.deal_id, s.until) for s in snoozes] == [(team["big"].id, dt.date(2026, 3, 13))]
    assert await activities(app) == []
    blocks = updates[-1].args["blocks"]
    assert line_of(blocks, acme) == (
        ":zzz: *Acme Corp*: next follow-up moved to 2026-03-13.",
        ["followup_open"],
    )
    assert line_of(blocks, big) == (
        ":zzz: *Big &lt;order&gt;* with Acme Corp: reminder snoozed until 2026-03-13; "
        "the expected close stays 2026-03-01.",
        ["followup_open"],
    )

    # Done after a snooze still logs the contact; a snooze never brings a later date back
    with time_machine.travel(LATER, tick=True):
        await click(app, dm, "followup_done", value_of(dm, "followup_done", acme))
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", acme))
        updates = await app.fake.wait_for("chat.update", count=6)
    assert (await reload(app, Customer, team["acme"].id)).next_follow_up == dt.date(2026, 3, 17)
    assert (
        line_of(updates[-1].args["blocks"], acme)[0]
        == ":white_check_mark: ~Acme Corp~ done. Next follow-up: 2026-03-17."
    )


async def test_a_snoozed_deal_stays_out_of_the_dm_until_the_snooze_ends(app):
    dm, team = await the_dm(app)
    big = f"d:{team['big'].id}"
    with time_machine.travel(LATER, tick=True):
        await click(app, dm, "followup_snooze", value_of(dm, "followup_snooze", big))
        await app.fake.wait_for("chat.update")
    for day, listed in ((12, False), (13, True)):  # snoozed until the 13th (Ana's date)
        app.fake.calls.clear()
        nine = dt.datetime(2026, 3, day, 1, 0, tzinfo=dt.UTC)
        assert await run_at(nine, app) == 1
        [later] = dms(app)
        assert any("Big &lt;order&gt;" in line for line in lines(later)) is listed


async def test_open_shows_the_customer_card_to_the_clicker_only(app):
    dm, team = await the_dm(app)
    with time_machine.travel(LATER, tick=True):
        await click(app, dm, "followup_open", value_of(dm, "followup_open", f"d:{team['big'].id}"))
        [card] = await app.fake.wait_for("response_url")
    assert card.args["response_type"] == "ephemeral" and card.args["replace_original"] is False
    assert card.args["blocks"][0]["text"]["text"] == "Acme Corp"
    assert "Big &lt;order&gt;" in str(card.args["blocks"])
    assert app.fake.calls_to("chat.update") == []


async def test_only_the_owner_or_a_manager_may_use_the_buttons(app):
    dm, team = await the_dm(app)
    await owner(app, "U0009")  # a rep who does not own Acme
    boss = await owner(app, "U0010")
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.id == boss.id).values(role=Role.MANAGER.value))
    acme = f"c:{team['acme'].id}"

    with time_machine.travel(LATER, tick=True):
        for action in ("followup_done", "followup_snooze", "followup_open"):
            await click(app, dm, action, value_of(dm, action, acme), user="U0009")
        refusals = await app.fake.wait_for("response_url", count=3)
        assert await activities(app) == []
        assert (await reload(app, Customer, team["acme"].id)).next_follow_up == dt.date(2026, 3, 5)
        assert app.fake.calls_to("chat.update") == []

        await click(app, dm, "followup_done", value_of(dm, "followup_done", acme), user="U0010")
        await app.fake.wait_for("chat.update")
    assert {r.args["text"] for r in refusals} == {":warning: Only the owner or a manager can do that."}
    assert all(r.args["response_type"] == "ephemeral" for r in refusals)
    [note] = await activities(app)
    assert note.member_id == boss.id


async def test_ids_from_another_workspace_or_mangled_values_are_refused(app):
    dm, team = await the_dm(app)
    stranger = await owner(
        app, "U0002", tz="Asia/Shanghai", team_id="T0002"
    )  # same user id, another workspace
    theirs = await customer(app, stranger, "Their Customer", dt.date(2026, 3, 1), team_id="T0002")
    gone = await customer(app, team["ana"], "Soon Gone", dt.date(2026, 3, 1))
    async with app.db.session() as session:
        await session.delete(await session.get(Customer, gone.id))

    with time_machine.travel(LATER, tick=True):
        for value in (f"c:{theirs.id}:2026-03-09", f"c:{gone.id}:2026-03-09", "c:abc:2026-03-09", "x:1:2026-03-09",
                      f"c:{team['acme'].id}:2026-02-30", ""):  # fmt: skip
            await click(app, dm, "followup_done", value)
        refusals = await app.fake.wait_for("response_url", count=6)
    assert {r.args["text"] for r in refusals} == {
        ":warning: That customer or deal no longer exists in this workspace."
    }
    assert await activities(app) == []
    assert app.fake.calls_to("chat.update") == []


async def test_the_redraw_shows_every_line_as_it_stands_now(app):
    team = await sales_team(app)
    gone = await customer(app, team["ana"], "Soon Gone", dt.date(2026, 3, 9))
    assert await run_at(SHANGHAI_NINE, app) == 1
    [dm] = dms(app)
    async with app.db.session() as session:  # meanwhile: the deal was won, a customer deleted
        await session.execute(update(Deal).where(Deal.id == team["big"].id).values(stage="won"))
        await session.delete(await session.get(Customer, gone.id))

    globex = f"c:{team['globex'].id}"
    with time_machine.travel(LATER, tick=True):
        await click(app, dm, "followup_done", value_of(dm, "followup_done", globex))
        [redrawn] = await app.fake.wait_for("chat.update")
    blocks = redrawn.args["blocks"]
    assert line_of(blocks, f"d:{team['big'].id}") == (
        ":lock: *Big &lt;order&gt;* with Acme Corp is closed (Won).",
        ["followup_open"],
    )
    assert line_of(blocks, f"c:{gone.id}") == (":grey_question: This customer or deal no longer exists.", [])
    assert (
        line_of(blocks, globex)[0] == ":white_check_mark: ~Globex~ done. Next follow-up: 2026-04-09."
    )  # existing: 30 days
    assert line_of(blocks, f"c:{team['acme'].id}")[1] == ["followup_done", "followup_snooze", "followup_open"]
    assert len(blocks) == len(dm["blocks"]) - 1  # the deleted customer's buttons are gone


# --- pure parsing ---------------------------------------------------------------------------------


@given(kind=st.sampled_from(["c", "d"]), target_id=st.integers(1, 2**63 - 1), day=st.dates())
def test_button_values_round_trip(kind: str, target_id: int, day: dt.date) -> None:
    target = Target(kind, target_id)
    assert parse_value(button_value(target, day)) == (target, day)
    assert parse_target(target.key) == target
    assert targets_in([{"block_id": f"followup_item:{target.key}"}, {"block_id": "followup_more"}]) == [
        target
    ]


@given(st.text(max_size=40))
def test_any_other_value_is_refused_as_not_found(value: str) -> None:
    try:
        target, day = parse_value(value)
    except UserError as error:
        assert error.key == "followups.error.not_found"
    else:
        assert button_value(target, day) == value
