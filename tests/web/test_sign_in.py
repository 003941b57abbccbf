"""Sign in with Slack (OpenID Connect against the fake Slack), the session cookie, CSRF and sign-out."""

from __future__ import annotations

import datetime as dt
import logging
import re

import aiohttp
import time_machine

from bot.web.sessions import SESSION_COOKIE
from storage.models import utcnow
from storage.workspaces import get_workspace
from tests.handlers.test_goals import ANA, BOSS, seed_team
from tests.web.conftest import sign_in


def cookie(browser, name):
    return next((c for c in browser.cookie_jar if c.key == name), None)


async def test_a_manager_signs_in_and_gets_a_signed_http_only_lax_cookie(dash, browser):
    await seed_team(dash)
    response = await sign_in(dash, browser, BOSS)
    assert response.status == 200 and response.url.path == "/app"
    [token_call] = dash.fake.calls_to("openid.connect.token")
    assert token_call.args["client_secret"] and token_call.args["redirect_uri"].endswith("/app/callback")
    assert dash.fake.calls_to("openid.connect.userInfo")
    session = cookie(browser, SESSION_COOKIE)
    assert session is not None and session["httponly"] and session["samesite"] == "Lax"
    assert not session["secure"]  # plain HTTP here; behind TLS it is Secure (next test)
    assert 0 < int(session["max-age"]) <= 8 * 3600
    assert (
        "Content-Security-Policy" in response.headers
        and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    )


async def test_behind_tls_the_cookies_are_secure(dash, browser):
    async with browser.get(
        f"{dash.url}/app/login", headers={"X-Forwarded-Proto": "https"}, allow_redirects=False
    ) as r:
        assert r.status == 302
        assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


async def test_a_member_of_a_workspace_not_installed_is_refused(dash, browser):
    await seed_team(dash)
    response = await sign_in(dash, browser, "U0999", team="T0999")
    assert response.status == 403 and cookie(browser, SESSION_COOKIE) is None
    async with dash.db.session() as session:  # and once uninstalled, its members are refused too
        workspace = await get_workspace(session, "T0001")
        workspace.uninstalled_at = utcnow()
        await session.commit()
    assert (await sign_in(dash, browser, BOSS)).status == 403


async def test_a_forged_state_is_refused(dash, browser):
    await seed_team(dash)
    dash.fake.sign_in_browser(BOSS)
    async with browser.get(f"{dash.url}/app/login", allow_redirects=False) as r:
        authorize = r.headers["Location"]
    async with browser.get(authorize.replace("state=", "state=forged"), allow_redirects=True) as r:
        assert r.status == 400
    assert cookie(browser, SESSION_COOKIE) is None and not dash.fake.calls_to("openid.connect.token")


async def test_a_forged_nonce_is_refused(dash, browser):
    await seed_team(dash)
    dash.fake.sign_in_browser(BOSS)
    async with browser.get(f"{dash.url}/app/login", allow_redirects=False) as r:
        authorize = r.headers["Location"]
    forged = re.sub(r"nonce=[^&]+", "nonce=forged", authorize)
    async with browser.get(forged, allow_redirects=True) as r:
        assert r.status == 400
    assert cookie(browser, SESSION_COOKIE) is None


async def test_the_session_expires(dash, browser):
    """The expiry is inside the signed value: a browser that kept the cookie past it is refused too."""
    await seed_team(dash)
    await sign_in(dash, browser, BOSS)
    kept = {SESSION_COOKIE: cookie(browser, SESSION_COOKIE).value}
    async with aiohttp.ClientSession(cookies=kept) as keeper:
        async with keeper.get(f"{dash.url}/app", allow_redirects=False) as r:
            assert r.status == 200
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=8, minutes=1)):
            async with keeper.get(f"{dash.url}/app", allow_redirects=False) as r:
                assert r.status == 302 and r.headers["Location"] == "/app/signin"


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(dash, browser):
    await seed_team(dash)
    response = await sign_in(dash, browser, ANA)
    html = await response.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    async with browser.post(f"{dash.url}/app/logout", data={"csrf": "forged"}, allow_redirects=False) as r:
        assert r.status == 403
    async with browser.post(f"{dash.url}/app/logout", data={"csrf": csrf}, allow_redirects=False) as r:
        assert r.status == 302
    async with browser.get(f"{dash.url}/app/boards", allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"] == "/app/signin"


async def test_nothing_of_the_dashboard_answers_without_a_session(dash, browser):
    for path in ("/app", "/app/reps", "/app/reps.csv", f"/app/reps/{BOSS}", "/app/tv", "/app/boards.csv"):
        async with browser.get(f"{dash.url}{path}", allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"] == "/app/signin", path
    async with browser.get(f"{dash.url}/healthz") as r:  # every response carries the policy
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]


async def test_the_session_cookie_never_reaches_the_logs(dash, browser, caplog):
    caplog.set_level(logging.DEBUG)
    await seed_team(dash)
    await sign_in(dash, browser, BOSS)
    value = cookie(browser, SESSION_COOKIE).value
    async with browser.get(f"{dash.url}/app/reps"):
        pass
    logged = "\n".join(r.getMessage() + str(getattr(r, "fields", "")) for r in caplog.records)
    assert value not in logged and value.split(".")[1] not in logged
