"""The office screen: an admin creates and revokes its link; the link shows this week's board live
(server-sent events, a new win within 2 s) and nothing else; the token never reaches the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from types import SimpleNamespace

import aiohttp

from bot.app import create_app
from bot.server import create_web_app
from bot.web import DashboardConfig
from storage.dashboard import create_tv_link
from storage.workspaces import get_member, get_workspace
from tests.conftest import make_settings
from tests.handlers.test_goals import ANA, BOSS, LI, seed_team
from tests.serving import serving
from tests.web.conftest import CLIENT_ID, CLIENT_SECRET, sign_in


async def tv_form(dash, browser, action: str, csrf: str | None = None) -> str:
    html = await (await browser.get(f"{dash.url}/app/tv")).text()
    csrf = csrf or re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    async with browser.post(f"{dash.url}/app/tv", data={"csrf": csrf, "action": action}) as r:
        assert r.status == 200, r.status
        return await r.text()


async def create_link(dash, browser) -> str:
    html = await tv_form(dash, browser, "create")
    return re.search(r'id="tv-link">[^<]*/tv/([^<]+)</a>', html).group(1)


async def next_board(lines) -> dict:
    """The next `board` event of the stream (generous ceiling: the test fails, never hangs)."""
    async with asyncio.timeout(5):
        while True:
            line = (await lines.readline()).decode()
            if line.startswith("data: "):
                return json.loads(line.removeprefix("data: "))


async def test_an_admin_creates_a_link_the_screen_updates_live_and_a_revoked_link_is_gone(
    dash, browser, caplog
):
    caplog.set_level(logging.DEBUG)
    await seed_team(dash)
    await sign_in(dash, browser, BOSS)
    token = await create_link(dash, browser)
    async with browser.get(f"{dash.url}/tv/{token}") as r:  # no session needed: a fresh client
        page = await r.text()
        assert r.status == 200 and "/app/static/tv.js" in page and "<script>" not in page
    async with browser.get(f"{dash.url}/tv/{token}/events") as stream:
        first = await next_board(stream.content)
        assert first["wins"] == 0 and first["board"] == []
        await dash.send.command("/deal", "won 3k Acme", user=LI)
        started = asyncio.get_running_loop().time()
        update = await next_board(stream.content)
        assert asyncio.get_running_loop().time() - started < 2.0
        assert (
            update["wins"] == 1
            and update["board"][0]["name"] == "Li"
            and update["board"][0]["amount"] == "$3,000.00"
        )
    for path in ("/app", "/app/reps.csv", f"/tv/{token}/../app/reps"):  # the token opens nothing else
        async with (
            aiohttp.ClientSession() as anonymous,
            anonymous.get(f"{dash.url}{path}", allow_redirects=False) as r,
        ):
            assert r.status in (302, 404), path
    await tv_form(dash, browser, "revoke")
    async with browser.get(f"{dash.url}/tv/{token}") as r:
        assert r.status == 404
    logged = "\n".join(rec.getMessage() + str(getattr(rec, "fields", "")) for rec in caplog.records)
    assert token not in logged


async def test_a_new_link_replaces_the_old_and_only_admins_and_the_forms_token_change_it(dash, browser):
    await seed_team(dash)
    await sign_in(dash, browser, BOSS)
    old = await create_link(dash, browser)
    new = await create_link(dash, browser)
    assert (await browser.get(f"{dash.url}/tv/{old}")).status == 404
    assert (await browser.get(f"{dash.url}/tv/{new}")).status == 200
    async with browser.post(f"{dash.url}/app/tv", data={"csrf": "forged", "action": "revoke"}) as r:
        assert r.status == 403
    assert (await browser.get(f"{dash.url}/tv/{new}")).status == 200
    browser.cookie_jar.clear()
    await sign_in(dash, browser, ANA)
    assert (await browser.get(f"{dash.url}/app/tv")).status == 403


async def test_members_hidden_from_public_boards_are_not_named_on_the_screen_or_to_reps(dash, browser):
    """A member who chose to be left out of public boards (`/dealbell privacy`) is left off the office
    screen and off the boards reps see; managers still see them."""
    await seed_team(dash)
    async with dash.db.session() as session:
        li = await get_member(session, (await get_workspace(session, "T0001")).id, LI)
        li.hidden_from_boards = True
    await dash.send.command("/deal", "won 3k Acme", user=LI)
    await dash.send.command("/deal", "won 2k Acme", user=ANA)
    await sign_in(dash, browser, BOSS)
    assert "Li" in await (await browser.get(f"{dash.url}/app/boards?p=week")).text()  # managers see everyone
    token = await create_link(dash, browser)
    async with browser.get(f"{dash.url}/tv/{token}/events") as stream:
        board = await next_board(stream.content)
    assert [row["name"] for row in board["board"]] == ["Ana"]
    browser.cookie_jar.clear()
    await sign_in(dash, browser, ANA)
    html = await (await browser.get(f"{dash.url}/app/boards?p=week")).text()
    assert ">Ana<" in html and ">Li<" not in html


async def test_an_open_screen_does_not_hold_the_server_at_shutdown(db, database_url, fake_slack):
    await seed_team(SimpleNamespace(db=db, fake=fake_slack))
    async with db.session() as session:
        boss = await get_member(session, (await get_workspace(session, "T0001")).id, BOSS)
        token = await create_tv_link(session, boss)
        await session.commit()
    settings = make_settings(database_url, fake_slack)
    config = DashboardConfig(CLIENT_ID, CLIENT_SECRET, fake_slack.api_url, "secret")
    web_app = create_web_app(create_app(settings, db), db, close_db=False, dashboard=config)
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as client:
        async with serving(web_app) as url:
            stream = await client.get(f"{url}/tv/{token}/events")
            await next_board(stream.content)
            stopping = loop.time()
        assert loop.time() - stopping < 5.0  # not aiohttp's shutdown timeout
        stream.close()
