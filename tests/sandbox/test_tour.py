"""The sandbox tour in a real browser (headless Debian Chromium driven by Playwright).

Log a win with the quick syntax, see it celebrated, congratulate it, log a deal through the modal
(a validation error first), give kudos, clap a message for a reaction kudos, run the weekly
leaderboard from the Scheduler panel, open the App Home, and see a customer typo asked about
("Did you mean Initech?") instead of created. Each step leaves a screenshot in
$DEALBELL_SCREENSHOTS (docs/screenshots/ for the README) or in the test's temp folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, Route, async_playwright, expect

from bot.sandbox.seed import MANAGER, REPS, WORKSPACE_ZONE
from tests.sandbox.conftest import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ANA, LI, SAM = REPS[0], REPS[1], REPS[2]
STEP_TIMEOUT_MS = 10_000


def this_weeks_friday_afternoon() -> str:
    """This week's Friday 16:05 in the workspace's zone (the leaderboard's run), for the page's clock."""
    today = dt.datetime.now(ZoneInfo(WORKSPACE_ZONE)).date()
    friday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=4)
    return f"{friday.isoformat()}T16:05"


class Tour:
    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.step = page, folder, 0

    async def shot(self, name: str) -> None:
        self.step += 1
        await self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"))

    async def act_as(self, user_id: str) -> None:
        await self.page.select_option("#user-switcher", user_id)

    async def open(self, conversation: str) -> None:
        await self.page.click(f'.nav-item[data-conversation="{conversation}"]')

    async def type(self, text: str) -> None:
        composer = self.page.locator("#composer-input")
        await composer.fill(text)
        await composer.press("Enter")

    def message(self, text: str):
        return self.page.locator("article.message", has_text=text)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DEALBELL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_the_sandbox_tour(chromium, screenshots, sandbox):  # no sandbox started without Chromium
    outside: list[str] = []
    page_errors: list[str] = []

    async def local_only(route: Route) -> None:
        # The sandbox page must load nothing from anywhere but the sandbox itself.
        if route.request.url.startswith(sandbox.url):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(
            viewport={"width": 1280, "height": 800}, timezone_id=WORKSPACE_ZONE, locale="en-US"
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        await context.route("**/*", local_only)
        page = await context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and page_errors.append(message.text))
        tour = Tour(page, screenshots)
        try:
            await run_tour(tour, sandbox.url)
        finally:
            await browser.close()
    assert outside == []
    assert page_errors == []


async def run_tour(tour: Tour, url: str) -> None:
    page = tour.page
    await page.goto(url)
    await tour.act_as(ANA.id)
    await tour.open("C01SALES")
    await expect(tour.message("Sent the Initech renewal deck")).to_be_visible()

    # A win by the quick syntax: the command autocompletes from the manifest, with its usage hint.
    await page.locator("#composer-input").fill("/de")
    await expect(page.locator('#autocomplete li[data-command="/deal"]')).to_be_visible()
    await tour.shot("autocomplete")
    await tour.type('/deal won 12000 Acme Corp "Annual licence"')
    card = page.locator("article.message.ephemeral", has_text="Deal logged: Acme Corp")
    await expect(card).to_be_visible()
    await expect(card.locator(".only-you")).to_have_text("Only visible to you")
    await expect(page.locator('.nav-item[data-conversation="C02WINS"] .count')).to_have_text("1")
    await tour.shot("deal-logged")

    # The celebration in #wins; Sam congratulates and the post updates in place.
    await tour.act_as(SAM.id)
    await tour.open("C02WINS")
    celebration = tour.message("won Acme Corp · Annual licence for $12,000.00")
    await expect(celebration).to_be_visible()
    await tour.shot("celebration")
    await celebration.locator('[data-action-id="deal_congratulate"]').click()
    await expect(celebration.locator(".block-context")).to_contain_text("1 congratulation")
    await expect(celebration.locator(".message-meta")).to_contain_text("(edited)")
    await tour.shot("congratulated")

    # The /deal modal: a bad amount is refused beside its field, then the fixed form is saved.
    await tour.open("C01SALES")
    await tour.type("/deal")
    modal = page.locator("#modal")
    await expect(modal.locator("h2")).to_have_text("Log a deal")
    await modal.locator('.input-control[data-block-id="customer"]').fill("Initech")
    await modal.locator('.input-control[data-block-id="amount"]').fill("lots")
    await modal.locator('.input-control[data-block-id="stage"]').select_option("proposal")
    await modal.locator('.input-control[data-block-id="close"]').fill("2026-12-18")
    await modal.locator('button[type="submit"]').click()
    error = modal.locator('[data-error-for="amount"]')
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("lots")
    await tour.shot("modal-error")
    await modal.locator('.input-control[data-block-id="amount"]').fill("18k")
    await modal.locator('button[type="submit"]').click()
    await expect(page.locator("#modal-backdrop")).to_be_hidden()
    await expect(page.locator("article.message.ephemeral", has_text="Deal logged: Initech")).to_be_visible()
    await tour.shot("modal-saved")

    # Kudos by command: the card goes to the channel.
    await tour.type("/kudos @ana for the Acme Corp demo #teamwork")
    kudos_card = tour.message("for the Acme Corp demo").filter(has_not=page.locator(".only-you"))
    await expect(kudos_card.first).to_be_visible()
    await expect(page.locator("article.message.ephemeral", has_text="Kudos sent to")).to_be_visible()
    await tour.shot("kudos")

    # Ana claps Sam's message: a reaction kudos, its card in the message's thread.
    await tour.act_as(ANA.id)
    sams = page.locator("article.message[data-user='U04SAM']", has_text="Sent the Initech renewal deck").first
    await sams.hover()
    await sams.locator(".add-reaction").first.click()
    await sams.locator('.reaction-picker [data-emoji="clap"]').first.click()
    await expect(sams.locator('.reaction[data-reaction="clap"]').first).to_contain_text("1")
    await expect(sams.locator(".thread article.message").first).to_be_visible()
    await tour.shot("reaction-kudos")

    # The weekly leaderboard, run from the Scheduler panel as of this Friday afternoon.
    await page.click("#scheduler-toggle")
    await page.fill("#clock", this_weeks_friday_afternoon())
    job = page.locator('.job[data-job="weekly-leaderboard"]')
    await job.locator(".run-job").click()
    await expect(job.locator(".outcome")).to_contain_text("ran", timeout=20_000)
    await tour.open("C02WINS")
    await expect(tour.message("Weekly leaderboard")).to_be_visible()
    await tour.shot("leaderboard")
    await page.click("#scheduler-toggle")

    # The App Home of the manager: team totals and the leaderboard beside her own numbers.
    await tour.act_as(MANAGER.id)
    await tour.open("DU01MAYA")
    await page.click('#conversation-tabs [data-tab="home"]')
    await expect(page.locator("#home .block").first).to_be_visible()
    await tour.shot("app-home")

    # A typo in a customer's name is asked about, not created: "Did you mean Initech?" (issue 16, item 3).
    await tour.act_as(ANA.id)
    await tour.open("C01SALES")
    await tour.type("/deal new 5k Intech")
    question = page.locator("article.message.ephemeral", has_text="Did you mean Initech?")
    await expect(question).to_be_visible()
    await tour.shot("did-you-mean")
    await question.locator('[data-action-id="deal_customer_pick"]').click()
    logged = page.locator("article.message.ephemeral", has_text="Deal logged: Initech for $5,000.00")
    await expect(logged).to_be_visible()
    await expect(question).to_have_count(0)  # the question was replaced by the deal's card

    # A deal corrected from App Home: its card opens over the Home, Edit pushes the deal's own form,
    # and the saved amount and the history line show on the card (issue 16, item 1).
    await tour.open(f"D{ANA.id}")
    await page.click('#conversation-tabs [data-tab="home"]')
    await page.locator('#home [data-action-id="deal_open"]').first.click()
    await expect(modal.locator('[data-action-id="deal_edit"]')).to_be_visible()
    await modal.locator('[data-action-id="deal_edit"]').click()
    amount = modal.locator('.input-control[data-block-id="amount"]')
    await expect(amount).to_be_visible()
    await amount.fill("12k")
    await modal.locator('button[type="submit"]').click()
    await expect(modal).to_contain_text("12,000")
    await expect(modal).to_contain_text("→")  # the history line: amount before → after
    await tour.shot("deal-edited-from-home")
    await modal.locator("button.close-x").click()
    await expect(page.locator("#modal-backdrop")).to_be_hidden()
    await page.click('#conversation-tabs [data-tab="messages"]')

    # A Chinese-speaking rep's reply: bold next to full-width punctuation renders as bold, with no
    # literal asterisks on the page (issue 16, item 5).
    await tour.act_as(LI.id)
    await tour.open("C01SALES")
    await tour.type("/deal new 30万 Globex")
    reply = page.locator("article.message.ephemeral", has_text="Globex").last
    await expect(reply).to_be_visible()
    await expect(reply).not_to_contain_text("*")
    await tour.shot("zh-without-asterisks")
