"""Schemathesis reads /api/v1/openapi.json from the live server and fuzzes every operation: no 500s,
and every answer (status, content type, headers, body) is one the document declares.

The server runs in a thread with its own event loop (schemathesis calls it synchronously), on a fresh
SQLite database with a few members and deals, talking to the fake Slack."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.api import ApiOptions
from bot.api.core import RateLimiter
from bot.app import create_app
from bot.server import create_web_app
from storage import migrate
from storage.db import Database
from tests.api.conftest import create_token
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fake_slack import FakeSlack
from tests.serving import serving
from tests.slack_requests import SlackSender

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 25  # per operation: ten operations in about half a minute


class LiveServer:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.url = self.token = ""
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:
            self.failure = error
            self.ready.set()

    async def _serve(self) -> None:
        self.loop, self.stop = asyncio.get_running_loop(), asyncio.Event()
        fake = await FakeSlack().start()
        fake.add_user("U0001", is_admin=True)
        db = Database(self.database_url)
        settings_ = make_settings(self.database_url, fake)
        options = ApiOptions(limiter=RateLimiter(per_minute=1e6, burst=1e6))
        web_app = create_web_app(create_app(settings_, db), db, api_options=options)
        try:
            async with serving(web_app) as url:
                send = SlackSender(url, SIGNING_SECRET, fake.response_url())
                await send.command("/dealbell", "channels wins <#C0WINS|wins>")
                for user, text in (("U0002", "won 12k Acme"), ("U0003", "new 4k Globex stage:proposal")):
                    await send.command("/deal", text, user=user)
                await send.command("/kudos", "<@U0002> for the demo", user="U0003")
                self.token = await create_token(send, "fuzz", "write")
                self.url = url
                self.ready.set()
                await self.stop.wait()
        finally:
            await fake.stop()

    def shutdown(self) -> None:
        if self.loop is not None and self.stop is not None:
            self.loop.call_soon_threadsafe(self.stop.set)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'dealbell.db'}"
    migrate.upgrade(url)
    server = LiveServer(url)
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    assert server.ready.wait(60), "the live server did not start"
    if server.failure:
        raise server.failure
    yield server
    server.shutdown()
    thread.join(30)


def fuzz(operation, token: str) -> None:
    """Hypothesis drives schemathesis's strategy for one operation (its pytest plugin does the same
    per test item, but does not load on pytest 9)."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_every_operation_answers_as_its_document_says(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10
    failures = {}
    for operation in operations:
        try:
            fuzz(operation, live.token)
        except Exception as error:  # every operation is fuzzed; all that failed are reported together
            failures[operation.label] = error
    assert not failures, "\n\n".join(f"{label}:\n{error}" for label, error in failures.items())


def test_the_document_is_openapi_3_1(live: LiveServer) -> None:
    raw = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json").raw_schema
    assert raw["openapi"] == "3.1.0" and Path(__file__).name
