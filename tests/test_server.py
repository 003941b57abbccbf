"""Serving and the `dealbell` command: /healthz, the real process end to end, and the CLI's edges."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import __version__
from bot.app import create_app
from bot.server import create_web_app, job_services
from bot.slack import SlackConnections
from storage.db import Database
from storage.models import Deal
from tests.conftest import SIGNING_SECRET, RunningApp, make_settings
from tests.fake_slack import FakeSlack
from tests.serving import serving
from tests.slack_requests import SlackSender

DEALBELL = Path(sys.executable).parent / "dealbell"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any dealbell/Slack settings, plus `extra`."""
    ours = {"SLACK_", "DATABASE_URL", "PORT", "DEALBELL_", "LOG_LEVEL"}
    env = {k: v for k, v in os.environ.items() if not any(k.startswith(p) for p in ours)}
    env.update(extra)
    return env


async def get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as r:
        return r.status, await r.json()


async def deal_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Deal))


async def dealbell(*args: str, cwd: Path, env: dict[str, str], timeout: float = 90) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        str(DEALBELL), *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"dealbell {' '.join(args)} did not finish within {timeout}s") from None
    return proc.returncode, out.decode(), err.decode()


# --- /healthz -------------------------------------------------------------------------------------


async def test_healthz_ok_with_a_reachable_database(app: RunningApp) -> None:
    status, body = await get(f"{app.url}/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] == __version__


@pytest.fixture
async def unreachable_app(fake_slack: FakeSlack) -> AsyncIterator[str]:
    """The web app over a Database on a closed port (nothing connects until /healthz asks)."""
    url = "postgresql://postgres@127.0.0.1:1/nope"
    db = Database(url)
    web_app = create_web_app(create_app(make_settings(url, fake_slack), db), db)
    async with serving(web_app) as url:  # its cleanup also disposes the engine
        yield url


async def test_healthz_200_readyz_503_when_the_database_is_unreachable(unreachable_app: str) -> None:
    started = time.monotonic()
    status, body = await get(f"{unreachable_app}/healthz")
    assert (status, body["status"], body["database"]) == (200, "ok", "unreachable")  # alive: no restart
    status, body = await get(f"{unreachable_app}/readyz")
    assert (status, body["database"]) == (503, "unreachable")
    assert time.monotonic() - started < 5  # a closed port fails fast, the supervisor is not kept waiting


async def test_slack_calls_share_one_session_while_the_app_runs(db: Database, database_url: str, fake_slack):
    """Every Slack client of the process (Bolt's, and the jobs') uses one aiohttp session, opened on
    the running loop at startup and closed at shutdown; without it slack_sdk opens one per call."""
    settings = make_settings(database_url, fake_slack)
    connections = SlackConnections()
    services = job_services(settings, db, connections=connections)
    bolt_app = create_app(settings, db)
    web_app = create_web_app(bolt_app, db, connections=connections, close_db=False)
    job_client = services.client_for(None)  # one bot token: the same client for every workspace
    assert bolt_app.client.session is None  # no loop yet to make it on
    async with serving(web_app):
        session = bolt_app.client.session
        assert session is not None and not session.closed
        assert job_client.session is session
        assert (await job_client.auth_test())["ok"]
    assert session.closed and bolt_app.client.session is None and job_client.session is None


# --- the real process -----------------------------------------------------------------------------


async def wait_healthy(proc: asyncio.subprocess.Process, url: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.returncode is not None:
                output = await asyncio.to_thread(log.read_text)
                raise AssertionError(f"dealbell exited with {proc.returncode} before serving:\n{output}")
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                output = await asyncio.to_thread(log.read_text)
                raise AssertionError(f"{url} did not answer 200 within {timeout}s:\n{output}")
            await asyncio.sleep(0.1)


async def test_dealbell_run_http_end_to_end(
    db: Database, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
    )
    log = tmp_path / "dealbell.log"  # a file, not a pipe: nobody has to drain it while the test runs
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            str(DEALBELL), "run", "--http", "--port", str(port),
            cwd=tmp_path, env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    try:
        await wait_healthy(proc, f"{url}/healthz", log)
        send = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())

        reply = await send.command("/deal", "won 12.5k Acme", trigger_id="trigger.e2e")
        assert reply.status == 200
        assert reply.elapsed < 3
        assert "Acme" in reply.text and "$12,500.00" in reply.text
        posts = await fake_slack.wait_for("chat.postMessage")
        await fake_slack.settle()
        assert len(fake_slack.calls_to("chat.postMessage")) == 1
        assert posts[0].token == "xoxb-test" and "Acme" in posts[0].args["text"]
        assert await deal_count(db) == 1

        again = await send.command("/deal", "won 12.5k Acme", trigger_id="trigger.e2e")
        assert again.status == 200
        await fake_slack.settle()
        assert await deal_count(db) == 1
        assert len(fake_slack.calls_to("chat.postMessage")) == 1
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError("dealbell did not exit within 60s of SIGTERM") from None
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output and " ERROR " not in output, output


# --- the command line -----------------------------------------------------------------------------


async def test_run_without_slack_tokens_names_them_and_exits_2(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}")
    code, out, err = await dealbell("run", cwd=tmp_path, env=env)
    assert code == 2, (out, err)
    assert "SLACK_BOT_TOKEN" in err and "SLACK_SIGNING_SECRET" in err
    assert "manifest.yml" in err
    assert "Traceback" not in err
    assert not (tmp_path / "never.db").exists()  # it stopped before touching the database


async def test_version_and_help(tmp_path: Path) -> None:
    env = clean_env()
    version, *helps = await asyncio.gather(
        dealbell("--version", cwd=tmp_path, env=env),
        *(dealbell(*args, "--help", cwd=tmp_path, env=env) for args in (["run"], ["db"], ["jobs", "run"])),
    )
    code, out, err = version
    assert code == 0, err
    assert out.strip() == f"dealbell {__version__}"
    for (code, out, err), needle in zip(helps, ("--port", "upgrade", "--as-scheduled"), strict=True):
        assert code == 0, err
        assert needle in out


async def test_db_upgrade_then_current_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "fresh.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{database}")
    code, out, err = await dealbell("db", "current", cwd=tmp_path, env=env)
    assert code == 0, err
    assert "current: none" in out and "up to date" not in out

    code, out, err = await dealbell("db", "upgrade", cwd=tmp_path, env=env)
    assert code == 0, err
    assert "database at revision" in out
    code, out, err = await dealbell("db", "current", cwd=tmp_path, env=env)
    assert code == 0, err
    assert "up to date" in out
    assert database.exists()
