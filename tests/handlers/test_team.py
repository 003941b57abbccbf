"""`/team` and the onboarding DM through signed requests: roster, roles, duties, workload, welcome."""

from __future__ import annotations

import datetime as dt
import itertools

import time_machine
from sqlalchemy import select, update

from storage import deals
from storage.models import Customer, Member, Stage
from storage.money import Money
from storage.workspaces import Profile, get_member, get_workspace, save_member

ANA, LI, SAM, NEW = "<@U0001|ana>", "<@U0002|li>", "<@U0003|sam>", "<@U0009|newbie>"
_keys = itertools.count(1)


def blocks_text(blocks) -> str:
    return str(blocks)


async def member_row(db, user_id: str) -> Member:
    async with db.session() as session:
        workspace = await get_workspace(session, "T0001")
        member = await get_member(session, workspace.id, user_id)
        assert member is not None
        return member


async def meet(app, *user_ids: str) -> None:
    """Make dealbell know these people (the middleware saves whoever sends a request)."""
    for user_id in user_ids:
        await app.send.command("/team", "help", user=user_id)


async def test_roster_shows_roles_duties_titles_and_zones_but_no_bots_or_leavers(app):
    app.fake.add_user("U0001", is_admin=True, tz="Asia/Shanghai", real_name="Ana Admin")
    app.fake.add_user("U0002", tz="Europe/Berlin", real_name="Li Lu")
    app.fake.add_user("U0003", tz=None, real_name="Sam Sun")
    app.fake.add_user("UBOTX", is_bot=True, real_name="Helper Bot")
    app.fake.add_user("U0008", deleted=True, real_name="Gone Girl")
    await meet(app, "U0001", "U0002", "U0003", "UBOTX", "U0008")
    await app.send.command("/team", f"role {LI} account-manager")
    await app.send.command("/team", f'duties {LI} "Owns enterprise renewals in APAC"')
    await app.send.command("/team", f"title {LI} Sales Champion")

    reply = (await app.send.command("/team", "", user="U0003")).json
    assert reply.get("response_type", "ephemeral") == "ephemeral"  # Slack's default: only the asker sees it
    shown = blocks_text(reply["blocks"])
    assert "The team (3)" in shown
    assert "Account manager" in shown and "Owns enterprise renewals in APAC" in shown
    assert "Sales Champion" in shown and "Europe/Berlin" in shown and "Asia/Shanghai" in shown
    assert "time zone not set" in shown  # Sam's
    assert "UBOTX" not in shown and "U0008" not in shown
    sections = [b for b in reply["blocks"] if b.get("block_id", "").startswith("team_member_")]
    # managers first (none here), then account managers, reps (by name), after-sales, custom roles
    order = [s["text"]["text"].split("*")[1] for s in sections]
    assert order == ["<@U0002>", "<@U0001>", "<@U0003>"]


async def test_manager_sets_role_and_duties_a_rep_is_refused(app):
    app.fake.add_user("U0001", is_admin=True)
    await meet(app, "U0001", "U0002", "U0003", "U0004")
    assert "is now *Manager*" in (await app.send.command("/team", f"role {LI} manager")).text
    reply = await app.send.command("/team", f"role {SAM} account-manager", user="U0002")
    assert "<@U0003> is now *Account manager*" in reply.text
    reply = await app.send.command("/team", f"duties {SAM} Owns the Acme account", user="U0002")
    assert "Owns the Acme account" in reply.text

    for text in (f"role {SAM} after-sales", f"duties {SAM} Nothing", f"title {SAM} Boss"):
        refused = await app.send.command("/team", text, user="U0004")
        assert "Only managers and workspace admins" in refused.text
    sam = await member_row(app.db, "U0003")
    assert (sam.role, sam.duties, sam.title) == ("account-manager", "Owns the Acme account", None)


async def test_only_admins_make_or_unmake_managers(app):
    app.fake.add_user("U0001", is_owner=True)
    await meet(app, "U0001", "U0002", "U0003", "U0004")
    await app.send.command("/team", f"role {LI} manager")
    await app.send.command("/team", "role <@U0004|max> manager")
    refused = await app.send.command("/team", f"role {SAM} manager", user="U0002")
    assert "Only workspace admins and owners" in refused.text
    refused = await app.send.command("/team", "role <@U0004|max> rep", user="U0002")
    assert "Only workspace admins and owners" in refused.text
    assert (await member_row(app.db, "U0003")).role == "rep"
    assert (await member_row(app.db, "U0004")).role == "manager"
    assert "is now *Rep*" in (await app.send.command("/team", "role <@U0004|max> rep")).text
    assert (await member_row(app.db, "U0004")).role == "rep"


async def test_custom_roles_are_one_short_word(app):
    app.fake.add_user("U0001", is_admin=True)
    await meet(app, "U0001", "U0002")
    assert "is now *closer*" in (await app.send.command("/team", f"role {LI} Closer")).text
    assert "already is *closer*" in (await app.send.command("/team", f"role {LI} closer")).text
    for bad in ("sales_rep", "account manager", "x" * 33, "<!channel>"):
        reply = await app.send.command("/team", f"role {LI} {bad}")
        assert "can't be a role" in reply.text, bad
        assert "<!channel>" not in reply.text
    assert (await member_row(app.db, "U0002")).role == "closer"
    reply = (await app.send.command("/team", f"{LI}")).json
    assert "closer" in blocks_text(reply["blocks"])


async def test_duties_limits_quotes_and_escaping(app):
    app.fake.add_user("U0001", is_admin=True)
    await meet(app, "U0001", "U0002")
    reply = await app.send.command("/team", f"duties {LI} " + "x" * 501)
    assert "at most 500 characters" in reply.text
    assert (await member_row(app.db, "U0002")).duties == ""
    await app.send.command("/team", f"duties {LI} “Owns <!channel> & renewals”")
    assert (await member_row(app.db, "U0002")).duties == "Owns <!channel> & renewals"
    card = (await app.send.command("/team", LI, user="U0002")).json
    assert "Owns &lt;!channel&gt; &amp; renewals" in blocks_text(card["blocks"])
    assert "<!channel>" not in blocks_text(card["blocks"])
    assert "Cleared" in (await app.send.command("/team", f"duties {LI} -")).text
    assert (await member_row(app.db, "U0002")).duties == ""


async def test_anyone_reads_a_members_card(app):
    app.fake.add_user("U0001", is_admin=True)
    app.fake.add_user("U0002", tz="Asia/Tokyo")
    await meet(app, "U0001", "U0002")
    await app.send.command("/team", f"role {LI} after-sales")
    await app.send.command("/team", f"duties {LI} Handles RMAs")
    await app.send.command("/team", f'title {LI} "Rookie of the Year"')
    card = (await app.send.command("/team", LI, user="U0005")).json
    shown = blocks_text(card["blocks"])
    for expected in ("<@U0002>", "After-sales", "Handles RMAs", "Rookie of the Year", "Asia/Tokyo"):
        assert expected in shown
    app.fake.fail_next("users.info", "user_not_found")
    assert "can't find <@U0NOBODY>" in (await app.send.command("/team", "<@U0NOBODY|x>")).text


async def test_team_post_posts_the_roster_once_without_pinging_anyone(app):
    app.fake.add_user("U0002", real_name="Li Lu")
    await meet(app, "U0001", "U0002")
    for _ in range(2):  # a retried request carries the same trigger id
        reply = await app.send.command("/team", "post", channel="C0SALES", trigger_id="trigger.post")
        assert reply.status == 200
    post = (await app.fake.wait_for("chat.postMessage"))[0].args
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    assert post["channel"] == "C0SALES"
    assert "Li Lu" in blocks_text(post["blocks"]) and "<@" not in blocks_text(post["blocks"])

    app.fake.not_in_channel.add("C0PRIVATE")
    await app.send.command("/team", "post", channel="C0PRIVATE")
    note = (await app.fake.wait_for("response_url"))[0].args
    assert "couldn't post in this channel (not_in_channel)" in note["text"]


async def seed_deal(db, owner: str, customer: str, minor: int, currency: str, stage: Stage) -> None:
    async with db.session() as session:
        workspace = await get_workspace(session, "T0001")
        member = await get_member(session, workspace.id, owner)
        new = deals.NewDeal(customer=customer, money=Money(minor, currency), stage=stage)
        await deals.create_deal(session, workspace.id, member, new, source_key=f"seed:{next(_keys)}")


async def seed_customer(db, name: str, owner: str, follow_up: dt.date | None) -> None:
    async with db.session() as session:
        workspace = await get_workspace(session, "T0001")
        member = await get_member(session, workspace.id, owner)
        customer = await deals.find_or_create_customer(session, workspace.id, name)
        await session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(owner_id=member.id, next_follow_up=follow_up)
        )


async def test_team_load_counts_open_deals_pipeline_and_overdue_follow_ups(app):
    app.fake.add_user("U0001", is_admin=True, real_name="Ana")
    app.fake.add_user("U0002", tz="Asia/Tokyo", real_name="Li")
    app.fake.add_user("U0003", tz="America/Los_Angeles", real_name="Sam")
    app.fake.add_user("U0004", real_name="Max")  # after-sales: not on the workload
    app.fake.add_user("U0005", real_name="Zoe")  # a rep with nothing open
    await meet(app, "U0001", "U0002", "U0003", "U0004", "U0005")
    await app.send.command("/team", f"role {SAM} account-manager")
    await app.send.command("/team", "role <@U0004|max> after-sales")

    await seed_deal(app.db, "U0002", "Acme", 1_000_000, "USD", Stage.LEAD)
    await seed_deal(app.db, "U0002", "Globex", 250_050, "USD", Stage.PROPOSAL)
    await seed_deal(app.db, "U0002", "Initech", 100_000, "EUR", Stage.NEGOTIATION)
    await seed_deal(app.db, "U0002", "Hooli", 9_900_000, "USD", Stage.WON)  # closed: not counted
    await seed_deal(app.db, "U0002", "Umbrella", 500_000, "USD", Stage.LOST)  # closed: not counted
    await seed_deal(app.db, "U0003", "Soylent", 120_000, "JPY", Stage.QUALIFIED)
    await seed_deal(app.db, "U0004", "Wonka", 300_000, "USD", Stage.LEAD)  # after-sales: not listed
    await seed_deal(app.db, "U0001", "Stark", 700_000, "USD", Stage.LEAD)  # rep by default (an admin)

    # 2026-11-27 20:00 UTC is already Nov 28 in Tokyo but still Nov 27 in Los Angeles.
    await seed_customer(app.db, "Acme", "U0002", dt.date(2026, 11, 27))  # overdue in Tokyo
    await seed_customer(app.db, "Globex", "U0002", dt.date(2026, 11, 20))  # overdue
    await seed_customer(app.db, "Initech", "U0002", dt.date(2026, 11, 28))  # due today in Tokyo
    await seed_customer(app.db, "Hooli", "U0002", None)
    await seed_customer(app.db, "Soylent", "U0003", dt.date(2026, 11, 27))  # due today in LA
    await seed_customer(app.db, "Oscorp", "U0003", dt.date(2026, 11, 26))  # overdue
    await seed_customer(app.db, "Wonka", "U0004", dt.date(2026, 1, 1))  # after-sales: not listed

    with time_machine.travel(dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC), tick=True):
        reply = (await app.send.command("/team", "load", user="U0005")).json
    rows = {
        b["block_id"]: b["text"]["text"]
        for b in reply["blocks"]
        if b.get("block_id", "").startswith("team_load_")
    }
    ids = {u: (await member_row(app.db, u)).id for u in ("U0001", "U0002", "U0003", "U0004", "U0005")}
    assert f"team_load_{ids['U0004']}" not in rows
    li, sam = rows[f"team_load_{ids['U0002']}"], rows[f"team_load_{ids['U0003']}"]
    assert "Open deals: *3*" in li and "$12,500.50 + €1,000.00" in li and "Overdue follow-ups: *2*" in li
    assert "Open deals: *1*" in sam and "¥120,000" in sam and "Overdue follow-ups: *1*" in sam
    assert "Account manager" in sam
    ana, zoe = rows[f"team_load_{ids['U0001']}"], rows[f"team_load_{ids['U0005']}"]
    assert "Open deals: *1*" in ana and "$7,000.00" in ana and "Overdue follow-ups: *0*" in ana
    assert "Open deals: *0*" in zoe and "Pipeline: —" in zoe
    order = list(rows)
    assert order[0] == f"team_load_{ids['U0002']}"  # most open deals first
    assert order[-1] == f"team_load_{ids['U0005']}"


async def test_roster_beyond_slacks_block_limit_is_summarised(app):
    await meet(app, "U1000")
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        for n in range(1, 52):
            await save_member(session, workspace.id, f"U1{n:03d}", Profile(real_name=f"Rep {n:03d}"))
    reply = (await app.send.command("/team", "", user="U1000")).json
    assert len(reply["blocks"]) <= 50
    assert "The team (52)" in blocks_text(reply["blocks"])
    assert "…and 7 more" in blocks_text(reply["blocks"][-1])


# --- onboarding ----------------------------------------------------------------------------------


async def set_team_channel(app) -> None:
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels team <#C0TEAM|team>")


async def test_joining_the_team_channel_sends_one_welcome_dm_ever(app):
    await set_team_channel(app)
    app.fake.add_user("U0009", locale="en-US")
    await meet(app, "U0009")
    await app.send.command("/team", f"role {NEW} account-manager")
    await app.send.command("/team", f'duties {NEW} "Owns enterprise renewals in APAC"')

    await app.send.event("event_member_joined_channel", event_id="EvJOIN1", user="U0009", channel="C0TEAM")
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert dm["channel"] == "U0009"
    shown = dm["text"] + blocks_text(dm["blocks"])
    assert "Welcome to the team" in shown
    assert "Account manager" in shown and "Owns enterprise renewals in APAC" in shown
    for command in ("/deal", "/kudos", "/log", "/customer", "/team"):
        assert command in shown

    joined = {"user": "U0009", "channel": "C0TEAM"}
    await app.send.event("event_member_joined_channel", event_id="EvJOIN1", retry_num=1, **joined)
    await app.send.event("event_member_joined_channel", event_id="EvJOIN2", **joined)  # a re-delivery
    # left and was invited back by someone else
    await app.send.event("event_member_joined_channel", event_id="EvJOIN3", inviter="U0002", **joined)
    await app.fake.settle()
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    assert (await member_row(app.db, "U0009")).onboarded_at is not None


async def test_a_stranger_invited_by_someone_else_is_welcomed_by_their_own_id(app):
    await set_team_channel(app)
    app.fake.add_user("U0010", locale="zh-CN")
    await app.send.event("event_member_joined_channel", user="U0010", inviter="U0001", channel="C0TEAM")
    dm = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert dm["channel"] == "U0010" and "欢迎加入团队" in dm["text"]
    assert "销售代表" in blocks_text(dm["blocks"])  # the default role, in their language


async def test_other_channels_bots_and_unset_team_channel_get_no_welcome(app):
    await app.send.event("event_member_joined_channel", user="U0009", channel="C0TEAM")  # not set yet
    await set_team_channel(app)
    await app.send.event("event_member_joined_channel", user="U0009", channel="C0RANDOM")
    app.fake.add_user("UBOTX", is_bot=True)
    await app.send.event("event_member_joined_channel", user="UBOTX", channel="C0TEAM")
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []
    async with app.db.session() as session:
        onboarded = await session.scalars(select(Member).where(Member.onboarded_at.is_not(None)))
        assert list(onboarded) == []


async def test_a_failed_welcome_is_tried_again_on_the_next_join(app):
    await set_team_channel(app)
    app.fake.fail_next("chat.postMessage", "ratelimited_forever")
    await app.send.event("event_member_joined_channel", user="U0009", channel="C0TEAM")
    await app.fake.wait_for("chat.postMessage")
    await app.fake.settle()
    assert (await member_row(app.db, "U0009")).onboarded_at is None
    await app.send.event("event_member_joined_channel", user="U0009", channel="C0TEAM")
    await app.fake.wait_for("chat.postMessage", count=2)
    assert (await member_row(app.db, "U0009")).onboarded_at is not None
