"""The sandbox's server pieces without a browser: the seeded team, signed forwarding to the real bot,
how Slack's answers show up in the workspace, and the scheduler endpoint."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import yaml
from sqlalchemy import func, select

from bot.kit.views.leaderboard import day_text
from bot.sandbox.configured import SLACK_SETTINGS, slack_configured
from bot.sandbox.forward import escape_command_text, sign
from bot.sandbox.seed import CUSTOMERS, DEALS, MANAGER, REPS, SALES, WINS, WORKSPACE_ZONE
from bot.sandbox.server import Sandbox, start_sandbox
from bot.sandbox.workspace import BOT_USER
from jobs import JOBS
from storage.models import Customer, Deal, Member, Workspace, utcnow

ANA, SAM = REPS[0].id, REPS[2].id


async def count(sandbox: Sandbox, model: type) -> int:
    async with sandbox.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def texts(state: dict, channel: str) -> list[str]:
    return [m["text"] for m in state["messages"] if m["channel"] == channel]


async def test_the_demo_team_is_seeded(sandbox, page_api):
    async with sandbox.db.session() as session:
        members = {m.slack_user_id: m for m in await session.scalars(select(Member))}
    assert set(members) == {MANAGER.id, *(r.id for r in REPS)}
    assert members[MANAGER.id].role == "manager"
    assert {members[r.id].role for r in REPS} == {"rep"}
    assert len({members[r.id].timezone for r in REPS}) == 4  # four reps, four time zones
    assert await count(sandbox, Customer) == len(CUSTOMERS)
    assert await count(sandbox, Deal) == len(DEALS)
    state = await page_api.get(f"/api/state?user={ANA}")
    assert {c["name"] for c in state["channels"]} == {"sales", "wins"}
    assert len(texts(state, SALES)) == 2  # the chatter people can react to
    assert {p["id"] for p in state["people"]} >= {MANAGER.id, ANA}


async def test_an_empty_sandbox_knows_the_people_but_has_no_data(tmp_path):
    sandbox = await start_sandbox(f"sqlite:///{tmp_path / 'empty.db'}", seed=False, scheduler=False)
    try:
        assert await count(sandbox, Workspace) == 0
        assert MANAGER.id in sandbox.slack.users  # users.info still answers for the team
        assert sandbox.slack.timeline == []
    finally:
        await sandbox.stop()


def test_command_text_is_escaped_like_slack_does():
    users = {"li": {"id": "U03LI"}}
    assert (
        escape_command_text("@li for the <b> demo & #wins @nobody", users, {"wins": "C02WINS"})
        == "<@U03LI|li> for the &lt;b&gt; demo &amp; <#C02WINS|wins> @nobody"
    )
    assert escape_command_text("thanks @li. and a@li.com", users, {}) == "thanks <@U03LI|li>. and a@li.com"


async def test_a_command_is_signed_and_its_answer_is_shown_only_to_its_author(sandbox, page_api):
    status, answer = await page_api.post(
        "/api/command", user=ANA, channel=SALES, command="/deal", text='won 12000 Acme Corp "Annual licence"'
    )
    assert status == 200 and answer["ok"]
    await sandbox.slack.wait_for("chat.postMessage")
    mine = await page_api.get(f"/api/state?user={ANA}")
    card = next(m for m in mine["messages"] if m["ephemeral"])
    assert card["channel"] == SALES and "Acme Corp" in card["text"] and card["blocks"]
    assert any("won *Acme Corp*" in text for text in texts(mine, WINS))  # the celebration, in #wins
    theirs = await page_api.get(f"/api/state?user={SAM}")
    assert not any(m["ephemeral"] for m in theirs["messages"])
    assert await count(sandbox, Deal) == len(DEALS) + 1
    # A text-only acknowledgement (Bolt sends it as text/plain) is shown the same way.
    await page_api.post("/api/command", user=SAM, channel=SALES, command="/kudos", text="@ana for the demo")
    note = [m for m in sandbox.slack.timeline if m.ephemeral_to == SAM]
    assert [m.text for m in note] == ["Kudos sent to <@U02ANA>. You have 4 left today."]


async def test_the_bot_refuses_a_request_the_sandbox_did_not_sign(sandbox):
    body = b"command=%2Fdeal&text=list&team_id=T0001&user_id=U02ANA"
    headers = {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": sign("wrong", "1", body),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    async with (
        aiohttp.ClientSession() as session,
        session.post(sandbox.forwarder.url, data=body, headers=headers) as r,
    ):
        assert r.status == 401


async def test_clicks_update_messages_and_modals_show_errors_then_close(sandbox, page_api):
    await page_api.post("/api/command", user=ANA, channel=SALES, command="/deal", text="won 5000 Hooli")
    await sandbox.slack.wait_for("chat.postMessage")
    celebration = next(m for m in sandbox.slack.timeline if m.channel == WINS)
    button = celebration.blocks[0]["accessory"]
    status, _ = await page_api.post(
        "/api/action", user=SAM, channel=celebration.channel, ts=celebration.ts,
        action={**button, "block_id": celebration.blocks[0]["block_id"]},
    )  # fmt: skip
    assert status == 200
    await sandbox.slack.wait_for("chat.update")
    # the congratulations count, in place
    assert celebration.edited and celebration.blocks[1]["block_id"] == "congratulations"

    await page_api.post("/api/command", user=ANA, channel=SALES, command="/deal", text="")
    await sandbox.slack.wait_for("views.open")
    modal = (await page_api.get(f"/api/state?user={ANA}"))["modal"]
    assert modal["callback_id"] == "deal_new"
    values = {
        "customer": {"value": {"type": "plain_text_input", "value": "Initech"}},
        "amount": {"value": {"type": "plain_text_input", "value": "lots"}},
    }
    _, answer = await page_api.post("/api/submit", user=ANA, view_id=modal["id"], values=values)
    assert set(answer["errors"]) == {"amount"}
    assert (await page_api.get(f"/api/state?user={ANA}"))["modal"] is not None  # still open
    values["amount"]["value"]["value"] = "7k"
    _, answer = await page_api.post("/api/submit", user=ANA, view_id=modal["id"], values=values)
    assert answer["ok"] and answer["errors"] is None
    assert (await page_api.get(f"/api/state?user={ANA}"))["modal"] is None


async def test_the_deal_forms_customer_menu_is_answered_by_the_bot_as_people_type(sandbox, page_api):
    await page_api.post("/api/command", user=ANA, channel=SALES, command="/deal", text="")
    await sandbox.slack.wait_for("views.open")
    modal = (await page_api.get(f"/api/state?user={ANA}"))["modal"]
    (customer,) = [b for b in modal["blocks"] if b.get("block_id") == "customer"]
    action_id = customer["element"]["action_id"]

    status, answer = await page_api.post(
        "/api/options", user=ANA, view_id=modal["id"], block_id="customer", action_id=action_id, value="glo"
    )
    assert (
        status == 200
        and (answer["options"][0]["text"]["text"], answer["options"][0]["value"]) == ("Globex",) * 2
    )
    values = {
        "customer": {action_id: {"type": "external_select", "selected_option": answer["options"][0]}},
        "amount": {"value": {"type": "plain_text_input", "value": "7k"}},
    }
    _, submitted = await page_api.post("/api/submit", user=ANA, view_id=modal["id"], values=values)
    assert submitted["ok"] and submitted["errors"] is None
    async with sandbox.db.session() as session:
        globex = await session.scalar(select(Customer.id).where(Customer.name == "Globex"))
        assert (
            await session.scalar(select(func.count()).select_from(Deal).where(Deal.customer_id == globex))
            == 2
        )
    assert await count(sandbox, Customer) == len(CUSTOMERS)


async def test_a_kudos_reaction_goes_to_the_bot_as_reaction_added(sandbox, page_api):
    sams = next(m for m in sandbox.slack.timeline if m.user == SAM)
    status, answer = await page_api.post("/api/react", user=ANA, channel=SALES, ts=sams.ts, name="clap")
    assert status == 200 and answer["ok"]
    [card] = await sandbox.slack.wait_for("chat.postMessage")
    assert card.args["thread_ts"] == sams.ts  # the kudos card, in the message's thread
    assert sams.reactions == {"clap": [ANA]}


async def test_the_scheduler_lists_every_job_and_runs_one_as_of_a_chosen_time(sandbox, page_api):
    jobs = await page_api.get("/api/jobs")
    assert [j["name"] for j in jobs] == list(JOBS)
    status, answer = await page_api.post(
        "/api/jobs/run", name="weekly-leaderboard", at="2026-11-27T21:00:00Z"
    )
    assert status == 200, answer
    [outcome] = answer["outcomes"]
    assert (outcome["status"], outcome["period"]) == ("ran", "2026-W48")
    [post] = sandbox.slack.delivered("chat.postMessage")
    assert post.args["channel"] == WINS
    status, again = await page_api.post("/api/jobs/run", name="weekly-leaderboard", at="2026-11-27T21:00:00Z")
    assert again["outcomes"][0]["status"] == "ran"  # "Run now" takes no claim: it runs every time
    status, _ = await page_api.post("/api/jobs/run", name="no-such-job")
    assert status == 400


async def test_the_scheduler_clock_drives_what_a_job_reads(sandbox, page_api):
    """A run "ahead" is as of the panel's clock: next Friday's board covers next week up to then."""
    zone = ZoneInfo(WORKSPACE_ZONE)
    today = utcnow().astimezone(zone).date()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    next_friday = next_monday + dt.timedelta(days=4)
    clock = dt.datetime.combine(next_friday, dt.time(16, 5), zone)

    status, answer = await page_api.post("/api/jobs/run", name="weekly-leaderboard", at=clock.isoformat())

    assert status == 200, answer
    year, week, _ = next_monday.isocalendar()
    assert answer["outcomes"][0]["period"] == f"{year}-W{week:02d}"
    [post] = sandbox.slack.delivered("chat.postMessage")
    assert (
        post.args["text"]
        == f"Weekly leaderboard for {day_text(next_monday, 'en')} – {day_text(next_friday, 'en')}"
    )


async def test_the_app_home_is_published_for_the_user_who_opens_it(sandbox, page_api):
    status, _ = await page_api.post("/api/home", user=MANAGER.id)
    assert status == 200
    await sandbox.slack.wait_for("views.publish")
    state = await page_api.get(f"/api/state?user={MANAGER.id}")
    assert state["home"]["type"] == "home"
    assert (await page_api.get(f"/api/state?user={ANA}"))["home"] is None


async def test_the_page_is_served_and_its_commands_are_the_manifests(sandbox, repo_root: Path):
    manifest = yaml.safe_load((repo_root / "manifest.yml").read_text())
    expected = [
        {"command": c["command"], "description": c["description"], "usage_hint": c["usage_hint"]}
        for c in manifest["features"]["slash_commands"]
    ]
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + "/api/commands") as response:
            assert await response.json() == expected
        for path in ("/", "/static/app.js", "/static/app.css", "/api/commands"):
            async with session.get(sandbox.url + path) as response:
                assert response.status == 200, path
                body = await response.text()
                # Nothing the page loads comes from another host.
                assert "https://" not in body.replace("https://api.slack.com", "") or path == "/api/commands"


@pytest.mark.parametrize("user", ["", "UBOT", "U404"])
async def test_only_the_workspaces_people_can_act(page_api, user):
    status, _ = await page_api.post("/api/message", user=user, channel=SALES, text="hi")
    assert status == 400


async def test_plain_messages_are_posted_escaped(sandbox, page_api):
    status, answer = await page_api.post("/api/message", user=ANA, channel=SALES, text="<!channel> & co")
    assert status == 200
    message = sandbox.slack.find(SALES, answer["ts"])
    assert message is not None and message.text == "&lt;!channel&gt; &amp; co"
    assert message.user != BOT_USER


def test_make_run_starts_the_sandbox_only_without_slack_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in SLACK_SETTINGS:
        monkeypatch.delenv(name.upper(), raising=False)
    assert not slack_configured()
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\n")
    assert slack_configured()


async def test_dealbell_sandbox_prints_its_url_serves_the_page_and_stops_on_sigterm(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "sandbox", "--port", "0", "--empty", "--db", str(tmp_path / "s.db"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, cwd=tmp_path,
    )  # fmt: skip
    try:
        url = None
        while url is None:
            line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()  # type: ignore[union-attr]
            assert line, "dealbell sandbox exited without printing its URL"
            url = next((word for word in line.split() if word.startswith("http://127.0.0.1:")), None)
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200 and "dealbell sandbox" in await response.text()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_click_on_an_ephemeral_card_replaces_it_through_the_response_url(sandbox, page_api):
    await page_api.post("/api/command", user=ANA, channel=SALES, command="/deal", text="new 40k Globex")
    card = next(m for m in sandbox.slack.timeline if m.ephemeral_to == ANA)
    buttons = next(b for b in card.blocks if b["type"] == "actions")
    advance = next(e for e in buttons["elements"] if e["action_id"] == "deal_advance")
    action = {**advance, "block_id": buttons["block_id"]}
    status, _ = await page_api.post("/api/action", user=ANA, channel=SALES, ts=card.ts, action=action)
    assert status == 200
    await sandbox.slack.wait_for("response_url")
    assert card.edited and "Qualified" in card.text  # the same ephemeral message, redrawn
    assert [m for m in sandbox.slack.timeline if m.ephemeral_to == ANA] == [card]


async def test_response_url_messages_follow_slacks_rules(sandbox):
    slack = sandbox.slack
    slack.respond(ANA, SALES, None, {"text": "just you"})
    slack.respond(ANA, SALES, None, {"text": "everyone", "response_type": "in_channel"})
    private, public = slack.timeline[-2:]
    assert (private.ephemeral_to, public.ephemeral_to) == (ANA, None)
    slack.respond(ANA, SALES, public.ts, {"delete_original": True})
    assert public not in slack.timeline


# --- only the page itself may drive the sandbox (issue 17, item 18) -----------------------------------

FOREIGN_REQUESTS = {
    # A form or fetch() from another website: a "simple" request, no preflight, no token.
    "text/plain body": {"Content-Type": "text/plain"},
    "another website's origin": {"Origin": "http://evil.example"},
    "no token": {"X-Sandbox-Token": None},
    "a wrong token": {"X-Sandbox-Token": "guessed"},
    # DNS rebinding: evil.example now resolves to 127.0.0.1, and its page calls its "own" origin.
    "a foreign Host": {"Host": "evil.example", "Origin": "http://evil.example"},
}


def page_headers_but(sandbox: Sandbox, changes: dict[str, str | None]) -> dict[str, str]:
    """The headers the page sends, with `changes` applied (None: left out)."""
    headers = {"Origin": sandbox.url, "X-Sandbox-Token": sandbox.token, "Content-Type": "application/json"}
    headers.update(changes)
    return {name: value for name, value in headers.items() if value is not None}


@pytest.mark.parametrize("case", list(FOREIGN_REQUESTS))
@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/message", {"user": ANA, "channel": SALES, "text": "sent by another website"}),
        ("/api/command", {"user": ANA, "channel": SALES, "command": "/deal", "text": "won 9000 Evil Corp"}),
        ("/api/jobs/run", {"name": "weekly-leaderboard", "at": "2026-11-27T21:00:00Z"}),
    ],
)
async def test_a_request_not_from_the_page_is_refused_and_changes_nothing(sandbox, case, path, body):
    before = (sandbox.slack.version, len(sandbox.slack.timeline), await count(sandbox, Deal))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sandbox.url + path,
            data=json.dumps(body),
            headers=page_headers_but(sandbox, FOREIGN_REQUESTS[case]),
        ) as r,
    ):
        assert r.status in (400, 403), (case, r.status, await r.text())
    assert (sandbox.slack.version, len(sandbox.slack.timeline), await count(sandbox, Deal)) == before


async def test_a_foreign_host_cannot_read_the_state_or_the_page(sandbox):
    async with aiohttp.ClientSession() as session:
        for path in ("/", f"/api/state?user={ANA}", "/static/app.js"):
            async with session.get(sandbox.url + path, headers={"Host": "evil.example:1234"}) as r:
                assert r.status == 400, path
                assert "Acme" not in await r.text()


async def test_the_page_carries_its_token_and_localhost_is_its_own_origin_too(sandbox, page_api):
    port = sandbox.url.rsplit(":", 1)[1]
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + "/") as r:
            assert sandbox.token in await r.text()
        headers = {
            "Host": f"localhost:{port}",
            "Origin": f"http://localhost:{port}",
            "X-Sandbox-Token": sandbox.token,
        }
        body = {"user": ANA, "channel": SALES, "text": "from localhost"}
        async with session.post(sandbox.url + "/api/message", json=body, headers=headers) as r:
            assert r.status == 200
    status, _ = await page_api.post("/api/message", user=ANA, channel=SALES, text="from the page")
    assert status == 200
    assert [m.text for m in sandbox.slack.timeline[-2:]] == ["from localhost", "from the page"]


async def test_an_explicit_host_also_accepts_loopback_names_and_the_names_allowed(tmp_path):
    sandbox = await start_sandbox(
        f"sqlite:///{tmp_path / 'open.db'}", host="0.0.0.0", seed=False, scheduler=False,
        allowed_hosts=["sandbox.internal"],
    )  # fmt: skip
    try:
        port = int(sandbox.url.rsplit(":", 1)[1])
        async with aiohttp.ClientSession() as session:
            # Published by Docker on another port of the host's loopback, or reached by an allowed name.
            for host, status in (("127.0.0.1:3001", 200), ("localhost:3001", 200),
                                 ("sandbox.internal:3001", 200), ("evil.example:3001", 400)):  # fmt: skip
                url = f"http://127.0.0.1:{port}/"
                async with session.get(url, headers={"Host": host}) as r:
                    assert r.status == status, host
    finally:
        await sandbox.stop()
