"""Hostile traffic on /slack/events: what an attacker can send without the signing secret.

1. Slow clients: connections that send headers (or half of them) and then stall are closed within the
   header/body timeouts, while a real signed request is still answered meanwhile.
2. Unsigned malformed requests (deeply nested JSON, a body that is not UTF-8, an empty or 400-digit
   timestamp, a non-ASCII signature) get 401/400, log no error or traceback, and are counted as refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot import server
from bot.app import create_app
from bot.server import CappedTCPSite, create_web_app
from tests.conftest import make_settings

HEADER_TIMEOUT = 1.0  # seconds, for these tests (production waits longer)
BODY_TIMEOUT = 1.0
CEILING = 20.0  # generous: a stalled socket must be closed well before this
STALLED = 60  # half stall in their headers, half in their body


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Applied before the `app` fixture builds the server (autouse fixtures come first)."""
    monkeypatch.setattr(server, "HEADER_TIMEOUT", HEADER_TIMEOUT, raising=False)
    monkeypatch.setattr(server, "BODY_TIMEOUT", BODY_TIMEOUT, raising=False)


# --- 1. slow clients -----------------------------------------------------------------------------


async def stalled_connection(url: str, part: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    writer.write(part)
    await writer.drain()
    return reader, writer


HEADERS_THEN_STALL = (
    b"POST /slack/events HTTP/1.1\r\nHost: dealbell\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n{"
)
HALF_HEADERS = b"POST /slack/events HTTP/1.1\r\nHost: dealbell\r\nContent-Le"


async def closed_by_server(reader: asyncio.StreamReader) -> float:
    """Seconds until the server closes the connection (EOF), reading whatever it answered."""
    started = time.monotonic()
    while await reader.read(4096):
        pass
    return time.monotonic() - started


async def test_stalled_connections_are_closed_and_real_requests_still_answered(app):
    parts = [HEADERS_THEN_STALL, HALF_HEADERS] * (STALLED // 2)
    stalled = [await stalled_connection(app.url, part) for part in parts]
    try:
        reply = await app.send.command("/dealbell", "help")  # a real, signed request meanwhile
        assert reply.status == 200 and reply.text
        waits = await asyncio.wait_for(
            asyncio.gather(*(closed_by_server(reader) for reader, _ in stalled)), CEILING
        )
    finally:
        for _, writer in stalled:
            writer.close()
    assert max(waits) < CEILING
    assert reply.elapsed < CEILING


CAP = 8


async def test_connections_beyond_the_cap_get_503_until_stalled_ones_are_closed(db, database_url, fake_slack):
    web_app = create_web_app(create_app(make_settings(database_url, fake_slack), db), db, close_db=False)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = CappedTCPSite(runner, "127.0.0.1", 0, max_connections=CAP)
    await site.start()
    url = f"http://127.0.0.1:{site.port}"
    stalled = [await stalled_connection(url, HALF_HEADERS) for _ in range(CAP)]
    try:
        over, writer = await stalled_connection(url, b"")
        answer = await asyncio.wait_for(over.read(), CEILING)  # answered and closed at once
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503 ")
        await asyncio.wait_for(asyncio.gather(*(closed_by_server(r) for r, _ in stalled)), CEILING)
        async with aiohttp.ClientSession() as session, session.get(url + "/healthz") as reply:
            assert reply.status == 200  # the cap counts open connections, not connections ever made
    finally:
        for _, writer in stalled:
            writer.close()
        await runner.cleanup()


async def test_the_accept_error_is_logged_once_per_interval(app, caplog):
    loop = asyncio.get_running_loop()
    context = {
        "message": "socket.accept() out of system resource",
        "exception": OSError(24, "Too many open files"),
    }
    with caplog.at_level(logging.INFO):
        for _ in range(1000):
            loop.call_exception_handler(dict(context))
    lines = [r for r in caplog.records if "out of system resource" in r.getMessage()]
    assert len(lines) == 1
    assert not lines[0].exc_info  # no traceback 1000 times over either


# --- 2. malformed, unsigned requests -------------------------------------------------------------


def now() -> str:
    return str(int(time.time()))


NESTED = b"[" * 200_000 + b"]" * 200_000
EVENT = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}}).encode()
MALFORMED = {
    "deeply nested JSON": (NESTED, "application/json", lambda: {"X-Slack-Request-Timestamp": now(),
                                                                "X-Slack-Signature": "v0=" + "0" * 64}),
    "non-UTF-8 body": (b"command=%2Fdeal&text=\xff\xfe\xfd", "application/x-www-form-urlencoded",
                       lambda: {"X-Slack-Request-Timestamp": now(), "X-Slack-Signature": "v0=" + "0" * 64}),
    "non-UTF-8 JSON": (b'{"type": "\xff\xfe"}', "application/json",
                       lambda: {"X-Slack-Request-Timestamp": now(), "X-Slack-Signature": "v0=" + "0" * 64}),
    "empty timestamp": (EVENT, "application/json",
                        lambda: {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=" + "0" * 64}),
    "400-digit timestamp": (EVENT, "application/json",
                            lambda: {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64}),
    "non-ASCII signature": (EVENT, "application/json",
                            lambda: {"X-Slack-Request-Timestamp": now(), "X-Slack-Signature": "v0=é" + "0" * 63}),
}  # fmt: skip


async def refused_count(url: str) -> float:
    async with aiohttp.ClientSession() as session, session.get(url + "/metrics") as reply:
        text = await reply.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("dealbell_slack_requests_refused_total")
    )


@pytest.mark.parametrize("case", MALFORMED)
async def test_a_malformed_unsigned_request_is_refused_quietly_and_counted(app, caplog, case):
    body, content_type, headers = MALFORMED[case]
    before = await refused_count(app.url)
    with caplog.at_level(logging.INFO):
        async with (
            aiohttp.ClientSession() as session,
            session.post(app.send.url, data=body, headers={"Content-Type": content_type, **headers()}) as r,
        ):
            status, text = r.status, await r.text()
    assert status in (400, 401), (status, text)
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [r.getMessage() for r in loud]
    assert await refused_count(app.url) == before + 1
    assert not app.fake.calls
