"""PostgreSQL going away mid-run, through a TCP proxy (tests/reliability/tcp_proxy.py) the test puts
between the app and the database, then cuts and restores.

While it is cut, a slash command gets a clear ephemeral "try again" in the member's language, the
process keeps serving, /readyz answers 503 (and /healthz stays 200: liveness must not restart a
process that is fine, see bot/server.py), and nothing is half-written: a multi-row write cut before
its COMMIT leaves no row. Once restored, the same command works and /readyz is 200, without a
restart: pooled connections the cut killed are replaced (pinged at checkout after a second idle;
dropped with the whole pool when a statement finds one dead).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import asyncpg
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.app import create_app
from bot.kit.i18n import t
from bot.server import create_web_app
from storage.db import PING_AFTER_IDLE, Database, is_unavailable
from storage.models import Deal, Kudos, KudosGive
from tests.conftest import SIGNING_SECRET, make_settings
from tests.fake_slack import FakeSlack
from tests.reliability.tcp_proxy import TcpProxy
from tests.slack_requests import SlackSender

pytestmark = pytest.mark.postgres_only

ANA, LI, SAM = "<@U0002|ana>", "<@U0003|li>", "<@U0004|sam>"


@dataclass
class ProxiedApp:
    url: str
    proxy: TcpProxy
    app_db: Database  # the app's, through the proxy
    db: Database  # the test's own, straight to PostgreSQL: what is really stored
    fake: FakeSlack
    send: SlackSender


@pytest.fixture
async def proxied(db: Database, database_url: str, fake_slack: FakeSlack) -> AsyncIterator[ProxiedApp]:
    """The real app on a database URL that goes through the proxy."""
    target = make_url(database_url)
    proxy = await TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    through = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app_db = Database(through)
    web_app = create_web_app(create_app(make_settings(through, fake_slack), app_db), app_db)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        yield ProxiedApp(
            url, proxy, app_db, db, fake_slack, SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        )
    finally:
        await proxy.restore()  # so the app's engine closes its connections cleanly
        await fake_slack.settle(0.1)  # the work Bolt left running after its acks is done
        await app_db.dispose()
        # Before the server's cleanup: the proxy's connection tasks, started during requests, would
        # otherwise be waited for as if they were Bolt's background listeners.
        await proxy.stop()
        await runner.cleanup()


async def get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def unavailable(locale: str) -> str:
    return ":warning: " + t(locale, "error.database_unavailable")


async def test_while_cut_commands_say_try_again_and_after_restore_they_work(proxied: ProxiedApp):
    proxied.fake.add_user("U0007", locale="zh-CN")
    for user in ("U0001", "U0007"):  # both known to the app (and their languages remembered)
        assert (await proxied.send.command("/kudos", "help", user=user)).status == 200
    assert (await get(f"{proxied.url}/readyz"))[0] == 200

    await proxied.proxy.cut()
    for user, locale, command, text in (
        ("U0001", "en", "/deal", "won 3k Acme"),
        ("U0007", "zh-CN", "/deal", "won 3k Acme"),
        ("U0001", "en", "/kudos", f"{ANA} {LI} thanks for the demo"),
    ):
        reply = await proxied.send.command(command, text, user=user)
        assert reply.status == 200, reply.text
        assert reply.json == {"response_type": "ephemeral", "text": unavailable(locale)}
    assert "数据库" in unavailable("zh-CN")
    status, body = await get(f"{proxied.url}/readyz")
    assert (status, body["database"]) == (503, "unreachable")
    status, body = await get(f"{proxied.url}/healthz")  # alive: the process is fine
    assert (status, body["status"], body["database"]) == (200, "ok", "unreachable")
    assert await count(proxied.db, Deal) == 0

    await proxied.proxy.restore()
    assert (await get(f"{proxied.url}/readyz"))[0] == 200  # at once: no restart, no waiting
    reply = await proxied.send.command("/deal", "won 3k Acme")
    assert "Deal logged" in reply.text, reply.text
    assert await count(proxied.db, Deal) == 1
    status, body = await get(f"{proxied.url}/healthz")
    assert (status, body["database"]) == (200, "ok")


async def test_a_multi_row_write_cut_before_its_commit_leaves_no_row(proxied: ProxiedApp):
    assert (await proxied.send.command("/kudos", "help")).status == 200  # the giver is known
    # New connections, so the INSERT's text goes over the wire (asyncpg prepares it once per connection)
    await proxied.app_db.engine.dispose()
    proxied.proxy.cut_at(b"COMMIT", after=b"INSERT INTO kudos (")

    reply = await proxied.send.command("/kudos", f"{ANA} {LI} {SAM} for the Acme demo")
    assert proxied.proxy.cuts == 1  # cut between the kudos rows and their COMMIT
    assert reply.json == {"response_type": "ephemeral", "text": unavailable("en")}
    assert (await count(proxied.db, Kudos), await count(proxied.db, KudosGive)) == (0, 0)
    assert proxied.fake.delivered("chat.postMessage") == []  # no card for kudos that do not exist

    await proxied.proxy.restore()
    reply = await proxied.send.command("/kudos", f"{ANA} {LI} {SAM} for the Acme demo")
    assert "You have 2 left today" in reply.text, reply.text  # the cut kudos used none of the allowance
    assert (await count(proxied.db, Kudos), await count(proxied.db, KudosGive)) == (3, 1)
    await proxied.fake.wait_for("chat.postMessage")


async def test_connections_dropped_while_idle_are_replaced_at_first_use(proxied: ProxiedApp):
    """A blip nobody saw (a database restart at night): the pooled connections are dead, and the
    first command afterwards still works, because the pool pings a connection idle for a while
    before handing it out."""
    assert (await proxied.send.command("/kudos", "help")).status == 200  # connections in the pool
    await proxied.proxy.cut()
    await proxied.proxy.restore()
    await asyncio.sleep(PING_AFTER_IDLE + 0.1)
    reply = await proxied.send.command("/deal", "won 3k Acme")
    assert "Deal logged" in reply.text, reply.text
    assert await count(proxied.db, Deal) == 1


async def test_a_connection_dropped_just_after_use_fails_one_request_and_the_pool_recovers(
    proxied: ProxiedApp,
):
    """A connection used a moment ago is taken without a ping (three round trips saved per
    checkout): if the database dropped it in that moment, that request is told to try again and
    writes nothing, and the pool is discarded, so the next request works."""
    assert (await proxied.send.command("/kudos", "help")).status == 200
    await proxied.proxy.cut()
    await proxied.proxy.restore()
    first = await proxied.send.command("/deal", "won 3k Acme")
    assert t("en", "error.database_unavailable") in first.text, first.text
    second = await proxied.send.command("/deal", "won 3k Acme")
    assert "Deal logged" in second.text, second.text
    assert await count(proxied.db, Deal) == 1


def test_only_a_database_out_of_reach_reads_as_one():
    """The "can't reach its database" answer is for connection trouble, not for bugs, bad data, or
    Slack's own network errors (also OSErrors, but raised outside the database drivers)."""
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    assert is_unavailable(DBAPIError("COMMIT", None, lost))
    assert is_unavailable(OperationalError("SELECT 1", None, Exception("database is locked")))
    assert not is_unavailable(IntegrityError("INSERT", None, Exception("duplicate key")))
    assert not is_unavailable(ConnectionRefusedError("slack.com refused"))  # no driver on its way up
    assert not is_unavailable(RuntimeError("a bug"))
