"""`/dealbell`, App Home and event retries."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.features import commands, discover
from storage.models import ProcessedEvent


async def test_admin_sets_the_wins_channel_and_wins_go_there(app):
    app.fake.add_user("U0001", is_admin=True)
    reply = await app.send.command("/dealbell", "channels wins <#C0WINS|wins>")
    assert "<#C0WINS>" in reply.text
    await app.send.command("/deal", "won 3k Acme", channel="C0001")
    post = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert post["channel"] == "C0WINS"
    listing = await app.send.command("/dealbell", "channels")
    assert "wins: <#C0WINS>" in listing.text and "kudos: not set" in listing.text


async def test_non_admin_cannot_change_channels(app):
    reply = await app.send.command("/dealbell", "channels wins <#C0WINS|wins>", user="U0002")
    assert "Only workspace admins and owners" in reply.text
    listing = await app.send.command("/dealbell", "channels", user="U0002")
    assert "wins: not set" in listing.text


async def test_channel_command_needs_a_known_kind_and_a_channel(app):
    app.fake.add_user("U0001", is_owner=True)
    reply = await app.send.command("/dealbell", "channels trophies <#C1|x>")
    assert "`trophies` is not a channel setting" in reply.text
    reply = await app.send.command("/dealbell", "channels wins #wins")
    assert "Name a channel" in reply.text


async def test_help_lists_every_command(app):
    reply = await app.send.command("/dealbell", "help")
    listed = [line.split("`")[1] for line in reply.text.splitlines() if line.startswith("• `")]
    assert listed == [command.name for command in commands(discover())]
    assert "`channels wins|kudos|leaderboard|ideas|team #channel`" in reply.text
    reply = await app.send.command("/dealbell", "<!channel>")
    assert "&lt;!channel&gt;" in reply.text and "<!channel>" not in reply.text


async def test_chinese_locale_gets_chinese_text(app):
    app.fake.add_user("U0005", locale="zh-CN")
    reply = await app.send.command("/deal", "won 0 Acme", user="U0005")
    assert "金额必须大于零" in reply.text


async def test_app_home_is_published_once_per_event_even_when_slack_retries(app):
    first = await app.send.event("event_app_home_opened", event_id="EvHOME1")
    retries = [
        await app.send.event("event_app_home_opened", event_id="EvHOME1", retry_num=n) for n in (1, 2, 3)
    ]
    assert first.status == 200 and all(r.status == 200 for r in retries)
    published = await app.fake.wait_for("views.publish")
    await app.fake.settle()
    assert len(app.fake.calls_to("views.publish")) == 1
    assert published[0].args["user_id"] == "U0001"
    assert published[0].args["view"]["type"] == "home"
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


async def test_url_verification_and_bad_signature(app):
    import json

    reply = await app.send.post(
        json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode(),
        "application/json",
    )
    assert reply.status == 200 and "abc123" in reply.text
    app.send.secret = "wrong-secret"
    reply = await app.send.command("/deal", "won 3k Acme")
    assert reply.status == 401


async def test_cadence_settings_by_a_manager_only(app):
    reply = await app.send.command("/dealbell", "cadence")
    assert "potential 7, new 14, existing 30, vip 7" in reply.text
    reply = await app.send.command("/dealbell", "cadence vip 3")
    assert "Only managers" in reply.text
    app.fake.add_user("U0009", is_admin=True)
    reply = await app.send.command("/dealbell", "cadence vip 3", user="U0009")
    assert "vip 3" in reply.text
    reply = await app.send.command("/dealbell", "cadence vip 0", user="U0009")
    assert "1–365 days" in reply.text
    reply = await app.send.command("/dealbell", "cadence")
    assert "potential 7, new 14, existing 30, vip 3" in reply.text
