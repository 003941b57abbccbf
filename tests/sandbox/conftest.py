"""The sandbox (fake Slack, real bot, the page's API) on a fresh SQLite file, and a headless Chromium.

Browser tests need Debian's Chromium at /usr/bin/chromium (`.ci/run` installs it); Playwright never
downloads a browser here. Where Chromium is missing they skip with the reason, except in CI
(DEALBELL_REQUIRE_POSTGRES=1), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.server import Sandbox, start_sandbox
from storage import migrate

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]  # fmt: skip


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each sandbox starts from a copy (migrating takes ~0.5 s)."""
    path = tmp_path_factory.mktemp("sandbox-template") / "sandbox.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
async def sandbox(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Sandbox]:
    """The seeded sandbox; the real-time scheduler is left off (tests run jobs through the page's API)."""
    shutil.copy(migrated_sqlite, tmp_path / "sandbox.db")
    running = await start_sandbox(f"sqlite:///{tmp_path / 'sandbox.db'}", scheduler=False)
    yield running
    await running.stop()
    # The sandbox's fake Slack is as strict as the tests' one: nothing the bot sent may be refused.
    assert not running.slack.refusals, f"Slack would have refused what the bot sent: {running.slack.refusals}"


class Page:
    """The page's JSON API, as the browser calls it: JSON, from the page's origin, with the session's token."""

    def __init__(self, url: str, session: aiohttp.ClientSession, token: str) -> None:
        self.url, self.session = url, session
        self.headers = {"Origin": url, "X-Sandbox-Token": token}

    async def post(self, path: str, **body: Any) -> tuple[int, Any]:
        async with self.session.post(self.url + path, json=body, headers=self.headers) as response:
            return response.status, await response.json()

    async def get(self, path: str) -> Any:
        async with self.session.get(self.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()


@pytest.fixture
async def page_api(sandbox: Sandbox) -> AsyncIterator[Page]:
    async with aiohttp.ClientSession() as session:
        yield Page(sandbox.url, session, sandbox.token)


def find_chromium() -> str | None:
    """DEALBELL_CHROMIUM if set (a path that does not exist counts as missing), else Debian's Chromium."""
    chosen = os.environ.get("DEALBELL_CHROMIUM")
    candidates = (
        [chosen]
        if chosen
        else ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    )
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture
def chromium() -> str:
    path = find_chromium()
    if path is None:
        reason = "Chromium not found at /usr/bin/chromium or DEALBELL_CHROMIUM (apt-get install -y chromium; .ci/run does)"
        if os.environ.get("DEALBELL_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"browser tests are required in CI: {reason}")
        pytest.skip(reason)
    return path
