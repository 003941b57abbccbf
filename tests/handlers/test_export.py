"""`/dealbell export …` through signed requests: a CSV with a BOM in the manager's DM."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import update

from storage import exports
from storage.deals import NewDeal, create_deal, find_or_create_customer
from storage.exports import ACTIVITY_COLUMNS, DEAL_COLUMNS, KUDOS_COLUMNS
from storage.models import Deal, Stage, utcnow
from storage.money import Money
from storage.workspaces import Profile, ensure_workspace, get_member, save_member
from tests.factories import ActivityFactory
from tests.fake_slack import TEAM_ID

CHINESE = "北京星辰科技有限公司"


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline="")))


async def seed_deals(db) -> int:
    """This month: a won deal with a Chinese customer and a lost one; last year: an old lead."""
    async with db.session() as session:
        workspace = await ensure_workspace(session, TEAM_ID)
        ana = await save_member(session, workspace.id, "U0002", Profile(name="ana", real_name="Ana Lima"))
        won = NewDeal(CHINESE, Money(1250000, "CNY"), title="=年度合同", stage=Stage.WON)
        await create_deal(session, workspace.id, ana, won, "seed:1")
        lost = NewDeal(
            "Globex", Money(99950, "USD"), stage=Stage.LOST, competitor="Initech", lost_reason="price"
        )
        await create_deal(session, workspace.id, ana, lost, "seed:2")
        old, _ = await create_deal(
            session, workspace.id, ana, NewDeal("Umbrella", Money(500, "USD")), "seed:3"
        )
        await session.execute(
            update(Deal).where(Deal.id == old.id).values(created_at=utcnow() - dt.timedelta(days=400))
        )
        return workspace.id


async def export(app, text: str) -> tuple[str, dict, list[list[str]]]:
    reply = await app.send.command("/dealbell", text)
    await app.fake.wait_for("files.completeUploadExternal")
    ((args, data),) = app.fake.uploaded()
    return reply.text, args, rows_of(data)


async def test_a_manager_gets_this_months_deals_as_csv_in_their_dm(app):
    app.fake.add_user("U0001", is_admin=True)
    await seed_deals(app.db)

    reply, args, rows = await export(app, "export deals")

    assert "Columns: " + ", ".join(DEAL_COLUMNS) in reply
    assert args["channel_id"] == "DU0001"  # the DM conversations.open answered
    assert rows[0] == list(DEAL_COLUMNS)
    data = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [d["customer"] for d in data] == [CHINESE, "Globex"]  # last year's lead is not this month
    won, lost = data
    assert (won["amount"], won["currency"], won["stage"], won["owner"], won["owner_name"]) == (
        "12500.00", "CNY", "won", "U0002", "Ana Lima",
    )  # fmt: skip
    assert won["title"] == "'=年度合同"  # a spreadsheet must not run it as a formula
    assert won["customer_segment"] == "existing" and won["closed_at"].endswith("Z")
    assert won["created_at"].startswith(utcnow().strftime("%Y-%m-"))
    assert (lost["amount"], lost["competitor"], lost["lost_reason"]) == ("999.50", "Initech", "price")
    [upload] = app.fake.calls_to("files.getUploadURLExternal")
    assert upload.args["filename"] == f"dealbell-deals-{utcnow():%Y-%m}.csv"


async def test_all_time_includes_every_deal_read_in_chunks(app, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)  # three deals: two queries
    app.fake.add_user("U0001", is_admin=True)
    await seed_deals(app.db)
    _, _, rows = await export(app, "export deals all")
    assert [r[1] for r in rows[1:]] == [CHINESE, "Globex", "Umbrella"]
    [upload] = app.fake.calls_to("files.getUploadURLExternal")
    assert upload.args["filename"] == "dealbell-deals-all.csv"


async def test_kudos_and_activities_exports(app):
    app.fake.add_user("U0001", is_admin=True)
    workspace_id = await seed_deals(app.db)
    await app.send.command("/kudos", "<@U0002|ana> <@U0003|li> for the 北京 demo #teamwork")
    async with app.db.session() as session:
        customer = await find_or_create_customer(session, workspace_id, CHINESE)
        me = await get_member(session, workspace_id, "U0001")
        session.add(
            ActivityFactory(customer=customer, member=me, kind="call", note="续约 +1", csat=5,
                            next_follow_up=dt.date(2031, 1, 2))
        )  # fmt: skip

    _, _, kudos_rows = await export(app, "export kudos year")
    assert kudos_rows[0] == list(KUDOS_COLUMNS)
    [give] = [dict(zip(KUDOS_COLUMNS, r, strict=True)) for r in kudos_rows[1:]]
    assert (give["giver"], give["receivers"], give["values"]) == ("U0001", "U0002 U0003", "teamwork")
    assert give["message"] == "for the 北京 demo" and give["receiver_names"] == "Ana Lima, User U0003"

    app.fake.uploads.clear()
    app.fake.calls.clear()
    _, _, activity_rows = await export(app, "export activities quarter")
    assert activity_rows[0] == list(ACTIVITY_COLUMNS)
    [row] = [dict(zip(ACTIVITY_COLUMNS, r, strict=True)) for r in activity_rows[1:]]
    assert (row["kind"], row["customer"], row["member"], row["note"], row["csat"], row["next_follow_up"]) == (
        "call", CHINESE, "U0001", "续约 +1", "5", "2031-01-02",
    )  # fmt: skip


async def test_a_rep_is_refused_and_nothing_is_uploaded(app):
    await seed_deals(app.db)
    reply = await app.send.command("/dealbell", "export deals all", user="U0002")
    assert "Only managers" in reply.text
    await app.fake.settle()
    assert app.fake.uploaded() == [] and app.fake.calls_to("files.getUploadURLExternal") == []


async def test_bad_kind_or_period_is_explained(app):
    app.fake.add_user("U0001", is_admin=True)
    reply = await app.send.command("/dealbell", "export <!channel> month")
    assert "`&lt;!channel&gt;` is not something I can export" in reply.text
    reply = await app.send.command("/dealbell", "export deals decade")
    assert "`decade` is not a period" in reply.text
    await app.fake.settle()
    assert app.fake.uploaded() == []
