"""Operations endpoints: /readyz, /metrics, JSON logs, and graceful shutdown on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.logs import JsonFormatter, configure_logging
from bot.server import create_web_app
from storage.db import Database
from tests.conftest import SIGNING_SECRET, RunningApp, make_settings
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender
from tests.test_server import DEALBELL, clean_env, deal_count, free_port, wait_healthy


async def fetch(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as r:
        return r.status, await r.text()


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


# --- /readyz --------------------------------------------------------------------------------------


async def test_readyz_200_on_a_migrated_database(app: RunningApp) -> None:
    status, text = await fetch(f"{app.url}/readyz")
    assert status == 200, text
    body = json.loads(text)
    assert body["status"] == "ok" and body["database"] == "ok" and body["migrations"] == "current"


@pytest.fixture
async def unmigrated_app(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    db = Database(url)
    runner = web.AppRunner(
        create_web_app(create_app(make_settings(url, fake_slack), db), db), access_log=None
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_readyz_503_on_an_unmigrated_database_while_healthz_stays_200(unmigrated_app: str) -> None:
    status, text = await fetch(f"{unmigrated_app}/readyz")
    assert status == 503, text
    body = json.loads(text)
    assert body["database"] == "ok" and body["migrations"] == "pending"
    assert body["current"] is None and body["head"]
    status, _ = await fetch(f"{unmigrated_app}/healthz")  # alive, just not ready
    assert status == 200


async def test_readyz_503_when_the_database_is_unreachable(fake_slack: FakeSlack) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nope"
    db = Database(url)
    runner = web.AppRunner(
        create_web_app(create_app(make_settings(url, fake_slack), db), db), access_log=None
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        status, text = await fetch(f"http://127.0.0.1:{port}/readyz")
    finally:
        await runner.cleanup()
    assert status == 503
    assert json.loads(text)["database"] == "unreachable"


# --- /metrics -------------------------------------------------------------------------------------


async def test_metrics_count_requests_latency_api_calls_and_429s(app: RunningApp) -> None:
    app.fake.rate_limit_next("users.info", retry_after=0)
    for n in range(3):
        reply = await app.send.command("/deal", f"won {n + 1}k Acme{n}", trigger_id=f"trigger.m{n}")
        assert reply.status == 200
    await app.fake.settle()
    status, text = await fetch(f"{app.url}/metrics")
    assert status == 200
    found = samples(text)
    assert value(found, "dealbell_slack_requests_total", type="command", outcome="2xx") >= 3
    assert value(found, "dealbell_slack_request_seconds_count", type="command") >= 3
    assert value(found, "dealbell_slack_request_seconds_bucket", type="command", le="+Inf") >= 3
    assert ("dealbell_slack_request_seconds_bucket", frozenset({("type", "command"), ("le", "0.1")})) in found
    assert value(found, "dealbell_slack_api_calls_total", method="users.info", outcome="2xx") >= 1
    assert value(found, "dealbell_slack_api_calls_total", method="users.info", outcome="4xx") == 1
    assert value(found, "dealbell_slack_api_rate_limited_total", method="users.info") == 1
    assert value(found, "dealbell_slack_api_calls_total", method="chat.postMessage", outcome="2xx") >= 3


async def test_each_app_has_its_own_registry(app: RunningApp, fake_slack: FakeSlack, db: Database) -> None:
    other = create_web_app(create_app(make_settings("sqlite://", fake_slack), db), db)  # no clash on build
    await app.send.command("/deal", "won 1k Solo", trigger_id="trigger.solo")
    await app.fake.settle()
    _, text = await fetch(f"{app.url}/metrics")
    assert value(samples(text), "dealbell_slack_requests_total", type="command", outcome="2xx") == 1
    assert other is not None


# --- logs -----------------------------------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_one_json_line_per_slack_request_without_tokens_or_text(app: RunningApp) -> None:
    capture = Capture()
    logger = logging.getLogger("dealbell.requests")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    try:
        reply = await app.send.command("/deal", "won 7k SecretCustomerName", user="U0042", trigger_id="t.log")
        assert reply.status == 200
        await app.fake.settle()
    finally:
        logger.removeHandler(capture)
    assert len(capture.lines) == 1
    line = capture.lines[0]
    entry = json.loads(line)
    assert {"time", "level", "logger", "message"} <= entry.keys()
    assert entry["level"] == "INFO" and entry["logger"] == "dealbell.requests"
    assert entry["type"] == "command" and entry["id"] == "/deal"
    assert entry["team"] == "T0001" and entry["user"] == "U0042"
    assert entry["status"] == 200 and entry["latency_ms"] >= 0
    for secret in ("SecretCustomerName", "xoxb", SIGNING_SECRET, "response", "won 7k"):
        assert secret not in line


def test_json_formatter_shape_and_log_format_setting(fake_slack: FakeSlack) -> None:
    settings = make_settings("sqlite://", fake_slack, log_format="json")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(settings)
        formatter = root.handlers[0].formatter
        assert isinstance(formatter, JsonFormatter)
        record = logging.LogRecord("dealbell.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
        entry = json.loads(formatter.format(record))
        assert (
            entry["message"] == "hello you"
            and entry["level"] == "WARNING"
            and entry["logger"] == "dealbell.x"
        )
        assert entry["time"].endswith("+00:00")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert make_settings("sqlite://", fake_slack).log_format == "text"


# --- graceful shutdown ----------------------------------------------------------------------------


class SlowFakeSlack(FakeSlack):
    """users.info takes `delay` seconds, so a request from a new member is still in flight."""

    delay = 1.0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "users.info":
            await asyncio.sleep(self.delay)
        return await super()._api(request)


async def test_sigterm_lets_an_in_flight_request_finish_then_exits_0(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    fake = await SlowFakeSlack().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
    )
    log = tmp_path / "dealbell.log"
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            str(DEALBELL), "run", "--http", "--port", str(port),
            cwd=tmp_path, env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    try:
        await wait_healthy(proc, f"{url}/healthz", log)
        send = SlackSender(url, SIGNING_SECRET, fake.response_url())
        in_flight = asyncio.create_task(
            send.command("/deal", "won 3k Slowco", user="U0SLOW", trigger_id="t.slow")
        )
        await fake.wait_for("users.info")  # the request is now waiting on Slack
        proc.send_signal(signal.SIGTERM)
        reply = await asyncio.wait_for(in_flight, 10)
        assert reply.status == 200, reply.text
        code = await asyncio.wait_for(proc.wait(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "slack command /deal team=T0001 user=U0SLOW status=200" in output  # the request's log line
    assert "scheduler stopped" in output and "xoxb" not in output and "Slowco" not in output
    assert await deal_count(db) == 1
    assert len(fake.delivered("chat.postMessage")) == 1  # the listener after the ack finished too


async def test_job_runs_and_lost_claims_are_counted(app):
    from prometheus_client import generate_latest

    from bot.observability import Metrics, job_outcome_counter
    from jobs import JOBS
    from jobs.base import JobServices
    from jobs.runner import run_job
    from storage.workspaces import ensure_workspace

    metrics = Metrics()
    services = JobServices(
        db=app.db, client_for=app.services.client_for, claimant="t", on_outcome=job_outcome_counter(metrics)
    )
    async with app.db.session() as session:
        workspace = await ensure_workspace(session, "T0001")
    spec = JOBS["prune-processed-events"]
    outcomes = [(await run_job(spec, workspace, services, as_scheduled=True)).status for _ in range(2)]
    assert outcomes == ["ran", "skipped"]
    text = generate_latest(metrics.registry).decode()
    assert 'dealbell_job_runs_total{job="prune-processed-events",outcome="ran"} 1.0' in text
    assert 'dealbell_job_runs_total{job="prune-processed-events",outcome="skipped"} 1.0' in text
    assert 'dealbell_job_claims_lost_total{job="prune-processed-events"} 1.0' in text
