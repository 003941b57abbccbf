"""Security: only Slack's signed, fresh requests are served, and only managers do what managers do.

1. A bad or missing signature, or a timestamp more than 5 minutes off, gets 401 for commands,
   interactive payloads and events, and the app neither writes a row nor calls Slack.
2. A member without the manager role (REP), and a manager who is not a workspace admin (BOSS) for
   what only admins do, calling every manager-only command, subcommand, button, menu and modal is
   refused privately (an ephemeral answer, a modal field error) and every row of every table stays
   as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.reliability import world as w
from tests.reliability.effects import settled, snapshot
from tests.reliability.world import ADMIN, PEER, REP
from tests.slack_requests import checkbox_value, payload, select_value, sign, text_value

BOSS = "U0004"  # role manager, not a workspace admin
WRONG_SECRET = "not-the-signing-secret"


# --- 1. signatures -------------------------------------------------------------------------------


def bodies(app) -> dict[str, tuple[bytes, str]]:
    """A slash command, a button click and an event, as Slack would send them (before signing)."""
    command = payload("slash_command") | {"command": "/deal", "text": "won 10k Acme", "user_id": ADMIN}
    click = app.send.action_payload("ideas_upvote", "1", user=ADMIN)
    event = payload("event_app_home_opened")
    return {
        "command": (urlencode(command).encode(), "application/x-www-form-urlencoded"),
        "action": (urlencode({"payload": json.dumps(click)}).encode(), "application/x-www-form-urlencoded"),
        "event": (json.dumps(event).encode(), "application/json"),
    }


def forged(body: bytes, secret: str) -> dict[str, dict[str, str]]:
    """Headers that must not pass: wrong secret, stale or future timestamp, another body, none."""
    now = int(time.time())

    def signed(timestamp: int, what: bytes = body, key: str = secret) -> dict[str, str]:
        return {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(key, str(timestamp), what),
        }

    return {
        "wrong secret": signed(now, key=WRONG_SECRET),
        "6 minutes old": signed(now - 360),
        "6 minutes ahead": signed(now + 360),
        "signature of another body": signed(now, what=body + b"&x=1"),
        "no signature": {"X-Slack-Request-Timestamp": str(now)},
        "no timestamp": {"X-Slack-Signature": signed(now)["X-Slack-Signature"]},
    }  # fmt: skip


async def post(url: str, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers={"Content-Type": content_type, **headers}) as reply,
    ):
        return reply.status


async def test_unsigned_stale_or_forged_requests_get_401_and_do_nothing(app):
    await w.meet(app)
    before, calls = await snapshot(app.db), len(app.fake.calls)
    statuses = {}
    for kind, (body, content_type) in bodies(app).items():
        for forgery, headers in forged(body, app.send.secret).items():
            statuses[(kind, forgery)] = await post(app.send.url, body, content_type, headers)
    await app.fake.settle(0.1)
    assert {k: s for k, s in statuses.items() if s != 401} == {}
    assert app.fake.calls[calls:] == []
    assert await snapshot(app.db) == before
    # and the same requests, signed right and fresh, are served (so the 401s are about the signature)
    for kind, (body, content_type) in bodies(app).items():
        assert (await app.send.post(body, content_type)).status == 200, kind


async def test_a_timestamp_that_is_not_a_number_gets_401(app):
    for kind, (body, content_type) in bodies(app).items():
        signature = sign(app.send.secret, "soon", body)
        headers = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": signature}
        assert await post(app.send.url, body, content_type, headers) == 401, kind


# --- 2. managers only ----------------------------------------------------------------------------


Targets = dict[str, Any]  # ids of the rows the refused requests name


async def seed(app) -> Targets:
    await w.meet(app)
    await w.command(app, "/team", f"role <@{BOSS}> manager", user=ADMIN)
    await w.command(app, "/standup", f"holidays add {w.FAR} Founders day", user=ADMIN)
    lead, _owner = await w.new_lead(app, "sec")
    return dict(
        lead=lead,
        deal=await w.new_deal(app, "Admin Co"),
        idea=await w.new_idea(app, "sec"),
        item=await w.new_item(app, "sec"),
        redemption=await w.new_redemption(app, "sec"),
        nomination=await w.new_nomination(app, "sec"),
        session=await w.started_session(app, "sec"),
        run=await w.new_standup_run(app, "sec"),
        customer=await w.new_customer(app, "sec"),  # owned by REP; PEER is refused its buttons
    )


def commands(ids: Targets) -> list[tuple[str, str, str]]:
    """(user, command, text): every manager-only command and subcommand (admin-only ones by BOSS)."""
    far = w.FAR
    return [
        (REP, "/feedback", f"request <@{PEER}|peer> from <@{ADMIN}|admin>"),
        (REP, "/team", f"role <@{PEER}|peer> account-manager"),
        (REP, "/team", f'duties <@{PEER}|peer> "Owns APAC"'),
        (REP, "/team", f'title <@{PEER}|peer> "Sales Champion"'),
        (REP, "/team", "role <@U0077|new> account-manager"),  # someone never seen: not even a member row
        (BOSS, "/team", f"role <@{PEER}|peer> manager"),  # only admins make managers
        (BOSS, "/team", f"role <@{ADMIN}|admin> rep"),  # or take the role away
        (REP, "/lead", f"assign {ids['lead']} <@{PEER}|peer>"),
        (REP, "/training", f'schedule "Deep-dive" {far} 15:00'),
        (REP, "/training", f"attendance {ids['session']}"),
        (REP, "/reward", f'<@{PEER}|peer> "Champion" for the Acme deal points:50'),
        (REP, "/reward", f"points <@{ADMIN}|admin>"),
        (REP, "/reward", 'catalogue add "Cup" 10'),
        (REP, "/reward", f"catalogue remove {ids['item']}"),
        (REP, "/goal", f"set <@{PEER}|peer> revenue 100k month"),
        (REP, "/goal", "set team deals 30 quarter"),
        (REP, "/scorecard", f"<@{ADMIN}|admin>"),
        (REP, "/scorecard", "team"),
        (REP, "/contest", f'new "Sprint" metric:revenue from:{far} to:{far}'),
        (REP, "/dealbell", "channels wins <#C0WINS|wins>"),
        (BOSS, "/dealbell", "channels kudos <#C0KUDOS|kudos>"),  # workspace admins only
        (REP, "/dealbell", "values add grit"),
        (REP, "/dealbell", "values remove teamwork"),
        (REP, "/dealbell", "kudos emoji :tada:"),
        (REP, "/dealbell", "kudos allowance 7"),
        (REP, "/dealbell", "kudos value-required on"),
        (REP, "/dealbell", "cadence vip 3"),
        (REP, "/dealbell", "settings"),
        (REP, "/dealbell", "export deals all"),
        (REP, "/standup", "setup"),
        (REP, "/standup", "now all"),
        (REP, "/standup", f"remove {ids['run']}"),
        (REP, "/standup", f"holidays add {far + dt.timedelta(days=1)} Party"),
        (REP, "/standup", f"holidays remove {far}"),
    ]


def clicks(app, ids: Targets) -> list[dict[str, Any]]:
    """Every manager-only button and menu (and those for the owner or a manager) by someone else."""
    return [
        w.select_payload(app, "ideas_status", user=REP, selected_option={"value": f"{ids['idea']}:done"}),
        w.select_payload(app, "lead_reassign", user=REP, block_id=f"lead_reassign:{ids['lead']}",
                         selected_user=PEER),
        app.send.action_payload("rewards_nomination_announce", str(ids["nomination"]), user=REP),
        app.send.action_payload("rewards_nomination_skip", str(ids["nomination"]), user=REP),
        app.send.action_payload("rewards_redemption_approve", str(ids["redemption"]), user=PEER),
        app.send.action_payload("rewards_redemption_decline", str(ids["redemption"]), user=PEER),
        app.send.action_payload("training_attendance", str(ids["session"]), user=REP),
        app.send.action_payload("deal_advance", f"{ids['deal']}:negotiation", user=REP),
        app.send.action_payload("deal_won", f"{ids['deal']}:won", user=REP),
        app.send.action_payload("followup_done", f"c:{ids['customer']}:{w.TODAY}", user=PEER),
        app.send.action_payload("followup_snooze", f"c:{ids['customer']}:{w.TODAY}", user=PEER),
    ]  # fmt: skip


def modals(app, ids: Targets) -> list[dict[str, Any]]:
    """Every manager-only modal, submitted by REP with values a manager's submission would save."""
    channel = {"value": {"type": "conversations_select", "selected_conversation": "C0X"}}
    people = {"value": {"type": "multi_users_select", "selected_users": [REP, PEER]}}
    settings = {
        "channel_wins": channel,
        "timezone": select_value("Asia/Tokyo"),
        "currency": text_value("jpy"),
        "locale": select_value("en_US"),
        "workdays": checkbox_value("0", "1"),
        "kudos_allowance": text_value("9"),
        "kudos_emoji": text_value(":star:"),
        "kudos_values": text_value("grit"),
        "charts": checkbox_value(),
    }
    standup = {
        "name": text_value("Mine"),
        "channel": channel,
        "participants": people,
        "questions": text_value("Yesterday?\nToday?"),
        "days": checkbox_value("0"),
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "zone": {"value": {"type": "radio_buttons", "selected_option": {"value": "workspace"}}},
    }
    return [
        app.send.view_payload("settings_modal", settings, user=REP),
        app.send.view_payload("standup_setup", standup, user=REP, private_metadata=w.metadata(channel="C0001")),
        app.send.view_payload("training_attendance", {"others": people}, user=REP,
                              private_metadata=w.metadata(training=ids["session"])),
    ]  # fmt: skip


REFUSED = (":warning:", ":no_entry:")


def answer(reply) -> dict[str, Any]:
    """The JSON the app answered with; a plain-text answer (Bolt's for some errors) as its text."""
    try:
        return reply.json or {}
    except ValueError:
        return {"text": reply.text}


def privately_refused(reply) -> bool:
    said = answer(reply)
    return said.get("response_type") != "in_channel" and said.get("text", "").startswith(REFUSED)


def notes_to(app, start: int, user: str) -> list[str]:
    """What the user was told privately since `start`: response_url notes, ephemerals, DMs from the bot."""
    told = []
    for call in app.fake.calls[start:]:
        private = (
            (call.method == "response_url" and call.args.get("response_type") != "in_channel")
            or (call.method == "chat.postEphemeral" and call.args.get("user") == user)
            or (call.method == "chat.postMessage" and call.args.get("channel") in (user, f"D{user}"))
        )  # fmt: skip
        if private:
            told.append(call.args.get("text", ""))
    return told


def public_posts(app, start: int, user: str) -> list[str]:
    """Anything posted or changed where others see it (a refused request must not speak for itself)."""
    return [
        f"{c.method} {c.args.get('channel')}: {c.args.get('text', '')[:60]}"
        for c in app.fake.calls[start:]
        if c.method in ("chat.postMessage", "chat.delete", "views.open", "files.completeUploadExternal")
        and c.args.get("channel") not in (user, f"D{user}")
    ]


@pytest.mark.parametrize("what", ["commands", "buttons and menus", "modals"])
async def test_a_non_manager_is_refused_privately_and_nothing_changes(app, what):
    ids = await seed(app)
    before = await snapshot(app.db)
    failures: list[str] = []

    async def unchanged(label: str) -> None:
        nonlocal before
        after = await snapshot(app.db)
        if after != before:
            failures.append(f"{label}: rows changed in {sorted(t for t in after if after[t] != before[t])}")
            before = after

    if what == "commands":
        for user, command, text in commands(ids):
            start = len(app.fake.calls)
            (reply,) = await settled(app.send.command(command, text, user=user))
            if reply.status != 200 or not privately_refused(reply):
                failures.append(f"{user} {command} {text}: answered {reply.status} {reply.text[:120]}")
            if public_posts(app, start, user):
                failures.append(f"{user} {command} {text}: {public_posts(app, start, user)}")
            await unchanged(f"{user} {command} {text}")
    elif what == "buttons and menus":
        for click in clicks(app, ids):
            start, user = len(app.fake.calls), click["user"]["id"]
            (reply,) = await settled(app.send.interactive(click))
            label = f"{user} {click['actions'][0]['action_id']}"
            if reply.status != 200 or not any(n.startswith(REFUSED) for n in notes_to(app, start, user)):
                failures.append(f"{label}: answered {reply.status}, told {notes_to(app, start, user)}")
            if public_posts(app, start, user):
                failures.append(f"{label}: {public_posts(app, start, user)}")
            await unchanged(label)
    else:
        for view in modals(app, ids):
            start = len(app.fake.calls)
            (reply,) = await settled(app.send.interactive(view))
            label = view["view"]["callback_id"]
            if reply.status != 200 or answer(reply).get("response_action") != "errors":
                failures.append(f"{label}: answered {reply.status} {reply.text[:120]}")
            if public_posts(app, start, REP):
                failures.append(f"{label}: {public_posts(app, start, REP)}")
            await unchanged(label)
    assert not failures, "\n".join(failures)
