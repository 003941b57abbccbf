"""`/dealbell language` and the `/dealbell settings` modal through signed requests."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Member, Workspace, WorkspaceChannel
from storage.workspaces import Profile, save_member
from tests.slack_requests import checkbox_value, select_value, text_value

BOSS, REP = "U0001", "U0002"


async def member(app, user: str) -> Member:
    async with app.db.session() as session:
        return await session.scalar(select(Member).where(Member.slack_user_id == user))


async def workspace(app) -> Workspace:
    async with app.db.session() as session:
        return await session.scalar(select(Workspace))


async def channels(app) -> dict[str, str]:
    async with app.db.session() as session:
        return dict((await session.execute(select(WorkspaceChannel.kind, WorkspaceChannel.channel_id))).all())


# --- language ------------------------------------------------------------------------------------


async def test_language_override_survives_a_profile_refresh_and_auto_restores_slack(app):
    reply = await app.send.command("/dealbell", "language zh-CN", user=REP)
    assert reply.text == "从现在起我将用简体中文和你交流。"
    assert "dealbell 命令" in (await app.send.command("/dealbell", "help", user=REP)).text
    found = await member(app, REP)
    assert (found.language, found.locale) == ("zh-CN", "zh-CN")

    async with app.db.session() as session:  # the daily profile refresh
        await save_member(session, found.workspace_id, REP, Profile(name="ana", locale="en-US"))
    found = await member(app, REP)
    assert (found.language, found.locale, found.name) == ("zh-CN", "zh-CN", "ana")
    assert "dealbell 命令" in (await app.send.command("/dealbell", "help", user=REP)).text

    reply = await app.send.command("/dealbell", "language auto", user=REP)
    assert reply.text == "I'll follow your Slack language again."
    found = await member(app, REP)
    assert (found.language, found.locale) == (None, "en-US")
    assert "*dealbell commands*" in (await app.send.command("/dealbell", "help", user=REP)).text


async def test_a_profile_refresh_still_updates_the_locale_without_an_override(app):
    await app.send.command("/dealbell", "help", user=REP)
    found = await member(app, REP)
    async with app.db.session() as session:
        await save_member(session, found.workspace_id, REP, Profile(locale="zh-CN"))
    assert (await member(app, REP)).locale == "zh-CN"


async def test_an_unknown_language_is_refused_and_nothing_changes(app):
    reply = await app.send.command("/dealbell", "language klingon", user=REP)
    assert "`klingon` is not a language I know" in reply.text
    assert (await member(app, REP)).language is None
    shown = await app.send.command("/dealbell", "language", user=REP)
    assert "English (from Slack)" in shown.text


# --- the settings modal --------------------------------------------------------------------------


async def test_a_rep_cannot_open_the_settings(app):
    reply = await app.send.command("/dealbell", "settings", user=REP)
    assert "Only managers and workspace admins" in reply.text
    await app.fake.settle()
    assert app.fake.calls_to("views.open") == []


async def test_a_manager_opens_the_settings_modal_with_current_values(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "settings", user=BOSS)
    view = (await app.fake.wait_for("views.open"))[0].args["view"]
    assert view["callback_id"] == "settings_modal"
    ids = [b.get("block_id") for b in view["blocks"]]
    for block_id in ("channel_wins", "channel_team", "timezone", "currency", "locale", "workdays",
                     "kudos_allowance", "kudos_emoji", "kudos_values", "charts"):  # fmt: skip
        assert block_id in ids
    currency = next(b for b in view["blocks"] if b.get("block_id") == "currency")
    assert currency["element"]["initial_value"] == "USD"


def conversation(channel: str | None) -> dict:
    return {"value": {"type": "conversations_select", "selected_conversation": channel}}


def form(**overrides) -> dict:
    values = {
        "channel_wins": conversation("C0WINS"),
        "channel_kudos": conversation("C0KUDOS"),
        "channel_leaderboard": conversation(None),
        "channel_ideas": conversation(None),
        "channel_team": conversation("C0TEAM"),
        "timezone": select_value("Asia/Shanghai"),
        "currency": text_value("cny"),
        "locale": select_value("zh_Hans_CN"),
        "workdays": checkbox_value("0", "1", "2", "3", "4", "5"),
        "kudos_allowance": text_value("7"),
        "kudos_emoji": text_value(":tada:"),
        "kudos_values": text_value("Teamwork, #grit, customer-first"),
        "charts": checkbox_value(),
    }
    values.update(overrides)
    return values


async def test_a_submission_with_errors_shows_them_by_the_fields_and_writes_nothing(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "help", user=BOSS)
    before = await workspace(app)
    reply = await app.send.view_submission(
        "settings_modal",
        form(timezone=select_value("Mars/Olympus"), currency=text_value("XYZ1"), kudos_allowance=text_value("0"),
             kudos_emoji=text_value("not an emoji"), kudos_values=text_value("good, bad value!"),
             workdays=checkbox_value()),
        user=BOSS,
    )  # fmt: skip
    answer = reply.json
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        "timezone",
        "currency",
        "kudos_allowance",
        "kudos_emoji",
        "kudos_values",
        "workdays",
    }
    assert "1 to 100" in answer["errors"]["kudos_allowance"]
    after = await workspace(app)
    assert (after.timezone, after.currency, after.kudos_allowance, after.kudos_values, after.charts_enabled) == (
        before.timezone, before.currency, before.kudos_allowance, before.kudos_values, before.charts_enabled,
    )  # fmt: skip
    assert await channels(app) == {}


async def test_a_valid_submission_writes_everything(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "help", user=BOSS)
    reply = await app.send.view_submission("settings_modal", form(), user=BOSS)
    assert reply.status == 200 and not reply.text
    saved = await workspace(app)
    assert (saved.timezone, saved.currency, saved.locale) == ("Asia/Shanghai", "CNY", "zh_Hans_CN")
    assert saved.workdays == [0, 1, 2, 3, 4, 5]
    assert (saved.kudos_allowance, saved.kudos_emoji) == (7, "tada")
    assert saved.kudos_values == ["teamwork", "grit", "customer-first"]
    assert saved.charts_enabled is False
    assert await channels(app) == {"wins": "C0WINS", "kudos": "C0KUDOS", "team": "C0TEAM"}
    again = await app.send.view_submission("settings_modal", form(), user=BOSS)  # Slack retries: same result
    assert again.status == 200 and await channels(app) == {
        "wins": "C0WINS",
        "kudos": "C0KUDOS",
        "team": "C0TEAM",
    }


async def test_a_rep_cannot_submit_the_settings(app):
    await app.send.command("/dealbell", "help", user=REP)
    reply = await app.send.view_submission("settings_modal", form(), user=REP)
    assert reply.json["response_action"] == "errors"
    assert (await workspace(app)).currency == "USD"
