"""The dashboard and the office screen in a real browser (headless Debian Chromium, Playwright), from the
sandbox with the demo team: one browser for the whole walk. A manager signs in from the sandbox's link,
changes the period, opens a rep and downloads a CSV; the office screen shows a win logged in the sandbox
within 2 s without reloading; a rep gets 403 on another rep's page; no console errors; no request
leaves 127.0.0.1. Screenshots go to $DEALBELL_SCREENSHOTS (docs/screenshots/) or the test's temp folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Route, async_playwright, expect

from bot.sandbox.seed import MANAGER, REPS, SALES
from tests.sandbox.conftest import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ANA, BEN = REPS[0], REPS[1]
LOCAL = "http://127.0.0.1:"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DEALBELL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_the_dashboard_and_the_office_screen_in_a_browser(chromium, sandbox, page_api, shots: Path):
    outside: list[str] = []
    errors: list[str] = []

    async def local_only(route: Route) -> None:
        if route.request.url.startswith(LOCAL):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        await context.route("**/*", local_only)
        page = await context.new_page()
        # the rep's refused page (403) is the one error the console may show
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" and "403" not in m.text else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))

        # a manager, from the sandbox's link: Sign in with Slack against the fake, the team's month
        await page.goto(f"{sandbox.url}/dashboard?user={MANAGER.id}")
        await expect(page.locator("h1")).to_have_text("Team")
        await expect(page.locator("svg.bars").first).to_be_visible()  # the vendored chart library drew
        await page.screenshot(path=str(shots / "dashboard-team-month.png"), full_page=True)
        await page.select_option("select[name=p]", "quarter")
        await page.click("form.period button[type=submit]")
        assert "p=quarter" in page.url
        await page.click("header a[href='/app/reps']")
        await page.click(f"a[href='/app/reps/{ANA.id}']")
        await expect(page.locator("h1")).to_have_text(ANA.real_name)
        # the CSV link, fetched with the browser's own cookies (Chromium's download manager cancels
        # downloads under request interception, which keeps every request on 127.0.0.1 here)
        href = await page.locator("a.csv").first.get_attribute("href")  # the scorecard's
        csv = await page.request.get(f"{sandbox.bot_url}{href}")
        assert csv.ok and csv.headers["content-disposition"].startswith("attachment")
        data = (await csv.body()).decode("utf-8-sig")
        assert data.splitlines()[0].startswith("rank,member,member_name,revenue") and ANA.id in data
        await page.screenshot(path=str(shots / "dashboard-rep.png"), full_page=True)

        # the office screen in a second tab; a win logged in the sandbox appears there live
        await page.goto(f"{sandbox.bot_url}/app/tv")
        await page.click("button[value=create]")
        tv_url = await page.locator("#tv-link").get_attribute("href")
        tv = await context.new_page()
        tv.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tv.on("pageerror", lambda e: errors.append(str(e)))
        await tv.goto(tv_url)
        await expect(tv.locator("body")).to_have_attribute(
            "data-wins", re.compile(r"^\d+$")
        )  # the first event
        wins = int(await tv.locator("body").get_attribute("data-wins"))
        status, _ = await page_api.post(
            "/api/command", user=BEN.id, channel=SALES, command="/deal", text="won 9000 Hooli"
        )
        assert status == 200
        await expect(tv.locator("body")).to_have_attribute("data-wins", str(wins + 1), timeout=2000)
        await expect(tv.locator("body")).to_have_class("tv celebrate", timeout=1000)
        await tv.screenshot(path=str(shots / "office-screen-celebration.png"))
        await tv.close()

        # a rep: their own page, never another rep's
        await page.goto(f"{sandbox.url}/dashboard?user={ANA.id}")
        await expect(page).to_have_url(f"{sandbox.bot_url}/app/reps/{ANA.id}")
        response = await page.goto(f"{sandbox.bot_url}/app/reps/{BEN.id}")
        assert response is not None and response.status == 403
        await browser.close()
    assert not errors, errors
    assert not outside, outside
