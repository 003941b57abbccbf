"""The running app with its CRM webhook endpoints, a fake HubSpot (and Pipedrive) over real HTTP, and an
admin who connects them through `/dealbell connect` the way an admin does."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.integrations import setup_integrations, win_celebrator
from bot.server import create_web_app
from bot.settings import Settings
from bot.slack import make_client
from jobs.base import JobContext, JobServices
from jobs.crm_sync import crm_sync
from storage.db import Database
from storage.models import Deal, DealStageChange, Member, Workspace
from storage.workspaces import list_workspaces
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fake_slack import FakeSlack
from tests.fakes.hubspot import FakeHubSpot
from tests.serving import serving
from tests.slack_requests import SlackSender, date_value, text_value

WINS = "C0WINS"


@dataclass
class CrmApp:
    url: str
    db: Database
    fake: FakeSlack
    send: SlackSender
    services: JobServices
    http: aiohttp.ClientSession
    settings: Settings

    async def connect(
        self,
        kind: str,
        fields: dict[str, str],
        team: str = "T0001",
        user: str = "U0001",
        since: str | None = None,
    ) -> None:
        """The admin's `/dealbell connect KIND` and the form submitted."""
        reply = await self.send.command("/dealbell", f"connect {kind}", team=team, user=user)
        assert reply.status == 200
        values = {name: text_value(value) for name, value in fields.items()}
        values["since"] = date_value(since)
        await self.send.view_submission("crm_connect", values, private_metadata=kind, team=team, user=user)

    async def workspace(self, team: str = "T0001") -> Workspace:
        async with self.db.session() as session:
            return (await list_workspaces(session, team))[0]

    async def sync(self, team: str = "T0001", *, scheduled: bool = False) -> dict[str, int]:
        """One run of the `crm-sync` job, as `dealbell jobs run crm-sync` runs it (or as its schedule does)."""
        now = dt.datetime.now(dt.UTC)
        return await crm_sync(
            JobContext.at(await self.workspace(team), now, self.services, on_schedule=scheduled)
        )

    async def deals(self, team: str = "T0001") -> list[Deal]:
        workspace = await self.workspace(team)
        async with self.db.session() as session:
            return list(
                await session.scalars(select(Deal).where(Deal.workspace_id == workspace.id).order_by(Deal.id))
            )

    async def sources(self, deal_id: int) -> list[str | None]:
        async with self.db.session() as session:
            query = (
                select(DealStageChange.via)
                .where(DealStageChange.deal_id == deal_id)
                .order_by(DealStageChange.id)
            )
            return list(await session.scalars(query))

    async def history(self, deal_id: int) -> list[tuple[str | None, str]]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(DealStageChange.from_stage, DealStageChange.to_stage)
                .where(DealStageChange.deal_id == deal_id)
                .order_by(DealStageChange.id)
            )
            return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    async def owner_of(self, deal: Deal) -> str:
        async with self.db.session() as session:
            member = await session.get(Member, deal.owner_id)
            assert member is not None
            return member.slack_user_id

    def celebrations(self) -> list[Any]:
        return [c for c in self.fake.calls_to("chat.postMessage") if c.args.get("channel") == WINS]

    async def count(self, model: Any) -> int:
        async with self.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def crm_app(db: Database, database_url: str, fake_slack: FakeSlack) -> AsyncIterator[CrmApp]:
    """Workspace T0001: admin U0001, rep U0002 (li@example.com), rep U0003 (bo@example.com); wins in C0WINS."""
    settings = make_settings(database_url, fake_slack)
    client = make_client(settings)
    services = JobServices(
        db=db, client_for=lambda _ws: client, claimant="test", secret_key=settings.secret_key,
        on_win=win_celebrator(db, lambda _ws: client),
    )  # fmt: skip
    web_app = create_web_app(create_app(settings, db), db, close_db=False)
    setup_integrations(web_app, services)
    fake_slack.add_user("U0001", is_admin=True, profile={"email": "admin@example.com"})
    fake_slack.add_user("U0002", profile={"email": "li@example.com"})
    fake_slack.add_user("U0003", profile={"email": "bo@example.com"})
    async with serving(web_app) as url, aiohttp.ClientSession() as http:
        send = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        for user in ("U0001", "U0002", "U0003"):
            await send.command("/deal", "help", user=user)
        await send.command("/dealbell", f"channels wins <#{WINS}|wins>")
        yield CrmApp(url, db, fake_slack, send, services, http, settings)


@pytest.fixture
async def hubspot() -> AsyncIterator[tuple[FakeHubSpot, str]]:
    fake = FakeHubSpot(portal_id=62515, token="pat-na1-secret-token-1", client_secret="hub-app-secret-1")
    fake.add_owner("501", "li@example.com")
    fake.add_owner("502", "bo@example.com")
    fake.add_owner("503", "nobody@elsewhere.example")
    async with serving(fake.app()) as url:
        yield fake, url


async def connect_hubspot(app: CrmApp, fake: FakeHubSpot, url: str, team: str = "T0001") -> None:
    await app.connect(
        "hubspot",
        {
            "account": str(fake.portal_id),
            "token": fake.token,
            "client_secret": fake.client_secret,
            "base_url": url,
        },
        team=team,
    )
    await app.sync(team)  # the first sync imports (nothing yet) and sets the cursor
